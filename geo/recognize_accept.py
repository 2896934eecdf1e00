"""The acceptance rules: whether a gazetteer-matched span is a place where it stands, and
the population thresholds and small predicates they use."""

from __future__ import annotations

import re
import unicodedata

from geo.gazetteer import (
    Candidate,
    Gazetteer,
    lies_in,
    normalize,
    region_readings,
    romanisation_variants,
)
from geo.person_cues import _addressed, _named_by, _person_context, _person_cue, _surname
from geo.recognize_spans import (
    EMBEDDED,
    EMBEDDED_HEAD,
    LISTED,
    MODIFIER,
    NOT_PLACE_LABELS,
    PLACE_LABELS,
    WEAK_LABELS,
    Span,
)
from geo.recognize_words import (
    ADMIN_NOUNS,
    AIR_WORDS,
    CALENDAR_WORDS,
    CIVIC_NOUNS,
    DASHES,
    DIRECTIONS,
    EVENT_NOUNS,
    FOLLOWER_NOUNS,
    HOLIDAY_NOUNS,
    ISLAND_FEATURES,
    LOCATIVE_AFTER,
    LOCATIVE_BEFORE,
    NAMING_WORDS,
    ORGANISATION_NOUNS,
    PERSON_TITLES,
    PLACE_NOUNS,
    POSSESSIVES,
    PRODUCT_NOUNS,
    SETTLEMENT_NOUNS,
    SITE_NOUNS,
    STREET_NOUNS,
    UNIT_WORDS,
)
from geo.usergazetteer import USER_FEATURE
from geo.word_frequency import _common_word, _familiar_word, _rare

# Population a town needs to count when only the gazetteer (no NER label) vouches for it.
MIN_POP_GAZETTEER_ONLY = 15_000
MIN_POP_EMBEDDED = 100_000
MIN_POP_EMBEDDED_HEAD = 1_000_000
MIN_POP_COMMON_WORD = 300_000
MIN_POP_PERSON_TAGGED = 1_000_000
# A name listed with places ("Moonbi, Parkes and Wyong") needs far less support.
MIN_POP_LISTED = 1_000


def _accent_only_match(doc, s: int, e: int, cands: tuple[Candidate, ...]) -> bool:
    """True when no candidate carries the span as written, accents included: "God" is
    found only as Göd."""
    text = doc[s:e].text.casefold()
    return not any(c.place.name.casefold() == text for c in cands) and any(
        unicodedata.normalize("NFKD", c.place.name) != c.place.name for c in cands
    )


def _headed(doc, s: int) -> bool:
    """True when a capitalised word (not a direction or sentence start) comes right before."""
    if s == 0 or doc[s].is_sent_start:
        return False
    prev = doc[s - 1]
    if prev.text in {"'", "’", "'s", "’s"} and s > 1:
        prev = doc[s - 2]  # "the Grain Exporters' Union"
    return (
        prev.is_alpha
        and prev.text[:1].isupper()
        # At a sentence start only a common word used as a name counts: "State Duma
        # deputies", not "In Kyiv" or "FrontCounter BC".
        and (not prev.is_sent_start or prev.pos_ == "PROPN" and _common_word(prev.text))
        and prev.lower_ not in DIRECTIONS
        and prev.lower_ not in PERSON_TITLES
    )


def _modifies(doc, e: int) -> bool:
    """True when a capitalised word follows in the same sentence ("Nord Stream")."""
    if e >= len(doc):
        return False
    nxt = doc[e]
    return (
        nxt.is_alpha
        and nxt.text[:1].isupper()
        and not nxt.is_sent_start
        and nxt.lower_ not in DIRECTIONS
        and nxt.lower_ not in SITE_NOUNS  # "Leningrad Region", "Boryspil International Airport"
        and nxt.ent_type_ != "PERSON"  # "Kyiv Mayor Vitali Klitschko" is still Kyiv
    )


def _prominent(cands: tuple[Candidate, ...]) -> bool:
    high, pop = _best_population(cands)
    return high or pop >= MIN_POP_EMBEDDED


