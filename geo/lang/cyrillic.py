"""What Russian and Ukrainian recognition share: words with offsets, case endings back to the
gazetteer's nominative names, unit phrases ("Харківській області"), transliteration.

The gazetteer is the lexicon: a word's possible nominative forms (from a lemmatiser and from
the case endings below) are looked up, and the first form the gazetteer knows wins.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from geo.gazetteer import Candidate, Gazetteer

# A word: letters, with inner hyphens and apostrophes ("Івано-Франківськ", "Кам'янське").
WORD = re.compile(r"[^\W\d_]+(?:[-'’ʼ][^\W\d_]+)*")
_APOSTROPHES = str.maketrans({"’": "'", "ʼ": "'", "`": "'"})


@dataclass(frozen=True, slots=True)
class Word:
    """A word of the text and its character offsets."""

    start: int
    end: int
    text: str

    @property
    def capitalised(self) -> bool:
        return self.text[:1].isupper()

    @property
    def lower(self) -> str:
        return self.text.lower()


def words(text: str) -> list[Word]:
    """The text's words in order, with offsets into `text`."""
    return [Word(m.start(), m.end(), m.group()) for m in WORD.finditer(text)]


def is_cyrillic(word: str) -> bool:
    """True when the word's first letter is Cyrillic."""
    return bool(word) and "\u0400" <= word[0] <= "\u04ff"


# Noun case endings -> nominative endings, longest first. Ukrainian and Russian together:
# a form one language does not have finds nothing in the gazetteer.
_NOUN_ENDINGS: list[tuple[str, tuple[str, ...]]] = [
    ("ові", ("",)), ("еві", ("", "ь")), ("єві", ("й",)),  # у Харкові -> Харків (after і/о)
    ("ом", ("", "о")), ("ем", ("", "ь", "е")), ("єм", ("й",)), ("ою", ("а",)),
    ("ею", ("я", "а")), ("єю", ("я",)), ("ой", ("а",)), ("ей", ("я",)), ("ью", ("ь",)),
    ("ами", ("и", "а", "")), ("ями", ("і", "и", "я")), ("ах", ("и", "і", "а", "")),
    ("ях", ("і", "и", "я")), ("ів", ("и", "і")), ("ов", ("ы", "и")),
    ("ці", ("ка", "ця")), ("зі", ("га",)), ("сі", ("ха", "са")),  # Каховці -> Каховка, Празі
    ("ії", ("ія",)), ("ії", ("ій",)), ("ію", ("ія",)), ("ією", ("ія",)),
    ("ии", ("ия", "ий")), ("ию", ("ия",)), ("ией", ("ия",)),
    ("жжі", ("жжя",)), ("жжю", ("жжя",)), ("ттi", ("ття",)), ("тті", ("ття",)),
    ("ьє", ("ье",)), ("ье", ("ье",)), ("ья", ("ье",)), ("ью", ("ье",)),
    ("і", ("а", "я", "", "ь", "ія", "і", "о", "е")), ("и", ("а", "ы", "и", "")),
    ("е", ("а", "", "о", "е", "я", "ь")), ("у", ("", "а", "о")), ("ю", ("я", "ь", "й")),
    ("а", ("", "о", "ь")), ("я", ("ь", "й", "е", "я")), ("ы", ("а",)), ("ї", ("я", "ї")),
    ("ь", ("ь",)),
]  # fmt: skip
# Adjective endings (of a name's adjective word or a unit's adjective) -> nominative forms.
_ADJ_ENDINGS: list[tuple[str, tuple[str, ...]]] = [
    ("ської", ("ська",)), ("ській", ("ська", "ський")), ("ську", ("ська",)),
    ("ською", ("ська",)), ("ського", ("ський",)), ("ському", ("ський",)),
    ("ським", ("ський",)), ("цької", ("цька",)), ("цькій", ("цька", "цький")),
    ("цьку", ("цька",)), ("цькою", ("цька",)), ("цького", ("цький",)), ("цькому", ("цький",)),
    ("ської", ("ська",)), ("ская", ("ская",)), ("ской", ("ская", "ский")), ("скую", ("ская",)),
    ("скою", ("ская",)), ("ского", ("ский",)), ("скому", ("ский",)), ("ским", ("ский",)),
    ("кая", ("кая",)), ("кой", ("кая", "кий")), ("кую", ("кая",)), ("кого", ("кий",)),
    ("кому", ("кий",)), ("ої", ("а",)), ("ій", ("а", "ий", "ій")), ("ою", ("а",)),
    ("ого", ("ий", "е", "ый", "ое")), ("ому", ("ий", "е", "ый", "ое")), ("им", ("ий", "і")),
    ("ім", ("ий", "е")), ("у", ("а",)), ("ую", ("ая",)), ("ой", ("ая", "ой", "ый")),
    ("ей", ("яя",)), ("ых", ("ые",)), ("их", ("і", "ие")), ("ыми", ("ые",)), ("ими", ("і",)),
    ("ые", ("ые",)), ("ий", ("ий",)), ("ый", ("ый",)), ("а", ("а",)), ("е", ("е",)),
]  # fmt: skip
# Ukrainian closes о/е to і (є to ї) in a name's last syllable: Харкова -> Харків.
_CLOSED = re.compile(r"([оеє])([^аеєиіїоуюяьоэыё']{1,2})$")


