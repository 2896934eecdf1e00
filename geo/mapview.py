"""Rows -> folium map: a constant offline base map plus a layer of clustered place markers.

The base map never changes between reruns (so streamlit-folium keeps its iframe); the
markers go in a FeatureGroup passed separately. The map keeps the user's view across reruns
and iframe remounts, and moves only on first load and on its "Fit to selection" button.
Leaflet, Leaflet.markercluster and the country outlines are served from the project's
`static/` folder, so nothing is fetched from the internet unless the user turns the online
tiles on.
"""

from __future__ import annotations

import html
import math
import uuid
from dataclasses import dataclass

import folium
from branca.element import MacroElement
from jinja2 import Template

from geo.models import Place, PlaceCount

STATIC_URL = "/app/static"
BASEMAP_URL = f"{STATIC_URL}/basemap/countries-50m.geojson"
OSM_ATTRIBUTION = (
    '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'
)
KIND_COLOURS = {
    "admin1": "#e66101",
    "admin2": "#e66101",
    "region": "#b35806",
    "city": "#c51b1b",
    "water": "#1f78b4",
    "landmark": "#33a02c",
}
SELECTED_COLOUR = "#ffd21f"
# Countries and continents are not drawn: their points are arbitrary interior points (Russia's
# lies in Siberia) and their big circles would cover the cities inside them.
NOT_DRAWN_KINDS = frozenset({"country", "continent"})
MIN_ZOOM = 2
MAX_ZOOM = 18


def safe_text(value: object) -> str:
    """HTML-escape untrusted text and neutralise JS template-literal syntax (` and ${)."""
    return html.escape(str(value), quote=True).replace("`", "&#96;").replace("$", "&#36;")


class OfflineMap(folium.Map):
    """folium.Map that loads Leaflet and Leaflet.markercluster from the app's static files.

    jQuery, Bootstrap and Font Awesome are dropped: the map uses no popups or icon
    markers, which are the only parts that need them.
    """

    default_js = [
        ("leaflet", f"{STATIC_URL}/vendor/leaflet/leaflet.js"),
        ("markercluster", f"{STATIC_URL}/vendor/leaflet.markercluster/leaflet.markercluster.js"),
    ]
    default_css = [
        ("leaflet_css", f"{STATIC_URL}/vendor/leaflet/leaflet.css"),
        ("markercluster_css", f"{STATIC_URL}/vendor/leaflet.markercluster/MarkerCluster.css"),
    ]


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


