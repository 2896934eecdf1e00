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
import os
import uuid
from collections.abc import Mapping
from dataclasses import dataclass

import folium
from branca.element import MacroElement
from jinja2 import Template

from geo import eventstyle
from geo.models import Place, PlaceCount

STATIC_URL = "/app/static"
BASEMAP_URL = f"{STATIC_URL}/basemap/countries-50m.geojson"
LABELS_URL = f"{STATIC_URL}/basemap/labels.json"
TOWN_LABELS_URL = f"{STATIC_URL}/basemap/labels-towns.json"
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
AREA_STORAGE_KEY = "conflict-map:areas"
# Pane z-indexes: base map 250 < country areas 350 < Leaflet's overlayPane (400, the place
# markers) < markerPane (600, cluster badges) < labels 620 < selected place 640 < tooltips 650.
# Names lie above markers and badges (a badge never hides a city's name); their pane takes
# no mouse events, so a click still reaches the marker or badge under a name.
AREAS_Z = 350
LABELS_Z = 620
# Labels drawn at once, at most: enough for a screen, few enough to redraw on every move.
MAX_LABELS = 400
# The selection's most mentioned places in view are named first, in bold (a badge holding
# one by that place's name).
PLACE_LABELS = 15
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
    """Country outlines (Natural Earth) fetched from the app's static files, drawn under markers.

    The outlines were split at the antimeridian by scripts/build_basemap.py, so no ring
    crosses the whole map.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function() {
            var map = {{ this._parent.get_name() }};
            map.getContainer().style.background = "#dbe9f4";
            map.createPane("basemap");
            map.getPane("basemap").style.zIndex = 250;
            // Online tiles, when turned on, go above the outlines (which are opaque).
            map.createPane("cmTiles").style.zIndex = 260;
            // The outlines are kept (map.cmCountries) for the country areas of the selection.
            map.cmCountries = fetch({{ this.url|tojson }}).then(function(r) { return r.json(); });
            map.cmCountries.then(function(gj) {
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
            // The map fills its frame, which the page sizes to the window (ui/style.py);
            // Leaflet follows the frame's size as it changes.
            document.documentElement.style.height = "100%";
            document.body.style.cssText += ";margin:0;height:100%;overflow:hidden";
            map.getContainer().style.height = "100vh";
            map.invalidateSize({pan: false});
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


class MapLabels(MacroElement):
    """Country and city names from the app's static files, shown by zoom level; no tiles.

    `labels.json` (countries, then cities of 50,000+) is fetched with the map and
    `labels-towns.json` (15,000 to 50,000) only once the user zooms to 9 or deeper; each row
    is [name, lat, lon, min_zoom] (scripts/build_basemap.py). On every move the names in
    view whose min_zoom is reached are placed in priority order (the selection's biggest
    places drawn as markers, see PlacesLayer; countries; then the bigger cities), skipping
    any that would overlap one already placed. Labels sit in a pane above the markers and
    badges that takes no mouse events, so they are never hidden and never take a click.
    Each label element carries `data-label` (the name) and the class `cm-label-place`,
    `cm-label-country` or `cm-label-city`.
    """

    _template = Template(
        """
        {% macro header(this, kwargs) %}
        <style>
        .cm-label { white-space: nowrap; pointer-events: none; }
        .cm-label span {
            position: absolute; left: 0; top: 0; color: #333;
            text-shadow: 0 0 2px #fff, 0 0 2px #fff, 0 0 3px #fff, 0 0 4px #fff;
        }
        .cm-label-country span {
            transform: translate(-50%, -50%); font: 600 11px/1 sans-serif;
            letter-spacing: 0.08em; text-transform: uppercase; color: #5b5f6a;
        }
        .cm-label-city span { transform: translate(5px, -50%); font: 11px/1 sans-serif; }
        .cm-label-place span { transform: translate(0, -50%); font: 600 12px/1 sans-serif;
            color: #111; }
        .cm-label-city::before {
            content: ""; position: absolute; left: -2px; top: -2px; width: 4px; height: 4px;
            border-radius: 50%; background: #555;
        }
        </style>
        {% endmacro %}
        {% macro script(this, kwargs) %}
        (function() {
            var map = {{ this._parent.get_name() }};
            var pane = map.createPane("cmLabels");
            pane.style.zIndex = {{ this.z }};
            pane.style.pointerEvents = "none";
            var layer = L.layerGroup().addTo(map);
            var countries = [], cities = [], towns = null, asked = false;
            var label = function(row, kind) {
                var el = document.createElement("span");
                el.textContent = row[0];
                return L.marker([row[1], row[2]], {
                    pane: "cmLabels", interactive: false, keyboard: false,
                    icon: L.divIcon({className: "cm-label cm-label-" + kind, html: el,
                                     iconSize: null})
                });
            };
            var draw = function() {
                var z = map.getZoom(), view = map.getBounds().pad(0.05), placed = [], n = 0;
                var named = {};
                if (z >= {{ this.town_zoom }} && !asked) {
                    asked = true;
                    fetch({{ this.towns_url|tojson }}).then(function(r) { return r.json(); })
                        .then(function(rows) { towns = rows; draw(); });
                }
                layer.clearLayers();
                var place = function(rows, kind) {
                    for (var i = 0; i < rows.length && n < {{ this.max_labels }}; i++) {
                        var row = rows[i];
                        if (row[3] > z || !view.contains([row[1], row[2]])) { continue; }
                        var p = map.latLngToContainerPoint([row[1], row[2]]);
                        // Estimated text box (px), with a little room around it.
                        var w = row[0].length * (kind === "country" ? 8.2 : 6.2) + 6, h = 15;
                        // A country's name may move a little up or down inside the country
                        // when markers cover its centre; a city's name stays by its dot.
                        var shifts = kind === "country" ? [0, -16, 16, -32, 32] : [0];
                        var box = null, dy = 0;
                        for (var k = 0; k < shifts.length && !box; k++) {
                            var y = p.y + shifts[k];
                            var b0 = kind === "country"
                                ? [p.x - w / 2, y - h / 2, p.x + w / 2, y + h / 2]
                                : [p.x - 4, y - h / 2, p.x + w + 4, y + h / 2];
                            var clash = placed.some(function(b) {
                                return b0[0] < b[2] && b[0] < b0[2] && b0[1] < b[3] && b[1] < b0[3];
                            });
                            if (!clash) { box = b0; dy = shifts[k]; }
                        }
                        if (!box) { continue; }
                        placed.push(box);
                        n++;
                        var m = label(row, kind).addTo(layer);
                        var el = m.getElement();
                        if (el) {
                            el.setAttribute("data-label", row[0]);
                            if (dy) { el.firstChild.style.top = dy + "px"; }
                        }
                    }
                };
                // The selection's biggest places first: [name, lat, lon, marker radius].
                var own = map.cmPlaceLabels ? map.cmPlaceLabels() : [];
                own.forEach(function(row) {
                    if (!view.contains([row[1], row[2]])) { return; }
                    var p = map.latLngToContainerPoint([row[1], row[2]]);
                    var w = row[0].length * 7 + 6, h = 15, dx = row[3] + 3;
                    var box = [p.x + dx - 2, p.y - h / 2, p.x + dx + w, p.y + h / 2];
                    var clash = placed.some(function(b) {
                        return box[0] < b[2] && b[0] < box[2] && box[1] < b[3] && b[1] < box[3];
                    });
                    if (clash) { return; }
                    placed.push(box);
                    // The marker's own circle: no other name is written over it.
                    placed.push([p.x - row[3], p.y - row[3], p.x + row[3], p.y + row[3]]);
                    named[row[0]] = true;
                    var m = label(row, "place").addTo(layer);
                    var el = m.getElement();
                    if (el) {
                        el.setAttribute("data-label", row[0]);
                        el.firstChild.style.left = dx + "px";
                    }
                });
                place(countries, "country");
                place(cities.filter(function(r) { return !named[r[0]]; }), "city");
                if (towns && z >= {{ this.town_zoom }}) { place(towns, "city"); }
                map.getContainer().setAttribute("data-labels", String(n));
            };
            fetch({{ this.url|tojson }}).then(function(r) { return r.json(); }).then(function(d) {
                countries = d.countries;
                cities = d.cities;
                draw();
            });
            // After the clusters have been redrawn for the new view (cmplaces: PlacesLayer).
            map.on("moveend", function() { setTimeout(draw, 0); });
            map.on("cmplaces", draw);
        })();
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "MapLabels"
        self.url = LABELS_URL
        self.towns_url = TOWN_LABELS_URL
        self.town_zoom = 9
        self.max_labels = MAX_LABELS
        self.z = LABELS_Z


class MapChrome(MacroElement):
    """Tooltips kept inside the map, the country areas' pane, their key and their toggle.

    Leaflet places a tooltip beside its marker whether or not it fits, so near the map's edge
    the text was cut off; here every tooltip is flipped or moved to lie inside the map, and
    only one is open at a time.
    The country areas (CountryAreas, added per rerun) are drawn in their own pane under the
    markers; the key's checkbox shows or hides that pane and is remembered in the iframe's
    sessionStorage. The stacked panes' SVG roots take no mouse events, so a click reaches
    whatever is drawn under the pointer (a marker above an area, an area elsewhere).
    """

    _template = Template(
        """
        {% macro header(this, kwargs) %}
        <style>
        .leaflet-pane > svg { pointer-events: none; }
        .leaflet-tooltip { white-space: normal; width: max-content; max-width: 280px; }
        .leaflet-tooltip.cm-moved::before { display: none; }
        .cm-areas-key {
            background: rgba(255, 255, 255, 0.92); padding: 4px 8px; border-radius: 4px;
            font: 12px/1.3 sans-serif; color: #222; box-shadow: 0 1px 4px rgba(0, 0, 0, 0.3);
        }
        .cm-areas-key label { cursor: pointer; display: flex; align-items: center; gap: 4px; }
        .cm-areas-key .cm-steps { display: flex; gap: 2px; margin-top: 3px; }
        .cm-areas-key .cm-steps span { display: flex; flex-direction: column; font-size: 10px; }
        .cm-areas-key .cm-steps i { display: block; width: 34px; height: 10px; }
        </style>
        {% endmacro %}
        {% macro script(this, kwargs) %}
        (function() {
            var map = {{ this._parent.get_name() }};
            map.createPane("cmAreas").style.zIndex = {{ this.z }};
            // A first click into the map focuses it for the keyboard; Leaflet's plain
            // focus() scrolled the page so that the map moved under the pointer and the
            // click was lost. Focus without scrolling (the handler is bound again).
            if (map.keyboard && !L.Map.Keyboard.prototype.cmNoScroll) {
                L.Map.Keyboard.prototype.cmNoScroll = true;
                L.Map.Keyboard.prototype._onMouseDown = function() {
                    if (!this._focused) { this._map._container.focus({preventScroll: true}); }
                };
            }
            if (map.keyboard && map.keyboard.enabled()) {
                map.keyboard.disable();
                map.keyboard.enable();
            }
            // Nor does pressing a marker focus it (the browser would scroll it into view).
            map.getContainer().addEventListener("mousedown", function(e) {
                var t = e.target;
                if (t && t.closest && t.closest("[data-place], [data-places]")) {
                    e.preventDefault();
                    map.getContainer().focus({preventScroll: true});
                }
            }, true);
            // Tooltips: after Leaflet positions one, flip it to the other side if it leaves
            // the map at the top or bottom, then slide it inside the map's edges.
            if (!L.Tooltip.prototype.cmFits) {
                var place = L.Tooltip.prototype._setPosition;
                L.Tooltip.prototype.cmFits = true;
                L.Tooltip.prototype._setPosition = function(pos) {
                    place.call(this, pos);
                    var el = this._container, m = this._map;
                    if (!el || !m) { return; }
                    var pad = 4, size = m.getSize();
                    var frame = m.getContainer().getBoundingClientRect();
                    var r = el.getBoundingClientRect();
                    var top = r.top - frame.top, bottom = r.bottom - frame.top;
                    var dir = this.options.direction;
                    if ((dir === "top" && top < pad) || (dir === "bottom" && bottom > size.y - pad)) {
                        this.options.direction = dir === "top" ? "bottom" : "top";
                        place.call(this, pos);
                        this.options.direction = dir;
                        r = el.getBoundingClientRect();
                    }
                    var left = r.left - frame.left, right = r.right - frame.left;
                    top = r.top - frame.top;
                    bottom = r.bottom - frame.top;
                    var dx = left < pad ? pad - left : (right > size.x - pad ? size.x - pad - right : 0);
                    var dy = top < pad ? pad - top : (bottom > size.y - pad ? size.y - pad - bottom : 0);
                    L.DomUtil.removeClass(el, "cm-moved");
                    if (dx || dy) {
                        L.DomUtil.setPosition(el, L.DomUtil.getPosition(el).add([dx, dy]));
                        L.DomUtil.addClass(el, "cm-moved");
                    }
                };
            }
            // One tooltip at a time: an area's tooltip follows the mouse and could otherwise
            // stay open beside a marker's when a zoom moves the area under a still pointer.
            map.on("tooltipopen", function(e) {
                var others = [];
                map.eachLayer(function(l) {
                    if (l instanceof L.Tooltip && l !== e.tooltip) { others.push(l); }
                });
                others.forEach(function(t) { map.removeLayer(t); });
                // Closed tooltips fade out for 200 ms: they leave at once instead.
                var keep = e.tooltip.getElement();
                Array.prototype.slice.call(map.getPane("tooltipPane").children).forEach(
                    function(el) { if (el !== keep) { L.DomUtil.remove(el); } }
                );
            });
            // The country areas' key, with the checkbox that shows or hides them.
            var key = {{ this.storage_key|tojson }};
            var on = true;
            try { on = window.sessionStorage.getItem(key) !== "0"; } catch (e) {}
            var show = function() {
                map.getPane("cmAreas").style.display = on ? "" : "none";
                map.getContainer().setAttribute("data-areas", on ? "on" : "off");
            };
            var Key = L.Control.extend({
                options: {position: "bottomright"},
                onAdd: function() {
                    var div = L.DomUtil.create("div", "cm-areas-key");
                    var lab = L.DomUtil.create("label", "", div);
                    var box = L.DomUtil.create("input", "", lab);
                    box.type = "checkbox";
                    box.checked = on;
                    lab.appendChild(document.createTextNode({{ this.title|tojson }}));
                    var steps = L.DomUtil.create("div", "cm-steps", div);
                    {{ this.steps|tojson }}.forEach(function(s) {
                        var span = L.DomUtil.create("span", "", steps);
                        L.DomUtil.create("i", "", span).style.background = s[1];
                        span.appendChild(document.createTextNode(s[0]));
                    });
                    L.DomEvent.disableClickPropagation(div);
                    L.DomEvent.disableScrollPropagation(div);
                    L.DomEvent.on(box, "change", function() {
                        on = box.checked;
                        try { window.sessionStorage.setItem(key, on ? "1" : "0"); } catch (e) {}
                        show();
                    });
                    return div;
                }
            });
            new Key().addTo(map);
            show();
        })();
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "MapChrome"
        self.z = AREAS_Z
        self.storage_key = AREA_STORAGE_KEY
        self.title = "Countries shaded by mentions"
        self.steps = [[f"{n:,}+", c] for n, c in zip(AREA_STEPS, AREA_COLOURS, strict=True)]


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
# sessionStorage keys inside the map's iframe (same origin as the app).
VIEW_STORAGE_KEY = "conflict-map:view"
COMMAND_STORAGE_KEY = "conflict-map:view-command"


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


def event_marks(dominant: dict[str, tuple[str, int]]) -> dict[str, list]:
    """Place key (escaped) -> [colour, type, label, count] of its most frequent event type.

    `dominant` is the store's `dominant_event_types`: place key -> (type, events).
    """
    return {
        safe_text(key): [eventstyle.colour(t), safe_text(t), safe_text(eventstyle.label(t)), n]
        for key, (t, n) in dominant.items()
    }


def _event_note(mark: list | None) -> str:
    """The tooltip's words for a place's dominant event type (already escaped)."""
    if not mark:
        return ""
    return f" · mostly {mark[2].lower()} ({mark[3]} event{'' if mark[3] == 1 else 's'})"


def marker_features(
    counts: list[PlaceCount],
    selected: str | None = None,
    events: dict[str, tuple[str, int]] | None = None,
    doubtful: Mapping[str, float] | None = None,
) -> list[dict]:
    """One GeoJSON point per drawn place, most mentioned first; `properties.key` identifies it.

    Kinds in NOT_DRAWN_KINDS are left out. Text properties (key, name, label) are
    HTML-escaped with `safe_text`. With `events` (place key -> its dominant event type and
    count, see `event_marks`) a place is coloured by that type, `event_type` names it, and
    a place without one is PLAIN_COLOUR; without, places are coloured by kind. `doubtful`
    (place key -> mean confidence, geo.store.review) marks places drawn hollow.
    """
    marks = event_marks(events) if events is not None else None
    doubtful = doubtful or {}
    features = []
    for pc in sorted(drawn(counts), key=lambda c: -c.mentions):
        p = pc.place
        mark = marks.get(safe_text(p.key)) if marks is not None else None
        base = (
            KIND_COLOURS.get(p.kind, "#555")
            if marks is None
            else (mark[0] if mark else PLAIN_COLOUR)
        )
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [p.lon, p.lat]},
                "properties": {
                    "key": safe_text(p.key),
                    "name": safe_text(p.name),
                    "label": tooltip_label(pc) + _event_note(mark) + _doubt_note(doubtful, p.key),
                    "mentions": pc.mentions,
                    "radius": radius(pc.mentions),
                    "colour": SELECTED_COLOUR if p.key == selected else base,
                    "selected": p.key == selected,
                    "event_type": mark[1] if mark else None,
                    "doubtful": p.key in doubtful,
                },
            }
        )
    return features


def _doubt_note(doubtful: Mapping[str, float], key: str) -> str:
    """The tooltip's note on a doubtful place (the browser writes the same)."""
    return f" · doubtful reading ({doubtful[key]:.2f})" if key in doubtful else ""


def area_colour(mentions: int) -> str:
    """Fill colour of a country area with this many mentions (AREA_STEPS, fixed scale)."""
    colour = AREA_COLOURS[0]
    for step, c in zip(AREA_STEPS, AREA_COLOURS, strict=True):
        if mentions >= step:
            colour = c
    return colour


def area_properties(counts: list[PlaceCount], selected: str | None = None) -> dict[str, dict]:
    """ISO alpha-2 code -> what its country area shows: key, name, label, mentions, colour.

    From the PlaceCount rows of kind "country" with a country code; when two places share a
    code, the most mentioned one has the area. Text properties are escaped (`safe_text`).
    """
    out: dict[str, dict] = {}
    for pc in sorted(counts, key=lambda c: -c.mentions):
        p = pc.place
        if p.kind != "country" or not p.country_code or p.country_code in out:
            continue
        out[p.country_code] = {
            "key": safe_text(p.key),
            "name": safe_text(p.name),
            "label": tooltip_label(pc),
            "mentions": pc.mentions,
            "colour": area_colour(pc.mentions),
            "selected": p.key == selected,
            "lat": p.lat,
            "lon": p.lon,
        }
    return out


class CountryAreas(MacroElement):
    """The selection's countries as areas shaded by mentions, under the place markers.

    The outlines come from the base map's file (already loaded by the browser); only the
    countries' properties travel per rerun. A click on an area reaches streamlit-folium as
    `last_active_drawing`: a small Point feature whose `properties.key` is the country's
    place key, as for a marker (the outline itself is not sent back). Each area's SVG path
    carries `data-area` (the key) and `aria-label`. The areas' pane is shown or hidden by
    the map's "Countries shaded by mentions" checkbox (MapChrome).
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function() {
            var group = {{ this._parent.get_name() }};
            var map = {{ this._parent._parent.get_name() }};
            var areas = {{ this.areas|tojson }};
            var text = function(s) {
                return new DOMParser().parseFromString(s, "text/html").documentElement.textContent;
            };
            var style = function(a) {
                return {
                    pane: "cmAreas", fillColor: a.colour, fillOpacity: 0.62, opacity: 1,
                    color: a.selected ? "#111111" : "#54278f", weight: a.selected ? 2.5 : 0.7
                };
            };
            // Added to the group now (empty), so that streamlit-folium binds its click handler
            // to it; the outlines arrive when the base map's file is read.
            var layer = L.geoJSON(null, {
                pane: "cmAreas",
                style: function(f) { return style(f.properties); },
                onEachFeature: function(f, area) {
                    var a = f.properties;
                    area.bindTooltip(a.label, {sticky: true, direction: "top", offset: [0, -8]});
                    area.toGeoJSON = function() {
                        return {type: "Feature", geometry: {type: "Point", coordinates: [a.lon, a.lat]},
                                properties: {key: a.key, name: a.name, kind: "country"}};
                    };
                    area.on("add", function() {
                        var el = area.getElement();
                        if (!el) { return; }
                        el.setAttribute("data-area", a.key);
                        el.setAttribute("aria-label", text(a.label));
                    });
                    area.on("mouseover", function() { area.setStyle({weight: 2.5, color: "#111111"}); });
                    area.on("mouseout", function() { area.setStyle(style(a)); });
                }
            });
            layer.addTo(group);
            if (map.cmCountries && Object.keys(areas).length) {
                map.cmCountries.then(function(gj) {
                    layer.addData(gj.features.filter(function(f) {
                        return areas[f.properties.iso2];
                    }).map(function(f) {
                        return {type: "Feature", geometry: f.geometry,
                                properties: areas[f.properties.iso2]};
                    }));
                });
            }
        })();
        {% endmacro %}
        """
    )

    def __init__(self, counts: list[PlaceCount], selected: str | None = None) -> None:
        super().__init__()
        self._name = "CountryAreas"
        self.areas = area_properties(counts, selected)


def marker_rows(counts: list[PlaceCount]) -> list[list]:
    """What the browser gets per drawn place: [key, name, lon, lat, mentions, articles, kind,
    country], most mentioned first; the browser rebuilds `marker_features` from them.

    A quarter of the bytes of the features (the label, radius and colour are derived). Text
    is escaped with `safe_text`.
    """
    return [
        [safe_text(p.key), safe_text(p.name), p.lon, p.lat, pc.mentions, pc.articles,
         safe_text(p.kind), safe_text(p.country_code) if p.country_code else None]
        for pc in sorted(drawn(counts), key=lambda c: -c.mentions)
        for p in (pc.place,)
    ]  # fmt: skip


class PlacesLayer(MacroElement):
    """Place markers clustered with Leaflet.markercluster; the selection's framing; a command.

    Each place is a circle (an SVG path carrying `data-place` and `aria-label`); the
    PLACE_LABELS most mentioned places in view are named (a badge by its biggest place); places
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
            var nearBadgeMax = 2 * data.cluster.near - 4;
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
                    // Near, a badge stays within the clustering distance: it never covers
                    // the centre of a marker drawn beside it.
                    var near = cluster._zoom >= data.cluster.nearZoom;
                    var d = Math.round(Math.min(near ? nearBadgeMax : data.cluster.badgeMax,
                        Math.max(near ? data.cluster.nearBadgeMin : data.cluster.badgeMin,
                                 2 * radius(sum) + 6)));
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
                if (this.feature.properties.event_type) {
                    el.setAttribute("data-event-type", this.feature.properties.event_type);
                }
                if (this.feature.properties.doubtful) { el.setAttribute("data-doubtful", "1"); }
                el.setAttribute("role", "button");
                el.setAttribute("aria-label", text(this.feature.properties.label));
            };
            // Places arrive as compact rows (see marker_rows); rebuilt here into the GeoJSON
            // features that marker_features describes, which a click sends back.
            var plural = function(n, word) { return n + " " + word + (n === 1 ? "" : "s"); };
            var features = data.rows.map(function(r) {
                var key = r[0], name = r[1], n = r[4], kind = r[6], cc = r[7];
                var selected = key === data.selected;
                // [colour, type, label, count] of the place's dominant event type (event_marks)
                var ev = data.events ? data.events[key] : null;
                var base = !data.events ? (data.colours[kind] || "#555") :
                    (ev ? ev[0] : data.plainColour);
                var doubt = data.doubtful[key];  // mean confidence of a doubtful place
                var doubtful = doubt !== undefined;
                return {type: "Feature", geometry: {type: "Point", coordinates: [r[2], r[3]]},
                    properties: {
                        key: key, name: name, mentions: n, selected: selected,
                        label: name + (cc && kind !== "country" ? " (" + cc + ")" : "") + " · " +
                            kind + " · " + plural(n, "mention") + " in " + plural(r[5], "article") +
                            (ev ? " · mostly " + ev[2].toLowerCase() + " (" +
                                plural(ev[3], "event") + ")" : "") +
                            (doubtful ? " · doubtful reading (" + doubt.toFixed(2) + ")" : ""),
                        radius: Math.round(radius(n) * 10) / 10,
                        colour: selected ? data.selectedColour : base,
                        event_type: ev ? ev[1] : null,
                        doubtful: doubtful
                    }};
            });
            var markers = features.map(function(f) {
                var p = f.properties;
                // A doubtful place is hollow: a ring of its colour (see the legend).
                var hollow = p.doubtful && !p.selected;
                var style = {
                    radius: p.radius,
                    fillColor: p.colour,
                    fill: true,
                    color: p.selected ? "#222222" : (hollow ? p.colour : "#ffffff"),
                    weight: p.selected ? 3 : (hollow ? 2.5 : 1),
                    opacity: 1,
                    fillOpacity: p.selected ? 0.9 : (hollow ? 0.08 : 0.65)
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
            var alone = function(m) { return m.feature.properties.selected; };
            places.addLayers(markers.filter(function(m) { return !alone(m); }));
            // The biggest places drawn on their own (not inside a badge) are named on the map
            // (MapLabels asks for them on every move); the selected place always is.
            // A place inside a badge lends the badge its name (the badge's biggest place).
            map.cmPlaceLabels = function() {
                var out = [], view = map.getBounds(), n = 0, z = map.getZoom(), named = [];
                markers.forEach(function(m) {
                    var p = m.feature.properties, ll = m.getLatLng();
                    if (!p.selected && n >= data.placeLabels) { return; }
                    // Drawn on its own (circles have no icon, so markercluster's
                    // getVisibleParent does not tell): a clustered marker is off the map.
                    if (p.selected || m._map) {
                        if (!view.contains(ll)) { return; }
                        out.push([text(p.name), ll.lat, ll.lng, p.radius]);
                    } else {
                        var c = m.__parent;
                        while (c && c._zoom > z) { c = c.__parent; }
                        if (!c || !c._icon || named.indexOf(c) >= 0) { return; }
                        named.push(c);
                        var at = c.getLatLng();
                        if (!view.contains(at)) { return; }
                        out.push([text(p.name), at.lat, at.lng, c._icon.offsetWidth / 2]);
                    }
                    n += p.selected ? 0 : 1;
                });
                return out;
            };
            places.on("animationend", function() { map.fire("cmplaces"); });
            places.addTo(group);
            markers.filter(alone).forEach(function(m) { m.addTo(group); });

            map.cmFitView = data.fit;
            setTimeout(function() { map.fire("cmplaces"); }, 0);
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
        frame: list[PlaceCount] | None = None,
        events: dict[str, tuple[str, int]] | None = None,
        doubtful: Mapping[str, float] | None = None,
    ) -> None:
        """`frame`: the places "Fit to selection" frames (default: `counts`, those drawn);
        `events`: colour places by their dominant event type; `doubtful`: places drawn
        hollow (see `marker_features`).
        """
        super().__init__()
        self._name = "PlacesLayer"
        self.features = marker_features(counts, selected, events, doubtful)
        fit_center, fit_zoom = view_for(counts if frame is None else frame)
        self.payload = {
            "rows": marker_rows(counts),
            "selected": None if selected is None else safe_text(selected),
            "colours": KIND_COLOURS,
            "selectedColour": SELECTED_COLOUR,
            "events": None if events is None else event_marks(events),
            "plainColour": PLAIN_COLOUR,
            "doubtful": {safe_text(k): round(v, 2) for k, v in (doubtful or {}).items()},
            "cluster": {
                "far": CLUSTER_RADIUS_PX,
                "near": near_cluster_radius(counts),
                "nearBadgeMin": NEAR_BADGE_MIN_PX,
                "nearZoom": CLUSTER_NEAR_ZOOM,
                "badgeMin": BADGE_MIN_PX,
                "badgeMax": BADGE_MAX_PX,
            },
            "placeLabels": PLACE_LABELS,
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
