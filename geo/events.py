"""Passage -> events: type, trigger, place, actor, target and status, from a parsed spaCy Doc.

The fourteen types (EVENT_TYPES) are defined, with their names in ACLED, PLOVER and CAMEO and
their trigger words, in data/events/types.toml. Rules find the events: trigger lemmas per
type, instrument words that decide what a generic "attack" or "strike" was (missile ->
shelling, drone -> air strike, mine -> explosion), cue words that rule out disasters,
accidents and crime, and the dependency parse for status (negation, denial, plans,
conditions, history), actor, target and place. A small linear classifier
(geo.event_model, trained on the labelled passages of data/events/) then decides the main
type of each passage when it is confident and the rules are not.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from functools import lru_cache
from pathlib import Path

from geo.event_args import (
    _actor,
    _anaphor,
    _np,
    _np_text,
    _places,
    _source,
    _status,
    _target,
    _token_mentions,
    _unresolved_places,
)
from geo.event_model import NONE, Model, analyze, choose_main, default_model
from geo.models import Mention, Place

TYPES_FILE = Path(__file__).resolve().parent.parent / "data" / "events" / "types.toml"
EVENT_TYPES = (
    "armed_clash", "shelling", "air_strike", "explosion", "attack_on_civilians",
    "territory_change", "arrest", "protest", "riot", "talks", "sanctions", "evacuation", "aid",
    "military_aid",
)  # fmt: skip
STATUSES = ("reported", "denied", "negated", "planned", "hypothetical", "historical")
VIOLENT = {"armed_clash", "shelling", "air_strike", "explosion", "attack_on_civilians"}
WEAPON_TYPES = ("air_strike", "shelling", "explosion")  # when several cues: the first wins
# Place bases: where the event's place was read.
IN_SENTENCE, PREVIOUS, ARTICLE = "sentence", "previous sentence", "article"

_IRREGULAR = {
    "strike": ["struck", "stricken"], "shoot": ["shot"], "fight": ["fought"],
    "take": ["took", "taken"], "withdraw": ["withdrew", "withdrawn"], "hold": ["held"],
    "meet": ["met"], "blow": ["blew", "blown"], "give": ["gave", "given"], "send": ["sent"],
    "overrun": ["overran"], "be": ["is", "are", "was", "were", "been", "being", "am"],
    "go": ["went", "gone", "goes"], "lead": ["led"], "flee": ["fled"], "hit": ["hit"],
    "set": ["set"], "bring": ["brought"], "drive": ["drove", "driven"],
    "throw": ["threw", "thrown"], "tell": ["told"], "say": ["said"], "begin": ["began", "begun"],
    "break": ["broke", "broken"], "fall": ["fell", "fallen"], "child": ["children"],
    "woman": ["women"], "man": ["men"], "person": ["people"], "wife": ["wives"],
    "thief": ["thieves"], "gunman": ["gunmen"], "serviceman": ["servicemen"],
    "policeman": ["policemen"], "militiaman": ["militiamen"], "seek": ["sought"],
    "lay": ["laid"], "pay": ["paid"], "sink": ["sank", "sunk"], "shell": ["shelled"],
    "do": ["did", "done", "does"], "have": ["has", "had"], "put": ["put"],
    "stab": ["stabbed"], "rob": ["robbed", "robbing"], "gun": ["gunned"], "hurl": ["hurled"],
    "catch": ["caught"], "get": ["got", "gotten"], "buy": ["bought"], "steal": ["stole", "stolen"], "speak": ["spoke", "spoken"], "shut": ["shut"], "sell": ["sold"],
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Event:
    """One event in a text; offsets are characters into the Doc's (the article's) text.

    `place_index` is the index of the event's place in the mentions passed in (None: no
    place, or one with no mention); `place_basis` says where the place was read: "sentence",
    "previous sentence" (an anaphor such as "there" or "the city"), "article" or "".
    `source` is who the text says reported it ("Kyiv says Russia shelled ..."), else "".
    `status` is one of STATUSES; only "reported" events belong on the map by default.
    """

    type: str
    start: int
    end: int
    trigger: str
    passage_start: int
    passage_end: int
    place: str | None
    place_index: int | None
    place_basis: str
    resolved: Place | None
    actor: str | None
    target: str | None
    status: str
    source: str
    confidence: float

    def to_json(self) -> dict:
        """The export shape: type, offsets, trigger, place (name plus lat/lon/geonameid)."""
        place = None
        if self.place is not None:
            place = {"name": self.place, "basis": self.place_basis}
            if self.resolved is not None:
                place |= {
                    "lat": self.resolved.lat,
                    "lon": self.resolved.lon,
                    "geonameid": self.resolved.geonameid,
                    "resolved": self.resolved.name,
                }
        return {
            "type": self.type,
            "start": self.start,
            "end": self.end,
            "trigger": self.trigger,
            "place": place,
            "actor": self.actor,
            "target": self.target,
            "status": self.status,
            "source": self.source or None,
            "confidence": round(self.confidence, 3),
        }


def _forms(word: str) -> set[str]:
    """Inflected forms of a lemma (generous: a spurious form is only a string never seen)."""
    w = word.lower()
    out = {w, w + "s", w + "es", w + "ed", w + "d", w + "ing"}
    if w.endswith("e"):
        out |= {w[:-1] + "ing"}
    if w.endswith("y") and len(w) > 2 and w[-2] not in "aeiou":
        out |= {w[:-1] + "ies", w[:-1] + "ied"}
    if len(w) >= 3 and w[-1] not in "aeiouwxy" and w[-2] in "aeiou" and w[-3] not in "aeiou":
        out |= {w + w[-1] + "ed", w + w[-1] + "ing"}
    out.update(_IRREGULAR.get(w, []))
    for base, irregular in _IRREGULAR.items():
        # "retake" -> "retaken", "overtake", "withhold": a prefix before an irregular verb.
        if len(w) > len(base) + 1 and w.endswith(base) and len(base) >= 3:
            out.update(w[: -len(base)] + f for f in irregular)
    return out


def _noun_forms(word: str) -> set[str]:
    """Singular and plural of a noun trigger ("accord", "accords", not "according")."""
    w = word.lower()
    out = {w, w + "s", w + "es"}
    if w.endswith("y") and len(w) > 2 and w[-2] not in "aeiou":
        out.add(w[:-1] + "ies")
    out.update(f for f in _IRREGULAR.get(w, []) if not f.endswith(("ed", "ing")))
    return out


class _Lexicon:
    """Lemma phrases, indexed for matching by their first word's surface forms."""

    def __init__(self) -> None:
        self.form2lemmas: dict[str, set[str]] = {}
        # first lemma -> [(lemma tuple, label)]
        self.phrases: dict[str, list[tuple[tuple[str, ...], str]]] = {}

    def add(self, phrase: str, label: str) -> None:
        words = tuple(w for w in re.split(r"[\s-]+", phrase.lower()) if w)
        for w in words:
            for f in _forms(w):
                self.form2lemmas.setdefault(f, set()).add(w)
        self.phrases.setdefault(words[0], []).append((words, label))

    def lemmas(self, tok) -> set[str]:
        return self.form2lemmas.get(tok.lower_, ())

    def match(self, toks: Sequence, i: int) -> list[tuple[int, str, tuple[str, ...]]]:
        """(end index, label, words) of the phrases starting at toks[i], longest first."""
        first = self.lemmas(toks[i])
        if not first:  # most words start no phrase
            return []
        out = []
        # Sorted: a set's order changes with PYTHONHASHSEED, and which reading of a word wins
        # a tie (verb or noun) must not change between processes.
        for lemma in sorted(first):
            for words, label in self.phrases.get(lemma, ()):
                j, k = i, 0
                while k < len(words) and j < len(toks):
                    if toks[j].text in {"-", "–"}:
                        j += 1
                        continue
                    if words[k] not in self.lemmas(toks[j]):
                        break
                    j += 1
                    k += 1
                if k == len(words):
                    out.append((j, label, words))
        out.sort(key=lambda m: (-len(m[2]), m[1], m[2]))
        return out