class ViewKeeper(MacroElement):
    """Keeps the user's centre and zoom when streamlit-folium remounts the map's iframe.

    Streamlit remounts the component when elements above it come and go (the first run's
    progress bar, a new warning), which would otherwise reset the view. The view is saved in
    the iframe's sessionStorage on every move and restored when the map is created. The
    container's `data-zoom` and `data-center` attributes show the current view. It also adds
    the map's "Fit to selection" button, which frames the view the places layer computed for
    the current selection (in the browser, without a rerun).
    """

    _template = Template(
        """
        {% macro header(this, kwargs) %}
        <style>
        .cm-cluster {
            display: flex; align-items: center; justify-content: center; border-radius: 50%;
            background: rgba(48, 52, 64, 0.82); color: #fff; border: 2px solid #fff;
            box-shadow: 0 0 0 1px #30343f; font: 600 11px/1 sans-serif; cursor: pointer;
        }
        .leaflet-bar a.cm-fit {
            width: auto; padding: 0 10px; font: 600 13px/30px sans-serif; color: #222;
        }
        </style>
        {% endmacro %}
        {% macro script(this, kwargs) %}
        (function() {
            var map = {{ this._parent.get_name() }};
            var key = {{ this.storage_key|tojson }};
            // markercluster needs a finite max zoom; with no tile layer nothing else sets one.
            map.setMinZoom({{ this.min_zoom }});
            map.setMaxZoom({{ this.max_zoom }});
            var show = function() {
                var c = map.getCenter(), el = map.getContainer();
                el.setAttribute("data-zoom", String(map.getZoom()));
                el.setAttribute("data-center", c.lat.toFixed(5) + "," + c.lng.toFixed(5));
            };
            try {
                var saved = JSON.parse(window.sessionStorage.getItem(key) || "null");
                if (saved) { map.setView(saved.center, saved.zoom, {animate: false}); }
            } catch (e) {}
            // "Fit to selection": frames the view the places layer last set (map.cmFitView).
            var Fit = L.Control.extend({
                options: {position: "topright"},
                onAdd: function() {
                    var bar = L.DomUtil.create("div", "leaflet-bar");
                    var a = L.DomUtil.create("a", "cm-fit", bar);
                    a.href = "#";
                    a.textContent = "Fit to selection";
                    a.title = "Frame the places of the current selection";
                    a.setAttribute("role", "button");
                    L.DomEvent.disableClickPropagation(bar);
                    L.DomEvent.on(a, "click", function(e) {
                        L.DomEvent.preventDefault(e);
                        if (map.cmFitView) {
                            map.setView(map.cmFitView.center, map.cmFitView.zoom);
                        }
                    });
                    return bar;
                }
            });
            new Fit().addTo(map);
            map.on("moveend", function() {
                var c = map.getCenter();
                show();
                try {
                    window.sessionStorage.setItem(
                        key, JSON.stringify({center: [c.lat, c.lng], zoom: map.getZoom()})
                    );
                } catch (e) {}
            });
            show();
        })();
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "ViewKeeper"
        self.storage_key = VIEW_STORAGE_KEY
        self.min_zoom = MIN_ZOOM
        self.max_zoom = MAX_ZOOM


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
    ViewKeeper().add_to(m)
    if online_tiles:
        folium.TileLayer(
            "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
            attr=OSM_ATTRIBUTION,
            name="OpenStreetMap",
            max_zoom=19,
        ).add_to(m)
    return m


# Marker radius in px = RADIUS_K * mentions ** RADIUS_EXP, kept within RADIUS_MIN..RADIUS_MAX.
# A fixed scale (not relative to the busiest place) lets one legend serve every selection; the
# fourth root makes each tenfold step about 1.8x wider: 8 -> 4 px, 800 -> 13 px, 8,000 -> 24 px.
RADIUS_K = 2.5
RADIUS_EXP = 0.25
RADIUS_MIN = 4.0
RADIUS_MAX = 28.0
LEGEND_COUNTS = (10, 100, 1_000, 10_000)
# Places closer than this many pixels to each other are drawn as one cluster badge: 60 px up
# to zoom CLUSTER_NEAR_ZOOM - 1, then 40. Both exceed the largest marker radius and the largest
# badge radius, so no drawn marker or badge covers another one's centre.
CLUSTER_RADIUS_PX = 60
CLUSTER_RADIUS_NEAR_PX = 40
CLUSTER_NEAR_ZOOM = 8
BADGE_MIN_PX = 30
BADGE_MAX_PX = 56
# sessionStorage keys inside the map's iframe (same origin as the app).
VIEW_STORAGE_KEY = "conflict-map:view"
COMMAND_STORAGE_KEY = "conflict-map:view-command"


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


def drawn(counts: list[PlaceCount]) -> list[PlaceCount]:
    """The places drawn as markers (all but NOT_DRAWN_KINDS), in the given order."""
    return [c for c in counts if c.place.kind not in NOT_DRAWN_KINDS]


def marker_features(counts: list[PlaceCount], selected: str | None = None) -> list[dict]:
    """One GeoJSON point per drawn place, most mentioned first; `properties.key` identifies it.

    Kinds in NOT_DRAWN_KINDS are left out. Text properties (key, name, label) are
    HTML-escaped with `safe_text`.
    """
    features = []
    for pc in sorted(drawn(counts), key=lambda c: -c.mentions):
        p = pc.place
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [p.lon, p.lat]},
                "properties": {
                    "key": safe_text(p.key),
                    "name": safe_text(p.name),
                    "label": tooltip_label(pc),
                    "mentions": pc.mentions,
                    "radius": radius(pc.mentions),
                    "colour": SELECTED_COLOUR
                    if p.key == selected
                    else KIND_COLOURS.get(p.kind, "#555"),
                    "selected": p.key == selected,
                },
            }
        )
    return features


class PlacesLayer(MacroElement):
    """Place markers clustered with Leaflet.markercluster; the selection's framing; a command.

    Each place is a circle (an SVG path carrying `data-place` and `aria-label`); places
    closer than CLUSTER_RADIUS_PX are drawn as a badge showing their summed mentions, which
    zooms in on click (and spreads co-located places apart at the deepest zoom). The selected
    place is drawn on its own, above the badges, never inside one. A click on a
    place reaches streamlit-folium as `last_active_drawing`, the place's GeoJSON feature; a
    click on a badge changes nothing there, so it does not rerun the app. The framing of the
    selection (`view_for`) is what the map's "Fit to selection" button shows; the command, if
    any, moves the map once (see ViewCommand).
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function() {
            var group = {{ this._parent.get_name() }};
            var map = {{ this._parent._parent.get_name() }};
            var data = {{ this.payload|tojson }};
            var text = function(s) {
                // Labels arrive HTML-escaped; DOMParser decodes them without running anything.
                return new DOMParser().parseFromString(s, "text/html").documentElement.textContent;
            };
            var short = function(n) {
                if (n >= 9950) { return Math.round(n / 1000) + "k"; }
                if (n >= 1000) { return (Math.round(n / 100) / 10) + "k"; }
                return String(n);
            };
            var radius = function(n) {
                var s = data.scale;
                return Math.min(s.max, Math.max(s.min, s.k * Math.pow(n, s.exp)));
            };
            // Badges are not places: without toGeoJSON, streamlit-folium's click handler leaves
            // last_active_drawing as it is, so a badge click does not rerun the app.
            L.MarkerCluster.include({toGeoJSON: undefined});
            var BadgeIcon = L.DivIcon.extend({
                createIcon: function(old) {
                    var el = L.DivIcon.prototype.createIcon.call(this, old);
                    el.setAttribute("data-places", this.options.places);
                    el.setAttribute("aria-label", this.options.label);
                    el.setAttribute("title", this.options.label);
                    return el;
                }
            });
            var places = L.markerClusterGroup({
                maxClusterRadius: function(zoom) {
                    return zoom >= data.cluster.nearZoom ? data.cluster.near : data.cluster.far;
                },
                showCoverageOnHover: false,
                spiderfyOnMaxZoom: true,
                zoomToBoundsOnClick: true,
                iconCreateFunction: function(cluster) {
                    var kids = cluster.getAllChildMarkers().slice();
                    kids.sort(function(a, b) {
                        return b.feature.properties.mentions - a.feature.properties.mentions;
                    });
                    var sum = 0, keys = [];
                    kids.forEach(function(m) {
                        var p = m.feature.properties;
                        sum += p.mentions;
                        keys.push(p.key);
                    });
                    var names = kids.slice(0, 3).map(function(m) {
                        return text(m.feature.properties.name);
                    }).join(", ") + (kids.length > 3 ? " and " + (kids.length - 3) + " more" : "");
                    var d = Math.round(Math.min(data.cluster.badgeMax,
                        Math.max(data.cluster.badgeMin, 2 * radius(sum) + 6)));
                    return new BadgeIcon({
                        html: "<span>" + short(sum) + "</span>",
                        className: "cm-cluster",
                        iconSize: L.point(d, d),
                        places: "|" + keys.join("|") + "|",
                        label: kids.length + " places, " + sum.toLocaleString("en") +
                            " mentions: " + names + ". Click to zoom in."
                    });
                }
            });
            var tag = function() {
                var el = this.getElement && this.getElement();
                if (!el) { return; }
                el.setAttribute("data-place", this.feature.properties.key);
                el.setAttribute("role", "button");
                el.setAttribute("aria-label", text(this.feature.properties.label));
            };
            var markers = data.features.map(function(f) {
                var p = f.properties;
                var style = {
                    radius: p.radius,
                    fillColor: p.colour,
                    fill: true,
                    color: p.selected ? "#222222" : "#ffffff",
                    weight: p.selected ? 3 : 1,
                    opacity: 1,
                    fillOpacity: p.selected ? 0.9 : 0.65
                };
                if (p.selected) { style.pane = "cmSelected"; }
                var m = L.circleMarker([f.geometry.coordinates[1], f.geometry.coordinates[0]], style);
                m.feature = f;
                m.bindTooltip(p.label, {sticky: false});
                m.on("add", tag);
                m.on("mouseover", function() { m.setStyle({weight: 3, color: "#000000"}); });
                m.on("mouseout", function() { m.setStyle({weight: style.weight, color: style.color}); });
                return m;
            });
            // The selected place is never folded into a badge: it is drawn on its own, above
            // the badges, so the place the panel shows is always visible on the map.
            if (!map.getPane("cmSelected")) {
                map.createPane("cmSelected").style.zIndex = 640;
            }
            places.addLayers(markers.filter(function(m) { return !m.feature.properties.selected; }));
            places.addTo(group);
            markers.filter(function(m) { return m.feature.properties.selected; }).forEach(
                function(m) { m.addTo(group); }
            );

            map.cmFitView = data.fit;
            var cmd = data.command;
            if (cmd) {
                var done = null;
                try { done = window.sessionStorage.getItem(data.commandKey); } catch (e) {}
                if (done !== cmd.id) {
                    map.setView(cmd.center, cmd.zoom, {animate: false});
                    try { window.sessionStorage.setItem(data.commandKey, cmd.id); } catch (e) {}
                }
            }
        })();
        {% endmacro %}
        """
    )

    def __init__(
        self,
        counts: list[PlaceCount],
        selected: str | None = None,
        command: ViewCommand | None = None,
    ) -> None:
        super().__init__()
        self._name = "PlacesLayer"
        self.features = marker_features(counts, selected)
        fit_center, fit_zoom = view_for(counts)
        self.payload = {
            "features": self.features,
            "cluster": {
                "far": CLUSTER_RADIUS_PX,
                "near": CLUSTER_RADIUS_NEAR_PX,
                "nearZoom": CLUSTER_NEAR_ZOOM,
                "badgeMin": BADGE_MIN_PX,
                "badgeMax": BADGE_MAX_PX,
            },
            "scale": {"k": RADIUS_K, "exp": RADIUS_EXP, "min": RADIUS_MIN, "max": RADIUS_MAX},
            "command": None
            if command is None
            else {"id": command.id, "center": list(command.center), "zoom": command.zoom},
            "commandKey": COMMAND_STORAGE_KEY,
            "fit": {"center": list(fit_center), "zoom": fit_zoom},
        }


def markers_layer(
    counts: list[PlaceCount],
    selected: str | None = None,
    command: ViewCommand | None = None,
) -> folium.FeatureGroup:
    """The dynamic part of the map: clustered place markers and the pending view command.

    Pass it to `st_folium(feature_group_to_add=...)`; it must be added to a `base_map()`.
    """
    fg = folium.FeatureGroup(name="Places")
    PlacesLayer(counts, selected, command).add_to(fg)
    return fg


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


def view_for(counts: list[PlaceCount]) -> tuple[tuple[float, float], int]:
    """A (center, zoom) framing where the selection's mentions concentrate.

    Countries and continents are left out (their points are arbitrary interior points:
    Russia's lies in Siberia), and so are the rarely mentioned places, so a corpus about
    Ukraine opens on Ukraine rather than on the whole world.
    """
    local = sorted(drawn(counts), key=lambda c: -c.mentions)
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
