"""The selected place's panel: its passages, timeline, downloads and neighbours."""

from __future__ import annotations

import re
from datetime import date

import streamlit as st

from geo import mapview, render
from geo.models import Place
from geo.store import Query, Store
from ui.common import (
    PAGE,
    nearby,
    passage_file,
    place_passages,
    place_summary,
    plural,
    select_place,
    story_copies,
    together,
    write_url,
)
from ui.corrections import correct_dialog
from ui.events import chips_html, passage_events, place_timeline, place_types


def passage_panel(store: Store, key: str, query: Query, version: int) -> None:
    place = store.place(key)
    if place is None:
        st.info("Click a marker to read the passages that mention that place.")
        return
    head, close = st.columns([2, 1], vertical_alignment="center")
    heading = head.empty()
    query = place_types(store, key, query, version)  # the panel's own pick of event types
    rows = place_passages(store, key, query, version)
    total, n_articles, timeline = place_summary(store, key, query, version)
    with heading:
        st.html(render.place_heading_html(place, total, n_articles))
    if close.button(
        "Close",
        key="deselect",
        type="tertiary",  # no frame: fits beside the name in a narrow panel
        icon=":material/close:",
        help="Back to the list of most mentioned places",
    ):
        # The map's last click stays remembered: the map still returns it on the next run,
        # and forgetting it would select that place again at once.
        st.session_state.pop("selected_place", None)
        st.rerun()
    if not rows:
        st.info("No passages in the current selection: widen the date range or filters.")
        return
    auto = next((r.reason for r in rows if r.reason and r.correction_id is None), "")
    if auto:
        st.caption(f"Why this place: {render.md_escape(auto)}")
    pages = max(1, -(-total // PAGE))
    page = page_number(key, query, pages)
    shown = rows[(page - 1) * PAGE : page * PAGE]
    if (page - 1) * PAGE >= len(rows):  # past the newest 500: read this page from the store
        shown = store.passages(key, query, limit=PAGE, offset=(page - 1) * PAGE)
    if pages > 1:
        paging(key, page, pages, total)
    if query.text:
        st.caption(
            f"Only articles containing “{render.md_escape(query.text, 60)}” (the words are "
            "marked in the passages)."
        )
    copies = story_copies(store, tuple(dict.fromkeys(r.article.id for r in shown)), version)
    box = st.container(key="passages")
    for r in shown:
        mark = (
            render.correction_html(r.correction_note, r.geoparser_place, r.reason)
            if r.correction_id is not None
            else None
        )
        card = render.passage_html(
            r.article, r.start, r.end, copies.get(r.article.id, []), query.text, mark, place.name
        )
        box.html(card + chips_html(passage_events(store, r, version), query))
        fix, read = box.columns(2)
        if fix.button(
            "Correct…", key=f"fix_{r.article.id}_{r.start}", type="tertiary", icon=":material/edit:"
        ):
            correct_dialog(store, r, place)
        if read.button(
            "Read article",
            key=f"read_{r.article.id}_{r.start}",
            type="tertiary",
            icon=":material/article:",
        ):
            st.session_state["reader"] = r.article.id
            st.rerun()
    # The passages come first (they are what a click on the map is for); then the place's
    # mentions over time, the downloads and the places around it.
    if not place_timeline(store, key, query, version) and len(timeline) > 1:
        st.altair_chart(place_timeline_chart(timeline), width="stretch")
    stem = f"conflict_map_{re.sub(r'[^A-Za-z0-9]+', '_', place.key)}"
    st.caption(
        f"Download {'the' if total == 1 else 'all'} {plural(total, 'passage')} of the selection,"
        " with the place's point and country"
    )
    c1, c2 = st.columns(2)
    c1.download_button(
        "CSV", passage_file(store, key, query, "csv"), file_name=f"{stem}.csv", mime="text/csv",
        key="passages_csv", help="Download these passages as CSV", on_click="ignore",
    )  # fmt: skip
    c2.download_button(
        "GeoJSON", passage_file(store, key, query, "geojson"), file_name=f"{stem}.geojson",
        mime="application/geo+json", key="passages_geojson", on_click="ignore",
        help="Download these passages as GeoJSON",
    )  # fmt: skip
    mentioned_together(store, key, query, version)
    nearby_places(store, place, query, version)


def page_number(key: str, query: Query, pages: int) -> int:
    """The page of the place's passages to show (1-based): back to 1 when a filter changes.

    The page lives in the state of the "Page" box (`page_<key>`), so the box, "Newer" and
    "Older" all move the same number.
    """
    page_key = f"page_{key}"
    if st.session_state.get("_paged_query", query) != query:
        for k in [k for k in st.session_state if str(k).startswith("page_")]:
            st.session_state[k] = 1
    st.session_state["_paged_query"] = query
    try:
        page = int(st.session_state.get(page_key) or 1)
    except (TypeError, ValueError):
        page = 1
    page = min(max(1, page), pages)
    if st.session_state.get(page_key) != page:
        st.session_state[page_key] = page
    return page


def paging(key: str, page: int, pages: int, total: int) -> None:
    """ "Newer", the page box and "Older"; the buttons move the box's number in a callback,
    before the next run, so one click is one page whatever else the page did meanwhile.
    """
    page_key = f"page_{key}"

    def turn(step: int) -> None:
        current = int(st.session_state.get(page_key) or 1)
        st.session_state[page_key] = min(max(1, current + step), pages)

    prev, mid, nxt = st.columns([2, 3, 2], vertical_alignment="bottom")
    prev.button(
        "Newer", disabled=page == 1, key="newer", width="stretch",
        icon=":material/chevron_left:", on_click=turn, args=(-1,),
    )  # fmt: skip
    mid.number_input(
        f"Page (of {pages:,})", min_value=1, max_value=pages, step=1, key=page_key,
        help="Type a page number and press Enter",
    )  # fmt: skip
    nxt.button(
        "Older", disabled=page >= pages, key="older", width="stretch",
        icon=":material/chevron_right:", on_click=turn, args=(1,),
    )  # fmt: skip
    st.caption(
        f"Passages {(page - 1) * PAGE + 1:,}–{min(total, page * PAGE):,} of {total:,}"
        f" (page {page:,} of {pages:,}), newest first"
    )


def mentioned_together(store: Store, key: str, query: Query, version: int) -> None:
    """The places named most often in this place's passages and articles, one click away."""
    rows = together(store, key, query, version)
    if not rows:
        return
    by_key = {t.place.key: t for t in rows}

    def pick() -> None:
        chosen = st.session_state.get(f"together_{key}")
        st.session_state[f"together_{key}"] = None  # unpicked when this place is back
        if chosen in by_key:
            select_place(by_key[chosen].place)

    st.pills(
        "Mentioned together (in the same passages, then the same articles)",
        list(by_key),
        format_func=lambda k: (
            f"{render.md_escape(by_key[k].place.name)} · {by_key[k].passages:,}"
            f" / {by_key[k].articles:,}"
        ),
        key=f"together_{key}",
        on_change=pick,
        help="Each place with the number of this place's passages, then articles, that also"
        " name it (a story published by several outlets counts once)",
    )


NEAR_KM = 50


def nearby_places(store: Store, place: Place, query: Query, version: int) -> None:
    """The places of the selection around this one (not for countries and continents)."""
    if place.kind in mapview.NOT_DRAWN_KINDS:
        return
    near = nearby(store, place.key, query, version, NEAR_KM)
    if not near:
        return
    with st.expander(f"Nearby in the selection: {plural(len(near), 'place')} within {NEAR_KM} km"):
        for pc, km in near[:15]:
            label = (
                f"{render.md_escape(pc.place.name)} — {km:,.0f} km, "
                f"{plural(pc.mentions, 'mention')}"
            )
            if st.button(label, key=f"near_{pc.place.key}", type="tertiary"):
                select_place(pc.place)
                write_url(query, pc.place.key)
                st.rerun()
        if len(near) > 15:
            st.caption(f"… and {len(near) - 15:,} more")


def place_timeline_chart(timeline: list[tuple[date, int]]):
    """Mentions of the place per day: dates on the axis, no clipped titles."""
    import altair as alt

    data = [{"day": d.isoformat(), "mentions": n} for d, n in timeline]
    return (
        alt.Chart(alt.Data(values=data))
        .mark_bar(color="#1f77b4")
        .encode(
            x=alt.X(
                "day:T", title=None, axis=alt.Axis(format="%d %b %Y", labelAngle=0, tickCount=5)
            ),
            y=alt.Y("mentions:Q", title=None, axis=alt.Axis(tickCount=3)),
            tooltip=[alt.Tooltip("day:T", title="day", format="%d %b %Y"), "mentions:Q"],
        )
        .properties(
            height=110, title=alt.TitleParams("Mentions per day", fontSize=12, anchor="start")
        )
    )


def top_places(counts) -> None:
    """With no place selected: the most mentioned places of the selection, one click away."""
    st.info("Click a marker to read the passages that mention that place.")
    if counts:
        st.markdown("**Most mentioned in the selection**")
        for c in counts[:10]:
            label = f"{render.md_escape(c.place.name)} — {plural(c.mentions, 'mention')}"
            if st.button(label, key=f"top_{c.place.key}", type="tertiary"):
                select_place(c.place)
                st.rerun()
