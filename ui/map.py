"""The map: markers, legends, the find box and what a click selects."""

from __future__ import annotations

import html
from dataclasses import replace

import streamlit as st
from streamlit_folium import st_folium

from geo import export, finder, gazetteer, mapview, render
from geo.store import Query, Store
from ui.common import (
    doubtful_places,
    get_gazetteer,
    place_counts,
    plural,
    select_place,
    write_url,
)
from ui.events import dominant, legend_html


def place_finder(counts) -> None:
    """Find a place of the selection by a name people write: Enter selects the best match.

    Alternate, historical and transliterated names and typos are understood (geo.finder);
    the other matches are offered in the panel (`finder_matches`).
    """
    chosen = st.session_state.get("selected_place")
    if chosen != st.session_state.get("_finder_for"):
        # The selection changed elsewhere (map, table, list): the box names it.
        st.session_state["_finder_for"] = chosen
        place = next((c.place for c in counts if c.place.key == chosen), None)
        st.session_state["finder"] = place.name if place else ""
        st.session_state.pop("_finder_found", None)
    st.text_input(
        "Find a place",
        key="finder",
        placeholder="Find a place: type a name, press Enter",
        label_visibility="collapsed",
        on_change=_find,
        args=(counts,),
        help="Any spelling: Kharkov, Kiev, Artemovsk… The best match in the selection opens.",
    )


@st.cache_resource(show_spinner=False, max_entries=8)
def _alternate_names(ids: tuple[int, ...]) -> dict[int, list[str]]:
    return get_gazetteer().names_of(ids)


def _find(counts) -> None:
    """The find box's Enter: select the best match, keep the others for the panel."""
    typed = (st.session_state.get("finder") or "").strip()
    if not typed:
        return
    found = finder.find_places(
        typed,
        counts,
        get_gazetteer(),
        names_of=lambda ids: _alternate_names(tuple(sorted(set(ids)))),
    )
    if not found:
        st.session_state["_toast"] = f"No place in the selection is called “{typed}”."
        st.session_state.pop("_finder_found", None)
        return
    select_place(found[0].count.place)
    st.session_state["_finder_for"] = found[0].count.place.key
    st.session_state["_finder_found"] = (typed, found)


def finder_matches() -> None:
    """In the panel, after a search: how the best match matched, and the other matches."""
    typed, found = st.session_state.get("_finder_found") or (None, [])
    if not found or found[0].count.place.key != st.session_state.get("selected_place"):
        return
    first = found[0]
    how = "" if first.how == finder.EXACT else f"({first.how} “{first.matched}”)"
    st.caption(
        f"Found for “{render.md_escape(typed, 60)}”: "
        f"{render.md_escape(_finder_label(first.count))} {render.md_escape(how, 80)}"
    )
    for f in found[1:5]:
        if st.button(
            render.md_escape(_finder_label(f.count), 120),
            key=f"found_{f.count.place.key}",
            type="tertiary",
            icon=":material/place:",
        ):
            select_place(f.count.place)
            st.session_state["_finder_for"] = f.count.place.key
            st.rerun()


def _finder_label(c) -> str:
    p = c.place
    country = gazetteer.country_names().get(p.country_code or "", p.country_code or "")
    where = f", {country}" if country and p.kind != "country" else ""
    return f"{p.name}{where} — {render.kind_name(p.kind)}, {plural(c.mentions, 'mention')}"


LEGEND = (
    "<div class='cm-legend'>"
    + " ".join(
        f"<span><i style='background:{colour}'></i>{kind}</span>"
        for kind, colour in (
            ("region", mapview.KIND_COLOURS["admin1"]),
            ("city", mapview.KIND_COLOURS["city"]),
            ("water", mapview.KIND_COLOURS["water"]),
            ("landmark", mapview.KIND_COLOURS["landmark"]),
        )
    )
    + "</div>"
)


MAP_HEIGHT_PX = 600

DOUBTFUL_LEGEND = (
    " <span class='cm-doubtful' title='The geoparser is unsure of these places: the Review"
    " tab under the map lists them, to confirm or correct'><i></i>doubtful reading ({n:,})</span>"
)

# Under the map, so the circles can be drawn at the map's own sizes without pushing it down.
SIZE_LEGEND = f"<div class='cm-legend cm-sizes'>{mapview.size_legend_html()}</div>"