def _locative(doc, start_tok: int, end_tok: int) -> bool:
    """True when the words around a span say it names a location.

    "in X", "the X area", and appositions such as "X, a town near ...".
    """
    before = doc[start_tok - 1].lower_ if start_tok > 0 else ""
    if before in POSSESSIVES and start_tok > 1 and doc[start_tok - 2].lower_ in LOCATIVE_BEFORE:
        return True  # "to our Melitopol", "in their Kherson"
    if before in LOCATIVE_BEFORE or before in PLACE_NOUNS:
        return True
    if before == "of" and start_tok > 1 and doc[start_tok - 2].lower_ in PLACE_NOUNS:
        return True  # "the town of Garissa"
    two_before = doc[start_tok - 2].lower_ if start_tok > 1 else ""
    if before in {"of", "on", "over"} and two_before in EVENT_NOUNS:
        return True  # "the shelling of Kherson", "strikes on Mykolaiv"
    if before == "over" and two_before in AIR_WORDS:
        return True  # "drones over Odesa", "explosions over Kyiv"
    after = [t.lower_ for t in doc[end_tok : end_tok + 4]]
    if after and after[0] in LOCATIVE_AFTER:
        return True
    if after[:1] == [","] and len(after) > 2 and after[1] in {"a", "an", "the"}:
        return bool(set(after[2:]) & (LOCATIVE_AFTER | {"town", "village", "settlement"}))
    return False


def _preceded_by_the(doc, start_tok: int) -> bool:
    return start_tok > 0 and doc[start_tok - 1].lower_ == "the"


def _best_population(cands: tuple[Candidate, ...]) -> tuple[bool, int]:
    """(has a country/region-like candidate, population of the largest town or county)."""
    high = any(not _ranked_by_population(c) for c in cands)
    pops = [c.population for c in cands if _ranked_by_population(c)]
    return high, max(pops, default=0)


def _ranked_by_population(c: Candidate) -> bool:
    """Towns, counties and former regions count by their people, not by their kind."""
    return c.place.kind in {"city", "admin2"} or c.feature == "former"


def _named_day_or_group(doc, s: int, e: int, high: bool, pop: int) -> bool:
    """True when the words around a span make it a day ("Independence Day", "Day of
    Unity"), a person's followers ("Bandera followers", "supporters of Bandera") or a thing
    ("Proton rockets"), not a place. Countries and big towns keep their name."""
    if high:
        return False
    nxt = doc[e] if e < len(doc) else None
    if nxt is not None and nxt.text in HOLIDAY_NOUNS:
        return pop < MIN_POP_EMBEDDED or e - s == 1 and _familiar_word(doc[s].text)
    if s >= 2 and doc[s - 1].lower_ == "of" and doc[s - 2].text in HOLIDAY_NOUNS:
        return True
    if e - s == 1 and pop < MIN_POP_COMMON_WORD and _common_word(doc[s].text):
        # A common noun owned by a place or owning one is that noun: "Ukraine's
        # Independence", "Independence of Ukraine" (not the town in Missouri).
        if s > 0 and doc[s - 1].text in {"'s", "’s"}:
            return True
        if nxt is not None and nxt.lower_ == "of" and e + 1 < len(doc):
            return doc[e + 1].text[:1].isupper()
    if pop >= MIN_POP_EMBEDDED:
        return False
    if nxt is not None and nxt.lower_ in FOLLOWER_NOUNS | PRODUCT_NOUNS:
        return True
    return s >= 2 and doc[s - 1].lower_ == "of" and doc[s - 2].lower_ in FOLLOWER_NOUNS


_IN_REGION = re.compile(r",\s+([A-Z][\w'’.-]*(?:\s+[A-Z][\w'’.-]*)?)")


def _placed_in_region(sp: Span, gazetteer: Gazetteer) -> bool:
    """True when a country or region that holds one of the span's towns follows it:
    "Reston, Virginia", "Sukoharjo, Central Java".
    """
    return _placed_in(sp.context_after, sp.candidates, gazetteer)