@dataclass(frozen=True, slots=True)
class _Rules:
    types: dict
    triggers: _Lexicon  # label: "type:verb", "type:noun", "generic:attack", ...
    cues: _Lexicon  # label: cue class
    priority: dict[str, int]


@lru_cache(maxsize=1)
def rules(path: Path = TYPES_FILE) -> _Rules:
    """The type definitions and lexicons from data/events/types.toml (read once)."""
    with open(path, "rb") as fh:
        data = tomllib.load(fh)
    trig, cues = _Lexicon(), _Lexicon()
    for name in EVENT_TYPES:
        for v in data[name].get("verbs", []):
            trig.add(v, f"{name}:verb")
        for n in data[name].get("nouns", []):
            trig.add(n, f"{name}:noun")
    for kind, words in data["generic"].items():
        for w in words:
            trig.add(w, f"generic:{kind}")
    for kind, words in data["cues"].items():
        for w in words:
            cues.add(w, kind)
    prio = {name: int(data[name]["priority"]) for name in EVENT_TYPES}
    types = {name: data[name] for name in EVENT_TYPES}
    return _Rules(types, trig, cues, prio)


def definitions() -> dict[str, str]:
    """Each event type's one-line definition."""
    return {name: t["definition"] for name, t in rules().types.items()}


@dataclass(slots=True)
class _Cand:
    type: str
    i: int  # trigger's first token (in the doc)
    j: int  # one past its last token
    head: int  # the token that stands for it in the parse
    kind: str  # "verb", "noun", "generic"
    conf: float


class _Sentence:
    """Cue positions of one sentence: which token starts which cue class, over which span."""

    def __init__(self, sent, lex: _Lexicon) -> None:
        self.sent = sent
        self.cue_at: dict[int, set[str]] = {}
        toks = list(sent)
        self.classes: dict[str, list[int]] = {}
        cover_end, cover = 0, set()  # the last multi-word cue's end and classes
        for k, tok in enumerate(toks):
            if _is_place_name(tok):
                continue  # "Tank" in Khyber Pakhtunkhwa is no tank
            for end, label, _ in lex.match(toks, k):
                if k < cover_end and label in WEAPON_TYPES and label not in cover:
                    continue  # "anti-tank mine": the mine decides, not the tank
                if end - k > 1 and end > cover_end:
                    cover_end, cover = end, set()
                if end - k > 1 and end == cover_end:
                    cover.add(label)
                for t in toks[k:end]:
                    self.cue_at.setdefault(t.i, set()).add(label)
                self.classes.setdefault(label, []).append(tok.i)

    def has(self, cls: str, tokens=None) -> bool:
        if tokens is None:
            return cls in self.classes
        return any(cls in self.cue_at.get(t.i, ()) for t in tokens)

    def in_subtree(self, cls: str, tok) -> bool:
        return any(cls in self.cue_at.get(t.i, ()) for t in tok.subtree)


def _is_place_name(tok) -> bool:
    """A capitalised place name inside a sentence ("Tank", "Mine Road"): no cue word."""
    return (
        tok.pos_ == "PROPN"
        and tok.ent_type_ in {"GPE", "LOC", "FAC"}
        and tok.text[:1].isupper()
        and not tok.text.isupper()
        and not tok.is_sent_start
    )


def _is_name(tok) -> bool:
    """A capitalised proper noun inside a sentence ("in March", "Rally Party"): no trigger."""
    return tok.pos_ == "PROPN" and tok.text[:1].isupper() and not tok.is_sent_start