def _closed_syllable(stem: str) -> str | None:
    m = _CLOSED.search(stem)
    if not m:
        return None
    vowel = "ї" if m.group(1) == "є" else "і"
    return stem[: m.start(1)] + vowel + m.group(2)


def noun_forms(word: str) -> list[str]:
    """Possible nominative forms of a capitalised noun, the word itself first."""
    w = word.translate(_APOSTROPHES)
    low = w.lower()
    out = [w]
    for ending, repls in _NOUN_ENDINGS:
        if low.endswith(ending) and len(low) - len(ending) >= 2:
            stem = w[: len(w) - len(ending)]
            for r in repls:
                out.append(stem + r)
                if r == "":
                    closed = _closed_syllable(stem)
                    if closed:
                        out.append(closed)
    if "-" in w:  # "Івано-Франківська": only the last part declines
        head, _, tail = w.rpartition("-")
        out.extend(f"{head}-{t}" for t in noun_forms(tail)[1:])
    return list(dict.fromkeys(out))


def adjective_forms(word: str) -> list[str]:
    """Possible nominative forms of an adjective ("Харківській" -> "Харківська")."""
    low = word.lower()
    out = []
    for ending, repls in _ADJ_ENDINGS:
        if low.endswith(ending) and len(low) - len(ending) >= 2:
            stem = word[: len(word) - len(ending)]
            out.extend(stem + r for r in repls)
    return list(dict.fromkeys(out))


@lru_cache(maxsize=1)
def _simplemma():
    import simplemma

    return simplemma


@lru_cache(maxsize=1)
def _morph():
    from natasha import MorphVocab

    return MorphVocab()


@lru_cache(maxsize=50_000)
def lemmas(word: str, lang: str) -> tuple[str, ...]:
    """The lemmatiser's readings of a word, capitalised like it (Ukrainian: simplemma;
    Russian: pymorphy2 via natasha)."""
    out: list[str] = []
    if lang == "uk":
        out.append(_simplemma().lemmatize(word, lang="uk"))
    elif lang == "ru":
        out.extend(p.normal for p in _morph().parse(word)[:3])
    cap = word[:1].isupper()
    return tuple(
        dict.fromkeys((w[:1].upper() + w[1:]) if cap else w for w in out if w and w != word)
    )


