import itertools
import json
import re
from pathlib import Path

import pytest
from streamlit_folium import _get_feature_group_string, _get_map_string

from geo import eventstyle, mapview
from geo.models import Place, PlaceCount

KYIV = Place(703448, "Kyiv", "city", 50.45, 30.52, "UA")
LYPKY = Place(1, "Lypky", "city", 50.46, 30.53, "UA")
UKRAINE = Place(690791, "Ukraine", "country", 49.0, 32.0, None)
EUROPE = Place(None, "Europe", "continent", 48.7, 9.1, None)
EVIL = Place(None, "<img src=x onerror=alert(1)>`${alert(2)}`", "region", 48.0, 37.0, "UA")


def places_layer(fg) -> mapview.PlacesLayer:
    (layer,) = [c for c in fg._children.values() if isinstance(c, mapview.PlacesLayer)]
    return layer


def st_folium_js(fg) -> tuple[str, str]:
    """(base map JS, feature-group JS) as streamlit-folium builds them for the browser."""
    m = mapview.base_map()
    m.get_root().render()
    m.render()
    return _get_map_string(m), _get_feature_group_string(fg, m)


def test_base_map_uses_no_cdn_or_tiles():
    html = mapview.base_map().get_root().render()
    urls = re.findall(r"https?://[^\s\"'<>)]+", html)
    assert not [u for u in urls if "leafletjs.com" not in u], urls
    assert "/app/static/vendor/leaflet/leaflet.js" in html
    assert "/app/static/vendor/leaflet.markercluster/leaflet.markercluster.js" in html
    assert "/app/static/vendor/leaflet.markercluster/MarkerCluster.css" in html
    assert "/app/static/basemap/countries-50m.geojson" in html
    assert "jquery" not in html.lower()


def test_vendored_assets_exist():
    root = Path(__file__).resolve().parent.parent
    m = mapview.base_map()
    for _, url in [*m.default_js, *m.default_css]:
        path = root / "static" / url.removeprefix(f"{mapview.STATIC_URL}/")
        assert path.is_file() and path.stat().st_size > 500, path
    assert (root / "static/vendor/leaflet.markercluster/MIT-LICENCE.txt").is_file()


def test_online_tiles_only_when_asked():
    html = mapview.base_map(online_tiles=True).get_root().render()
    assert "tile.openstreetmap.org" in html
    # Above the opaque outlines (pane 250), not under them; the offline names give way.
    assert re.search(r'"pane": "cmTiles"', html)
    assert 'map.createPane("cmTiles").style.zIndex = 260' in html
    assert mapview.LABELS_URL not in html
    assert mapview.LABELS_URL in mapview.base_map().get_root().render()


def test_base_map_keeps_the_view_and_sets_a_max_zoom():
    js, _ = st_folium_js(mapview.markers_layer([]))
    assert "sessionStorage" in js and json.dumps(mapview.VIEW_STORAGE_KEY) in js
    assert f"map.setMaxZoom({mapview.MAX_ZOOM})" in js  # markercluster needs one
    assert 'setAttribute("data-zoom"' in js
    assert "Fit to selection" in js and "map.cmFitView" in js


def test_base_map_is_the_same_on_every_rerun():
    """streamlit-folium remounts the iframe when the base map's JS changes."""
    assert st_folium_js(mapview.markers_layer([]))[0] == st_folium_js(mapview.markers_layer([]))[0]


def test_markers_carry_keys_and_sizes():
    fg = mapview.markers_layer(
        [PlaceCount(LYPKY, 1, 1), PlaceCount(KYIV, 10, 3)], selected=KYIV.key
    )
    feats = places_layer(fg).features
    assert [f["properties"]["key"] for f in feats] == ["gn:703448", "gn:1"]  # busiest first
    assert feats[0]["geometry"]["coordinates"] == [30.52, 50.45]
    assert feats[0]["properties"]["radius"] > feats[1]["properties"]["radius"]
    assert feats[0]["properties"]["selected"] is True
    assert feats[0]["properties"]["colour"] == mapview.SELECTED_COLOUR
    assert feats[1]["properties"]["selected"] is False
    assert feats[0]["properties"]["mentions"] == 10
    assert "10 mentions in 3 articles" in feats[0]["properties"]["label"]


