import re

from geo import mapview
from geo.models import Place
from geo.store import PlaceCount

KYIV = Place(703448, "Kyiv", "city", 50.45, 30.52, "UA")
EVIL = Place(None, "<img src=x onerror=alert(1)>`${alert(2)}`", "region", 48.0, 37.0, "UA")


def test_base_map_uses_no_cdn_or_tiles():
    html = mapview.base_map().get_root().render()
    urls = re.findall(r"https?://[^\s\"'<>)]+", html)
    assert not [u for u in urls if "leafletjs.com" not in u], urls
    assert "/app/static/vendor/leaflet/leaflet.js" in html
    assert "/app/static/basemap/countries-50m.geojson" in html
    assert "jquery" not in html.lower()


def test_online_tiles_only_when_asked():
    assert "tile.openstreetmap.org" in mapview.base_map(online_tiles=True).get_root().render()


def test_markers_carry_keys_and_sizes():
    fg = mapview.markers_layer([PlaceCount(KYIV, 10, 3), PlaceCount(EVIL, 1, 1)], selected=KYIV.key)
    gj = next(iter(fg._children.values()))
    feats = gj.data["features"]
    assert feats[0]["properties"]["key"] == "gn:703448"
    assert feats[0]["properties"]["radius"] > feats[1]["properties"]["radius"]
    assert feats[0]["properties"]["selected"] is True
    assert "10 mentions in 3 articles" in feats[0]["properties"]["label"]


def test_untrusted_names_are_escaped():
    m = mapview.base_map()
    mapview.markers_layer([PlaceCount(EVIL, 1, 1)]).add_to(m)
    js = m.get_root().render()
    assert (
        "<img src=x" not in js
        and "${alert(2)}" not in js
        and "`" + "$" not in js.split("geo_json")[-1]
    )
    label = mapview.tooltip_label(PlaceCount(EVIL, 1, 1))
    assert "&lt;img" in label and "&#36;{" in label and "&#96;" in label


def test_view_frames_the_busy_places_not_country_points():
    counts = [
        PlaceCount(Place(2017370, "Russia", "country", 60.0, 100.0, "RU"), 500, 50),
        PlaceCount(KYIV, 100, 30),
        PlaceCount(Place(1, "Kharkiv", "city", 49.99, 36.23, "UA"), 80, 20),
        PlaceCount(Place(2, "Lima", "city", -12.0, -77.0, "PE"), 1, 1),
    ]
    center, zoom = mapview.view_for(counts)
    assert 49 < center[0] < 51 and 30 < center[1] < 37 and 4 <= zoom <= 9
    assert mapview.view_for([]) == ((48.5, 31.0), 4)