def _candidates(sent, sc: _Sentence, R: _Rules) -> list[_Cand]:
    toks = list(sent)
    out: list[_Cand] = []
    taken: set[int] = set()
    for k, tok in enumerate(toks):
        if tok.i in taken or _is_name(tok) and tok.lower_ not in {"drones"}:
            continue
        for end, label, words in R.triggers.match(toks, k):
            name, kind = label.split(":")
            span = toks[k:end]
            head = _span_head(span)
            if len(words) == 1 and not _pos_fits(head, name, kind, words[0]):
                continue
            if kind == "noun" and tok.lower_ not in _noun_forms(words[0]) and len(words) == 1:
                continue  # a verb form of a noun trigger: "according" is no "accord"
            if _modifies_a_thing(head, words, sc) or _cleared(head, name, sc):
                continue
            if name in VIOLENT | {"generic"} and kind not in _GOODS_KINDS and _goods(head, R):
                continue  # "sent ballistic missiles", "a shipment of rocket launchers"
            if name == "generic":
                typ = _generic_type(kind, head, span, sc)
                conf = 0.6
            else:
                typ = _specific_type(name, kind, head, sc)
                conf = 0.85 if kind == "verb" or len(words) > 1 else 0.75
            if typ is None:
                continue
            out.append(_Cand(typ, span[0].i, span[-1].i + 1, head.i, kind, conf))
            taken.update(t.i for t in span)
            break
    return out


_THING_HEADS = {"centre", "center", "centres", "centers", "facility", "facilities", "camp", "camps",
                "police", "gear", "conditions", "regime", "policy", "law", "laws", "system",
                "ceremony"}  # fmt: skip


_EQUIPMENT_HEADS = {"shelter", "shelters", "equipment", "experience", "vehicle", "vehicles",
                    "point", "siren", "sirens", "alert", "alerts", "helicopter", "helicopters",
                    "aircraft", "drone", "drones", "jet", "jets", "plane", "planes", "rifle",
                    "rifles", "capability", "capabilities", "training", "skills", "deal", "deals",
                    "talks", "negotiations", "release", "swap", "warrant"}  # fmt: skip


def _modifies_a_thing(head, words, sc: _Sentence) -> bool:
    """ "detention centres", "flash mob", "attack helicopters", "combat experience", "hostage
    deal": a trigger word naming or qualifying a thing, not an event."""
    if head.dep_ == "compound" and head.head.lower_ in _THING_HEADS:
        return True
    if head.dep_ in {"compound", "amod", "nmod"} and head.head.i != head.i:
        gov = head.head
        if gov.lower_ in _EQUIPMENT_HEADS or (
            "weapons" in sc.cue_at.get(gov.i, ()) and "weapons" not in sc.cue_at.get(head.i, ())
        ):
            return True
    return words == ("mob",) and any(c.lower_ == "flash" for c in head.children)


_GOODS_KINDS = {"delivery", "aid_noun", "arrive", "acquire"}
_GOODS_PATH = {"dobj", "pobj", "prep", "conj", "appos", "compound", "amod", "nmod", "nsubjpass",
               "attr", "nsubj", "npadvmod", "cc"}  # fmt: skip


def _goods(head, R: _Rules) -> bool:
    """The word sits in what is delivered, shipped, received or needed: weapons as goods."""
    tok = head
    while tok.dep_ in _GOODS_PATH and tok.head.i != tok.i:
        if tok.dep_ == "prep" and tok.lower_ != "of":
            return False  # "under the shelling", "in connection with": not what is delivered
        gov = tok.head
        kinds = {
            label
            for w in R.triggers.lemmas(gov)
            for words, label in R.triggers.phrases.get(w, ())
            if len(words) == 1
        }
        if kinds & {f"generic:{k}" for k in _GOODS_KINDS} and tok.dep_ != "nsubj":
            return True
        if gov.pos_ in {"VERB", "AUX"}:
            return False
        tok = gov
    return False


_CLEAR = ("neutrali", "defus", "destroy", "clear", "remov", "disarm", "dismantl", "found",
          "find", "discover", "dispos", "demin", "detect", "seiz", "collect", "recover")  # fmt: skip


def _cleared(head, name: str, sc: _Sentence) -> bool:
    """Explosives found, defused or cleared (demining), not set off: no explosion."""
    if name not in {"explosion", "generic"} or not sc.has("explosion", [head]):
        return False
    gov = head.head if head.dep_ in {"dobj", "nsubjpass", "pobj", "compound"} else None
    if gov is not None and gov.dep_ == "prep":
        gov = gov.head
    if gov is not None and gov.lower_.startswith(_CLEAR):
        return True
    return any(t.lower_.startswith(("demin", "sapper", "clearance")) for t in sc.sent)


_TAKE = {"capture", "seize", "take", "occupy", "retake", "regain", "recapture", "overrun",
         "gain", "hand", "annex", "liberate", "free"}  # fmt: skip
_LEAVE = {"withdraw", "retreat", "pull", "withdrawal"}