def test_countries_and_continents_are_not_drawn():
    counts = [PlaceCount(UKRAINE, 900, 90), PlaceCount(EUROPE, 50, 5), PlaceCount(KYIV, 10, 3)]
    assert [pc.place.key for pc in mapview.drawn(counts)] == [KYIV.key]
    keys = [f["properties"]["key"] for f in places_layer(mapview.markers_layer(counts)).features]
    assert keys == [KYIV.key]


@pytest.mark.parametrize("n", [8, 80, 800])
def test_each_tenfold_step_at_least_triples_the_area(n):
    """8, 800 and 8,000 mentions look clearly different (4, 13 and 24 px radius)."""
    assert (mapview.radius(10 * n) / mapview.radius(n)) ** 2 >= 3


def test_size_scale_is_fixed_and_bounded():
    assert mapview.radius(0) == mapview.radius(1) == mapview.RADIUS_MIN
    assert mapview.radius(10**7) == mapview.RADIUS_MAX
    sizes = [mapview.radius(n) for n in (8, 800, 8_000)]
    assert sizes == sorted(sizes) and sizes[2] >= 2.5 * sizes[0]
    # Clusters must keep drawn markers apart: no marker reaches another's centre.
    assert mapview.CLUSTER_RADIUS_PX > mapview.RADIUS_MAX
    assert mapview.CLUSTER_RADIUS_PX > mapview.BADGE_MAX_PX / 2


@pytest.mark.parametrize("top", [1, 650, 8_000, 10**7])
def test_near_clusters_group_only_markers_that_overlap(top):
    """From regional zoom on, the clustering distance is just over the biggest marker drawn
    (so no marker covers a neighbour's centre) and the badges stay within it."""
    counts = [PlaceCount(KYIV, top, 1), PlaceCount(LYPKY, 1, 1)]
    near = mapview.near_cluster_radius(counts)
    assert near > mapview.radius(top)
    assert near >= mapview.CLUSTER_RADIUS_NEAR_PX
    assert mapview.NEAR_BADGE_MIN_PX / 2 < near
    assert near <= mapview.radius(top) + 4 or near == mapview.CLUSTER_RADIUS_NEAR_PX


def test_size_legend_matches_marker_sizes():
    legend = mapview.size_legend_html()
    for n in mapview.LEGEND_COUNTS:
        d = round(2 * mapview.radius(n))
        assert f"width:{d}px;height:{d}px'></b>{n:,}" in legend
    assert "cm-badge" in legend


def test_places_layer_js_clusters_and_names_the_map():
    counts = [PlaceCount(KYIV, 10, 3), PlaceCount(LYPKY, 1, 1)]
    command = mapview.ViewCommand("c1", (50.0, 30.0), 6)
    _, js = st_folium_js(mapview.markers_layer(counts, KYIV.key, command))
    assert "var group = feature_group_feature_group_0;" in js
    assert "var map = map_div;" in js
    assert "L.markerClusterGroup(" in js
    assert "toGeoJSON: undefined" in js  # a badge click does not rerun the app
    data = json.loads(re.search(r"var data = (\{.*\});", js).group(1))
    assert data["command"] == {"id": "c1", "center": [50.0, 30.0], "zoom": 6}
    assert data["cluster"]["far"] == mapview.CLUSTER_RADIUS_PX
    center, zoom = mapview.view_for(counts)
    assert data["fit"] == {"center": list(center), "zoom": zoom}  # for "Fit to selection"
    assert [r[0] for r in data["rows"]] == [KYIV.key, LYPKY.key]
    assert data["rows"][0] == ["gn:703448", "Kyiv", 30.52, 50.45, 10, 3, "city", "UA"]
    assert data["selected"] == KYIV.key and data["colours"] == mapview.KIND_COLOURS


def test_marker_rows_carry_what_the_features_show():
    """The browser rebuilds marker_features from marker_rows: same places, order and counts."""
    counts = [PlaceCount(LYPKY, 1, 1), PlaceCount(KYIV, 10, 3), PlaceCount(UKRAINE, 9, 9)]
    rows = mapview.marker_rows(counts)
    feats = mapview.marker_features(counts)
    assert [r[0] for r in rows] == [f["properties"]["key"] for f in feats]
    assert [r[2:4] for r in rows] == [f["geometry"]["coordinates"] for f in feats]
    assert [r[4] for r in rows] == [f["properties"]["mentions"] for f in feats]
    assert rows[1] == ["gn:1", "Lypky", 30.53, 50.46, 1, 1, "city", "UA"]


