"""Conflict Map dashboard: composes the panels of ui/; all work is done by the `geo` package."""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

st.set_page_config(page_title="Conflict Map", page_icon="🗺️", layout="wide")

from geo import render  # noqa: E402  (after set_page_config, the page's first call)
from geo.errors import GeoError  # noqa: E402
from geo.pipeline import db_path  # noqa: E402
from geo.redact import redact  # noqa: E402
from ui.common import (  # noqa: E402
    get_store,
    init_state_from_url,
    place_counts,
    reveal_if_asked,
    write_url,
)
from ui.corpus import manage_box, run_ingest  # noqa: E402
from ui.corrections import corrections_box  # noqa: E402
from ui.events import CSS as EVENTS_CSS  # noqa: E402
from ui.filters import sidebar  # noqa: E402
from ui.header import corpus_notices, header  # noqa: E402
from ui.map import finder_matches, map_panel, place_finder  # noqa: E402
from ui.place_panel import passage_panel, top_places  # noqa: E402
from ui.reader import reader_panel  # noqa: E402
from ui.style import ABOUT, CSS, PANEL_HEIGHT_PX, panel_key  # noqa: E402
from ui.tables import tables  # noqa: E402
from ui.timeline import advance_play, next_play_step, timeline_bar  # noqa: E402


def main() -> None:
    st.markdown(CSS + EVENTS_CSS, unsafe_allow_html=True)
    try:
        store = get_store()
    except GeoError as err:
        # The driver's messages may quote the address, password and all.
        st.error(f"Cannot open the database: {render.md_escape(redact(err, db_path()))}")
        st.stop()
    if not st.session_state.get("_ingested"):
        run_ingest(store)
        st.session_state["_ingested"] = True
    bounds = store.date_bounds()
    init_state_from_url(store, bounds)
    playing = advance_play(bounds)
    query = sidebar(store, bounds)
    corrections_box(store)
    manage_box(store)
    if toast := st.session_state.pop("_toast", None):
        st.toast(render.md_escape(toast, 300))
    one = st.session_state.get("article_filter")
    if one:
        query = replace(query, article_ids=(one,))
    version = store.revision()  # after the sidebar, which may have added an article

    counts = place_counts(store, query, version)
    # A compact header (title, corpus line, find box; the timeline beside them), then the
    # map and the selected place's panel side by side, both as tall as the window allows
    # (ui/style.py). Nothing above the map changes when a place is selected, so a click
    # never moves the page; the panel scrolls inside its own box.
    about, time_strip = st.columns([2, 5], gap="medium")
    with about:
        header(store, one)
        place_finder(counts)
    with time_strip:
        if bounds:
            timeline_bar(store, bounds, query.start, query.end, playing, version)
    left, right = st.columns([2, 1], gap="small")
    with left:
        map_panel(store, counts, query, version)
    with right:
        selected = st.session_state.get("selected_place")
        reader = st.session_state.get("reader")
        # A new key per place or article: a fresh box, scrolled to its top.
        which = f"r-{reader}" if reader else f"p-{selected}" if selected else "top"
        with st.container(height=PANEL_HEIGHT_PX, border=False, key=panel_key(which)):
            if reader:
                reader_panel(store, reader, version)
            elif selected:
                finder_matches()
                passage_panel(store, selected, query, version)
            else:
                top_places(counts)
    corpus_notices(store)
    if counts:
        tables(store, counts, query, version)
    write_url(query, st.session_state.get("selected_place"))
    with st.expander("About the data"):
        st.markdown(ABOUT)
    reveal_if_asked()
    if playing:
        next_play_step()


main()