def _specific_type(name: str, kind: str, head, sc: _Sentence) -> str | None:
    """A type-specific trigger's type, unless its arguments say otherwise."""
    if name == "armed_clash":
        return _clash_type(kind, head, sc)
    if name == "riot":
        doer = _doer(head)
        if doer is not None and _armed_doer(doer, sc):
            return "attack_on_civilians"  # "armed men set fire to houses": not a crowd
        return name
    if name == "protest" and _not_a_demonstration(head, sc):
        return None
    if name != "territory_change":
        return name
    low = head.lower_
    if any(low.startswith(w[:5]) for w in _TAKE) and kind == "verb":
        objs = [c for c in head.children if c.dep_ in {"dobj", "nsubjpass"}]
        objs += [
            g for c in head.children if c.dep_ == "prep" and c.lower_ == "of" for g in c.children
        ]
        objs += [g for c in head.children if c.dep_ == "dobj" for g in c.subtree]
        if any("civilian" in sc.cue_at.get(o.i, ()) for o in objs[:2]):
            return "attack_on_civilians"  # "captured the mayor": an abduction
        direct = [c for c in head.children if c.dep_ in {"dobj", "nsubjpass"}]
        if any({"weapons", "armed"} & sc.cue_at.get(o.i, set()) for o in direct):
            return "armed_clash"  # "captured a T-72 tank", "captured soldiers": the fighting
        if any(_named(o) or "territory" in sc.cue_at.get(o.i, ()) for o in objs):
            return name
        return None
    if any(low.startswith(w[:5]) for w in _LEAVE):
        return name if sc.has("armed") else None
    return name


def _armed_doer(doer, sc: _Sentence) -> bool:
    """The doer is an armed group (soldiers, militants, gangs, "armed youths"), not the police."""
    return sc.in_subtree("armed", doer) and not sc.in_subtree("police", doer)


def _clash_type(kind: str, head, sc: _Sentence) -> str:
    """Fighting words: a clash between armed groups, unless the sides say otherwise.

    Crowds (supporters, rival groups, protesters) fighting with stones and sticks riot; an
    armed group "storming" or "ambushing" villagers, worshippers or a village attacks civilians.
    """
    doer = _doer(head)
    if doer is not None and sc.in_subtree("protester", doer) and not sc.in_subtree("armed", doer):
        return "riot"
    if not sc.has("armed") and sc.has("protest_violence") and not _weapon(head, sc):
        return "riot"
    if kind == "verb" and not _armed_victims(head, sc):
        if _civilian_place_hit(head, sc, "civilian"):
            return "attack_on_civilians"
    return "armed_clash"


def _civilian_place_hit(head, sc: _Sentence, also: str = "") -> bool:
    """The object of an attack is a village, market, mosque or bus (`also`: or another cue
    class, e.g. civilians), not a position."""
    objs = [c for c in head.children if c.dep_ in {"dobj", "nsubjpass"}]
    objs += [g for c in head.children if c.dep_ == "prep" and c.lower_ in {"on", "against"}
             for g in c.children if g.dep_ == "pobj"]  # fmt: skip
    objs += [c for o in objs for c in o.conjuncts]
    classes = {"civilian_place", also} - {""}
    return any(
        classes & sc.cue_at.get(o.i, set()) and "armed" not in sc.cue_at.get(o.i, ()) for o in objs
    )


_LODGE = ("lodg", "file", "filing", "sent", "send", "submit", "regist", "deliver", "issu")
_CHAMBER = {"chamber", "parliament", "session", "debate", "hearing", "assembly", "meeting"}


def _not_a_demonstration(head, sc: _Sentence) -> bool:
    """ "lodged a formal protest", "a protest note", "walked out of the chamber": no protest."""
    low = head.lower_
    if low.startswith("protest") and head.pos_ == "NOUN":
        if head.dep_ in {"dobj", "nsubjpass"} and head.head.lower_.startswith(_LODGE):
            return True
        if head.dep_ == "compound" and head.head.lower_ in {"note", "notes", "letter"}:
            return True
        if any(c.lower_ in {"formal", "diplomatic", "official"} for c in head.children):
            return True
    if low.startswith(("walk", "walked")) or low == "walkout":
        return any(t.lower_ in _CHAMBER for t in sc.sent)
    return False


def _named(tok) -> bool:
    """A proper name, also one the tagger took for a common noun ("failed to take Sake")."""
    return tok.pos_ == "PROPN" or (tok.text[:1].isupper() and not tok.is_sent_start)


def _span_head(span):
    ids = {t.i for t in span}
    for t in span:
        if t.head.i not in ids or t.head.i == t.i:
            return t
    return span[-1]


_VERB_ONLY = {"hit", "target", "launch", "fire", "shoot", "pound", "give", "send", "provide",
              "ship", "bomb", "transfer", "deliver", "donate", "pledge", "free"}  # fmt: skip
_NOUN_ONLY = {"bombing", "custody", "deal", "meeting", "combat", "assault", "mob"}


def _pos_fits(tok, name: str, kind: str, word: str) -> bool:
    """Part of speech the single-word trigger needs ("fired missiles", not "a fire")."""
    if word in _VERB_ONLY:
        return tok.pos_ in {"VERB", "AUX"} or (tok.tag_ in {"VBG", "VBN"})
    if word in _NOUN_ONLY and word not in {"bombing"}:
        return tok.pos_ in {"NOUN", "PROPN"}
    if kind == "verb" and name != "generic":
        return tok.pos_ in {"VERB", "NOUN"} or tok.tag_.startswith("VB")
    if word == "strike":
        return True
    if word in {"riot", "mob"} and tok.dep_ in {"compound", "amod"}:
        return False  # "riot police", "riot gear"
    return tok.pos_ not in {"ADP", "DET", "PRON"}


