"""Ukrainian morphology for recognition: what a capitalised word can be, from pymorphy3's
Ukrainian dictionary (VESUM via pymorphy3-dicts-uk: code MIT, data CC BY-SA; installed as a
package, not copied here). It tells a person's name ("Дори", the genitive of Дора) from a
place's, and an adjective ("Донецька область") from a city's genitive ("аеропорт Донецька").
"""

from __future__ import annotations

from functools import lru_cache

PERSON_TAGS = frozenset({"Name", "Surn", "Patr"})


@lru_cache(maxsize=1)
def _analyzer():
    import pymorphy3

    return pymorphy3.MorphAnalyzer(lang="uk")


@lru_cache(maxsize=100_000)
def _parses(word: str) -> tuple[tuple[str, frozenset[str]], ...]:
    """(part of speech, grammemes) of each dictionary reading; () for a word the dictionary
    only guesses at."""
    out = []
    for p in _analyzer().parse(word):
        if not p.is_known:
            return ()
        out.append((p.tag.POS or "", frozenset(p.tag.grammemes)))
    return tuple(out)


def only_a_person(word: str) -> bool:
    """True when every reading of `word` is a first name, surname or patronymic."""
    readings = _parses(word)
    return bool(readings) and all(g & PERSON_TAGS for _, g in readings)


def noun_reading(word: str) -> bool:
    """True when one of the readings of `word` is a noun that is not a person's name."""
    return any(pos == "NOUN" and not g & PERSON_TAGS for pos, g in _parses(word))


def agrees_as_adjective(word: str, head: str) -> bool:
    """True when `word` can be an adjective agreeing with the noun `head` in gender, number
    and case ("Донецька область", "Луганської області")."""
    heads = [g for pos, g in _parses(head) if pos == "NOUN"]
    for pos, g in _parses(word):
        if pos != "ADJF":
            continue
        for h in heads:
            case = {"nomn", "gent", "datv", "accs", "ablt", "loct", "voct"} & g & h
            number_ok = ("plur" in g) == ("plur" in h)
            gender_ok = "plur" in g or bool({"masc", "femn", "neut"} & g & h)
            if case and number_ok and gender_ok:
                return True
    return False


FUNCTION_POS = frozenset({"NPRO", "CONJ", "PREP", "PRCL", "ADVB", "INTJ", "NUMR"})


def function_word(word: str) -> bool:
    """True when the lower-case `word` can be a pronoun, conjunction, preposition, particle,
    adverb or numeral ("того", "тоді", "так"): capitalised at a sentence's start it is that
    word, not the country or town spelt the same way."""
    return any(pos in FUNCTION_POS for pos, _ in _parses(word.lower()))


def lemma(word: str) -> str:
    """The dictionary form of the first reading of `word` (the word itself if unknown)."""
    parses = _analyzer().parse(word)
    return parses[0].normal_form if parses else word.lower()


DIRECTIONS = frozenset({"західний", "східний", "південний", "північний", "центральний"})
SIZES = frozenset({"малий", "великий", "новий", "старий", "верхній", "нижній"})


def qualifier_kind(word: str) -> str:
    """ "direction" for "Західної", "Південній" (a part of the place named after it), "size"
    for "Мала", "Нова" (part of a settlement's own name), "" otherwise."""
    return _qualifier(word.lower())


@lru_cache(maxsize=20_000)
def _qualifier(word: str) -> str:
    for p in _analyzer().parse(word):
        if p.tag.POS != "ADJF":
            continue
        if p.normal_form in DIRECTIONS:
            return "direction"
        if p.normal_form in SIZES:
            return "size"
    return ""
