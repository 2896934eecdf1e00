"""Rows -> folium map: a constant offline base map plus a layer of place markers.

The base map never changes between reruns (so streamlit-folium keeps its iframe); the
markers go in a FeatureGroup passed separately. Leaflet and the country outlines are served
from the project's `static/` folder, so nothing is fetched from the internet unless the user
turns the online tiles on.
"""

from __future__ import annotations

import html
import math

import folium
from branca.element import MacroElement
from jinja2 import Template

from geo.models import Place
from geo.store import PlaceCount

STATIC_URL = "/app/static"
BASEMAP_URL = f"{STATIC_URL}/basemap/countries-50m.geojson"
OSM_ATTRIBUTION = (
    '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'
)
KIND_COLOURS = {
    "country": "#6a3d9a",
    "continent": "#6a3d9a",
    "admin1": "#e66101",
    "admin2": "#e66101",
    "region": "#b35806",
    "city": "#c51b1b",
    "water": "#1f78b4",
    "landmark": "#33a02c",
}
SELECTED_COLOUR = "#ffd21f"


def safe_text(value: object) -> str:
    """HTML-escape untrusted text and neutralise JS template-literal syntax (` and ${)."""
    return html.escape(str(value), quote=True).replace("`", "&#96;").replace("$", "&#36;")


class OfflineMap(folium.Map):
    """folium.Map that loads Leaflet from the app's own static files, not a CDN.

    jQuery, Bootstrap and Font Awesome are dropped: the map uses no popups or icon
    markers, which are the only parts that need them.
    """

    default_js = [("leaflet", f"{STATIC_URL}/vendor/leaflet/leaflet.js")]
    default_css = [("leaflet_css", f"{STATIC_URL}/vendor/leaflet/leaflet.css")]


class OfflineBasemap(MacroElement):
    """Country outlines (Natural Earth) fetched from the app's static files, drawn under markers."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function() {
            var map = {{ this._parent.get_name() }};
            map.getContainer().style.background = "#dbe9f4";
            map.createPane("basemap");
            map.getPane("basemap").style.zIndex = 250;
            fetch({{ this.url|tojson }}).then(function(r) { return r.json(); }).then(function(gj) {
                L.geoJSON(gj, {pane: "basemap", interactive: false, style: {
                    color: "#8a8f98", weight: 0.6, fillColor: "#f4f1ea", fillOpacity: 1
                }}).addTo(map);
                map.getContainer().setAttribute("data-basemap", "loaded");
            }).catch(function(e) {
                map.getContainer().setAttribute("data-basemap", "failed: " + e);
            });
        })();
        {% endmacro %}
        """
    )

    def __init__(self, url: str = BASEMAP_URL) -> None:
        super().__init__()
        self._name = "OfflineBasemap"
        self.url = url


def base_map(online_tiles: bool = False) -> folium.Map:
    """The constant base map: offline country outlines, optional OpenStreetMap tiles on top."""
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
    if online_tiles:
        folium.TileLayer(
            "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
            attr=OSM_ATTRIBUTION,
            name="OpenStreetMap",
            max_zoom=19,
        ).add_to(m)
    return m


def radius(count: int, largest: int) -> float:
    """Marker radius in pixels: area grows with the mention count (4..22 px)."""
    if largest <= 0:
        return 4.0
    return 4.0 + 18.0 * math.sqrt(count / largest)


def tooltip_label(pc: PlaceCount) -> str:
    """Hover text: place, country and counts (escaped)."""
    p = pc.place
    where = f" ({p.country_code})" if p.country_code and p.kind != "country" else ""
    plural = "s" if pc.mentions != 1 else ""
    return safe_text(
        f"{p.name}{where} · {p.kind} · {pc.mentions} mention{plural} in {pc.articles} article"
        + ("s" if pc.articles != 1 else "")
    )


def markers_layer(counts: list[PlaceCount], selected: str | None = None) -> folium.FeatureGroup:
    """One clickable circle per place; feature properties carry `key` for click handling."""
    fg = folium.FeatureGroup(name="Places")
    if not counts:
        return fg
    largest = max(pc.mentions for pc in counts)
    features = []
    # Largest first, so small markers are drawn on top and stay clickable.
    for pc in sorted(counts, key=lambda c: -c.mentions):
        p = pc.place
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [p.lon, p.lat]},
                "properties": {
                    "key": safe_text(p.key),
                    "label": tooltip_label(pc),
                    "radius": round(radius(pc.mentions, largest), 1),
                    "colour": SELECTED_COLOUR
                    if p.key == selected
                    else KIND_COLOURS.get(p.kind, "#555"),
                    "selected": p.key == selected,
                },
            }
        )
    folium.GeoJson(
        {"type": "FeatureCollection", "features": features},
        name="places",
        marker=folium.CircleMarker(radius=6, weight=1, fill=True, fill_opacity=0.65),
        style_function=_style,
        highlight_function=lambda f: {"weight": 3, "color": "#000"},
        tooltip=folium.GeoJsonTooltip(fields=["label"], labels=False, sticky=False),
        zoom_on_click=False,
        on_each_feature=folium.JsCode(_TAG_MARKER_JS),
    ).add_to(fg)
    return fg


# Give each marker's SVG element the place key and a readable label, so assistive tech and
# browser tests can find "the Mariupol marker" instead of "the third circle".
_TAG_MARKER_JS = """
function(feature, layer) {
    layer.on("add", function() {
        var el = layer.getElement && layer.getElement();
        if (!el) { return; }
        el.setAttribute("data-place", feature.properties.key);
        el.setAttribute("role", "button");
        var box = document.createElement("div");
        box.innerHTML = feature.properties.label;
        el.setAttribute("aria-label", box.textContent);
    });
}
"""


def _style(feature: dict) -> dict:
    props = feature["properties"]
    return {
        "radius": props["radius"],
        "fillColor": props["colour"],
        "color": "#222" if props["selected"] else "#ffffff",
        "weight": 3 if props["selected"] else 1,
        "fillOpacity": 0.9 if props["selected"] else 0.6,
    }


def view_for(counts: list[PlaceCount]) -> tuple[tuple[float, float], int]:
    """A (center, zoom) framing where the selection's mentions concentrate.

    Countries and continents are left out (their points are arbitrary interior points:
    Russia's lies in Siberia), and so are the rarely mentioned places, so a corpus about
    Ukraine opens on Ukraine rather than on the whole world.
    """
    local = [c for c in counts if c.place.kind not in {"country", "continent"}]
    local.sort(key=lambda c: -c.mentions)
    total = sum(c.mentions for c in local)
    core: list[Place] = []
    seen = 0
    for c in local[:40]:
        core.append(c.place)
        seen += c.mentions
        if seen >= total * 0.5:
            break
    if not core:
        return (48.5, 31.0), 4
    lats = sorted(p.lat for p in core)
    lons = sorted(p.lon for p in core)
    lo, hi = int(len(core) * 0.1), max(0, math.ceil(len(core) * 0.9) - 1)
    lat0, lat1, lon0, lon1 = lats[lo], lats[hi], lons[lo], lons[hi]
    span = max(lat1 - lat0, (lon1 - lon0) / 2, 1.0)
    zoom = max(2, min(9, int(math.log2(180 / span))))
    return ((lat0 + lat1) / 2, (lon0 + lon1) / 2), zoom
