"""The words recognition reads around a name: titles, nouns, cues and unit words."""

from __future__ import annotations

import re

# Words that may sit inside a multi-word place name ("Sea of Azov", "Bosnia and Herzegovina").
CONNECTORS = {
    "of", "the", "and", "de", "del", "la", "upon", "on", "-", "'s", "da", "do", "du", "au", "aux",
    "es", "el", "al", "en", "sur", "di", "le", "les", "des", "los", "las", "y", "am", "an", "der",
    "dos", "das", "van", "von", "bin", "ul", ".",
}  # fmt: skip

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

CALENDAR_WORDS = {
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep",
    "sept", "oct", "nov", "dec", "monday", "tuesday", "wednesday", "thursday", "friday",
    "saturday", "sunday", "easter", "christmas", "ramadan", "eid", "passover", "today",
    "tomorrow", "yesterday", "tonight",
}  # fmt: skip

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

ISLAND_FEATURES = {"island", "island group"}
