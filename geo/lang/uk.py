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
from geo.lang.uk_morph import (
    agrees_as_adjective,
    function_word,
    lemma,
    noun_reading,
    only_a_person,
    qualifier_kind,
)
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
# Descriptors written shortened with a full stop: "вул. Хрещатик", "м. Буча", "с. Ясень".
ABBREVIATIONS = {
    "вул", "пл", "просп", "пр", "бульв", "пров", "м", "с", "смт", "сел", "р", "обл", "р-н",
}  # fmt: skip
# A house number after a street: ", 22", ", 7-а", ", 10 ‐ 12", ", 52 / 1", ", 58-А".
HOUSE_NUMBER = re.compile(r",\s*\d+(?:\s*[-‐/]\s*\d+)*(?:[-‐]?[а-яА-ЯіїєІЇЄ](?!\w))?")
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
# What parts the members of an enumeration: a comma, or "і", "та", "й".
_LIST_GAP = re.compile(r"^ ?, ?$|^ (?:і|та|й|и) $")
_AND = {"і", "та", "й", "и"}
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
            after_place = bool(out) and i > 0 and out[-1].end == ws[i - 1].end
            found = self._place_in(text, ws, i, j, loc_words, per_words, after_place)
            if found is None:
                i += 1
                continue
            span, end = found
            out.append(span)
            i = end
        return self._list_members(text, ws, out)

    def _list_members(self, text: str, ws: list[Word], out: list[Span]) -> list[Span]:
        """Add the towns listed beside a recognised place ("Ходорів , Бурштин , Галич"): in
        an enumeration, a small town needs no cue of its own. People are kept out as in the
        first pass (first names, surnames, names only a person has)."""
        covered = {k for k, w in enumerate(ws) for sp in out if sp.start <= w.start < sp.end}
        starts = {sp.start for sp in out}
        ends = {sp.end for sp in out}
        forward = range(len(ws))
        # Three sweeps (rightwards, leftwards, rightwards) reach every member of a list from
        # its recognised one in linear time.
        for order in (forward, reversed(forward), forward):
            for k in order:
                w = ws[k]
                if k in covered or not (w.capitalised and is_cyrillic(w.text)):
                    continue
                a = k - 2 if k > 1 and ws[k - 1].lower in _AND else k - 1
                b = k + 2 if k + 2 < len(ws) and ws[k + 1].lower in _AND else k + 1
                left = a >= 0 and ws[a].end in ends and _LIST_GAP.match(text[ws[a].end : w.start])
                right = (
                    b < len(ws)
                    and ws[b].start in starts
                    and _LIST_GAP.match(text[w.end : ws[b].start])
                )
                cands = self._list_town(text, ws, k) if left or right else ()
                if not cands:
                    continue
                out.append(self._span(text, w.start, w.end, cands, ""))
                covered.add(k)
                starts.add(w.start)
                ends.add(w.end)
        return sorted(out, key=lambda sp: sp.start)

    def _list_town(self, text: str, ws: list[Word], k: int) -> tuple[Candidate, ...]:
        """The candidates of word `k` when it can be a town in a list; () when not."""
        w = ws[k]
        cands, _ = self.lexicon.name(w.text)
        if not cands or len(w.text) < 3:
            return ()
        if not (
            any(c.place.country_code in HOME_COUNTRIES for c in cands)
            or _strong(cands, MIN_POP_SENTENCE_START)
        ):
            return ()  # a small town far away: more often a word or a name
        nxt = ws[k + 1] if k + 1 < len(ws) else None
        person_or_title = (
            _first_name(w.text)
            or only_a_person(w.text)
            or SURNAME.search(w.lower)
            or PATRONYMIC.search(w.lower)
            or (nxt is not None and text[w.end : nxt.start] == " " and nxt.capitalised)
            or _sentence_start(text, w)
            and function_word(w.text)
            or _in_short_title(text, w.start, w.end)
        )
        return () if person_or_title else cands

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

    def _place_in(self, text, ws, i, j, loc_words, per_words, after_place=False):
        """(span, next word index) for the longest place starting at word `i`, or None."""
        prev = _prev_word(text, ws, i)
        if prev in STREET:
            return self._street(text, ws, i, j)
        qualifier = j > i + 1 and qualifier_kind(ws[i].text)
        for e in range(j, i, -1):
            name = text[ws[i].start : ws[e - 1].end]
            cands, hint = (
                resolve_name(self.lexicon, name, romanise=False)
                if e - i > 1
                else self._single(name)
            )
            if not cands and e == i + 2 and qualifier == "direction":
                # "Західної України", "Південній Африці": the part of a known place
                cands, hint = self._single(text[ws[i + 1].start : ws[i + 1].end])
            if e == i + 1 and qualifier:
                break  # "Мала Костромка", "Нова Дофіновка": the adjective alone is no place
            if not cands:
                continue
            if not self._accept(text, ws, i, e, cands, prev, loc_words, per_words, after_place):
                return None
            return self._span(text, ws[i].start, ws[e - 1].end, cands, hint), e
        # Unknown to the gazetteer: a place only when the words around say so.
        e = i + 1
        if len(ws[i].text) < 3 or text[ws[i].end : ws[i].end + 1] == ".":
            return None  # "м. Буча": the abbreviation is no name; "С. Т.": initials
        cue = prev in SETTLEMENT or i in loc_words and i not in per_words and prev in LOCATIVE
        if prev not in SETTLEMENT and _adjective_before_noun(text, ws, i):
            return None  # "в Господарському суді": an adjective of the noun after it
        if cue and not _first_name(ws[i].text) and not PATRONYMIC.search(ws[i].lower):
            while e < j and (e - i < 2 and ws[e].capitalised):
                e += 1
            return self._span(text, ws[i].start, ws[e - 1].end, (), ""), e
        return None

    def _single(self, name: str):
        cands, _ = self.lexicon.name(name)
        return cands, ""

    def _accept(self, text, ws, i, e, cands, prev, loc_words, per_words, after_place) -> bool:
        """Decide whether a gazetteer-matched run of words is a place here. `after_place`:
        the word before ends a place ("Ірпіні Київської області", "Каліфорнія США")."""
        w = ws[i]
        single = e - i == 1
        if _quoted(text, w.start, ws[e - 1].end) or _in_short_title(
            text, w.start, ws[e - 1].end, law_only=prev in LOCATIVE
        ):
            return False  # «Житомирщина», «Наші гроші. Львів»: a newspaper's or a firm's name
        if (
            _inside_name(text, ws, i)
            and not (ws[e - 1].lower in UNIT_NOUNS or after_place)
            or _organisation_tail(text, ws, i, e)
            or _after_institution(text, ws, i, e)
        ):
            return False  # "Кабінет Міністрів України", "Господарського суду Донецької області"
        if len(w.text) < 3 and not w.text.isupper():
            return False
        if (
            single
            and ADJECTIVE.search(w.lower)
            and not (prev in LOCATIVE or prev in SETTLEMENT)
            and not _city_genitive(text, ws, e)
        ):
            return False  # "Київський університет", "Хмельницького": an adjective or a surname
        high = any(
            c.place.kind in {"country", "continent", "admin1", "region", "water"} for c in cands
        )
        pop = max((c.population for c in cands), default=0)
        nxt = ws[e] if e < len(ws) else None
        adjacent_next = nxt is not None and text[ws[e - 1].end : nxt.start] == " "
        if single and not high and w.text.isupper():
            return False  # "ОДА", "ДАБІ": an office's acronym; США, ДНР, ЄС are countries, units
        if single and prev not in SETTLEMENT and _adjective_before_noun(text, ws, i):
            return False  # "Центрального апарату", "Господарському суді": an adjective here
        if _after_initial(text, ws, i):
            return False  # "Б. Хмельницького", "М . Кривоноса": a surname after an initial
        if not high and only_a_person(w.text) and prev not in SETTLEMENT:
            return False  # "до Дори", "Володі Ямінського": every reading is a person's name
        if single and not high:
            if _first_name(w.text):
                return False  # "Олександр", "Софія": people, not villages
            if (
                adjacent_next
                and pop < MIN_POP_SENTENCE_START
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
        if single and _sentence_start(text, w) and function_word(w.text):
            return False  # "Того вечора": a common word capitalised by the sentence (Togo)
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
        if (
            len(ws[i].text) == 1
            and e < len(ws)
            and ws[e].capitalised
            and re.fullmatch(r" ?\. ?", text[ws[i].end : ws[e].start])
        ):
            e += 1  # "вул. І. Федорова": a person's initial, then the name
            j = max(j, e)
        while e < j and ws[e].capitalised:
            e += 1
        end = ws[e - 1].end
        m = HOUSE_NUMBER.match(text, end, min(len(text), end + 24))
        if m:
            end = m.end()
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


TITLE_MAX_WORDS = 4
_OPEN, _CLOSE = "«„", "»“"


def _in_short_title(text: str, start: int, end: int, law_only: bool = False) -> bool:
    """True when the name lies inside a short quoted title: «Наші гроші. Львів», « Житомирщина »,
    Палац «Україна» (names of papers, firms, teams and buildings are quoted in Ukrainian and
    Russian; a quoted sentence is longer)."""
    left = max(0, start - 160)
    opening = max(text.rfind(q, left, start) for q in _OPEN)
    if opening < 0 or any(text.rfind(q, opening, start) >= 0 for q in _CLOSE):
        return False
    law = re.match(r"\s*(?:Про|О|Об)\s", text[opening + 1 : opening + 6]) is not None
    if law_only and not law or start - opening > 40 and not law:
        return False
    closing = [i for q in _CLOSE if (i := text.find(q, end, end + 160 if law else end + 40)) >= 0]
    if not closing:
        return False
    close = min(closing)
    if any(0 <= text.find(q, end, close) for q in _OPEN):
        return False
    inside = text[opening + 1 : close]
    if "\n\n" in inside:
        return False
    # A law's title: «Про місцеве самоврядування в Україні».
    return law or len(inside.split()) <= TITLE_MAX_WORDS


def _adjective_before_noun(text: str, ws: list[Word], i: int) -> bool:
    """True when word `i` agrees, as an adjective, with the lower-case noun right after it
    ("Центрального апарату", "Господарському суді"); unit nouns excepted ("Київської
    області" is a place)."""
    if i + 1 >= len(ws) or text[ws[i].end : ws[i + 1].start] != " ":
        return False
    nxt = ws[i + 1]
    return (
        not nxt.capitalised
        and nxt.lower not in UNIT_NOUNS
        and agrees_as_adjective(ws[i].text, nxt.text)
    )


def _city_genitive(text: str, ws: list[Word], e: int) -> bool:
    """True when the -ська word before word `e` is a town's genitive ("аеропорт Донецька",
    "мера Краматорська"), not an adjective: the dictionary has it as a noun that is no
    person's name, and no lower-case noun it could agree with follows."""
    w = ws[e - 1]
    if not noun_reading(w.text):
        return False
    if e < len(ws) and text[w.end : ws[e].start] == " " and not ws[e].capitalised:
        return not agrees_as_adjective(w.text, ws[e].text)
    return True


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
        if gap.strip(' «"') != "":  # a closing quote ends the name before it
            return False
        w = ws[k]
        if w.capitalised:
            if _sentence_start(text, w) and function_word(w.text):
                return False  # "На півдні Франції", "Наприкінці ... збірної Італії"
            return steps > 0 and not w.text.isupper() or steps == 0 and w.text.isupper()
        if len(w.text) < 3 or not ORG_INNER.search(w.lower) or w.lower in LOCATIVE:
            return False
        k -= 1
        steps += 1
    return False


# Nouns that head the name of an institution, an office or a law; a place in the genitive
# after them belongs to that name ("Печерського райсуду м. Києва", "прокуратури Луганської
# області", "міністр оборони Росії", "законам України").
INSTITUTIONS = frozenset(
    {
        "суд", "райсуд", "госпсуд", "адмінсуд", "апеляційний", "прокуратура", "прокурор",
        "міністерство", "міністр", "мінфін", "мвс", "комітет", "служба", "управління",
        "департамент", "інспекція", "агентство", "казначейство", "фонд", "банк",
        "адміністрація", "держадміністрація", "академія", "університет", "інститут",
        "спілка", "федерація", "асоціація", "палата", "посольство", "консульство",
        "генштаб", "поліція", "нацполіція", "закон", "кодекс", "конституція", "указ",
        "постанова", "ухвала", "рішення", "кабмін", "омбудсман",
        "генпрокуратура", "митниця", "держслужба", "рахункова",
    }
)  # fmt: skip


def _after_institution(text: str, ws: list[Word], i: int, e: int) -> bool:
    """True when a genitive name completes an institution's or a law's name: one of the
    three lower-case words before it is an INSTITUTIONS noun ("районного суду м. Києва")."""
    genitive = (
        GENITIVE.search(ws[e - 1].lower) or GENITIVE.search(ws[i].lower) or ws[i].text.isupper()
    )
    through = False  # passed "в"/"у": the place's case is then the locative
    k = i - 1
    steps = 0
    while k >= 0 and steps < 3:
        gap = text[ws[k].end : ws[k + 1].start]
        w = ws[k]
        if gap.strip() not in ("", ".") or gap.strip() == "." and w.lower not in SETTLEMENT:
            return False
        if w.lower in {"в", "у"} and steps == 0 and k > 0:
            # "Управління ... в Херсонській області", "районна рада в м. Києві": the office
            # named right before the preposition is the institution's own place.
            k -= 1
            steps += 1
            through = True
            continue
        if w.capitalised or w.lower in LOCATIVE:
            return False
        if w.lower not in SETTLEMENT:
            if lemma(w.lower) in INSTITUTIONS:
                return bool(genitive or through)
            steps += 1
        k -= 1
    return False


def _after_initial(text: str, ws: list[Word], i: int) -> bool:
    """True when word `i` follows a person's initial ("Б. Хмельницького", "Т . Шевченка")."""
    if i == 0:
        return False
    before = ws[i - 1]
    return (
        len(before.text) == 1
        and before.text.isupper()
        and is_cyrillic(before.text)
        and re.fullmatch(r" ?\. ?", text[before.end : ws[i].start]) is not None
    )


def _prev_word(text: str, ws: list[Word], i: int) -> str:
    """The word before word `i` when only spaces or a full stop of an abbreviation part
    them ("у Харкові", "вул. Хрещатик"); "" otherwise."""
    if i == 0:
        return ""
    gap = text[ws[i - 1].end : ws[i].start].strip()
    prev = ws[i - 1].lower
    abbreviation = prev in ABBREVIATIONS
    if "\n" in text[ws[i - 1].end : ws[i].start]:
        return ""  # "Андріївський узвіз .\n\nА": a line break ends the phrase
    if gap == "." and re.search(r"\d\s*$", text[max(0, ws[i - 1].start - 8) : ws[i - 1].start]):
        return ""  # "2011 р. Його", "30 м. Далі": a year or a measure, not "річка", "місто"
    if gap == "" or gap == "." and abbreviation and not ws[i - 1].capitalised:
        return prev
    return ""


def _sentence_start(text: str, w: Word) -> bool:
    before = text[: w.start].rstrip(" «\"'(„“")
    return not before or before[-1] in ".!?\n:—–-"
