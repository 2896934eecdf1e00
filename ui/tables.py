"""The selection as tables: places, articles, events, and the review list."""

from __future__ import annotations

import streamlit as st

from geo import gazetteer
from geo.store import Query, Store
from ui.common import plural, reveal, select_place
from ui.events import events_table
from ui.review import review_label, review_tab


@st.cache_data(show_spinner=False)
def article_page(_store: Store, query: Query, version: int, limit: int, offset: int):
    """(articles naming a place in the selection, one page of them): once per selection."""
    return _store.article_rows(query, limit, offset)


@st.cache_data(show_spinner=False)
def place_dates(_store: Store, query: Query, version: int):
    return _store.place_dates(query)


def tables(store: Store, counts, query: Query, version: int) -> None:
    """The selection as tables: places (select a row to select the place) and articles."""
    # The open tab is kept (a rerun when the user switches), and when the Review count in
    # its label changes (a confirmation, the gazetteer index ready) the Review tab stays open.
    review = review_label(store, query, version)
    if str(st.session_state.get("below_map", "")).startswith("Review"):
        st.session_state["below_map"] = review
    tab_places, tab_articles, tab_events, tab_review = st.tabs(
        ["Places table", "Articles table", "Events table", review],
        key="below_map",
        on_change="rerun",
    )
    with tab_events:
        events_table(store, query, version)
    with tab_review:
        review_tab(store, query, version)
    with tab_places:
        dates = place_dates(store, query, version)
        rows = {
            "place": [c.place.name for c in counts],
            "kind": [c.place.kind for c in counts],
            "country": [
                gazetteer.country_names().get(
                    c.place.country_code or "", c.place.country_code or ""
                )
                for c in counts
            ],
            "mentions": [c.mentions for c in counts],
            "articles": [c.articles for c in counts],
            "first seen": [dates.get(c.place.key, (None, None))[0] for c in counts],
            "last seen": [dates.get(c.place.key, (None, None))[1] for c in counts],
        }
        event = st.dataframe(
            rows, hide_index=True, width="stretch", height=320,
            key=f"places_table_{abs(hash((query, version))) % 10**9}",
            on_select="rerun", selection_mode="single-row",
        )  # fmt: skip
        picked = list(getattr(getattr(event, "selection", None), "rows", []) or [])
        if picked and picked[0] < len(counts):
            key = counts[picked[0]].place.key
            if key != st.session_state.get("_table_pick"):
                st.session_state["_table_pick"] = key
                select_place(counts[picked[0]].place)
                st.rerun()
        st.caption("Click a column to sort; select a row to open that place's passages.")
    with tab_articles:
        size = 50
        total, _ = article_page(store, query, version, 1, 0)
        pages = max(1, -(-total // size))
        page = st.number_input(
            f"Page (of {pages:,}; {plural(total, 'article')} name a place in the selection)",
            1, pages, 1, key="articles_page",
        )  # fmt: skip
        _, rows_ = article_page(store, query, version, size, (page - 1) * size)
        event = st.dataframe(
            {
                "title": [r[1] for r in rows_],
                "date": [r[2] for r in rows_],
                "source": [r[3] for r in rows_],
                "places": [r[4] for r in rows_],
            },
            hide_index=True, width="stretch", height=320,
            key=f"articles_table_{abs(hash((query, version, page))) % 10**9}",
            on_select="rerun", selection_mode="single-row",
        )  # fmt: skip
        picked = list(getattr(getattr(event, "selection", None), "rows", []) or [])
        if picked and picked[0] < len(rows_):
            aid = rows_[picked[0]][0]
            if aid != st.session_state.get("_article_pick"):
                st.session_state["_article_pick"] = aid
                st.session_state["reader"] = aid
                reveal()
                st.rerun()
        st.caption("Select a row to read the article with its places marked.")