def test_view_command_framing_gets_a_new_id_each_time():
    counts = [PlaceCount(KYIV, 100, 30), PlaceCount(LYPKY, 1, 1)]
    a, b = mapview.ViewCommand.frame(counts), mapview.ViewCommand.frame(counts)
    assert a.id != b.id
    assert (a.center, a.zoom) == (b.center, b.zoom) == mapview.view_for(counts)
    _, js = st_folium_js(mapview.markers_layer(counts))
    assert '"command": null' in js


def test_untrusted_names_are_escaped():
    fg = mapview.markers_layer([PlaceCount(EVIL, 1, 1)])
    base, js = st_folium_js(fg)
    assert "<img src=x" not in js and "${alert(2)}" not in js and "`" not in js.split("var data")[1]
    label = mapview.tooltip_label(PlaceCount(EVIL, 1, 1))
    assert "&lt;img" in label and "&#36;{" in label and "&#96;" in label
    props = places_layer(fg).features[0]["properties"]
    assert props["name"].startswith("&lt;img") and "&#36;{" in props["key"]


def test_view_frames_the_busy_places_not_country_points():
    counts = [
        PlaceCount(Place(2017370, "Russia", "country", 60.0, 100.0, "RU"), 500, 50),
        PlaceCount(KYIV, 100, 30),
        PlaceCount(Place(2, "Kharkiv", "city", 49.99, 36.23, "UA"), 80, 20),
        PlaceCount(Place(3, "Lima", "city", -12.0, -77.0, "PE"), 1, 1),
    ]
    center, zoom = mapview.view_for(counts)
    assert 49 < center[0] < 51 and 30 < center[1] < 37 and 4 <= zoom <= 9
    assert mapview.view_for([]) == ((48.5, 31.0), 4)


ROOT = Path(__file__).resolve().parent.parent
BASEMAP = ROOT / "static" / "basemap" / "countries-50m.geojson"


def rings(geometry: dict):
    polys = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    for poly in polys:
        yield from poly


def test_no_country_ring_crosses_the_antimeridian():
    """A ring segment spanning more than 180° of longitude is drawn as a band across the map."""
    gj = json.loads(BASEMAP.read_text(encoding="utf-8"))
    jumps = [
        (f["properties"]["name"], a, b)
        for f in gj["features"]
        for ring in rings(f["geometry"])
        for a, b in itertools.pairwise(ring)
        if abs(a[0] - b[0]) > 180
    ]
    assert not jumps, jumps[:5]
    names = {f["properties"]["name"] for f in gj["features"]}
    assert {"Russia", "Fiji", "Antarctica", "Ukraine"} <= names


def test_outlines_carry_country_codes_for_the_areas():
    gj = json.loads(BASEMAP.read_text(encoding="utf-8"))
    codes = {f["properties"]["name"]: f["properties"]["iso2"] for f in gj["features"]}
    assert codes["Ukraine"] == "UA" and codes["Russia"] == "RU" and codes["Kosovo"] == "XK"
    assert sum(1 for c in codes.values() if c) >= 230


def test_label_files_have_countries_and_cities_by_zoom():
    labels = json.loads((BASEMAP.parent / "labels.json").read_text(encoding="utf-8"))
    countries = {r[0]: r for r in labels["countries"]}
    cities = {r[0]: r for r in labels["cities"]}
    assert countries["Ukraine"][3] == 3 and countries["Russia"][3] == 3
    assert cities["Kyiv"][3] <= 5 and cities["Kharkiv"][3] == 5
    assert 6 <= cities["Zhytomyr"][3] <= 8
    assert "Sykhiv" not in cities  # a district of Lviv, not a city of its own
    assert all(len(r) == 4 and -90 <= r[1] <= 90 and -180 <= r[2] <= 180 for r in cities.values())
    towns = json.loads((BASEMAP.parent / "labels-towns.json").read_text(encoding="utf-8"))
    assert {r[3] for r in towns} == {9} and "Bucha" in {r[0] for r in towns}
    js = mapview.base_map().get_root().render()
    assert mapview.LABELS_URL in js and mapview.TOWN_LABELS_URL in js


