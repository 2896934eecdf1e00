"""Event arguments and status from the dependency parse: status, actor, target, source, place.

Used by geo.events; offsets and token indices are the parsed Doc's.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from geo.models import Mention

if TYPE_CHECKING:
    from geo.event_rules import _Sentence

# Dependency labels that keep a word in its governing verb's clause ("talks" is the object of
# "hold" in "will hold talks"); status words on that clause apply to the event.
_LOCAL = {
    "dobj", "nsubj", "nsubjpass", "pobj", "prep", "xcomp", "compound", "attr", "acomp", "amod",
    "appos", "conj", "oprd", "pcomp", "agent", "dative", "npadvmod", "acl", "nmod",
}  # fmt: skip
_PLACE_PREPS = {"in", "near", "at", "on", "outside", "around", "over", "of", "into", "across",
                "towards", "toward", "inside", "from", "to", "against", "throughout", "between"}  # fmt: skip
_YEAR = re.compile(r"^(1[0-9]{3}|20[0-9]{2})s?$")

# Status --------------------------------------------------------------------------------


def _local_chain(tok) -> list:
    """The trigger and the heads of its clause, up to the clause's verb."""
    chain = [tok]
    while tok.dep_ in _LOCAL and tok.head.i != tok.i:
        tok = tok.head
        chain.append(tok)
        if tok.pos_ in {"VERB", "AUX"} and tok.dep_ not in {"xcomp", "conj", "pcomp", "acl"}:
            break
    return chain


def _status(head, sc: _Sentence, ref_year: int | None) -> str:
    chain = _local_chain(head)
    ancestors = [head, *head.ancestors]
    lemma = _lemma
    if any(lemma(t) in _DENY for t in ancestors) or any(
        t.lower_ in {"denial", "denials"} for t in ancestors
    ):
        return "denied"
    for t in chain:
        for c in t.children:
            if c.dep_ == "neg" or (c.dep_ == "det" and c.lower_ in {"no", "neither"}):
                return "negated"
    if any(lemma(t) in {"fail", "refrain"} for t in chain[1:]):
        return "negated"
    for t in ancestors:
        for c in t.children:
            if c.dep_ == "mark" and c.lower_ in {"if", "unless", "whether"}:
                return "hypothetical"
    for t in chain:
        for c in t.children:
            if c.dep_ == "aux" and c.lower_ in _HYPO_AUX:
                return "hypothetical"
            if c.dep_ == "amod" and c.lower_ in {"possible", "potential", "hypothetical"}:
                return "hypothetical"
    if any(t.lower_ in {"threat", "risk", "danger"} for t in chain[1:]):
        return "hypothetical"
    for t in chain:
        for c in t.children:
            if c.dep_ == "aux" and c.lower_ in {"will", "shall", "'ll", "wo"}:
                return "planned"
            if c.dep_ in {"amod", "compound"} and c.lower_ in _FUTURE_MOD:
                return "planned"
        if t is not head and lemma(t) in _PLAN:
            return "planned"
        if t.lower_ == "going" and any(c.dep_ == "aux" for c in t.children):
            return "planned"
    if any(t.lower_ in {"ahead"} for t in chain[1:]):
        return "planned"
    if _historical(head, chain, sc, ref_year):
        return "historical"
    return "reported"


def _historical(head, chain, sc: _Sentence, ref_year: int | None) -> bool:
    near = list(head.subtree)
    for t in chain[1:]:
        near.append(t)
        for c in t.children:
            if c.dep_ in {"prep", "npadvmod", "nummod", "amod", "compound", "poss", "nmod"}:
                near.extend(c.subtree)
    if sc.has("historical", near):
        return True
    cutoff = ref_year - 5 if ref_year else 1992
    for t in near:
        m = _YEAR.match(t.text)
        if m and int(m.group(1)) < cutoff:
            return True
    return False


_DENY = {"deny", "reject", "refute", "dismiss", "disavow", "rebuff"}
_HYPO_AUX = {"would", "could", "might", "may", "should", "can", "must", "'d", "ca"}
_FUTURE_MOD = {"planned", "upcoming", "future", "proposed", "next", "forthcoming", "prospective"}
_PLAN = {
    "plan", "intend", "prepare", "aim", "seek", "expect", "schedule", "propose", "want",
    "threaten", "promise", "vow", "pledge", "decide", "hope", "offer", "urge", "agree",
    "consider", "discuss", "demand", "ask", "invite", "suggest", "ready", "willing", "try",
    "attempt", "call", "plot", "set", "due", "resume", "start", "begin", "continue",
}  # fmt: skip
_LEMMA = {
    "denies": "deny", "denied": "deny", "denying": "deny", "rejects": "reject",
    "rejected": "reject", "refuted": "refute", "refutes": "refute", "dismissed": "dismiss",
    "dismisses": "dismiss", "failed": "fail", "fails": "fail", "refrained": "refrain",
    "said": "say", "says": "say", "told": "tell", "wrote": "write",
}  # fmt: skip


