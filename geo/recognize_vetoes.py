"""Article-wide vetoes on recognised spans: names of diseases ("Ebola virus"), titles of
works ("the film Brest Fortress") and doubled words ("Duran Duran")."""

from __future__ import annotations

from geo.gazetteer import Gazetteer
from geo.recognize_spans import PLACE_LABELS, Span
from geo.recognize_words import (
    _QUOTES,
    _TITLE_JOINERS,
    _WORK_BEFORE,
    DISEASE_AFTER,
    DISEASE_SAFE_BEFORE,
    GREEK_LETTERS,
    PANDEMIC_WORDS,
    PLACE_NOUNS,
    WORK_NOUNS,
)


def _disease_names(doc) -> set[str]:
    """Names used for a disease or pathogen somewhere in the article ("Ebola virus"), and
    Greek letters in an article about a virus's variants ("Delta and Omicron")."""
    out = set()
    for i, tok in enumerate(doc[:-1]):
        if tok.text[:1].isupper() and doc[i + 1].lower_ in DISEASE_AFTER:
            out.add(tok.text)
    if any(t.lower_ in PANDEMIC_WORDS for t in doc):
        out |= {t.text for t in doc if t.text in GREEK_LETTERS}
    return out


def _in_tokens(doc, sp: Span, tokens: set[int]) -> bool:
    span = doc.char_span(sp.start, sp.end, alignment_mode="expand")
    return span is not None and any(k in tokens for k in range(span.start, span.end))


def _doubled_span(doc, sp: Span, gazetteer: Gazetteer) -> bool:
    if sp.mention_type != "name" or " " in sp.text:
        return False
    span = doc.char_span(sp.start, sp.end)
    return span is not None and _doubled(doc, span.start, span.end, gazetteer)


def _disease_use(doc, sp: Span, diseases: set[str]) -> bool:
    """True when this mention of a name is the disease ("Ebola virus", or a bare "Ebola"
    in an article that calls it a virus, with no locative word or place label of its own).
    """
    if sp.text not in diseases or sp.mention_type != "name":
        return False
    span = doc.char_span(sp.start, sp.end)
    if span is None:
        return True
    if span.end < len(doc) and doc[span.end].lower_ in DISEASE_AFTER:
        return True
    if (
        sp.label in PLACE_LABELS
        and span.end + 1 < len(doc)
        and doc[span.end].text == ","
        and doc[span.end + 1].text[:1].isupper()
    ):
        return False  # "to Reston, Virginia" in an article on the Reston virus ("Delta, and")
    before = doc[span.start - 1].lower_ if span.start > 0 else ""
    return before not in DISEASE_SAFE_BEFORE and before not in PLACE_NOUNS


def _title_tokens(doc, gazetteer: Gazetteer) -> tuple[set[int], set[int]]:
    """Tokens of the titles of works and programmes: after a work noun ("the programme
    Porta a Porta", "the film Brest Fortress", quoted or not: every name in it is the
    title's), and, when the title holds a small word, before one ("the Time of Heroes
    programme": countries there may still be meant, "the Bank of Russia programme").
    """
    out: set[int] = set()
    loose: set[int] = set()
    n = len(doc)

    def run_from(k: int) -> int:
        """End of a capitalised run starting at k (joiners inside, a capital at its end)."""
        end = k
        while k < n and (
            doc[k].is_alpha and doc[k].text[:1].isupper() or doc[k].lower_ in _TITLE_JOINERS
        ):
            if doc[k].lower_ in _TITLE_JOINERS and k + 1 < n and doc[k + 1].lower_ == "the":
                break  # "Porta a Porta of the Italian TV channel": the title ends there
            k += 1
            if doc[k - 1].text[:1].isupper():
                end = k
        return end

    for i, tok in enumerate(doc):
        if tok.lower_ not in WORK_NOUNS or not tok.text.islower() or i == 0:
            continue
        if doc[i - 1].lower_ in _WORK_BEFORE and i + 1 < n:
            k = i + 1 + (doc[i + 1].text in _QUOTES)
            if k < n and doc[k].text[:1].isupper():
                e = run_from(k)
                if e > k:
                    out.update(range(k, e))
        # Before the noun: "the Porta a Porta project"; a run with a small word only, since
        # "the Kyiv project" is about Kyiv.
        k = i
        while k > 0 and (
            doc[k - 1].is_alpha
            and doc[k - 1].text[:1].isupper()
            or doc[k - 1].lower_ in _TITLE_JOINERS - {"the"}
        ):
            k -= 1
        if k < i and k > 0 and doc[k - 1].lower_ in {"the", "a"} and doc[k].text[:1].isupper():
            words = [t.text for t in doc[k:i]]
            # "Time of Heroes"; but "the Venice and Moscow film festivals" are the towns'.
            has_joiner = any(w.islower() and w not in {"and", "&"} for w in words)
            if has_joiner and not gazetteer.lookup(doc[k:i].text):
                loose.update(range(k, i))
    return out, loose


def _doubled(doc, s: int, e: int, gazetteer: Gazetteer) -> bool:
    """A word written twice in a row ("Duran Duran") names a band or a person, unless the
    doubled name itself is a place ("Walla Walla")."""
    if e - s != 1:
        return False
    w = doc[s].text
    for a, b in ((s - 1, s + 1), (s, s + 2)):
        if a >= 0 and b <= len(doc) and doc[a].text == w == doc[b - 1].text and b - a == 2:
            return not gazetteer.lookup(doc[a:b].text)
    return False
