"""The event rules' lexicon: the types, trigger words and cue words of data/events/types.toml.

Words are matched by lemma: each trigger or cue phrase is indexed by the inflected forms of
its words (`_Lexicon`), and `_Sentence` records which cue classes (weapons, armed groups,
civilians, disasters, ...) occur where in one parsed sentence. geo.event_typing reads
triggers and cues through them; geo.events assembles the events.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

TYPES_FILE = Path(__file__).resolve().parent.parent / "data" / "events" / "types.toml"
EVENT_TYPES = (
    "armed_clash", "shelling", "air_strike", "explosion", "attack_on_civilians",
    "territory_change", "arrest", "protest", "riot", "talks", "sanctions", "evacuation", "aid",
    "military_aid",
)  # fmt: skip
VIOLENT = {"armed_clash", "shelling", "air_strike", "explosion", "attack_on_civilians"}
WEAPON_TYPES = ("air_strike", "shelling", "explosion")  # when several cues: the first wins

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
