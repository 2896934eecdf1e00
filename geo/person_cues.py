"""Person cues: the words around a name (titles, ages, first names, speech verbs, a name
addressed) that say it names a person, not a place."""

from __future__ import annotations

import re
from functools import lru_cache

from geo.gazetteer import Gazetteer, read_table
from geo.recognize_words import (
    _QUOTES,
    NAMING_WORDS,
    PERSON_NEXT,
    PERSON_TITLES,
    PERSON_VERBS,
    SITE_NOUNS,
    UNIT_WORDS,
)
from geo.word_frequency import _seldom_word


def _person_cue(doc, start_tok: int, end_tok: int) -> bool:
    """True when the words around a span say it names a person."""
    if start_tok > 0:
        prev = doc[start_tok - 1]
        if prev.lower_.rstrip(".") in PERSON_TITLES - NAMING_WORDS:
            return True
    nxt = doc[end_tok] if end_tok < len(doc) else None
    if nxt is not None and nxt.text == ",":
        nxt = doc[end_tok + 1] if end_tok + 1 < len(doc) else None
    return nxt is not None and nxt.lower_ in PERSON_NEXT


_PARTICLES = {"von", "van", "der", "den", "vom", "zu", "zur", "ter", "ten", "bin", "ibn"}
_AGE = re.compile(r"^\d+-(?:year|month|week)-old$")
_AGE_UNITS = {"year", "month", "week"}


def _person_context(doc, s: int, e: int) -> bool:
    """An age before a name makes it a person's, whatever the tagger says: "the dream of
    13-year-old Tanya from Izobilny".
    """
    before = [t.lower_ for t in doc[max(0, s - 3) : s]]
    if before[-1:] == ["old"] and (
        _AGE.match(doc[s - 1].text.lower()) or len(before) == 3 and before[0] in _AGE_UNITS
    ):
        # ... unless the name describes what follows: "a 67-year-old Hammond resident".
        return e >= len(doc) or doc[e].pos_ not in {"NOUN", "PROPN", "PUNCT"}
    return False


def _surname(doc, s: int) -> bool:
    """True after a surname particle that follows a name: "Ursula von der Leyen"."""
    k = s - 1
    while k >= 0 and doc[k].text in _PARTICLES:
        k -= 1
    return k < s - 1 and k >= 0 and doc[k].text[:1].isupper()


def _person_shaped(doc, start: int, end: int) -> bool:
    """True when an entity's tokens could all be a person's name: capitalised words,
    initials and particles ("Michael Jordan", "J. R. R. Tolkien", "Ursula von der Leyen").
    """
    for tok in doc[start:end]:
        if tok.text[:1].isupper() or tok.lower_ in _PARTICLES | {"de", "da", "al"}:
            continue
        if tok.text in {"'s", "’s", "-", "'"} and tok.i == end - 1:
            continue
        return False
    return True


def _named_by(doc, start_tok: int) -> bool:
    """True after "named"/"called": a cue for any proper name, weak for places."""
    return start_tok > 0 and doc[start_tok - 1].lower_ in NAMING_WORDS


@lru_cache(maxsize=1)
def first_names() -> frozenset[str]:
    """Common first names (data/gazetteer/first_names.csv): words that are a person's when the
    words around them say so, whatever small towns carry them."""
    return frozenset(row["name"] for row in read_table("first_names.csv"))


def _first_name_person(doc, i: int, gazetteer: Gazetteer) -> str:
    """True when the first name at token i is a person's here: a surname follows ("Natalia
    Strokan", also after a quoted nickname), an age or a pronoun ("Polina, 9,"), a speech or
    life verb ("Natalia said"), "from" and a place ("Polina from Kyiv"), or a kin noun and a
    comma come before ("their child, Gloria"). "surname", "cue" or "" (no person).
    """
    if doc[i].text not in first_names():
        return ""
    n = len(doc)
    j = i + 1
    if j < n and doc[j].text in _QUOTES:  # a nickname: Yulia "Tayra" Payevska
        k = j + 1
        while k < n and k - j <= 4 and doc[k].text not in _QUOTES:
            k += 1
        j = k + 1 if k < n and k - j <= 4 else n
    if j < n:
        nxt = doc[j]
        if (
            nxt.is_alpha
            and nxt.text[:1].isupper()
            and not nxt.text.isupper()
            and not nxt.is_sent_start
            and (nxt.ent_type_ == "PERSON" or _seldom_word(nxt.text))  # not "Hornets"
            and nxt.lower_ not in SITE_NOUNS | UNIT_WORDS
            and not any(c.place.kind != "city" for c in gazetteer.lookup(nxt.text))
        ):
            return "surname"  # not "Helena Montana" or "Marion County"
    if i + 1 < n:
        nxt = doc[i + 1]
        if nxt.lower_ in PERSON_VERBS:
            return "cue"
        if nxt.lower_ == "from" and i + 2 < n and doc[i + 2].text[:1].isupper():
            return "cue"
        if nxt.text == "," and i + 2 < n:
            after = doc[i + 2]
            if after.like_num or after.lower_ in {"she", "he", "who", "aged"}:
                return "cue"
    kin = PERSON_TITLES | {"child", "baby", "woman", "man", "girl", "boy"}
    return "cue" if i >= 2 and doc[i - 1].text == "," and doc[i - 2].lower_ in kin else ""


def _addressed(doc, s: int, e: int) -> bool:
    """A first name set off by commas (or opening the sentence) in a sentence spoken to
    someone: "You see, Viktoria, this does not depend on us", "Thank you, Anna.". Not a
    member of a list ("thank you, Kyiv, Kharkiv, Sumy!"), and not a town's own name."""
    if e - s != 1 or doc[s].text not in first_names():
        return False
    before = doc[s - 1].text if s > 0 and not doc[s].is_sent_start else ""
    after = doc[e].text if e < len(doc) else "."
    if before not in {",", ""} or after not in {",", ".", "!", "?"}:
        return False
    if before == "" and after != ",":
        return False  # "Sofia." alone is a heading or an answer, not an address
    for k in (s - 2, e + 1):  # the words beyond the commas
        if before and 0 <= k < len(doc) and doc[k].text[:1].isupper() and doc[k].is_alpha:
            if not doc[k].is_sent_start and doc[k].lower_ not in {"i", "you", "we"}:
                return False  # a list of names: "Sofia, Plovdiv, Varna"
    return any(t.lower_ in {"you", "your"} for t in doc[s].sent)