def _generic_type(kind: str, head, span, sc: _Sentence) -> str | None:
    """The type of an "attack"/"strike"/"kill"/"deliver" word, read from its cues."""
    if kind == "delivery":
        # What is delivered: the object, "deliveries of X", or "weapons handed over".
        for tok in [*head.children, head.head]:
            if tok.dep_ in {"dobj", "nsubjpass", "attr", "pobj", "prep"} or tok is head.head:
                if tok is head.head and head.dep_ not in {"acl", "relcl"}:
                    continue
                if sc.in_subtree("weapons", tok) or any(
                    t.lower_ in _MILITARY_MODS for t in tok.subtree
                ):
                    return "military_aid"
                if sc.in_subtree("humanitarian", tok):
                    return "aid"
        return None
    if kind == "strike_work":
        return "protest"
    if kind == "acquire":
        # Only weapons make it an event: "received HIMARS", "needs tanks", not "got food".
        for c in head.children:
            if c.dep_ in {"dobj", "nsubjpass"} and _names_weapons(c, sc):
                return "military_aid"
        return None
    if kind == "impact":
        # "Rockets landed near the base", "not a single shell has fallen on the town".
        for c in head.children:
            if c.dep_ == "nsubj" and "projectile" in sc.cue_at.get(c.i, ()):
                for typ in WEAPON_TYPES:
                    if typ in sc.cue_at.get(c.i, ()):
                        return typ
        return None
    if kind == "aid_noun":
        typ = _aid_by_content(head, sc)
        # A military convoy is a target or a movement, not a delivery of arms.
        return None if typ == "military_aid" and head.lower_.startswith("convoy") else typ
    if kind == "arrive":
        # What arrives, or what it carries: "planes landed ..., carrying small arms".
        carried = [
            g
            for c in head.children
            if c.dep_ in {"advcl", "xcomp", "acl"} and c.lower_.startswith(("carry", "load"))
            for g in c.children
            if g.dep_ in {"dobj", "prep"}
        ]
        subjects = [c for c in head.children if c.dep_ in {"nsubj", "nsubjpass"}]
        for c in [*subjects, *carried]:
            if sc.in_subtree("weapons", c):
                return "military_aid"
            if sc.in_subtree("humanitarian", c):
                return "aid"
        return None
    if kind == "relocate":
        moved = [c for c in head.children if c.dep_ in {"dobj", "nsubjpass"}]
        away = any(
            c.dep_ in {"prep", "prt"} and c.lower_ in {"from", "out", "to"} for c in head.children
        )
        if away and any(sc.in_subtree("civilian", c) for c in moved):
            return "evacuation"
        return None
    if kind == "meeting":
        return "talks" if sc.has("diplomacy") else None
    if kind == "swap":
        return "talks" if sc.in_subtree("prisoner", head) else None
    if head.lemma_ == "strike" or head.lower_ in {"strike", "strikes"}:
        # Workers' strikes: "teachers went on strike", "a general strike".
        if any(c.lower_ in {"general", "workers", "hunger", "nationwide"} for c in head.children):
            return "protest"
        if head.head.lemma_ in {"go"} or head.head.lower_ in {"went", "go", "going", "on"}:
            return "protest"
    weapon = _weapon(head, sc, kind == "consequence")
    if weapon:
        return weapon
    doer = _doer(head)
    if _at_protesters(head, doer):
        return "protest"  # "troops opened fire on demonstrators": force against a protest
    if doer is not None and sc.in_subtree("protester", doer) and not sc.in_subtree("armed", doer):
        return "riot"  # "youths stormed ...", "a mob attacked ..."
    if kind == "consequence" and head.lower_.startswith(("die", "died")):
        # Who died are the victims, not the doers: soldiers and militants dying is fighting.
        return "armed_clash" if doer is not None and sc.in_subtree("armed", doer) else None
    if kind == "consequence":
        # "Killing two" needs a weapon or an armed attacker of its own.
        if doer is None or not sc.in_subtree("armed", doer):
            return None
        if _armed_victims(head, sc) and not _civilian_victims(head, sc):
            return "armed_clash"
        return "attack_on_civilians"
    civ = _civilian_victims(head, sc) or (
        doer is not None
        and sc.in_subtree("armed", doer)
        and (_civilians_killed(sc) or _civilian_place_hit(head, sc))
        and not _armed_victims(head, sc)
    )
    if civ:
        return "attack_on_civilians"
    if head.lower_.startswith(("shoot", "shot")):
        return "attack_on_civilians" if not sc.has("armed", [*head.subtree][1:]) else "armed_clash"
    if sc.has("armed") or head.lower_.startswith(("attack", "raid", "assault")):
        return "armed_clash"
    return None


_MILITARY_MODS = {"military", "defence", "defense", "security", "lethal", "weapons", "arms"}


def _names_weapons(tok, sc: _Sentence) -> bool:
    """The noun phrase (its modifiers, "of" objects and conjuncts; no clauses or other
    prepositions) names weapons: "HIMARS", "a batch of howitzers", "military equipment"."""
    out, todo = [], [tok]
    while todo:
        t = todo.pop()
        out.append(t)
        for c in t.children:
            if c.dep_ in {"relcl", "acl", "advcl"} or (c.dep_ == "prep" and c.lower_ != "of"):
                continue
            todo.append(c)
    return sc.has("weapons", out) or any(t.lower_ in _MILITARY_MODS for t in out)


def _aid_by_content(head, sc: _Sentence) -> str | None:
    """An aid noun's type from its modifiers and "of" objects; None when they name neither."""
    if head.pos_ not in {"NOUN", "PROPN"}:
        return None
    # The noun phrase itself, not a clause hung on it ("aid that ... weapons").
    clauses = [c for c in head.children if c.dep_ in {"relcl", "acl"}]
    skip = {t.i for c in clauses for t in c.subtree} | {head.i}
    mods = [t for t in head.subtree if t.i not in skip]
    if any(t.lower_ in _MILITARY_MODS for t in mods) or sc.has("weapons", mods):
        return "military_aid"
    if sc.has("humanitarian", mods):
        return "aid"
    return None


_PROTESTERS = ("protester", "protestor", "demonstrator", "marcher")


def _at_protesters(head, doer) -> bool:
    """An attack word whose target (not its doer) is protesters."""
    skip = {t.i for t in doer.subtree} if doer is not None else set()
    return any(t.lower_.startswith(_PROTESTERS) for t in head.subtree if t.i not in skip)


