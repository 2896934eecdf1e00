"""Ukrainian text -> place-name spans, from what runs offline: the gazetteer's Cyrillic names
reached through case endings and simplemma's lemmas, capitalisation, the words before a name
("у", "біля", "села", "вул."), first names and name shapes that mark people, and the Russian
news NER as one more vote.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from geo.gazetteer import Candidate, Gazetteer
from geo.lang.cyrillic import UNIT_NOUNS, Lexicon, Word, is_cyrillic, noun_forms, words
from geo.lang.ru import NewsNER, resolve_name
from geo.recognize import Span

FIRST_NAMES_FILE = (
    Path(__file__).resolve().parent.parent.parent / "data" / "lang" / "first_names.txt"
)
# Prepositions after which a capitalised word is most often a place: "у Харкові", "біля
# Бахмута", "під Ізюмом", "з Одеси".
LOCATIVE = {
    "у", "в", "на", "біля", "під", "з", "із", "зі", "до", "від", "через", "поблизу", "поряд",
    "навколо", "околицях", "неподалік", "по", "над", "між", "околиці", "в'їзді",
    "напрямку", "бік", "проти", "за",
}  # fmt: skip
# Nouns that introduce a settlement's name, known or not: "у селі Яхідне", "м. Буча".
SETTLEMENT = {
    "м", "с", "смт", "сел", "місто", "міста", "місті", "містом", "місту", "село", "села",
    "селі", "селом", "селу", "селище", "селища", "селищі", "селищем", "хутір", "хутора",
    "хуторі", "містечко", "містечка", "містечку", "смт.", "станиця", "станиці", "річка",
    "річки", "річці", "річкою", "р", "острів", "острова", "острові", "озеро", "озера",
    "озері", "регіон", "регіоні", "столиця", "столиці", "столицю", "обласному", "райцентрі",
    "райцентр", "передмісті",
}  # fmt: skip
# Street-like descriptors: the descriptor, the name and a house number make one toponym.
STREET = {
    "вул", "вулиця", "вулиці", "вулицю", "вулицею", "пл", "площа", "площі", "площу",
    "площею", "проспект", "проспекті", "проспекту", "просп", "пр", "бульвар", "бульварі",
    "бульв", "провулок", "провулку", "пров", "узвіз", "узвозі", "майдан", "майдані",
    "шосе", "набережна", "набережній",
}  # fmt: skip
# A patronymic in any case: the words around it are a person's name.
PATRONYMIC = re.compile(r"(?:ович|евич|йович|івн|ївн|овн|евн)(?:а|у|ем|ові|і|ою|ої|ей|у)?$")
SURNAME = re.compile(r"(?:енк[оау]|енков[іи]|чук[аиуо]?|юк[аиу]?|ишин|ович)$", re.I)
ADJECTIVE = re.compile(r"(?:ськ|цьк|зьк)(?:ий|ого|ому|им|ім|а|ої|ій|у|ою|е|і|их|ими)$")
ADJ_NAME = re.compile(r"(?:ому|ій|ого|ої|ою|не|ке|ве|ка|на|ку|ну|ву|ий|ька|ька|ську|цьку)$")
PLACE_HEAD = re.compile(
    r"^(?:море|моря|морі|площ\w*|парк\w*|імпері\w*|район\w*|узв[іо]з\w*|шосе|озер\w*|"
    r"гор[аиуіо]\w*|вулиц\w*|але\w*|остр[іо]в\w*|зам[ок]к?\w*|ринк?[оу]\w*|проспект\w*|"
    r"бульвар\w*|майдан\w*|заток\w*|ліс\w*|річк\w*|долин\w*|півостр\w*)$"
)
RU_SURNAME = re.compile(r"(?:ов|ев|ин|ін)$")
# Word endings of the nouns and adjectives inside an organisation's name ("Вищого
# господарського суду", "Міністерства юстиції"); verbs ("заявив", "відвідала") end otherwise.
ORG_INNER = re.compile(
    r"(?:а|я|у|ю|и|і|ї|ого|ої|ій|их|им|ом|ем|ою|ів|ий|е|ей|ям|ами|[бгґджзклмнпрстфхцчшщ])$"
)
GENITIVE = re.compile(r"(?:и|ї|а|я|ого|ої|ів|області|району)$")
# Populations that need no cue around them (strong) and the floor for a cue to suffice.
MIN_POP_STRONG = 15_000
MIN_POP_SENTENCE_START = 100_000
HIGH_KINDS = {"country", "continent", "admin1", "region", "water", "admin2"}
MAX_RUN = 4


@lru_cache(maxsize=1)
def first_names() -> frozenset[str]:
    """Common Ukrainian and Russian first names, lower-cased (data/lang/first_names.txt)."""
    lines = FIRST_NAMES_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(ln.strip().lower() for ln in lines if ln.strip() and not ln.startswith("#"))


def _first_name(word: str) -> bool:
    names = first_names()
    return any(f.lower() in names for f in noun_forms(word))


def _strong(cands: tuple[Candidate, ...], pop: int = MIN_POP_STRONG) -> bool:
    return any(c.place.kind in HIGH_KINDS or c.population >= pop for c in cands)


class UkrainianRecognizer:
    """Recognises place names in Ukrainian text; returns the English recogniser's Spans."""

    lang = "uk"

    def __init__(self, gazetteer: Gazetteer, ner: NewsNER | None = None) -> None:
        self.gazetteer = gazetteer
        self.ner = ner
        self.lexicon = Lexicon(gazetteer, self.lang)

    def recognize(self, text: str) -> list[Span]:
        """Place-name spans, character offsets into `text`."""
        ws = words(text)
        ner = self.ner.spans(text) if self.ner is not None else []
        ner_loc = {(s, e) for s, e, t in ner if t == "LOC"}
        ner_per = [(s, e) for s, e, t in ner if t == "PER"]
        loc_words = {i for i, w in enumerate(ws) for s, e in ner_loc if s <= w.start < e}
        per_words = {i for i, w in enumerate(ws) for s, e in ner_per if s <= w.start < e}
        out: list[Span] = []
        i = 0
        while i < len(ws):
            w = ws[i]
            if not (w.capitalised and is_cyrillic(w.text)):
                i += 1
                continue
            j = self._run_end(text, ws, i)
            found = self._place_in(text, ws, i, j, loc_words, per_words)
            if found is None:
                i += 1
                continue
            span, end = found
            out.append(span)
            i = end
        return out

    # -- runs of capitalised words -------------------------------------------------------
    @staticmethod
    def _run_end(text: str, ws: list[Word], i: int) -> int:
        """End (exclusive) of the run of capitalised words joined by spaces from `i`; a unit
        noun after the run ("Харківській області") joins it."""
        j = i + 1
        while j < len(ws) and j - i < MAX_RUN:
            gap = text[ws[j - 1].end : ws[j].start]
            if gap != " ":
                break
            if ws[j].capitalised and is_cyrillic(ws[j].text):
                j += 1
                continue
            if ws[j].lower in UNIT_NOUNS:
                j += 1
            break
        return j

    def _place_in(self, text, ws, i, j, loc_words, per_words):
        """(span, next word index) for the longest place starting at word `i`, or None."""
        prev = _prev_word(text, ws, i)
        if prev in STREET:
            return self._street(text, ws, i, j)
        for e in range(j, i, -1):
            name = text[ws[i].start : ws[e - 1].end]
            cands, hint = (
                resolve_name(self.lexicon, name, romanise=False)
                if e - i > 1
                else self._single(name)
            )
            if not cands:
                continue
            if not self._accept(text, ws, i, e, cands, prev, loc_words, per_words):
                return None
            return self._span(text, ws[i].start, ws[e - 1].end, cands, hint), e
        # Unknown to the gazetteer: a place only when the words around say so.
        e = i + 1
        if len(ws[i].text) < 3 or text[ws[i].end : ws[i].end + 1] == ".":
            return None  # "м. Буча": the abbreviation is no name; "С. Т.": initials
        cue = prev in SETTLEMENT or i in loc_words and i not in per_words and prev in LOCATIVE
        if cue and not _first_name(ws[i].text) and not PATRONYMIC.search(ws[i].lower):
            while e < j and (e - i < 2 and ws[e].capitalised):
                e += 1
            return self._span(text, ws[i].start, ws[e - 1].end, (), ""), e
        return None

    def _single(self, name: str):
        cands, _ = self.lexicon.name(name)
        return cands, ""

    def _accept(self, text, ws, i, e, cands, prev, loc_words, per_words) -> bool:
        """Decide whether a gazetteer-matched run of words is a place here."""
        w = ws[i]
        single = e - i == 1
        if _quoted(text, w.start, ws[e - 1].end):
            return False  # «Житомирщина»: a newspaper's, a firm's or a team's name
        if _inside_name(text, ws, i) or _organisation_tail(text, ws, i, e):
            return False  # "Кабінет Міністрів України", "Господарського суду Донецької області"
        if len(w.text) < 3 and not w.text.isupper():
            return False
        if single and ADJECTIVE.search(w.lower) and not (prev in LOCATIVE or prev in SETTLEMENT):
            return False  # "Київський університет", "Хмельницького": an adjective or a surname
        high = any(
            c.place.kind in {"country", "continent", "admin1", "region", "water"} for c in cands
        )
        pop = max((c.population for c in cands), default=0)
        nxt = ws[e] if e < len(ws) else None
        adjacent_next = nxt is not None and text[ws[e - 1].end : nxt.start] == " "
        if single and not high:
            if _first_name(w.text):
                return False  # "Олександр", "Софія": people, not villages
            if (
                adjacent_next
                and nxt.capitalised
                and (
                    PATRONYMIC.search(nxt.lower)
                    or SURNAME.search(nxt.lower)
                    or _first_name(nxt.text)
                )
            ):
                return False  # "Богдан Хмельницький", "Ніна Петрівна"
            if i > 0 and text[ws[i - 1].end : w.start] == " " and _first_name(ws[i - 1].text):
                return False  # a surname after a first name
            cued = prev in LOCATIVE or prev in SETTLEMENT
            if i in per_words and i not in loc_words and pop < MIN_POP_STRONG and not cued:
                return False
            if _frequent_word(w.text) and not _near_home(cands) and not cued:
                return False  # "Тоді", "Усі": words that only a faraway town's name shares
            if not _near_home(cands) and pop < 100_000 and not cued and i not in loc_words:
                return False  # "Сава", "Боні": a faraway town's name is more often a person's
            if RU_SURNAME.search(w.lower) and pop < 100_000 and not cued:
                return False  # "Александров", "Виноградов": surnames first
        if high or pop >= MIN_POP_STRONG:
            if _sentence_start(text, w) and single and not high and pop < MIN_POP_SENTENCE_START:
                return prev in LOCATIVE or i in loc_words
            return True
        # A small place: the words around it must call it one.
        return prev in LOCATIVE or prev in SETTLEMENT or i in loc_words

    def _street(self, text, ws, i, j):
        """ "вул. Хрещатик, 22": descriptor, name and house number as one span."""
        k = i - 1
        start = ws[k].start
        e = i + 1
        while e < j and ws[e].capitalised:
            e += 1
        end = ws[e - 1].end
        m = re.match(r",\s*\d+[а-яА-Я]?\b", text[end : end + 12])
        if m:
            end += m.end()
        return self._span(text, start, end, (), ""), e

    @staticmethod
    def _span(text, start, end, cands, hint) -> Span:
        # "Високому Замку", "Північне море", "Стрийському парку": an adjective names the
        # place the noun after it says.
        m = re.match(r"[ ]([^\W\d_]+)", text[end : end + 30])
        if (
            m
            and " " not in text[start:end]
            and ADJ_NAME.search(text[start:end].lower())
            and PLACE_HEAD.match(m.group(1).lower())
        ):
            end += m.end()
        return Span(
            start,
            end,
            text[start:end],
            "name",
            "LOC",
            tuple(cands),
            context_after=text[end : end + 60],
            kind_hint=hint,
        )