# Lower-case nouns of a unit phrase -> the name's nominative noun.
UNIT_NOUNS = {
    "область": "область", "області": "область", "областю": "область", "обл": "область",
    "областей": "область", "области": "область", "областью": "область",
    "район": "район", "району": "район", "районі": "район", "районом": "район",
    "района": "район", "районе": "район", "край": "край", "краю": "край", "краї": "край",
    "крае": "край", "края": "край", "республіка": "Республіка", "республіки": "Республіка",
    "республіці": "Республіка", "республика": "Республика", "республики": "Республика",
    "республике": "Республика", "море": "море", "моря": "море", "морі": "море",
    "морем": "море", "водосховище": "водосховище", "водосховища": "водосховище",
    "водохранилище": "водохранилище", "водохранилища": "водохранилище",
    "півострів": "півострів", "півострова": "півострів", "півострові": "півострів",
    "полуостров": "полуостров", "полуострова": "полуостров", "полуострове": "полуостров",
}  # fmt: skip
_ADJ_SUFFIX = re.compile(r"(?:с'?ьк|с'?к|ц'?ьк|цк)(?:а|ий|ая|ий|ій|ое|е)$", re.I)


class Lexicon:
    """Gazetteer lookups for Cyrillic names, with case endings and unit phrases."""

    def __init__(self, gazetteer: Gazetteer, lang: str) -> None:
        self.gazetteer = gazetteer
        self.lang = lang
        self.name = lru_cache(maxsize=50_000)(self._name)

    def _lookup(self, form: str) -> tuple[Candidate, ...]:
        if len(form) < 2:
            return ()
        return self.gazetteer.lookup(form)

    def _name(self, text: str) -> tuple[tuple[Candidate, ...], str]:
        """(candidates, nominative form) for a name as written in the text; ((), "") if none."""
        parts = text.split()
        if len(parts) == 1:
            for form in self._forms(parts[0]):
                if cands := self._lookup(form):
                    return cands, form
            return (), ""
        if len(parts) > 4:
            return (), ""
        # Several words: each declines (adjective + noun: "Новій Каховці" -> "Нова Каховка").
        options = [self._forms(p, adjective=i < len(parts) - 1)[:8] for i, p in enumerate(parts)]
        tried = 0
        for combo in _product(options):
            tried += 1
            if tried > 200:
                break
            form = " ".join(combo)
            if cands := self._lookup(form):
                return cands, form
        return (), ""

    def _forms(self, word: str, adjective: bool = False) -> list[str]:
        low = word.lower()
        if low in UNIT_NOUNS:
            return [UNIT_NOUNS[low]]
        forms = [word, *lemmas(word, self.lang), *noun_forms(word)[1:]]
        if adjective or _ADJ_SUFFIX.search(word) or len(forms) == 1:
            adj = adjective_forms(word)
            forms = [word, *adj, *forms[1:]] if adjective else [*forms, *adj]
        return list(dict.fromkeys(forms))

    def romanised(self, text: str) -> tuple[Candidate, ...]:
        """Candidates for a name no Cyrillic entry carries, through the romanisation of its
        likely nominative forms ("Часовому Яру" -> Chasiv Yar)."""
        parts = text.split()
        if len(parts) > 3 or not parts:
            return ()
        options = [self._forms(p, adjective=i < len(parts) - 1)[:3] for i, p in enumerate(parts)]
        for n, combo in enumerate(_product(options)):
            if n >= 6:
                break
            if cands := transliterated(self.gazetteer, " ".join(combo), self.lang):
                return cands
        return ()

    def unit(self, adjective: str, noun: str) -> tuple[tuple[Candidate, ...], str]:
        """A unit phrase ("Харківській області", "Бахмутського району") -> its entry, else
        the first-level unit or seat town named by the adjective's stem."""
        noun_nom = UNIT_NOUNS.get(noun.lower().rstrip("."), noun)
        for adj in adjective_forms(adjective) or [adjective]:
            form = f"{adj} {noun_nom}"
            if cands := self._lookup(form):
                return cands, form
        # "Белгородская область" -> Белгород -> the oblast it is the seat of; "Бахмутський
        # район" -> Бахмут.
        for town_form in self._adjective_stems(adjective):
            towns = [c for c in self._lookup(town_form) if c.place.kind == "city"]
            if not towns:
                continue
            town = max(towns, key=lambda c: c.population)
            if noun_nom in {"область", "край"}:
                unit = self.gazetteer.admin1_unit(town.place.country_code, town.admin1)
                if unit is not None:
                    return (unit,), f"{adjective} {noun_nom}"
            return (town,), town_form
        return (), ""

    def _adjective_stems(self, adjective: str) -> Iterator[str]:
        m = re.search(r"(с'?ьк|ськ|цьк|ск|цк)[а-яіїєґ]*$", adjective, re.I)
        if not m:
            return
        stem = adjective[: m.start()]
        base = adjective[: m.start() + len(m.group(1))]
        yield from (
            stem,
            base,
            stem + "а",
            stem + "ь",
            stem + "е",
            stem + "и",
            _closed_syllable(stem) or stem,
            stem.replace("зьк", "г") if stem.endswith("з") else stem,
        )
        if stem.endswith("з"):  # Запорізька -> Запоріжжя, Запорожская -> Запорожье
            yield stem[:-1] + "жжя"
            yield stem[:-1] + "жье"