def _doer(head):
    """The subject or "by" agent of a verb trigger (None for nouns and subjectless verbs)."""
    for c in head.children:
        if c.dep_ == "nsubj":
            return c
        if c.dep_ == "agent":
            for g in c.children:
                if g.dep_ == "pobj":
                    return g
    if head.dep_ == "conj" and head.head.pos_ == "VERB":
        return _doer(head.head)
    return None


def _civilians_killed(sc: _Sentence) -> bool:
    """The sentence counts civilian victims and no armed ones ("..., killing 19 people")."""
    civ = armed = False
    for t in sc.sent:
        if t.dep_ in {"dobj", "nsubjpass"} and t.head.lower_[:4] in {"kill", "woun", "inju"}:
            cls = sc.cue_at.get(t.i, ())
            armed |= "armed" in cls
            civ |= "civilian" in cls or t.pos_ == "NUM" or t.lower_ in _COUNTS
    return civ and not armed


_COUNTS = {"dozens", "scores", "hundreds", "thousands", "many", "several", "others"}


def _armed_victims(head, sc: _Sentence) -> bool:
    return any(
        "armed" in sc.cue_at.get(t.i, ()) and t.dep_ in {"dobj", "nsubjpass"} for t in head.subtree
    )


def _weapon(head, sc: _Sentence, by_only: bool = False) -> str | None:
    """The weapon type cued in the trigger's subtree, else its governing verb's subtree.

    by_only: only in what did it ("killed by a mine", "wounded when ... a mine"), not in
    what was hit ("destroyed explosive devices").
    """
    if by_only:
        for c in head.children:
            if c.dep_ in {"dobj", "nsubjpass", "attr"}:
                continue
            for typ in WEAPON_TYPES:
                if sc.in_subtree(typ, c):
                    return typ
        return None
    scopes = [head]
    if head.dep_ in {"dobj", "nsubjpass", "pobj", "attr", "conj"} and head.head.i != head.i:
        scopes.append(head.head)
    for scope in scopes:
        for typ in WEAPON_TYPES:
            if sc.in_subtree(typ, scope):
                return typ
    return None


def _civilian_victims(head, sc: _Sentence) -> bool:
    """Civilians named as the object or the victims of the trigger (not armed men)."""
    for tok in head.subtree:
        if "civilian" in sc.cue_at.get(tok.i, ()) and "armed" not in sc.cue_at.get(tok.i, ()):
            if tok.dep_ in {"dobj", "nsubjpass", "pobj", "conj", "appos", "attr", "nsubj"}:
                if tok.dep_ == "nsubj" and tok.head.i == head.i:
                    continue  # "civilians attacked", the civilians did it
                return True
    return False


# Sentence-level vetoes -------------------------------------------------------------------


def _vetoed(typ: str, sc: _Sentence) -> bool:
    """Disasters, accidents and crime are no events unless armed forces or weapons are named."""
    war = any(sc.has(c) for c in (*WEAPON_TYPES, "armed"))
    political = sc.has("armed") and not _only_police_or_gunmen(sc)
    if typ in VIOLENT | {"riot"} and (sc.has("disaster") or sc.has("accident")) and not war:
        return True
    if typ == "explosion" and sc.has("accident") and not political:
        return True
    if typ in {"attack_on_civilians", "arrest", "explosion"} and sc.has("crime") and not political:
        return True
    weapons = any(sc.has(c) for c in WEAPON_TYPES)
    if typ in {"aid", "evacuation"} and (sc.has("disaster") or sc.has("accident")) and not weapons:
        return True  # relief after floods and earthquakes, evacuations for a fire alarm
    if typ in VIOLENT and sc.has("cyber") and not weapons:
        return True  # hackers "attacking" websites
    if typ in VIOLENT | {"territory_change", "riot", "military_aid"} and sc.has("drill"):
        return True  # exercises, drills, parades, missile tests
    if typ != "riot" and sc.has("sport") and not war:
        return True  # "bombarded the batsmen", "launched attacks in the second half"
    if typ in VIOLENT and sc.has("market") and not war:
        return True  # "prices exploded", "the currency came under attack"
    if typ in {"talks", "territory_change"} and sc.has("business") and not sc.has("armed"):
        return True  # trade talks, a price-war truce, a company taking control of a port
    return False


_POLICE_LIKE = {"police", "policeman", "policemen", "officer", "officers", "gunman", "gunmen",
                "assailant", "assailants", "attacker", "attackers", "bandit", "bandits",
                "gang", "gangs", "armed"}  # fmt: skip


def _only_police_or_gunmen(sc: _Sentence) -> bool:
    toks = [sc.sent.doc[i] for i in sc.classes.get("armed", [])]
    return all(t.lower_ in _POLICE_LIKE for t in toks)


# Assembly ------------------------------------------------------------------------------


_RULES_ONLY = "rules"


def events_in_doc(
    doc,
    mentions: Sequence[Mention] = (),
    published: date | None = None,
    model: Model | None | str = None,
) -> list[Event]:
    """Events in an already parsed Doc; `mentions` are its place mentions (character spans).

    The main event comes first: the first passage with an event, its reported event of the
    highest priority (the weapon decides over the victims; a capture over the fighting).
    The rules find the events; the classifier of geo.event_model (`model`: None for the
    shipped one, "rules" for none) then decides the main type of each passage with them
    (see `choose_main`): a document of up to three sentences is one passage, a longer
    one a passage per sentence.
    """
    ctx = _Context(doc, mentions, published)
    found = _rule_events(ctx)
    if model is None:
        model = default_model()
    if model == _RULES_ONLY or model is None:
        return _main_first(found)
    assert isinstance(model, Model)
    sents = list(doc.sents)
    if len(sents) <= PASSAGE_SENTENCES:
        units = [list(range(len(sents)))]
    else:
        units = [[n] for n in sorted({f[0] for f in found})]
    out = [f for f in found if not any(f[0] in u for u in units)]
    for unit in units:
        out.extend(_decide(ctx, model, sents, unit, [f for f in found if f[0] in unit]))
    return _main_first(out)