def test_countries_become_areas_shaded_by_mentions():
    russia = Place(2017370, "Russia", "country", 60.0, 100.0, "RU")
    ua = Place(690791, "Ukraine", "country", 49.0, 32.0, "UA")
    counts = [
        PlaceCount(ua, 7922, 900),
        PlaceCount(russia, 60, 9),
        PlaceCount(EUROPE, 50, 5),
        PlaceCount(KYIV, 10, 3),
        PlaceCount(UKRAINE, 3, 1),  # no country code: no area
    ]
    fg = mapview.markers_layer(counts, selected=russia.key)
    (areas,) = [c for c in fg._children.values() if isinstance(c, mapview.CountryAreas)]
    assert set(areas.areas) == {"UA", "RU"}
    assert areas.areas["UA"]["key"] == "gn:690791" and areas.areas["UA"]["mentions"] == 7922
    assert areas.areas["UA"]["colour"] == mapview.AREA_COLOURS[3]
    assert areas.areas["RU"]["colour"] == mapview.AREA_COLOURS[1]
    assert areas.areas["RU"]["selected"] and not areas.areas["UA"]["selected"]
    assert (areas.areas["UA"]["lat"], areas.areas["UA"]["lon"]) == (49.0, 32.0)
    assert "7922 mentions in 900 articles" in areas.areas["UA"]["label"]
    # Areas are drawn before (under) the markers, in their own pane.
    kinds = [type(c) for c in fg._children.values()]
    assert kinds.index(mapview.CountryAreas) < kinds.index(mapview.PlacesLayer)
    _, js = st_folium_js(fg)
    assert 'pane: "cmAreas"' in js and "area.toGeoJSON = function()" in js
    assert "gn:690791" in js


@pytest.mark.parametrize(
    ("n", "i"), [(1, 0), (9, 0), (10, 1), (999, 2), (1000, 3), (10_000, 4), (10**6, 4)]
)
def test_area_colour_steps(n, i):
    assert mapview.area_colour(n) == mapview.AREA_COLOURS[i]


def test_area_names_are_escaped():
    evil = Place(None, "<img src=x onerror=alert(1)>`${alert(2)}`", "country", 1.0, 2.0, "XX")
    _, js = st_folium_js(mapview.markers_layer([PlaceCount(evil, 1, 1)]))
    tail = js.split("var areas")[1]
    assert "<img src=x" not in tail and "${alert(2)}" not in tail


def test_base_map_has_the_area_key_and_keeps_tooltips_inside():
    js, _ = st_folium_js(mapview.markers_layer([]))
    assert "Countries shaded by mentions" in js and mapview.AREA_STORAGE_KEY in js
    assert "L.Tooltip.prototype._setPosition" in js
    assert 'map.on("tooltipopen"' in js  # one tooltip at a time
    html = mapview.base_map().get_root().render()
    assert ".leaflet-pane > svg { pointer-events: none; }" in html


def test_view_frames_the_dense_core_not_the_ocean_between_outliers():
    """A month of war news with Washington and New York in it opens on Ukraine."""

    def city(gid, name, lat, lon, cc="UA"):
        return Place(gid, name, "city", lat, lon, cc)

    april = [
        PlaceCount(KYIV, 100, 40),
        PlaceCount(city(2, "Mariupol", 47.1, 37.55), 80, 30),
        PlaceCount(city(3, "Washington", 38.9, -77.04, "US"), 70, 30),
        PlaceCount(city(4, "New York", 40.71, -74.0, "US"), 40, 20),
        PlaceCount(city(5, "Kharkiv", 49.99, 36.23), 60, 20),
        PlaceCount(city(6, "Brussels", 50.85, 4.35, "BE"), 20, 10),
    ]
    (lat, lon), zoom = mapview.view_for(april)
    assert 44 < lat < 53 and 22 < lon < 41 and zoom >= 4
    # Five places in and around one city open on that city, not on a continent.
    five = [
        PlaceCount(KYIV, 10, 3),
        PlaceCount(city(7, "Bucha", 50.54, 30.22), 6, 2),
        PlaceCount(city(8, "Irpin", 50.52, 30.25), 5, 2),
        PlaceCount(city(9, "Hostomel", 50.57, 30.26), 3, 1),
        PlaceCount(city(3, "Washington", 38.9, -77.04, "US"), 1, 1),
    ]
    (lat, lon), zoom = mapview.view_for(five)
    assert abs(lat - 50.5) < 0.5 and abs(lon - 30.4) < 0.6 and zoom >= 7