def _product(options: list[list[str]]) -> Iterator[tuple[str, ...]]:
    if not options:
        yield ()
        return
    for head in options[0]:
        for rest in _product(options[1:]):
            yield (head, *rest)


# Ukrainian national and Russian passport-style romanisation: the fallback that lets a
# Cyrillic name no GeoNames alternate carries meet its English spelling.
_UK_LATIN = {
    "а": "a", "б": "b", "в": "v", "г": "h", "ґ": "g", "д": "d", "е": "e", "є": "ie", "ж": "zh",
    "з": "z", "и": "y", "і": "i", "ї": "i", "й": "i", "к": "k", "л": "l", "м": "m", "н": "n",
    "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts",
    "ч": "ch", "ш": "sh", "щ": "shch", "ь": "", "ю": "iu", "я": "ia", "'": "", "ы": "y",
    "э": "e", "ё": "e", "ъ": "",
}  # fmt: skip
_RU_LATIN = {
    **_UK_LATIN, "г": "g", "и": "i", "й": "y", "е": "e", "ю": "yu", "я": "ya", "ы": "y",
    "щ": "shch", "х": "kh",
}  # fmt: skip


def romanise(name: str, lang: str) -> str:
    """Latin spelling of a Cyrillic name (Ukrainian national or Russian passport style)."""
    table = _UK_LATIN if lang == "uk" else _RU_LATIN
    out = []
    for ch in name.translate(_APOSTROPHES):
        low = ch.lower()
        if low in table:
            lat = table[low]
            out.append(lat.capitalize() if ch != low else lat)
        else:
            out.append(ch)
    return "".join(out)


_LATIN_CYR = [
    ("shch", "щ"), ("zh", "ж"), ("kh", "х"), ("ts", "ц"), ("ch", "ч"), ("sh", "ш"),
    ("yu", "ю"), ("iu", "ю"), ("ya", "я"), ("ia", "я"), ("ye", "є"), ("yi", "ї"),
    ("a", "а"), ("b", "б"), ("v", "в"), ("h", "г"), ("g", "г"), ("d", "д"), ("e", "е"),
    ("z", "з"), ("y", "и"), ("i", "і"), ("k", "к"), ("l", "л"), ("m", "м"), ("n", "н"),
    ("o", "о"), ("p", "п"), ("r", "р"), ("s", "с"), ("t", "т"), ("u", "у"), ("f", "ф"),
    ("'", "'"),
]  # fmt: skip


def cyrillise(name: str) -> str:
    """Ukrainian Cyrillic spelling of a name romanised in the national system (rough)."""
    out, i, low = [], 0, name.lower()
    while i < len(low):
        for lat, cyr in _LATIN_CYR:
            if low.startswith(lat, i):
                out.append(cyr.upper() if name[i].isupper() else cyr)
                i += len(lat)
                break
        else:
            out.append(name[i])
            i += 1
    return "".join(out)


def transliterated(gazetteer: Gazetteer, name: str, lang: str) -> tuple[Candidate, ...]:
    """Candidates for a Cyrillic name through its romanisation and its variants."""
    return gazetteer.lookup_variant(romanise(name, lang))
