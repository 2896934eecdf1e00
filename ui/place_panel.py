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
    passage_files,
    place_passages,
    place_summary,
    plural,
    select_place,
    story_copies,
    write_url,
)
from ui.corrections import correct_dialog


def passage_panel(store: Store, key: str, query: Query, version: int) -> None:
    place = store.place(key)
    if place is None:
        st.info("Click a marker to read the passages that mention that place.")
        return
    rows = place_passages(store, key, query, version)
    total, n_articles, timeline = place_summary(store, key, query, version)
    head, close = st.columns([2, 1], vertical_alignment="center")
    with head:
        st.html(render.place_heading_html(place, total, n_articles))
    if close.button(
        "Close",
        key="deselect",
        type="tertiary",  # no frame: fits beside the name in a narrow panel
        icon=":material/close:",
        help="Back to the list of most mentioned places",
    ):
        st.session_state.pop("selected_place", None)
        st.session_state.pop("_last_click", None)
        st.rerun()
    if not rows:
        st.info("No passages in the current selection: widen the date range or filters.")
        return
    auto = next((r.reason for r in rows if r.reason and r.correction_id is None), "")
    if auto:
        st.caption(f"Why this place: {render.md_escape(auto)}")
    if len(timeline) > 1:
        st.altair_chart(place_timeline_chart(timeline), width="stretch")
    stem = f"conflict_map_{re.sub(r'[^A-Za-z0-9]+', '_', place.key)}"
    csv_text, geojson_text = passage_files(store, key, query, version)
    st.caption(
        "Download these passages" + (f" (the newest {len(rows):,})" if total > len(rows) else "")
    )
    c1, c2 = st.columns(2)
    c1.download_button(
        "CSV", csv_text, file_name=f"{stem}.csv", mime="text/csv", key="passages_csv",
        help="Download these passages as CSV",
    )  # fmt: skip
    c2.download_button(
        "GeoJSON", geojson_text, file_name=f"{stem}.geojson", mime="application/geo+json",
        key="passages_geojson", help="Download these passages as GeoJSON",
    )  # fmt: skip
    nearby_places(store, place, query, version)
    pages = max(1, -(-total // PAGE))
    page_key = f"page_{key}"
    page = min(st.session_state.get(page_key, 0), pages - 1)
    shown = rows[page * PAGE : (page + 1) * PAGE]
    if page * PAGE >= len(rows):  # past the newest 500: read this page from the store
        shown = store.passages(key, query, limit=PAGE, offset=page * PAGE)
    if pages > 1:
        prev, nxt = st.columns(2)
        if prev.button(
            "Newer",
            disabled=page == 0,
            key="newer",
            width="stretch",
            icon=":material/chevron_left:",
        ):
            st.session_state[page_key] = page - 1
            st.rerun()
        st.caption(
            f"Passages {page * PAGE + 1:,}–{min(total, (page + 1) * PAGE):,} of {total:,} "
            f"(page {page + 1:,} of {pages:,}), newest first"
        )
        if nxt.button(
            "Older",
            disabled=page >= pages - 1,
            key="older",
            width="stretch",
            icon=":material/chevron_right:",
        ):
            st.session_state[page_key] = page + 1
            st.rerun()
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
        box.html(card)
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
