"""Where the map looks: the framing of a selection and the command that moves the map there."""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass

from geo.mapstyle import drawn
from geo.models import Place, PlaceCount

NEAR_KM = 800  # the neighbourhood whose mentions make a place the selection's centre
CORE_KM = 1_500  # places this far from that centre are framed; farther ones are outliers
CORE_SHARE = 0.8  # the framed box holds this share of the core's mentions (weighted)


def _km(a: Place, b: Place) -> float:
    """Great-circle distance in km."""
    la1, lo1, la2, lo2 = map(math.radians, (a.lat, a.lon, b.lat, b.lon))
    h = (
        math.sin((la2 - la1) / 2) ** 2
        + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    )
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(h)))


def _weighted_range(values: list[tuple[float, int]], share: float) -> tuple[float, float]:
    """The interval holding the middle `share` of the weight of (value, weight) pairs."""
    values = sorted(values)
    total = sum(w for _, w in values)
    cut = total * (1 - share) / 2
    lo_v, hi_v, seen = values[0][0], values[-1][0], 0.0
    for v, w in values:
        seen += w
        if seen > cut:
            lo_v = v
            break
    seen = 0.0
    for v, w in reversed(values):
        seen += w
        if seen > cut:
            hi_v = v
            break
    return lo_v, hi_v


def view_for(counts: list[PlaceCount]) -> tuple[tuple[float, float], int]:
    """A (center, zoom) framing the dense core of the selection's mentions.

    Countries and continents are left out (their points are arbitrary interior points:
    Russia's lies in Siberia). The centre is the place with the most mentions within
    NEAR_KM of it (a density peak, not the busiest single point); the frame holds the
    middle CORE_SHARE of the mentions of the places within CORE_KM of that centre. So a
    month of war news opens on Ukraine, not on the ocean between Kyiv and Washington, and
    five places in and around one city open on that city.
    """
    local = sorted((c for c in drawn(counts) if c.mentions > 0), key=lambda c: -c.mentions)
    if not local:
        return (48.5, 31.0), 4
    top = local[:300]

    def mass(c: PlaceCount) -> int:
        return sum(o.mentions for o in top if _km(c.place, o.place) <= NEAR_KM)

    anchor = max(top[:40], key=lambda c: (mass(c), c.mentions))
    core = [c for c in top if _km(anchor.place, c.place) <= CORE_KM]
    lat0, lat1 = _weighted_range([(c.place.lat, c.mentions) for c in core], CORE_SHARE)
    lon0, lon1 = _weighted_range([(c.place.lon, c.mentions) for c in core], CORE_SHARE)
    span = max(lat1 - lat0, (lon1 - lon0) / 2, 1.0)
    zoom = max(2, min(9, int(math.log2(180 / span))))
    return ((lat0 + lat1) / 2, (lon0 + lon1) / 2), zoom


@dataclass(frozen=True, slots=True)
class ViewCommand:
    """A request to move the map to (center, zoom), applied once per `id` in the browser.

    The browser remembers which ids it has applied (across iframe remounts), so passing the
    same command on every rerun moves the map once; a new id (first load, "Fit to
    selection") moves it again.
    """

    id: str
    center: tuple[float, float]
    zoom: int

    @classmethod
    def frame(cls, counts: list[PlaceCount]) -> ViewCommand:
        """A new command framing the selection (see `view_for`)."""
        center, zoom = view_for(counts)
        return cls(uuid.uuid4().hex, center, zoom)
