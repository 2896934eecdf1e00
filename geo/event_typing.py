"""Typing of event triggers: which trigger words a sentence holds and what type each is.

A type-specific trigger keeps its type unless its arguments say otherwise (a "capture" of a
mayor is an abduction); a generic one ("attack", "strike", "killed", "delivered") is typed by
its cues (the weapon, the doer, the victims, what was delivered). Sentence-level vetoes then
rule out disasters, accidents, crime, drills, sport and markets. The cue words are those of
geo.event_rules; geo.events assembles the typed candidates into events.
"""

from __future__ import annotations

from dataclasses import dataclass

from geo.event_rules import VIOLENT, WEAPON_TYPES, _noun_forms, _Rules, _Sentence


@dataclass(slots=True)
class _Cand:
    type: str
    i: int  # trigger's first token (in the doc)
    j: int  # one past its last token
    head: int  # the token that stands for it in the parse
    kind: str  # "verb", "noun", "generic"
    conf: float


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
