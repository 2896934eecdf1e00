"""Article-level evidence for resolution: what the other names say about the article's
geography, where "X, Y" places a name, lists of alike names, generic names and the
place a source is at home in."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from geo.gazetteer import Candidate
from geo.great_circle import haversine_km
from geo.recognize_spans import Span


def _named_admin1(cands: tuple[Candidate, ...]) -> Candidate | None:
    """The admin-1 region a name surely means: its main name, no country and no big city."""
    admins = [c for c in cands if c.place.kind == "admin1" and c.primary]
    if len(admins) != 1 or any(c.place.kind == "country" for c in cands):
        return None
    if any(c.place.kind == "city" and c.population >= 100_000 for c in cands):
        return None
    return admins[0]


def _shared_by_countries(cands: tuple[Candidate, ...]) -> bool:
    """True when regions of several countries carry the name ("Saint Andrew" parishes)."""
    return len({c.place.country_code for c in cands if c.place.kind == "admin1"}) > 1


def _named_county(cands: tuple[Candidate, ...]) -> Candidate | None:
    """The county a name surely means: counties of one country only, no larger town."""
    counties = [c for c in cands if c.place.kind == "admin2" and c.primary]
    if not counties or len({c.place.country_code for c in counties}) != 1:
        return None
    top = max(counties, key=lambda c: c.population)
    if any(c.place.kind != "admin2" and c.population >= top.population for c in cands):
        return None
    if any(c.place.kind in {"country", "admin1"} for c in cands):
        return None
    return top


def _dominant_city(cands: tuple[Candidate, ...]) -> Candidate | None:
    """The city a name almost surely means (sole or 5x larger town, >= 50k people)."""
    towns = [c for c in cands if c.place.kind == "city"]
    if not towns:
        return None
    ranked = sorted(towns, key=lambda c: -c.population)
    top = ranked[0]
    if top.population < 50_000:
        return None
    if len(ranked) > 1 and ranked[1].population * 5 > top.population:
        return None
    for c in cands:
        # A region of the same name counts only where it is the city's own (Brazzaville).
        far = haversine_km(c.place.lat, c.place.lon, top.place.lat, top.place.lon) > 50
        if c.place.kind != "city" and far:
            return None
    return top


@dataclass(slots=True)
class _Evidence:
    """What some names in an article say about its geography."""

    countries: Counter = field(default_factory=Counter)
    admin1s: set = field(default_factory=set)
    anchors: list = field(default_factory=list)  # (name in the article, Candidate)
    anchor_admin1s: set = field(default_factory=set)

    @classmethod
    def merge(cls, parts: Iterable[_Evidence]) -> _Evidence:
        out = cls()
        for ev in parts:
            out.countries.update(ev.countries)
            out.admin1s |= ev.admin1s
            out.anchors.extend(ev.anchors)
            out.anchor_admin1s |= ev.anchor_admin1s
        return out


# ", a village near Chernihiv", ", a suburb of Auckland": where an unknown place lies.
_NEAR_RE = re.compile(
    r"^\s*,\s+(?:a|an|the)\s+(?:[a-z-]+\s+){1,3}?(?:near|outside|of|in)\s+"
    r"((?:[A-Z][\w'’.-]*)(?:\s+[A-Z][\w'’.-]*){0,3})"
)
# "Kherson, Ukraine", and "Fulton County (, ) located in Illinois", "Crawford County in
# Pennsylvania", "Austin, in Scott County": what follows must still be a country or a region
# to count. A region's name may hold particles ("Davao del Sur", "Rio Grande do Sul"); a
# name followed by "said" is a speaker, not a container ("in Paris, Washington said").
_CONTAIN_RE = re.compile(
    r"^(?:\s*,\s*(?:(?:located\s+)?in\s+)?|\s+(?:located\s+)?in\s+)"
    r"((?:[A-Z][\w'’.-]*)(?:\s+(?:(?:de|del|da|do|dos|das|des|di|du|la|le|el)\s+)?[A-Z][\w'’.-]*){0,3})"
    r"(?![\w'’.-]*\s+(?:said|says|told|added|announced|stated|reported)\b)"
)

_HOST_NOISE = {"www", "m", "amp", "mobile", "edition", "en", "news", "www2", "eu", "uk", "us"}


def _unambiguous_home(cands: tuple[Candidate, ...]) -> Candidate | None:
    """A source's home among a name's candidates: its country, its only region, or a town
    that dominates the name (and 20,000 people) with no region of the same name."""
    primary = [c for c in cands if c.primary]
    countries = [c for c in primary if c.place.kind == "country"]
    if countries:
        return countries[0]
    admins = [c for c in primary if c.place.kind == "admin1"]
    town = _dominant_city(cands)
    if admins:
        big_town = any(c.place.kind == "city" and c.population >= 100_000 for c in cands)
        return admins[0] if len(admins) == 1 and not big_town else None  # not "washingtonpost"
    if town is not None and town.primary and town.population >= 20_000:
        return town
    return None


_LIST_GOES_ON = re.compile(r"^\s*,\s*[A-Z][\w'’.-]*(?:\s+[A-Z][\w'’.-]*)*(?:,|\s+and|\s+or)\s")


def _listing(after: str) -> bool:
    """True when ", Y" is followed by more names: "Niger, Nigeria and Togo"."""
    return bool(_LIST_GOES_ON.match(after))


def _sibling(
    cands: tuple[Candidate, ...], contained: tuple[str, str | None], listing: bool = False
) -> bool:
    """True when "X, Y" lists two peers rather than placing X in Y.

    A country's own name is never inside another place ("Mexico, China, Japan"), nor is a
    state in a state of the same country ("Georgia, Oklahoma, Pennsylvania"). "Georgia,
    USA" is the state; "Niger, Nigeria and Togo", where the list goes on, are countries.
    """
    cc, admin1 = contained
    if (
        not admin1
        and not listing
        and any(c.place.kind == "admin1" and c.place.country_code == cc for c in cands)
    ):
        return False  # "Georgia, USA": the state in its country
    for c in cands:
        if not c.primary:
            continue
        if c.place.kind in {"country", "continent"} and c.place.country_code != cc:
            return True
        if admin1 and c.place.kind == "admin1" and c.place.country_code == cc:
            return True
    return False


_LIST_SEPARATORS = {",", ", and", "and", "or", ", or", "/", "&"}


def _lists(text: str, spans: list[Span]) -> list[tuple[Span, list[Span]]]:
    """Each name span in an enumeration ("A, B and C") with all the enumeration's members."""
    names = [sp for sp in spans if sp.mention_type == "name"]
    groups: list[list[Span]] = []
    for prev, cur in zip(names, names[1:], strict=False):
        sep = " ".join(text[prev.end : cur.start].split())
        if sep in _LIST_SEPARATORS:
            if groups and groups[-1][-1] is prev:
                groups[-1].append(cur)
            else:
                groups.append([prev, cur])
    return [(sp, group) for group in groups for sp in group]


# Words that say where or what, not which: a name made only of them is generic.
_GENERIC_WORDS = {
    "north", "south", "east", "west", "northern", "southern", "eastern", "western", "central",
    "northeast", "northwest", "southeast", "southwest", "northeastern", "northwestern",
    "southeastern", "southwestern", "north-east", "north-west", "south-east", "south-west",
    "far", "near", "middle", "upper", "lower", "inner", "outer", "greater", "federal",
    "capital", "national", "economic", "special", "autonomous", "administrative", "region",
    "district", "province", "territory", "state", "gulf", "valley", "coast", "highlands",
    "lowlands", "islands", "island", "mountains", "lakes", "bay", "county", "city", "the",
    "frontier", "interior", "plateau", "delta", "borderlands", "steppe",
}  # fmt: skip


def _generic_name(name: str) -> bool:
    """True for a name of generic words only: "Federal District", "Central Region", "Gulf"."""
    words = re.findall(r"[\w-]+", name.lower())
    return bool(words) and all(w in _GENERIC_WORDS for w in words)