# Countries whose towns a Ukrainian or Russian text names most: a common word that is also
# the Cyrillic name of a town elsewhere is the word.
HOME_COUNTRIES = {"UA", "RU", "BY", "MD", "PL", "GE", "KZ", "RO", "HU", "SK", "LT", "LV", "EE"}
FREQUENT_ZIPF = 4.0


def _near_home(cands: tuple[Candidate, ...]) -> bool:
    return any(
        c.place.kind in {"country", "continent", "admin1", "region", "water"}
        or c.place.country_code in HOME_COUNTRIES
        and c.population >= MIN_POP_STRONG
        for c in cands
    )


@lru_cache(maxsize=100_000)
def _frequent_word(word: str) -> bool:
    from wordfreq import zipf_frequency

    return zipf_frequency(word.lower(), "uk") >= FREQUENT_ZIPF


def _quoted(text: str, start: int, end: int) -> bool:
    return text[start - 1 : start] in {"«", '"', "„", "“"} and text[end : end + 1] in {
        "»",
        '"',
        "“",
        "”",
    }


def _inside_name(text: str, ws: list[Word], i: int) -> bool:
    """True when word `i` continues a capitalised name that is not a place ("Кабінету
    Міністрів України"): the word before it is capitalised and starts no sentence."""
    if i == 0 or text[ws[i - 1].end : ws[i].start] != " ":
        return False
    prev = ws[i - 1]
    return prev.capitalised and is_cyrillic(prev.text) and not _sentence_start(text, prev)


