"""The map's per-rerun layers: the selection's country areas and its clustered place markers.

They travel in the FeatureGroup passed to `st_folium(feature_group_to_add=...)`, so a new
selection redraws them without reloading the map's iframe. Text reaches the browser escaped
(`safe_text`); the browser decodes it with DOMParser, never as HTML.
"""

from __future__ import annotations

from collections.abc import Mapping

from branca.element import MacroElement
from jinja2 import Template

from geo import eventstyle
from geo.mapframe import ViewCommand, view_for
from geo.mapstyle import (
    BADGE_MAX_PX,
    BADGE_MIN_PX,
    CLUSTER_NEAR_ZOOM,
    CLUSTER_RADIUS_PX,
    KIND_COLOURS,
    NEAR_BADGE_MIN_PX,
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
    tooltip_label,
)
from geo.models import PlaceCount

# The selection's most mentioned places in view are named first, in bold (a badge holding
# one by that place's name).
PLACE_LABELS = 15
# sessionStorage key inside the map's iframe: the view commands already applied.
COMMAND_STORAGE_KEY = "conflict-map:view-command"


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
                    // More candidates than names: MapLabels names the first placeLabels
                    // of them that find room beside their marker or badge.
                    if (!p.selected && n >= 3 * data.placeLabels) { return; }
                    // Drawn on its own (circles have no icon, so markercluster's
                    // getVisibleParent does not tell): a clustered marker is off the map.
                    if (p.selected || m._map) {
                        if (!view.contains(ll)) { return; }
                        out.push([text(p.name), ll.lat, ll.lng, p.radius, p.selected]);
                    } else {
                        var c = m.__parent;
                        while (c && c._zoom > z) { c = c.__parent; }
                        if (!c || !c._icon || named.indexOf(c) >= 0) { return; }
                        named.push(c);
                        var at = c.getLatLng();
                        if (!view.contains(at)) { return; }
                        out.push([text(p.name), at.lat, at.lng, c._icon.offsetWidth / 2, false]);
                    }
                    n += p.selected ? 0 : 1;
                });
                out.max = data.placeLabels;
                return out;
            };
            // The boxes (container px) of the markers and badges drawn for the view, where
            // they stand once any cluster animation is over: MapLabels keeps names off them.
            map.cmMarks = function() {
                var out = [];
                var add = function(l) {
                    var p = map.latLngToContainerPoint(l.getLatLng()), b;
                    if (l._icon) {
                        // A badge's box starts at its margins (its border lies outside).
                        var x = p.x + (parseFloat(l._icon.style.marginLeft) || 0);
                        var y = p.y + (parseFloat(l._icon.style.marginTop) || 0);
                        b = [x, y, x + l._icon.offsetWidth, y + l._icon.offsetHeight];
                    } else if (l._radius !== undefined) {
                        var r = l._radius + (l.options.weight || 0) / 2;
                        b = [p.x - r, p.y - r, p.x + r, p.y + r];
                        b.circle = true;
                    } else { return; }
                    out.push(b);
                };
                places._featureGroup.eachLayer(add);
                markers.forEach(function(m) { if (alone(m) && m._map) { add(m); } });
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
