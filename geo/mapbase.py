"""The constant base map's parts: offline assets, outlines, names, view keeping, controls.

Each is a folium element whose JavaScript runs once when the map's iframe is created; none
changes between reruns, so streamlit-folium keeps the iframe. Leaflet, Leaflet.markercluster,
the country outlines and the names are served from the project's `static/` folder.
"""

from __future__ import annotations

import folium
from branca.element import MacroElement
from jinja2 import Template

from geo.mapstyle import AREA_COLOURS, AREA_STEPS

STATIC_URL = "/app/static"
BASEMAP_URL = f"{STATIC_URL}/basemap/countries-50m.geojson"
LABELS_URL = f"{STATIC_URL}/basemap/labels.json"
TOWN_LABELS_URL = f"{STATIC_URL}/basemap/labels-towns.json"
OSM_ATTRIBUTION = (
    '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'
)
AREA_STORAGE_KEY = "conflict-map:areas"
# Pane z-indexes: base map 250 < country areas 350 < Leaflet's overlayPane (400, the place
# markers) < markerPane (600, cluster badges) < labels 620 < selected place 640 < tooltips 650.
# Names lie above markers and badges (a badge never hides a city's name) but are placed
# beside them, never on them (MapLabels); their pane takes no mouse events.
AREAS_Z = 350
LABELS_Z = 620
# Labels drawn at once, at most: enough for a screen, few enough to redraw on every move.
MAX_LABELS = 400
MIN_ZOOM = 2
MAX_ZOOM = 18
# sessionStorage keys inside the map's iframe (same origin as the app).
VIEW_STORAGE_KEY = "conflict-map:view"


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
    the map's "Fit to selection" button (a square under + and -), which frames the view the
    places layer computed for the current selection (in the browser, without a rerun).
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
        .leaflet-bar a.cm-fit { display: flex; align-items: center; justify-content: center; }
        .leaflet-bar a.cm-fit svg { width: 16px; height: 16px; }
        /* The scale only informs: a marker under it still takes the click. */
        .leaflet-control-scale { pointer-events: none; }
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
            // A square button under + and -, not a wide one in the top right corner, where
            // it covered (and took the clicks of) the markers drawn under it.
            var Fit = L.Control.extend({
                options: {position: "topleft"},
                onAdd: function() {
                    var bar = L.DomUtil.create("div", "leaflet-bar");
                    var a = L.DomUtil.create("a", "cm-fit", bar);
                    a.href = "#";
                    a.innerHTML = '<svg viewBox="0 0 16 16" aria-hidden="true" fill="none" ' +
                        'stroke="#222" stroke-width="2"><path d="M1 5V1h4M11 1h4v4M15 11v4h-4' +
                        'M5 15H1v-4"/><circle cx="8" cy="8" r="1.6" fill="#222" stroke="none"/>' +
                        '</svg>';
                    a.title = "Fit to selection: frame the places of the current selection";
                    a.setAttribute("aria-label", "Fit to selection");
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
    any that would overlap one already placed or a marker or badge drawn (a place's name
    goes right or left of its own marker or badge; a country's name may move a little; a
    name that finds no free spot is left out), so no name is written over a marker or a
    badge's count. Labels sit in a pane above the markers and badges that takes no mouse
    events, so they are never hidden and never take a click. Each label element carries
    `data-label` (the name) and the class `cm-label-place`, `cm-label-country` or
    `cm-label-city` (with `cm-label-beside` when written beside the city's own marker).
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
        .cm-label-beside::before { display: none; }
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
            // Where a country's name may go, nearest its centre first (px).
            var COUNTRY_SHIFTS = [];
            [0, -36, 36, -72, 72].forEach(function(dx) {
                [0, -16, 16, -32, 32, -48, 48].forEach(function(dy) {
                    COUNTRY_SHIFTS.push([dx, dy]);
                });
            });
            COUNTRY_SHIFTS.sort(function(a, b) {
                return (a[0] * a[0] + 4 * a[1] * a[1]) - (b[0] * b[0] + 4 * b[1] * b[1]);
            });
            var label = function(row, kind) {
                var el = document.createElement("span");
                el.textContent = row[0];
                return L.marker([row[1], row[2]], {
                    pane: "cmLabels", interactive: false, keyboard: false,
                    icon: L.divIcon({className: "cm-label cm-label-" + kind, html: el,
                                     iconSize: null})
                });
            };
            // Text widths as the browser will draw them (no layout needed).
            var ctx = document.createElement("canvas").getContext("2d");
            var width = function(name, kind) {
                if (kind === "country") {
                    ctx.font = "600 11px sans-serif";
                    return ctx.measureText(name.toUpperCase()).width + name.length * 0.88;
                }
                ctx.font = kind === "place" ? "600 12px sans-serif" : "11px sans-serif";
                return ctx.measureText(name).width;
            };
            var overlaps = function(a, b) {
                return a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3];
            };
            var draw = function() {
                var z = map.getZoom(), view = map.getBounds().pad(0.05), placed = [], n = 0;
                var named = {};
                // What no name may cover: the markers and badges drawn (see PlacesLayer).
                var marks = map.cmMarks ? map.cmMarks() : [];
                if (z >= {{ this.town_zoom }} && !asked) {
                    asked = true;
                    fetch({{ this.towns_url|tojson }}).then(function(r) { return r.json(); })
                        .then(function(rows) { towns = rows; draw(); });
                }
                layer.clearLayers();
                // A box is free when it covers no name placed before and no marker or badge
                // (except `own`, the marker the name belongs to).
                var free = function(box, own) {
                    return !placed.some(function(b) { return overlaps(box, b); }) &&
                        !marks.some(function(b) { return b !== own && overlaps(box, b); });
                };
                var put = function(row, kind, box, dx, dy) {
                    placed.push(box);
                    n++;
                    var m = label(row, kind).addTo(layer);
                    var el = m.getElement();
                    if (el) {
                        el.setAttribute("data-label", row[0]);
                        if (dx !== null) { el.firstChild.style.left = dx + "px"; }
                        if (dy) { el.firstChild.style.top = dy + "px"; }
                    }
                    return el;
                };
                var place = function(rows, kind) {
                    for (var i = 0; i < rows.length && n < {{ this.max_labels }}; i++) {
                        var row = rows[i];
                        if (row[3] > z || !view.contains([row[1], row[2]])) { continue; }
                        var p = map.latLngToContainerPoint([row[1], row[2]]);
                        // Text box (px), with a little room around it.
                        var w = width(row[0], kind) + 4, h = 14;
                        if (kind === "country") {
                            // A country's name may move a little inside the country when
                            // markers or badges cover its centre; else it is left out.
                            var found = null;
                            for (var k = 0; k < COUNTRY_SHIFTS.length && !found; k++) {
                                var x = p.x + COUNTRY_SHIFTS[k][0], y = p.y + COUNTRY_SHIFTS[k][1];
                                var b0 = [x - w / 2, y - h / 2, x + w / 2, y + h / 2];
                                if (free(b0, null)) { found = [b0, COUNTRY_SHIFTS[k]]; }
                            }
                            if (found) { put(row, kind, found[0], found[1][0] || null, found[1][1]); }
                            continue;
                        }
                        // A city's name goes by its dot; when the city is drawn as a marker
                        // (a circle centred on it), beside that marker, without the dot.
                        // Under a badge or another place's marker it is left out.
                        var own = null, covered = false;
                        marks.forEach(function(b) {
                            if (p.x < b[0] || p.x > b[2] || p.y < b[1] || p.y > b[3]) { return; }
                            var cx = (b[0] + b[2]) / 2, cy = (b[1] + b[3]) / 2;
                            if (b.circle && Math.abs(cx - p.x) < 2 && Math.abs(cy - p.y) < 2) {
                                own = b;
                            } else { covered = true; }
                        });
                        if (covered) { continue; }
                        var dx = own ? own[2] - p.x + 3 : 5;
                        var box = [p.x + (own ? dx - 1 : -4), p.y - h / 2, p.x + dx + w, p.y + h / 2];
                        if (!free(box, own)) { continue; }
                        var el = put(row, kind, box, own ? dx - 5 : null, 0);  // span: translate(5px)
                        if (el && own) { el.classList.add("cm-label-beside"); }
                    }
                };
                // The selection's biggest places first: [name, lat, lon, marker radius,
                // selected]; the name goes right of its marker or badge, else left of it,
                // above or below it, inside the map; else it is left out and the next place
                // is named.
                var own = map.cmPlaceLabels ? map.cmPlaceLabels() : [], mine_n = 0;
                own.forEach(function(row) {
                    if (!row[4] && mine_n >= own.max) { return; }
                    if (!view.contains([row[1], row[2]])) { return; }
                    var p = map.latLngToContainerPoint([row[1], row[2]]);
                    var w = width(row[0], "place") + 4, h = 15, mine = null, best = 4;
                    marks.forEach(function(b) {
                        var d = Math.abs((b[0] + b[2]) / 2 - p.x) + Math.abs((b[1] + b[3]) / 2 - p.y);
                        if (d < best) { mine = b; best = d; }
                    });
                    var r = row[3];
                    var edge = mine || [p.x - r, p.y - r, p.x + r, p.y + r];
                    // [box, left, top] of the span for each spot (translate(0, -50%)).
                    var up = edge[1] - 2 - h / 2 - p.y, down = edge[3] + 2 + h / 2 - p.y;
                    var spots = [
                        [[edge[2] + 1, p.y - h / 2, edge[2] + 3 + w, p.y + h / 2], edge[2] + 3 - p.x, 0],
                        [[edge[0] - 1 - w, p.y - h / 2, edge[0] + 1, p.y + h / 2],
                         edge[0] - 1 - w + 2 - p.x, 0],
                        [[p.x - w / 2, p.y + up - h / 2, p.x + w / 2, p.y + up + h / 2], 2 - w / 2, up],
                        [[p.x - w / 2, p.y + down - h / 2, p.x + w / 2, p.y + down + h / 2],
                         2 - w / 2, down]
                    ];
                    // A spot that runs off the map's edge would cut the name.
                    var size = map.getSize(), spot = null;
                    for (var k = 0; k < spots.length && !spot; k++) {
                        var b = spots[k][0];
                        if (b[0] >= 0 && b[1] >= 0 && b[2] <= size.x && b[3] <= size.y &&
                            free(b, mine)) { spot = spots[k]; }
                    }
                    if (!spot) { return; }
                    named[row[0]] = true;
                    mine_n += row[4] ? 0 : 1;
                    put(row, "place", spot[0], spot[1], spot[2]);
                    // The marker's own circle: no other name is written over it.
                    placed.push(edge);
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
            // After the clusters have been redrawn for the new view (cmplaces: PlacesLayer);
            // a move that also redraws the clusters places the names once.
            var pending = false;
            var later = function() {
                if (pending) { return; }
                pending = true;
                setTimeout(function() { pending = false; draw(); }, 0);
            };
            map.on("moveend", later);
            map.on("cmplaces", later);
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