def _organisation_tail(text: str, ws: list[Word], i: int, e: int) -> bool:
    """True when a genitive name closes an organisation's name: a capitalised non-place word
    followed by lower-case nouns ("Національного банку України", "Податкового кодексу
    України", "Господарського суду Донецької області")."""
    if not GENITIVE.search(ws[e - 1].lower):
        return False
    k = i - 1
    steps = 0
    while k >= 0 and steps < 5:
        gap = text[ws[k].end : ws[k + 1].start]
        if gap.strip(' «»"') != "":
            return False
        w = ws[k]
        if w.capitalised:
            return steps > 0 and not w.text.isupper() or steps == 0 and w.text.isupper()
        if len(w.text) < 3 or not ORG_INNER.search(w.lower) or w.lower in LOCATIVE:
            return False
        k -= 1
        steps += 1
    return False


def _prev_word(text: str, ws: list[Word], i: int) -> str:
    """The word before word `i` when only spaces or a full stop of an abbreviation part
    them ("у Харкові", "вул. Хрещатик"); "" otherwise."""
    if i == 0:
        return ""
    gap = text[ws[i - 1].end : ws[i].start].strip()
    prev = ws[i - 1].lower
    abbreviation = prev in STREET or prev in SETTLEMENT
    if gap == "" or gap == "." and abbreviation and not ws[i - 1].capitalised:
        return prev
    return ""


def _sentence_start(text: str, w: Word) -> bool:
    before = text[: w.start].rstrip(" «\"'(„“")
    return not before or before[-1] in ".!?\n:—–-"
