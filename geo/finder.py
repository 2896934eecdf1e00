"""Find a place of the selection by the names people write: aliases, old names, typos.

"Kharkov", "Kiev", "Artemovsk" (Bakhmut's old name) or "Severodonetsk" name places the
corpus calls Kharkiv, Kyiv, Bakhmut and Sievierodonetsk; so do the Cyrillic names "Харків",
"Харьков", "Киев" and "Одесса", also in lower case or a case form ("у Харкові"). The gazetteer
knows GeoNames' alternate and historical names, their Cyrillic spellings and the
Ukrainian/Russian romanisation variants; a string similarity catches typos. Only places of the selection are offered, the most mentioned first
within each kind of match.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from geo.gazetteer import Gazetteer, normalize
from geo.lang.cyrillic import is_cyrillic, noun_forms
from geo.models import PlaceCount

# How a typed string matched a place, best first.
EXACT, ALTERNATE, PREFIX, SIMILAR = "name", "also called", "begins with", "similar to"
# A place's own name and its other names rank alike (then by mentions): "Odessa" lists the
# corpus' Odesa before a rarely mentioned Odessa, Texas.
_RANK = {EXACT: 0, ALTERNATE: 0, PREFIX: 2, SIMILAR: 3}
# difflib ratio a name needs to count as a typo of the typed string (0-1).
MIN_SIMILARITY = 0.8
MIN_PREFIX = 3  # letters typed before names are matched by their beginning


@dataclass(frozen=True, slots=True)
class Found:
    """A place of the selection that the typed string names."""

    count: PlaceCount
    how: str  # EXACT, ALTERNATE, PREFIX or SIMILAR
    matched: str  # the name that matched, as written (an alternate name for ALTERNATE)


def find_places(
    typed: str,
    counts: Sequence[PlaceCount],
    gazetteer: Gazetteer | None = None,
    names_of: Callable[[Iterable[int]], Mapping[int, list[str]]] | None = None,
    limit: int = 8,
) -> list[Found]:
    """The selection's places that `typed` names, best match first, then most mentioned.

    Exact names first; then places the gazetteer knows by that alternate, historical or
    transliterated name (`gazetteer.lookup_variant`); then names beginning with it; then
    names and alternate names (`names_of`, default `gazetteer.names_of`) within
    MIN_SIMILARITY of it. Empty for an empty string or no match.
    """
    key = normalize(typed)
    if not key:
        return []
    by_mentions = sorted(counts, key=lambda c: -c.mentions)
    best: dict[str, Found] = {}

    def offer(c: PlaceCount, how: str, matched: str) -> None:
        old = best.get(c.place.key)
        if old is None or _RANK[how] < _RANK[old.how]:
            best[c.place.key] = Found(c, how, matched)

    for c in by_mentions:
        if normalize(c.place.name) == key:
            offer(c, EXACT, c.place.name)
    if gazetteer is not None:
        for form in _name_forms(typed.strip()):
            known = {cand.place.geonameid for cand in gazetteer.lookup_variant(form)}
            for c in by_mentions:
                if c.place.geonameid is not None and c.place.geonameid in known:
                    offer(c, ALTERNATE, form)
            if best:
                break
    if len(key) >= MIN_PREFIX:
        for c in by_mentions:
            if normalize(c.place.name).startswith(key):
                offer(c, PREFIX, c.place.name)
    if len(best) < limit and len(key) >= MIN_PREFIX:
        _similar(key, by_mentions, {}, best, offer)
        # Typos of their other names only when nothing else matched: reading every
        # alternate name of the selection takes a second or two.
        aliases = names_of or (gazetteer.names_of if gazetteer is not None else None)
        if not best and aliases is not None:
            others = aliases(c.place.geonameid for c in by_mentions if c.place.geonameid)
            _similar(key, by_mentions, others, best, offer)
    ranked = sorted(best.values(), key=lambda f: (_RANK[f.how], -f.count.mentions))
    return ranked[:limit]


def _name_forms(typed: str) -> list[str]:
    """What to look the typed string up as: itself, capitalised (the gazetteer matches a
    lower-case word only to lower-case names), and for a Cyrillic word its possible
    nominatives ("Харкові" -> "Харків").
    """
    forms = [typed]
    if typed[:1].islower():
        forms.append(" ".join(w[:1].upper() + w[1:] for w in typed.split(" ")))
    if is_cyrillic(typed) and " " not in typed:
        forms.extend(f for form in list(forms) for f in noun_forms(form)[1:])
    return list(dict.fromkeys(f for f in forms if f))


def _similar(
    key: str,
    counts: list[PlaceCount],
    others: Mapping[int, list[str]],
    best: dict[str, Found],
    offer: Callable[[PlaceCount, str, str], None],
) -> None:
    """Offer the places with a name (own, or in `others`) similar to or beginning with `key`."""
    for c in counts:
        if c.place.key in best:
            continue
        names = [c.place.name, *others.get(c.place.geonameid or -1, [])]
        score, name = max((_similarity(key, normalize(n)), n) for n in names)
        if score >= MIN_SIMILARITY:
            offer(c, SIMILAR, name)
        elif begins := next((n for n in names[1:] if normalize(n).startswith(key)), None):
            offer(c, PREFIX, begins)


def _similarity(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio() if b else 0.0