def _placed_in(after: str, cands: tuple[Candidate, ...], gazetteer: Gazetteer) -> bool:
    m = _IN_REGION.match(after)
    if not m:
        return False
    words = m.group(1).split()
    for n in (2, 1)[2 - len(words) :]:
        for region in region_readings(gazetteer.lookup(" ".join(words[:n]).rstrip("."))):
            if any(lies_in(t, region, {"city"}) for t in cands):
                return True
    return False


def _word_naming_hamlets(doc, s: int, e: int, cands: tuple[Candidate, ...]) -> bool:
    """A single familiar English word ("Mars", "Venus") whose only places are villages."""
    if e - s != 1:
        return False
    high, pop = _best_population(cands)
    return not high and pop < 5_000 and _familiar_word(doc[s].text)


def _organisation_apposition(doc, e: int) -> bool:
    """True when ", the/a ... agency|company|newspaper ..." follows: an organisation's name."""
    if e + 2 >= len(doc) or doc[e].text != "," or doc[e + 1].lower_ not in {"a", "an", "the"}:
        return False
    for tok in doc[e + 2 : e + 9]:
        if tok.is_punct and tok.text not in {"'s", "’s", "-"}:
            return False
        if tok.lower_ in PLACE_NOUNS:
            return False
        if tok.lower_ in ORGANISATION_NOUNS:
            return True
    return False


# Nouns for a person after a town's name: "a Dahlonega man", "an Oakwood resident".
RESIDENT_NOUNS = {
    "man", "woman", "men", "women", "resident", "residents", "native", "couple", "teen",
    "teenager", "boy", "girl", "family", "student", "businessman", "mother", "father",
}  # fmt: skip


def _residence(doc, s: int, e: int) -> bool:
    """True when the words around the name say where a person lives: "Jane Doe, 45, of
    Oakwood, was", "Miss Abdhou, of Hayes, was", "Jane Doe of Oakwood was", "a Dahlonega
    man" (local news writes nearly everyone so). The person must be named (a PERSON
    entity) or be the noun right after the name."""
    after = doc[e].text if e < len(doc) else "."
    if s > 1 and doc[s - 1].lower_ == "of" and after in {",", ".", ";", "was", "is", "and", "who"}:
        k = s - 2
        if doc[k].text == ",":  # "Jane Doe, of X" or "Jane Doe, 45, of X"
            k -= 1
            if k >= 0 and doc[k].like_num and k > 0 and doc[k - 1].text == ",":
                k -= 2
        return k >= 0 and doc[k].ent_type_ == "PERSON"
    return (
        s > 0
        and doc[s - 1].lower_ in {"a", "an"}
        and e < len(doc)
        and doc[e].lower_ in RESIDENT_NOUNS
    )


def _introduced_place(doc, i: int) -> bool:
    """True when a settlement noun introduces the capitalised word at `i`: "the village of
    X", "village X", "X, a village near" (for names no gazetteer has)."""
    tok = doc[i]
    if tok.pos_ != "PROPN" or not tok.is_alpha or tok.is_sent_start or len(tok.text) < 4:
        return False
    if tok.ent_type_ in {"DATE", "TIME"}:
        return False
    prev = doc[i - 1].text if i > 0 else ""
    if prev == "of" and i > 1:
        prev = doc[i - 2].text
    if prev in SETTLEMENT_NOUNS:  # lower case: "Quezon City Wednesday" is no cue
        return True
    # Later members of "the villages of A, B and C".
    j = i - 1
    while j > 0 and i - j < 8 and (doc[j].text[:1].isupper() or doc[j].lower_ in {"and", ","}):
        j -= 1
    if j < i - 1 and doc[j + 1].text[:1].isupper() and doc[i - 1].lower_ in {"and", ","}:
        prev = doc[j - 1].text if doc[j].lower_ == "of" and j > 0 else doc[j].text
        if prev in {"villages", "towns", "settlements", "hamlets"}:
            return True
    after = [t.lower_ for t in doc[i + 1 : i + 4]]
    return (
        after[:1] == [","]
        and len(after) == 3
        and after[1] in {"a", "the"}
        and (after[2] in SETTLEMENT_NOUNS)
    )