def _lemma(tok) -> str:
    """A cheap lemma for the verbs status needs (the pipeline runs without a lemmatizer)."""
    low = tok.lower_
    if low in _LEMMA:
        return _LEMMA[low]
    for suf, rep in (("ies", "y"), ("ied", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", "")):
        if low.endswith(suf) and len(low) - len(suf) >= 3:
            stem = low[: -len(suf)] + rep
            for cand in (stem, stem + "e", stem[:-1] if stem[-1:] == stem[-2:-1] else stem):
                if cand in _PLAN or cand in _DENY or cand in _SPEECH:
                    return cand
    return low


_SPEECH = {"say", "claim", "report", "state", "accuse", "allege", "tell", "announce", "confirm",
           "add", "write", "note", "insist", "blame", "charge"}  # fmt: skip


# Actor, target, source --------------------------------------------------------------------

_NP_DEPS = {"amod", "compound", "nummod", "poss", "nmod", "quantmod"}


def _np(tok) -> tuple[int, int]:
    """Token range of a short noun phrase: the head and its modifiers to the left."""
    start = tok.i
    for c in tok.lefts:
        if c.dep_ in _NP_DEPS or (c.dep_ == "det" and c.lower_ not in {"the", "a", "an"}):
            start = min(start, c.left_edge.i)
    end = tok.i + 1
    for c in tok.rights:
        if c.dep_ == "prep" and c.lower_ == "of":
            end = c.right_edge.i + 1
        elif c.dep_ == "compound":
            end = max(end, c.i + 1)
    return start, end


def _np_text(doc, tok) -> str:
    s, e = _np(tok)
    return doc[s:e].text


def _actor(head, sc: _Sentence):
    """The token that names who did it: subject, "by" agent, possessor or demonym."""
    doc = head.doc
    verb = head
    if head.pos_ in {"NOUN", "PROPN"} and head.dep_ in {"dobj", "attr"}:
        verb = head.head  # "Russia launched strikes": the light verb's subject
    for c in head.children:
        if c.dep_ == "agent":
            objs = [g for g in c.children if g.dep_ == "pobj"]
            if objs:
                return objs[0]
        if c.dep_ in {"poss"} or (c.dep_ == "amod" and c.ent_type_ == "NORP"):
            return c
        if c.dep_ == "prep" and c.lower_ in {"by", "from"} and head.pos_ == "NOUN":
            objs = [g for g in c.children if g.dep_ == "pobj"]
            if objs and (sc.has("armed", objs[0].subtree) or objs[0].ent_type_):
                return objs[0]
    for v in (head, verb):
        for c in v.children:
            if c.dep_ == "nsubj":
                return c
    # "accused Russia of shelling": the accused did it.
    if head.dep_ == "pcomp" and head.head.lower_ == "of":
        acc = head.head.head
        for c in acc.children:
            if c.dep_ == "dobj":
                return c
    # A subject shared over a conjunction: "troops entered and shelled the town".
    if head.dep_ == "conj" and head.head.pos_ == "VERB":
        for c in head.head.children:
            if c.dep_ == "nsubj":
                return c
    for t in doc[max(head.i - 3, head.sent.start) : head.i]:
        if t.ent_type_ == "NORP" and t.head.i == head.i:
            return t
    return None


def _target(head, sc: _Sentence, place_toks: set[int]):
    """The token that names what was hit: object, passive subject, "on/against X"."""
    objs = []
    for c in head.children:
        if c.dep_ in {"dobj", "nsubjpass"}:
            objs.append(c)
        if c.dep_ == "prep" and c.lower_ in {"on", "against", "at", "of"}:
            objs += [g for g in c.children if g.dep_ == "pobj"]
    if head.dep_ in {"dobj"} and head.head.pos_ == "VERB":  # "carried out strikes on X"
        for c in head.head.children:
            if c.dep_ == "prep" and c.lower_ in {"on", "against", "at"}:
                objs += [g for g in c.children if g.dep_ == "pobj"]
    for o in objs:
        if o.i not in place_toks and o.pos_ != "PRON":
            return o
    # Victims named further on: "..., killing two civilians".
    for t in head.sent:
        cls = sc.cue_at.get(t.i, ())
        if ("civilian" in cls or "infrastructure" in cls) and t.dep_ in {"dobj", "nsubjpass"}:
            if t.i not in place_toks and "armed" not in cls:
                return t
    return None


def _source(head) -> tuple[str, set[int]]:
    """Who reports the event ("Kyiv says ...", "according to X") and those tokens."""
    for anc in head.ancestors:
        if _lemma(anc) in _SPEECH | _DENY:
            for c in anc.children:
                if c.dep_ == "nsubj":
                    s, e = c.left_edge.i, c.right_edge.i + 1
                    return head.doc[s:e].text, set(range(s, e))
    for t in head.sent:
        if t.lower_ == "according" and t.i + 1 < len(head.doc) and head.doc[t.i + 1].lower_ == "to":
            objs = [g for g in head.doc[t.i + 1].children if g.dep_ == "pobj"]
            if objs:
                s, e = objs[0].left_edge.i, objs[0].right_edge.i + 1
                return head.doc[s:e].text, set(range(s, e))
    return "", set()


# Places --------------------------------------------------------------------------------


def _token_mentions(doc, mentions: Sequence[Mention]) -> dict[int, int]:
    """Token index -> index of the place mention covering it (demonyms left out)."""
    out: dict[int, int] = {}
    for k, m in enumerate(mentions):
        if m.mention_type == "demonym":
            continue
        span = doc.char_span(m.start, m.end, alignment_mode="expand")
        if span is not None:
            for t in span:
                out.setdefault(t.i, k)
    return out


def _places(head, sent, tok2m: dict[int, int], exclude: set[int]) -> list[int]:
    """Mentions where the event happened: in the trigger's clause first, lists expanded."""
    own = {t.i for t in head.subtree}
    for c in head.children:  # "captured Kherson and shelled Mykolaiv": not the second verb's
        if c.dep_ == "conj" and c.pos_ in {"VERB", "AUX"}:
            own -= {t.i for t in c.subtree}
    clause: set[int] = set()
    for t in _local_chain(head)[1:]:
        if t.pos_ in {"VERB", "AUX"}:
            for c in t.children:
                if c.dep_ in {"prep", "dobj", "npadvmod", "advmod", "nsubjpass"}:
                    clause |= {x.i for x in c.subtree}

    def usable(i: int) -> bool:
        return i in tok2m and i not in exclude

    inside = [t for t in sent if t.i in own and usable(t.i)]
    inside = inside or [t for t in sent if t.i in clause and usable(t.i)]
    if inside:
        first = inside[0]
        picked = [tok2m[first.i]]
        # "shelled Kharkiv, Izium and Chuhuiv": a coordinated list gives one event per place.
        head_tok = _mention_head(first, tok2m)
        conj = [c for c in head_tok.conjuncts if usable(c.i)]
        if conj and any(c.dep_ == "cc" for t in [head_tok, *conj] for c in t.children):
            for c in conj:
                k = tok2m[c.i]
                if k not in picked:
                    picked.append(k)
        return picked
    rest = [t for t in sent if usable(t.i)]
    if rest:
        after = [t for t in rest if t.i > head.i]
        return [tok2m[(after or rest)[0].i]]
    return []


def _mention_head(tok, tok2m: dict[int, int]):
    k = tok2m[tok.i]
    while tok.head.i != tok.i and tok2m.get(tok.head.i) == k:
        tok = tok.head
    return tok


_ANAPHORA = {"there", "city", "town", "village", "area", "region", "settlement", "district",
             "nearby", "locality", "capital", "port"}  # fmt: skip


def _anaphor(sent) -> bool:
    for t in sent:
        if t.lower_ == "there" and t.dep_ != "expl":
            return True
        if t.lower_ in _ANAPHORA and any(c.lower_ in {"the", "this", "that"} for c in t.children):
            if not any(c.dep_ == "compound" or c.dep_ == "prep" for c in t.children):
                return True
    return False


def _unresolved_places(doc, mentions: Sequence[Mention]) -> list[Mention]:
    """Place names the tagger saw that no mention covers (a village the gazetteer lacks)."""
    taken = [(m.start, m.end) for m in mentions]
    out = []
    for ent in doc.ents:
        if ent.label_ in {"GPE", "LOC", "FAC"} and not any(
            s < ent.end_char and ent.start_char < e for s, e in taken
        ):
            text = ent.text.removeprefix("the ").removeprefix("The ")
            start = ent.end_char - len(text)
            out.append(Mention("", start, ent.end_char, text, "name", None))
            taken.append((start, ent.end_char))
    # Names in a place's slot ("shelled Tsyrkuny", "near Kitshanga") that the small model
    # tags as a person or an organisation and the gazetteer does not know.
    for tok in doc:
        if not _place_slot(tok):
            continue
        s, e = tok.i, tok.i + 1
        while s > 0 and doc[s - 1].dep_ == "compound" and doc[s - 1].pos_ == "PROPN":
            s -= 1
        span = doc[s:e]
        if any(a < span.end_char and span.start_char < b for a, b in taken):
            continue
        if tok.ent_type_ == "PERSON" and len(span) > 1:
            continue
        out.append(Mention("", span.start_char, span.end_char, span.text, "name", None))
        taken.append((span.start_char, span.end_char))
    return out


_OF_PLACE = {"residents", "people", "outskirts", "centre", "center", "town", "city", "village",
             "villages", "suburbs", "streets", "south", "north", "east", "west", "region"}  # fmt: skip
_NOT_PLACE_ENTS = {"NORP", "DATE", "TIME", "MONEY", "PERCENT", "CARDINAL", "ORDINAL", "QUANTITY"}


def _place_slot(tok) -> bool:
    if tok.pos_ != "PROPN" or not tok.text[:1].isupper() or tok.ent_type_ in _NOT_PLACE_ENTS:
        return False
    if tok.dep_ == "pobj":
        return tok.head.lower_ in {"in", "near", "outside", "around", "at", "into", "from"} or (
            tok.head.lower_ == "of" and tok.head.head.lower_ in _OF_PLACE
        )
    return tok.dep_ in {"dobj", "nsubjpass"} and tok.head.pos_ == "VERB"