# -- large selections are drawn by view ------------------------------------------------------
def _leaflet_bounds(south, west, north, east) -> dict:
    return {"_southWest": {"lat": south, "lng": west}, "_northEast": {"lat": north, "lng": east}}


def test_view_box_pads_rounds_and_wraps_around_the_world():
    view_box = mapview.view_box
    assert view_box(None) is None and view_box({"_southWest": {}}) is None
    assert view_box(_leaflet_bounds(46.2, 28.3, 52.7, 38.9)) == (44.0, 25.0, 55.0, 42.0)
    # Panned east past 180°: the box crosses the antimeridian (west > east).
    south, west, north, east = view_box(_leaflet_bounds(50, 170, 60, 200))
    assert (south, west, north, east) == (47.0, 162.0, 63.0, -152.0) and west > east
    assert view_box(_leaflet_bounds(-80, -400, 80, 300))[1:4:2] == (-180.0, 180.0)
    assert view_box(_leaflet_bounds(-89, 0, 89, 10))[0::2] == (-90.0, 90.0)


def test_places_to_draw_caps_large_selections_and_keeps_the_selected_place(monkeypatch):
    monkeypatch.setattr(mapview, "MAX_MARKERS", 3)
    counts = [
        PlaceCount(Place(i, f"P{i}", "city", 50.0, 30.0 + i, "UA"), 10 - i, 1) for i in range(6)
    ]
    country = PlaceCount(Place(99, "Ukraine", "country", 49.0, 32.0, "UA"), 50, 9)
    assert mapview.places_to_draw(counts[:3] + [country], None) == counts[:3] + [country]
    assert mapview.places_to_draw([country, *counts], None) == counts[:3]
    in_view = counts[2:]
    assert mapview.places_to_draw(counts, in_view) == counts[2:5]
    assert mapview.places_to_draw(counts, in_view, "gn:0") == [*counts[2:5], counts[0]]


def test_view_box_of_a_map_without_a_size_is_none():
    assert mapview.view_box(_leaflet_bounds(50, 30, 50, 30)) is None
    assert mapview.view_box(_leaflet_bounds(50, 30, 40, 35)) is None


def test_places_are_coloured_by_their_dominant_event_type():
    counts = [PlaceCount(KYIV, 5, 2), PlaceCount(LYPKY, 3, 1)]
    feats = {
        f["properties"]["key"]: f["properties"]
        for f in mapview.marker_features(counts, events={KYIV.key: ("shelling", 4)})
    }
    kyiv, lypky = feats[KYIV.key], feats[LYPKY.key]
    assert kyiv["colour"] == eventstyle.colour("shelling") and kyiv["event_type"] == "shelling"
    assert "mostly shelling (4 events)" in kyiv["label"]
    # No event there: a plain mention marker.
    assert lypky["colour"] == mapview.PLAIN_COLOUR and lypky["event_type"] is None
    # Without event colours: by kind, as before.
    plain = mapview.marker_features(counts)[0]["properties"]
    assert plain["colour"] == mapview.KIND_COLOURS["city"] and plain["event_type"] is None
    _, js = st_folium_js(mapview.markers_layer(counts, events={KYIV.key: ("shelling", 4)}))
    assert '"events": {"gn:703448": ["#D55E00", "shelling", "Shelling", 4]}' in js
    assert "data-event-type" in js


def test_doubtful_places_are_drawn_hollow_and_say_so():
    counts = [PlaceCount(KYIV, 5, 2), PlaceCount(LYPKY, 3, 1)]
    feats = {
        f["properties"]["key"]: f["properties"]
        for f in mapview.marker_features(counts, doubtful={LYPKY.key: 0.4321})
    }
    assert feats[LYPKY.key]["doubtful"] and not feats[KYIV.key]["doubtful"]
    assert feats[LYPKY.key]["label"].endswith(" · doubtful reading (0.43)")
    assert "doubtful" not in feats[KYIV.key]["label"]
    _, js = st_folium_js(mapview.markers_layer(counts, doubtful={LYPKY.key: 0.4321}))
    assert f'"doubtful": {{"{LYPKY.key}": 0.43}}' in js
    assert 'setAttribute("data-doubtful", "1")' in js