def _misdated(doc, s: int, e: int, label: str) -> bool:
    """A proper noun tagged DATE or TIME that no calendar word backs ("in Manbij near")."""
    if label not in {"DATE", "TIME"} or e - s != 1:
        return False
    tok = doc[s]
    if tok.pos_ != "PROPN" or any(ch.isdigit() for ch in tok.text):
        return False
    if tok.lower_ in CALENDAR_WORDS or tok.lower_.rstrip(".") in CALENDAR_WORDS:
        return False
    return _locative(doc, s, e)


def _romanised_main_name(text: str, cands: tuple[Candidate, ...]) -> bool:
    """True when `text` is another romanisation of a candidate's main name ("Chuhuiv" of
    Chuhuyiv, "Kupiansk" of Kupyansk): as good as the main name, not a stray alternate."""
    variants = {v for level in romanisation_variants(text) for v in level}
    return any(normalize(c.place.name) in variants for c in cands)


def _accept(doc, s: int, e: int, cands: tuple[Candidate, ...], label: str) -> bool:
    """Decide whether a gazetteer-matched span is a place here."""
    if _misdated(doc, s, e, label):
        label = ""
    if label in NOT_PLACE_LABELS:
        return False
    if any(c.feature == USER_FEATURE for c in cands):
        return not _person_cue(doc, s, e)  # the user's own places need no other support
    if _residence(doc, s, e) and any(
        c.primary and c.place.kind in {"city", "admin2"} for c in cands
    ):
        return True  # "John Smith, 45, of Flowery Branch, was charged", "a Dahlonega man"
    if (
        doc[s].lower_.rstrip(".") in {"st", "saint", "ste"}
        and e < len(doc)
        and doc[e].text in {"'s", "’s"}
    ):
        return False  # "St. Peter's Basilica", "St George's Chapel": a dedication, not a parish
    high, pop = _best_population(cands)
    if _surname(doc, s) and not _country(cands):
        return False  # "von der Leyen" is no Leiden
    # An alternate name counts for nothing here: "Angara rocket" is no Ankara.
    if _named_day_or_group(doc, s, e, high, pop if any(c.primary for c in cands) else 0):
        return False  # "Independence Day", "Bandera followers", "Proton rockets"
    if s > 0 and not high:
        before = doc[s - 1].lower_
        head = e >= len(doc) or doc[e].pos_ not in {"NOUN", "PROPN", "ADJ"}
        if before in {"a", "an"} and head:
            return False  # "a Tatar", "an Ingush": a person; "a Kyiv court" is still Kyiv
        if before in POSSESSIVES and head:
            if _familiar_word(doc[s].text):
                return False  # "our Homeland"; but "our Bucha", "our Kherson" are the towns
    if not high and pop < MIN_POP_EMBEDDED and _person_context(doc, s, e):
        return False  # "13-year-old Tanya"
    if (
        label not in PLACE_LABELS
        and not high
        and e - s == 1
        and _common_word(doc[s].text)
        and _accent_only_match(doc, s, e, cands)
    ):
        return False  # "thank God" is no Göd
    titled = s > 0 and doc[s - 1].lower_.rstrip(".") in PERSON_TITLES - NAMING_WORDS
    if titled and not (label in PLACE_LABELS and _country(cands)):
        return False  # "young Sofia"
    locative = _locative(doc, s, e) or (
        s > 0 and doc[s - 1].lower_ == "on" and any(c.feature in ISLAND_FEATURES for c in cands)
    )  # "on Oahu", "on Sumatra": islands take "on"
    if _person_cue(doc, s, e) and not (label in PLACE_LABELS and (high or locative)):
        return False  # "Sofia, who"; but "Fujian, China, whose", "in Nueva Ecija, who" are places
    if _named_by(doc, s) and not high and pop < MIN_POP_EMBEDDED:
        return False  # "a girl named Sofia"; but "presently called Kinshasa"
    if label not in PLACE_LABELS and not high and _addressed(doc, s, e):
        return False  # "You see, Viktoria, this does not depend on us": a person addressed
    if e - s == 1 and doc[s].lower_ in DIRECTIONS:
        return False
    single = e - s == 1
    if single and _preceded_by_the(doc, s) and not high and pop < 100_000:
        return False  # "the West", "the Bank": cities rarely take an article
    if (
        single
        and _preceded_by_the(doc, s)
        and label not in PLACE_LABELS
        and all(c.place.kind == "city" for c in cands)
        and pop < MIN_POP_EMBEDDED_HEAD
        and (e >= len(doc) or not (doc[e].text[:1].isupper() or doc[e].pos_ == "NOUN"))
    ):
        return False  # "the Duma" is the parliament, not Dūmā in Syria ("the Glasgow area" is)
    own_pop = max((c.population for c in cands if c.primary), default=0)
    if _preceded_by_the(doc, s) and not high and own_pop < 50_000:
        if not _locative(doc, s, e):
            return False  # "the White House" is no town in Tennessee; "the X area" is
    words = [t.text for t in doc[s:e] if t.is_alpha]
    if (
        not any(c.primary or c.place.kind != "city" for c in cands)
        or label not in PLACE_LABELS
        and not any(c.primary or c.place.kind in {"country", "continent"} for c in cands)
    ) and (words and all(not w.isupper() and _common_word(w) for w in words)):
        # "White House" is only an alternate name of Casablanca, "Peace" only a translation
        # of La Paz; "Britain" is still the country.
        return False
    if not high and _organisation_apposition(doc, e):
        return False  # "Xinhua, the world's largest news agency" is no town in China
    if label in PLACE_LABELS:
        # Even with NER support, a common word naming only a hamlet is the word ("planet Earth").
        tiny = MIN_POP_EMBEDDED if label == "FAC" else MIN_POP_GAZETTEER_ONLY  # FAC: "Olympic"
        return not (single and not high and pop < tiny and _common_word(doc[s].text))
    if (
        doc[s].is_sent_start
        or doc[s].pos_ != "PROPN"
        or not label
        and not locative
        or label in WEAK_LABELS
    ) and _plain_word(doc, s, e, high, pop):
        return False  # "Police said", "Set", "our Union": words, unless NER says place
    if _introduced_place(doc, s):
        return True  # "the village of Novoselivka": any size (the resolver checks the country)

    if single and s + 1 < len(doc) and doc[s + 1].text[:1].isupper():
        nxt = doc[s + 1]
        if nxt.ent_type_ == "PERSON" or (nxt.pos_ == "PROPN" and doc[s].ent_type_ == "PERSON"):
            return False  # a first name: "Vladimir Putin"
    # Inside a longer name only towns count by size: "Nord" (a French department) in
    # "Nord Stream" is no place, "Moscow" in "Moscow Times" is.
    town = max((c.population for c in cands if c.place.kind == "city"), default=0)
    if label in {EMBEDDED, MODIFIER} and (
        _named_unit(doc, s, e, cands) or _civic_body(doc, s, e, cands)
    ):
        return True  # "the Hall County Sheriff's Office", "Owensboro Public Schools"
    if (
        label in {EMBEDDED, MODIFIER}
        and e < len(doc)
        and doc[e].lower_ in STREET_NOUNS
        and not (s > 0 and doc[s - 1].text in DASHES)  # "the Moscow-St Petersburg Road"
    ):
        return False  # "Independence Square in Kiev", "Moscow Street": a street, not the town
    of_place = s > 0 and doc[s - 1].lower_ == "of"  # "the University of Oxford"
    if label == EMBEDDED and not of_place and _plain_word(doc, s, e, high, town):
        return False  # "the Energy Independence Program", "the Orange Revolution"
    if label == EMBEDDED_HEAD:
        return _country(cands) or town >= MIN_POP_EMBEDDED_HEAD
    if label == EMBEDDED:
        # "U.S." in "the U.S. Centers for Disease Control", "Moscow" in "Moscow Times".
        return high or town >= MIN_POP_EMBEDDED and any(c.primary for c in cands)
    if label == MODIFIER:
        # A big town, a state or a country names what follows it ("Kyiv Post", "Texas
        # Governor", "the Czech Republic Jan Lipavsky"); a county, a common word or an old
        # name of a town does not ("Union State", "Gorky Park"). Regions are checked against
        # the article's geography later ("Nord Stream" in Burkina Faso).
        if _plain_word(doc, s, e, high, town):
            return False
        return high or any(
            c.primary and c.place.kind == "city" and c.population >= MIN_POP_EMBEDDED for c in cands
        )
    if label == LISTED:
        # The list stands in for NER support, not for the word checks: "Union", "Look" and
        # "No" stay words, and an alternate spelling alone is not enough.
        if _plain_word(doc, s, e, high, pop):
            return False
        if not any(c.primary for c in cands) and not _romanised_main_name(doc[s:e].text, cands):
            return False
        return high or pop >= MIN_POP_LISTED
    if label == "PERSON":
        if (
            e - s > 1
            and doc[e - 1].text[:1].isupper()
            and doc[e - 1].lower_ in UNIT_WORDS | {"parish"}
        ):
            # "Jefferson Parish", "Monroe County": no person is called a county.
            return any(c.place.kind != "city" for c in cands)
        if locative:
            return high or pop >= MIN_POP_GAZETTEER_ONLY
        if (high and not single) or pop >= MIN_POP_PERSON_TAGGED or _country(cands):
            return True
        # "Kyivshchyna and Chernihivshchyna were liberated": a word no dictionary knows that
        # names a region is the region, whatever the tagger guessed.
        return (
            single and high and any(c.place.kind == "admin1" for c in cands) and _rare(doc[s].text)
        )
    if label in WEAK_LABELS:
        # spaCy often calls cities organisations or products; "near Orneta" says which.
        if locative and single and any(c.primary and c.place.kind == "city" for c in cands):
            return pop >= MIN_POP_LISTED
        return high or pop >= MIN_POP_GAZETTEER_ONLY
    if (
        not locative
        and all(t.pos_ != "PROPN" for t in doc[s:e])
        and not any("." in t.text for t in doc[s:e])
    ):
        return False  # a tagger that sees no proper noun, and no "X city" to say otherwise
    if s > 0 and doc[s].is_sent_start and single and not high and pop < 100_000:
        return False
    if not any(c.primary for c in cands) and not high and pop < 100_000:
        return False  # only an alternate spelling of a small town ("Set" for Sète)
    return high or pop >= MIN_POP_GAZETTEER_ONLY


