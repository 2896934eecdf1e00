"""Rows -> folium map: a constant offline base map plus a layer of clustered place markers.

The base map never changes between reruns (so streamlit-folium keeps its iframe); the
markers go in a FeatureGroup passed separately. The map keeps the user's view across reruns
and iframe remounts, and moves only on first load and on its "Fit to selection" button.
Leaflet, Leaflet.markercluster and the country outlines are served from the project's
`static/` folder, so nothing is fetched from the internet unless the user turns the online
tiles on.

The parts live beside this module, one concept each: geo/mapstyle.py (colours, sizes,
clustering distances), geo/mapbase.py (the base map's elements and controls),
geo/maplayers.py (the per-rerun layers), geo/mapframe.py (the framing of a selection).
Their names are importable from here too.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping

import folium

from geo.mapbase import (
    AREA_STORAGE_KEY,
    AREAS_Z,
    BASEMAP_URL,
    LABELS_URL,
    LABELS_Z,
    MAX_LABELS,
    MAX_ZOOM,
    MIN_ZOOM,
    OSM_ATTRIBUTION,
    STATIC_URL,
    TOWN_LABELS_URL,
    VIEW_STORAGE_KEY,
    MapChrome,
    MapLabels,
    OfflineBasemap,
    OfflineMap,
    ViewKeeper,
)
from geo.mapframe import CORE_KM, CORE_SHARE, NEAR_KM, ViewCommand, view_for
from geo.maplayers import (
    COMMAND_STORAGE_KEY,
    PLACE_LABELS,
    CountryAreas,
    PlacesLayer,
    area_properties,
    event_marks,
    marker_features,
    marker_rows,
)
from geo.mapstyle import (
    AREA_COLOURS,
    AREA_STEPS,
    BADGE_MAX_PX,
    BADGE_MIN_PX,
    CLUSTER_NEAR_ZOOM,
    CLUSTER_RADIUS_NEAR_PX,
    CLUSTER_RADIUS_PX,
    KIND_COLOURS,
    LEGEND_COUNTS,
    NEAR_BADGE_MIN_PX,
    NOT_DRAWN_KINDS,
    PLAIN_COLOUR,
    RADIUS_EXP,
    RADIUS_K,
    RADIUS_MAX,
    RADIUS_MIN,
    SELECTED_COLOUR,
    area_colour,
    drawn,
    near_cluster_radius,
    radius,
    safe_text,
    size_legend_html,
    tooltip_label,
)
from geo.models import PlaceCount

__all__ = [
    "AREAS_Z",
    "AREA_COLOURS",
    "AREA_STEPS",
    "AREA_STORAGE_KEY",
    "BADGE_MAX_PX",
    "BADGE_MIN_PX",
    "BASEMAP_URL",
    "CLUSTER_NEAR_ZOOM",
    "CLUSTER_RADIUS_NEAR_PX",
    "CLUSTER_RADIUS_PX",
    "COMMAND_STORAGE_KEY",
    "CORE_KM",
    "CORE_SHARE",
    "KIND_COLOURS",
    "LABELS_URL",
    "LABELS_Z",
    "LEGEND_COUNTS",
    "MAX_LABELS",
    "MAX_MARKERS",
    "MAX_ZOOM",
    "MIN_ZOOM",
    "NEAR_BADGE_MIN_PX",
    "NEAR_KM",
    "NOT_DRAWN_KINDS",
    "OSM_ATTRIBUTION",
    "PLACE_LABELS",
    "PLAIN_COLOUR",
    "RADIUS_EXP",
    "RADIUS_K",
    "RADIUS_MAX",
    "RADIUS_MIN",
    "SELECTED_COLOUR",
    "STATIC_URL",
    "TOWN_LABELS_URL",
    "VIEW_PAD",
    "VIEW_STEP",
    "VIEW_STORAGE_KEY",
    "CountryAreas",
    "MapChrome",
    "MapLabels",
    "OfflineBasemap",
    "OfflineMap",
    "PlacesLayer",
    "ViewCommand",
    "ViewKeeper",
    "area_colour",
    "area_properties",
    "base_map",
    "drawn",
    "event_marks",
    "marker_features",
    "marker_rows",
    "markers_layer",
    "near_cluster_radius",
    "places_to_draw",
    "radius",
    "safe_text",
    "size_legend_html",
    "tooltip_label",
    "view_box",
    "view_for",
]


def base_map(online_tiles: bool = False) -> folium.Map:
    """The constant base map: offline country outlines and names, optional OpenStreetMap tiles.

    The tiles, when asked for, are drawn above the outlines (they used to lie under them and
    showed only at sea) and replace the offline names.
    """
    m = OfflineMap(
        location=(48.5, 31.0),
        zoom_start=4,
        tiles=None,
        control_scale=True,
        prefer_canvas=False,
        world_copy_jump=True,
        attribution_control=True,
    )
    OfflineBasemap().add_to(m)
    MapChrome().add_to(m)
    if not online_tiles:  # the tiles have names of their own
        MapLabels().add_to(m)
    ViewKeeper().add_to(m)
    if online_tiles:
        folium.TileLayer(
            "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
            attr=OSM_ATTRIBUTION,
            name="OpenStreetMap",
            max_zoom=19,
            pane="cmTiles",
        ).add_to(m)
    return m


def markers_layer(
    counts: list[PlaceCount],
    selected: str | None = None,
    command: ViewCommand | None = None,
    frame: list[PlaceCount] | None = None,
    events: dict[str, tuple[str, int]] | None = None,
    doubtful: Mapping[str, float] | None = None,
) -> folium.FeatureGroup:
    """The dynamic part of the map: country areas, clustered place markers, a view command.

    Pass it to `st_folium(feature_group_to_add=...)`; it must be added to a `base_map()`.
    `frame` is the whole selection when `counts` is only part of it (see `places_to_draw`);
    `events` colours places by their dominant event type, `doubtful` draws places hollow
    (see `marker_features`).
    """
    fg = folium.FeatureGroup(name="Places")
    CountryAreas(counts if frame is None else frame, selected).add_to(fg)
    PlacesLayer(counts, selected, command, frame, events, doubtful).add_to(fg)
    return fg


# A selection with more places than this is drawn by the map's view: the most mentioned
# places inside the box the user looks at (a bounding-box query: PostGIS on PostgreSQL).
MAX_MARKERS = int(os.environ.get("CONFLICT_MAP_MAX_MARKERS") or 3_000)
VIEW_PAD = 0.25  # the queried box reaches this share of the view beyond each edge
VIEW_STEP = 1.0  # degrees: the box is rounded outwards, so small pans reuse one query


def view_box(bounds: dict | None) -> tuple[float, float, float, float] | None:
    """(south, west, north, east) to query for a Leaflet view's `bounds`, padded and rounded
    outwards; west > east when the box crosses ±180°. None without bounds.
    """
    try:
        south = float(bounds["_southWest"]["lat"])  # type: ignore[index]
        west = float(bounds["_southWest"]["lng"])  # type: ignore[index]
        north = float(bounds["_northEast"]["lat"])  # type: ignore[index]
        east = float(bounds["_northEast"]["lng"])  # type: ignore[index]
    except (KeyError, TypeError, ValueError):
        return None
    if not all(math.isfinite(v) for v in (south, west, north, east)):
        return None
    if north <= south or east <= west:
        return None  # a map without a size yet
    dlat, dlon = (north - south) * VIEW_PAD, (east - west) * VIEW_PAD
    south = max(-90.0, math.floor((south - dlat) / VIEW_STEP) * VIEW_STEP)
    north = min(90.0, math.ceil((north + dlat) / VIEW_STEP) * VIEW_STEP)
    west = math.floor((west - dlon) / VIEW_STEP) * VIEW_STEP
    east = math.ceil((east + dlon) / VIEW_STEP) * VIEW_STEP
    if east - west >= 360:
        return south, -180.0, north, 180.0
    # Leaflet's longitudes go on past ±180° when the user pans around the world.
    west = (west + 180) % 360 - 180
    east = (east + 180) % 360 - 180
    if east == -180:
        east = 180.0
    return south, west, north, east


def places_to_draw(
    counts: list[PlaceCount], in_view: list[PlaceCount] | None, selected: str | None = None
) -> list[PlaceCount]:
    """The places the map draws: the whole selection when it is small; else the MAX_MARKERS
    most mentioned of those in view (`in_view`, None before the view is known: of the whole
    selection). The selected place is always drawn.
    """
    if len(drawn(counts)) <= MAX_MARKERS:
        return counts
    pool = counts if in_view is None else in_view
    out = drawn(pool)[:MAX_MARKERS]
    if selected is not None and all(c.place.key != selected for c in out):
        out += [c for c in counts if c.place.key == selected]
    return out
