"""Phrases that make a name a place whatever the tagger says: unit phrases ("X Oblast",
"the X region", "the Oka river"), routes ("Mariupol – Zaporizhzhia"), datelines
("MOSCOW —"), headlines in capitals and feature names ("Pearl Harbor")."""

from __future__ import annotations

import re

from geo.gazetteer import Candidate, Gazetteer, normalize
from geo.recognize_accept import MIN_POP_EMBEDDED, MIN_POP_LISTED, _best_population, _plain_word
from geo.recognize_tokens import _longest_known, _TokenTable
from geo.recognize_words import (
    DIRECTIONS,
    FEATURE_NOUNS,
    PERSON_TITLES,
    PLURAL_UNITS,
    SEAT_UNITS,
    SITE_NOUNS,
    UNIT_FORMS,
    UNIT_WORDS,
    WATER_WORDS,
)
from geo.word_frequency import _common_word

# Adjectival unit names: "Kharkivska", "Donetskaya", "Moskovskiy" -> stem + ending guesses.
_ADJECTIVAL = re.compile(
    r"^(?P<stem>\w+?)(?P<sk>s'?k|c'?k|zk)(?:a|aya|aia|iy|yi|yy|y|ij|ii|oi|oy|ogo|iy)$", re.I
)
_STEM_ENDINGS = ("", "sk", "a", "sa", "ia", "sia", "y", "i", "e")
# Dashes, arrows and slashes that join the stops of a route ("Mariupol – Zaporizhzhia").
_ROUTE_SEP = re.compile(r"^(?:[–—]+|\s[-–—]{1,2}>?\s|[-–—]*>|→|⇒|/)$")

_ANY_ROUTE_SEP = re.compile(r"[–—→⇒/>]|\s-\s")
_LIST_SEP = re.compile(r"^(?:,|and|or|&|, and|, or)$")
# "MOSCOW —", "KYIV, March 3 (Reuters) –", "SPRINGFIELD, Ill. (AP) —" at a line start.
_DATELINE = re.compile(
    r"(?m)^[ \t]*(?P<place>[A-Z][A-Z.'’-]+(?:[ \t]+[A-Z][A-Z.'’-]+){0,3})"
    r"(?=(?:,[ \t]*[A-Z][\w.]*(?:[ \t]+[\w.]+){0,3})?[ \t]*(?:\([^)\n]{1,40}\)[ \t]*)?"
    r"(?:[—–]|--?)[ \t])"
)


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