def _named_unit(doc, s: int, e: int, cands: tuple[Candidate, ...]) -> bool:
    """A name written with its unit word ("Hall County", "Kharkiv Oblast") that the
    gazetteer knows as such a unit, before one of its public bodies: a place even at the
    head of an office's or a party's name, which says where that office is."""
    return (
        e - s >= 2
        and e < len(doc)
        and doc[e - 1].lower_ in ADMIN_NOUNS
        and doc[e].lower_ in CIVIC_NOUNS
        and any(c.primary and c.place.kind in {"admin1", "admin2"} for c in cands)
    )


def _civic_body(doc, s: int, e: int, cands: tuple[Candidate, ...]) -> bool:
    """A town's name before one of its public bodies ("Owensboro Public Schools", "the
    Gainesville Police Department", "Clacton Town Council"): those bodies are the town's,
    whatever its size. The name must begin the body's name ("MIT Sloan School" is no
    Sloan) and be no everyday word ("the Supreme Court", "Coordination Council").
    Whether the article's geography fits the town is checked when it is resolved."""
    prev = doc[s - 1] if s > 0 else None
    return (
        e < len(doc)
        and doc[e].lower_ in CIVIC_NOUNS
        and not (prev is not None and prev.text[:1].isupper() and not prev.is_sent_start)
        and not (e - s == 1 and _familiar_word(doc[s].text))
        and any(c.primary and c.place.kind == "city" for c in cands)
    )


def _plain_word(doc, s: int, e: int, high: bool, pop: int) -> bool:
    """A single common word ("Union", "Look") naming nothing bigger than a mid-size town."""
    return e - s == 1 and not high and pop < MIN_POP_COMMON_WORD and _common_word(doc[s].text)


def _country(cands: tuple[Candidate, ...]) -> bool:
    return any(c.place.kind in {"country", "continent"} for c in cands)