PASSAGE_SENTENCES = 3


def passage_features(
    text: str, found: Sequence[Event], cues: Sequence[str] = ()
) -> dict[str, list[str]]:
    """The classifier's features of a passage, the rules' events on it (main first) and the
    cue classes of its sentences (see `cue_classes`)."""
    return analyze(text, [e.type for e in found], found[0].status if found else None, cues)


def cue_classes(sents) -> list[str]:
    """The cue classes of data/events/types.toml that occur in these spaCy sentences."""
    R = rules()
    return sorted({c for sent in sents for c in _Sentence(sent, R.cues).classes})


def _decide(ctx, model: Model, sents, unit: list[int], found: list) -> list:
    """The unit's events after the classifier's choice of its main type."""
    first, last = sents[unit[0]], sents[unit[-1]]
    text = ctx.text[first.start_char : last.end_char]
    ordered = _main_first(found)
    cues = cue_classes(sents[n] for n in unit)
    proba = model.proba(passage_features(text, ordered, cues))
    typ = choose_main([e.type for e in ordered], proba, model.thresholds)
    rules_main = ordered[0].type if ordered else NONE
    if typ == rules_main:
        return found
    if typ == NONE:
        return []
    same = [f for f in found if f[2].type == typ]
    if same:
        best = min(same, key=_main_key)
        # The chosen event leads its passage: earliest sentence, top priority.
        lead = (min(f[0] for f in found), _LEAD, best[2])
        return [lead, *[f for f in found if f is not best]]
    conf = round(proba[typ], 3)
    for n in unit:
        made = _model_event(ctx, sents[n], n, typ, conf, anywhere=False)
        if made:
            return [(n, _LEAD, e) for e in made] + found
    if found:
        # No word of that type: the rules' main event, retyped (its trigger and arguments).
        main = min(found, key=_main_key)
        return [(main[0], _LEAD, replace(main[2], type=typ, confidence=conf)), *found]
    n = unit[0]
    return [(n, _LEAD, e) for e in _model_event(ctx, sents[n], n, typ, conf, anywhere=True)]


def _model_event(ctx, sent, n: int, typ: str, conf: float, anywhere: bool) -> list[Event]:
    """Events of the classifier's type in a sentence: on a trigger word of that type, else
    (`anywhere`) on the sentence's main verb, else none; arguments as for the rules'."""
    R = rules()
    toks = list(sent)
    for k in range(len(toks)):
        hit = [m for m in R.triggers.match(toks, k) if m[1].startswith(typ + ":")]
        if hit:
            head = _span_head(toks[k : hit[0][0]])
            i, j = toks[k].i, toks[hit[0][0] - 1].i + 1
            break
    else:
        if not anywhere:
            return []
        head = sent.root
        i, j = head.i, head.i + 1
    sc = _Sentence(sent, R.cues)
    c = _Cand(typ, i, j, head.i, "model", conf)
    return _events(c, ctx.doc, sent, sc, ctx.mentions, ctx.tok2m, ctx.ref_year, None, n, ctx.given)


class _Context:
    """A document with its place mentions, as the event readers need them."""

    def __init__(self, doc, mentions: Sequence[Mention], published: date | None) -> None:
        self.doc = doc
        self.text = doc.text  # Doc.text joins every token: made once, not per passage
        self.ref_year = published.year if published else None
        self.given = len(mentions)
        self.mentions = [*mentions, *_unresolved_places(doc, mentions)]
        self.tok2m = _token_mentions(doc, self.mentions)


_LEAD = 100  # priority of an event the classifier chose to lead its passage


def _main_key(f: tuple[int, int, Event]):
    return (f[0], f[1] < _LEAD, f[2].status != "reported", -f[1], f[2].start)


def _main_first(found: list[tuple[int, int, Event]]) -> list[Event]:
    if not found:
        return []
    main = min(found, key=_main_key)
    return [main[2]] + [f[2] for f in found if f is not main]


def _rule_events(ctx: _Context) -> list[tuple[int, int, Event]]:
    """(sentence number, priority, event) of every event the rules find."""
    R = rules()
    doc, mentions, tok2m = ctx.doc, ctx.mentions, ctx.tok2m
    found: list[tuple[int, int, Event]] = []
    last_place: tuple[int, int] | None = None  # (mention index, sentence number)
    for n, sent in enumerate(doc.sents):
        sc = _Sentence(sent, R.cues)
        cands = [c for c in _candidates(sent, sc, R) if not _vetoed(c.type, sc)]
        cands = _prune(cands, doc, sc)
        violent_protest = _violent_protest(sc)
        for c in cands:
            if c.type == "protest" and violent_protest:
                c.type = "riot"
            prio = R.priority[c.type] - 4 * _weak_explosion(c, sc) - 5 * _depth(doc[c.head])
            found.extend(
                (n, prio, e)
                for e in _events(
                    c, doc, sent, sc, mentions, tok2m, ctx.ref_year, last_place, n, ctx.given
                )
            )
        in_sent = [tok2m[t.i] for t in sent if t.i in tok2m]
        if in_sent:
            last_place = (in_sent[-1], n)
    return _dedupe(found)


_BACKGROUND = {"after", "before", "following", "since", "amid", "during", "despite", "over",
               "for", "under", "about", "ahead", "against", "on", "until", "like", "by"}  # fmt: skip