def map_panel(store: Store, counts, query: Query, version: int) -> None:
    """The map of the selection, its legends and the downloads of its places.

    A click on a marker selects that place (the panel beside the map shows it).
    """
    # The map frames the selection once per session; after that it keeps the user's own
    # centre and zoom across reruns (mapview.ViewKeeper) until they press the map's own
    # "Fit to selection" button.
    if "map_command" not in st.session_state or st.session_state.pop("_frame_selection", None):
        st.session_state["map_command"] = mapview.ViewCommand.frame(counts)
    selected = st.session_state.get("selected_place")
    # Coloured by what happened there; a corpus with no events keeps the colours of kinds.
    marks = dominant(store, query, version) or None
    doubtful = doubtful_places(store, query, version)
    # A very large selection is drawn by view: the places in the box the user looks at.
    # A pan or a zoom reruns the app (the map returns its bounds then); the map's last
    # value is in the session state before the map is drawn again.
    large = len(mapview.drawn(counts)) > mapview.MAX_MARKERS
    last = st.session_state.get("map") if large else None
    box = mapview.view_box(last.get("bounds")) if isinstance(last, dict) else None
    in_view = place_counts(store, replace(query, bbox=box), version) if box else None
    to_draw = mapview.places_to_draw(counts, in_view, selected)
    if large:
        n_drawn = len(mapview.drawn(to_draw))
        which = (
            f"the {n_drawn:,} places in view"
            if in_view is not None and len(mapview.drawn(in_view)) <= mapview.MAX_MARKERS
            else f"the {n_drawn:,} most mentioned places "
            + ("in view" if box else "of the selection")
        )
        st.caption(
            f"A large selection: the map draws {which} (of {len(counts):,}); pan or zoom to"
            " draw others. The tables and downloads hold every place."
        )
    ret = st_folium(
        mapview.base_map(online_tiles=st.session_state.get("online_tiles", False)),
        key="map",
        # The page's stylesheet sizes the map to the window (ui/style.py); this is the size
        # before it applies and for the map's own frame.
        height=MAP_HEIGHT_PX,
        use_container_width=True,
        feature_group_to_add=mapview.markers_layer(
            to_draw,
            selected,
            st.session_state["map_command"],
            frame=counts,
            events=marks,
            doubtful=doubtful,
        ),
        returned_objects=["last_active_drawing", "bounds"] if large else ["last_active_drawing"],
    )
    n_mentions = sum(c.mentions for c in counts)
    st.markdown(
        f"**{plural(len(counts), 'place')}**, {plural(n_mentions, 'mention')} in the selection"
        + ("" if counts else " — nothing matches the filters.")
    )
    legend = legend_html(marks) if marks else LEGEND
    if doubtful:
        # Said at the end of the colour legend: a hollow ring is a reading worth a look.
        legend = legend.removesuffix("</div>") + DOUBTFUL_LEGEND.format(n=len(doubtful)) + "</div>"
    st.markdown(legend + SIZE_LEGEND, unsafe_allow_html=True)
    not_drawn = {
        c.place.key: f"{render.md_escape(c.place.name)} ({c.mentions:,})"
        for c in counts
        if c.place.kind in mapview.NOT_DRAWN_KINDS
    }
    if not_drawn:
        # Pills, not buttons: a pill shows which country is selected. The callback runs
        # before the next run, so the line below cannot overwrite the user's pick.
        def pick_not_drawn() -> None:
            st.session_state["selected_place"] = st.session_state["not_drawn"]
            st.session_state.pop("reader", None)

        options = list(not_drawn)[:8]
        if selected in not_drawn and selected not in options:
            options.append(selected)
        st.session_state["not_drawn"] = selected if selected in options else None
        st.pills(
            "Countries (shaded areas on the map) and continents",
            options,
            format_func=not_drawn.get,
            key="not_drawn",
            on_change=pick_not_drawn,
        )
    if counts:
        d1, d2 = st.columns(2)
        d1.download_button(
            "Download places (CSV)",
            export.places_csv(counts),
            file_name="conflict_map_places.csv",
            mime="text/csv",
            on_click="ignore",  # a download does not rerun the page
        )
        d2.download_button(
            "Download places (GeoJSON)",
            export.places_geojson(counts),
            file_name="conflict_map_places.geojson",
            mime="application/geo+json",
            on_click="ignore",
        )
    clicked = ((ret or {}).get("last_active_drawing") or {}).get("properties") or {}
    key = html.unescape(clicked.get("key", "")) or None
    if key and key != st.session_state.get("_last_click"):
        st.session_state["_last_click"] = key
        if key != selected:
            st.session_state["selected_place"] = key
            st.session_state.pop("reader", None)
            write_url(query, key)
            st.rerun()
