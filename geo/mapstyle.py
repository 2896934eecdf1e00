"""How the map draws places: colours by kind, the fixed size scale, clustering distances.

Shared by the base map's key (geo/mapbase.py), the per-rerun layers (geo/maplayers.py) and
the app's legends. Text for the browser goes through `safe_text`.
"""

from __future__ import annotations

import html
import math

from geo.models import PlaceCount

KIND_COLOURS = {
    "admin1": "#e66101",
    "admin2": "#e66101",
    "region": "#b35806",
    "city": "#c51b1b",
    "water": "#1f78b4",
    "landmark": "#33a02c",
}
SELECTED_COLOUR = "#ffd21f"
# With event colours on (see `event_marks`): a place where the selection has no event.
PLAIN_COLOUR = "#a3a3a3"
# Countries and continents are not drawn as markers: their points are arbitrary interior points
# (Russia's lies in Siberia) and their big circles would cover the cities inside them.
# Countries are drawn as shaded areas instead (CountryAreas); continents are not drawn.
NOT_DRAWN_KINDS = frozenset({"country", "continent"})
# Country areas: fill colour by mentions, on a fixed scale (like the marker sizes) so that one
# key serves every selection: 1-9, 10-99, 100-999, 1,000-9,999, 10,000 and more.
AREA_STEPS = (1, 10, 100, 1_000, 10_000)
AREA_COLOURS = ("#dadaeb", "#bcbddc", "#9e9ac8", "#756bb1", "#54278f")


def safe_text(value: object) -> str:
    """HTML-escape untrusted text and neutralise JS template-literal syntax (` and ${)."""
    return html.escape(str(value), quote=True).replace("`", "&#96;").replace("$", "&#36;")


# Marker radius in px = RADIUS_K * mentions ** RADIUS_EXP, kept within RADIUS_MIN..RADIUS_MAX.
# A fixed scale (not relative to the busiest place) lets one legend serve every selection; the
# fourth root makes each tenfold step about 1.8x wider: 8 -> 4 px, 800 -> 13 px, 8,000 -> 24 px.
RADIUS_K = 2.5
RADIUS_EXP = 0.25
RADIUS_MIN = 4.0
RADIUS_MAX = 28.0
LEGEND_COUNTS = (10, 100, 1_000, 10_000)
# Places closer than this many pixels to each other are drawn as one cluster badge: 45 px up
# to zoom CLUSTER_NEAR_ZOOM - 1 (a continent: badges sum up regions); from there on, only
# markers that really overlap are grouped: the distance is just over the largest marker
# radius drawn (near_cluster_radius, at least CLUSTER_RADIUS_NEAR_PX), and badges are drawn
# smaller than it, so no drawn marker or badge covers another one's centre.
CLUSTER_RADIUS_PX = 45
CLUSTER_RADIUS_NEAR_PX = 14
CLUSTER_NEAR_ZOOM = 5
NEAR_BADGE_MIN_PX = 20
BADGE_MIN_PX = 30
BADGE_MAX_PX = 56


def near_cluster_radius(counts: list[PlaceCount]) -> int:
    """Clustering distance (px) from CLUSTER_NEAR_ZOOM on: just over the largest marker."""
    biggest = max((radius(c.mentions) for c in drawn(counts)), default=RADIUS_MIN)
    return max(CLUSTER_RADIUS_NEAR_PX, math.ceil(biggest) + 3)


def radius(count: int) -> float:
    """Marker radius in pixels for `count` mentions, on the fixed scale the legend shows."""
    r = RADIUS_K * max(count, 0) ** RADIUS_EXP
    return round(min(RADIUS_MAX, max(RADIUS_MIN, r)), 1)


def tooltip_label(pc: PlaceCount) -> str:
    """Hover text: place, country and counts (escaped)."""
    p = pc.place
    where = f" ({p.country_code})" if p.country_code and p.kind != "country" else ""
    plural = "s" if pc.mentions != 1 else ""
    return safe_text(
        f"{p.name}{where} · {p.kind} · {pc.mentions} mention{plural} in {pc.articles} article"
        + ("s" if pc.articles != 1 else "")
    )


def drawn(counts: list[PlaceCount]) -> list[PlaceCount]:
    """The places drawn as markers (all but NOT_DRAWN_KINDS), in the given order."""
    return [c for c in counts if c.place.kind not in NOT_DRAWN_KINDS]


def area_colour(mentions: int) -> str:
    """Fill colour of a country area with this many mentions (AREA_STEPS, fixed scale)."""
    colour = AREA_COLOURS[0]
    for step, c in zip(AREA_STEPS, AREA_COLOURS, strict=True):
        if mentions >= step:
            colour = c
    return colour


def size_legend_html() -> str:
    """HTML for the size key: circles for LEGEND_COUNTS mentions and a sample cluster badge."""
    circles = "".join(
        f"<span><b style='width:{2 * radius(n):.0f}px;height:{2 * radius(n):.0f}px'></b>"
        f"{n:,}</span>"
        for n in LEGEND_COUNTS
    )
    return (
        f"<span>mentions in the selection:</span>{circles}"
        "<span><b class='cm-badge'>1.2k</b>nearby places grouped: their mentions summed;"
        " click to zoom in</span>"
    )