def _depth(head) -> int:
    """1 when the trigger sits in a background clause ("... after heavy fighting"), else 0."""
    for t in [head, *head.ancestors]:
        if t.dep_ in {"advcl", "relcl", "acl"}:
            return 1
        if t.dep_ == "prep" and t.lower_ in _BACKGROUND and t.i != head.i:
            return 1
    return 0


def _backgrounded(tok, top) -> bool:
    """tok sits under `top` in a background clause ("fired on ... after an ambush")."""
    for t in [tok, *tok.ancestors]:
        if t.i == top.i:
            return False
        if t.dep_ in {"advcl", "relcl"} or (t.dep_ == "prep" and t.lower_ in _BACKGROUND):
            return True
    return False


def _weak_explosion(c: _Cand, sc: _Sentence) -> bool:
    """ "Explosions were heard": an explosion with no explosive device named."""
    return c.type == "explosion" and c.kind == "noun" and not sc.has("explosion")


def _violent_protest(sc: _Sentence) -> bool:
    """Protesters (not the police) throwing stones, burning, looting, storming."""
    doc = sc.sent.doc
    for i in sc.classes.get("protest_violence", []):
        verb = doc[i]
        while verb.pos_ not in {"VERB", "AUX"} and verb.head.i != verb.i:
            verb = verb.head
        doer = _doer(verb)
        if doer is None or not sc.in_subtree("police", doer):
            return True
    return False


def _prune(cands: list[_Cand], doc, sc: _Sentence) -> list[_Cand]:
    """Drop generic words that only restate a specific trigger of the same sentence."""
    specific = [c for c in cands if c.kind != "generic" and c.kind not in {"attack", "consequence"}]
    out = []
    for c in cands:
        if c.kind in {"attack", "consequence"} and specific:
            head = doc[c.head]
            related = any(
                (s.head in {t.i for t in head.subtree} and not _backgrounded(doc[s.head], head))
                or c.head in {t.i for t in doc[s.head].subtree}
                or doc[s.head].head.i == c.head
                or head.head.i == s.head
                for s in specific
            )
            if related or c.type in {s.type for s in specific}:
                continue
        # An explosion heard where missiles or drones struck is that strike.
        if _weak_explosion(c, sc) and any(o.type in VIOLENT and o is not c for o in cands):
            continue
        out.append(c)
    return out


def _events(
    c: _Cand, doc, sent, sc, mentions, tok2m, ref_year, last_place, n, given
) -> list[Event]:
    head = doc[c.head]
    status = _status(head, sc, ref_year)
    source, source_toks = _source(head)
    actor_tok = _actor(head, sc)
    actor_toks: set[int] = set()
    actor = None
    if actor_tok is not None:
        s, e = _np(actor_tok)
        actor = doc[s:e].text
        actor_toks = {t.i for t in actor_tok.subtree} | set(range(s, e))
    places = _places(head, sent, tok2m, actor_toks | source_toks)
    basis = IN_SENTENCE if places else ""
    conf = c.conf
    if not places and last_place is not None and _anaphor(sent):
        places = [last_place[0]]
        basis = PREVIOUS if last_place[1] == n - 1 else ARTICLE
        conf -= 0.1
    place_toks = {i for i, k in tok2m.items() if k in places}
    target_tok = _target(head, sc, place_toks | actor_toks)
    target = _np_text(doc, target_tok) if target_tok is not None else None
    if actor is None and c.kind in {"attack", "consequence"}:
        conf -= 0.1
    trigger = doc[c.i : c.j]
    base = dict(
        type=c.type,
        start=trigger.start_char,
        end=trigger.end_char,
        trigger=trigger.text,
        passage_start=sent.start_char,
        passage_end=sent.end_char,
        actor=actor,
        target=target,
        status=status,
        source=source,
        confidence=max(0.1, min(conf, 0.95)),
    )
    if not places:
        return [Event(place=None, place_index=None, place_basis="", resolved=None, **base)]
    return [
        Event(
            place=mentions[k].text,
            place_index=k if k < given else None,
            place_basis=basis,
            resolved=mentions[k].place,
            **base,
        )
        for k in places
    ]


def _dedupe(found: list[tuple[int, int, Event]]) -> list[tuple[int, int, Event]]:
    """One event per sentence, type, place and status (a verb and its noun restated)."""
    seen: dict[tuple, int] = {}
    out: list[tuple[int, int, Event]] = []
    for f in found:
        n, _, e = f
        key = (n, e.type, e.place_index, e.status)
        if key in seen:
            old = out[seen[key]]
            if e.confidence > old[2].confidence:
                out[seen[key]] = f
            continue
        seen[key] = len(out)
        out.append(f)
    return out


def extract_events(
    text: str,
    nlp,
    mentions: Sequence[Mention] | None = None,
    geoparser=None,
    published: date | None = None,
    article_id: str = "",
) -> list[Event]:
    """Parse `text` and return its events; places come from `mentions`, else the geoparser.

    With neither, events carry no place. `geoparser` is a geo.geoparser.Geoparser.
    """
    doc = nlp(text)
    if mentions is None and geoparser is not None:
        from geo.models import Article

        art = Article(article_id, None, "", published, "", "en", text)
        mentions = geoparser.resolver.resolve(art, _recognize(doc, geoparser))
    return events_in_doc(doc, mentions or (), published)


def _recognize(doc, geoparser):
    from geo.recognize import recognize

    return recognize(doc, geoparser.gazetteer)


def events_for_articles(articles, geoparser, batch_size: int = 16):
    """(article, events) for a stream of articles: one spaCy pass each, places geoparsed."""
    pairs = ((a.text, a) for a in articles)
    for doc, art in geoparser.nlp.pipe(pairs, as_tuples=True, batch_size=batch_size):
        mentions = geoparser.resolver.resolve(art, _recognize(doc, geoparser))
        yield art, events_in_doc(doc, mentions, art.published)
