"""The article reader: one article with its places marked."""

from __future__ import annotations

import streamlit as st

from geo import corrections, render
from geo.models import Correction, Passage
from geo.store import Store
from ui.common import plural, select_place, show_article_places
from ui.corpus import remove_articles
from ui.corrections import (
    author,
    confirm_wide,
    correct_dialog,
    pick_place,
    save_correction,
    scope_choice,
)


def reader_panel(store: Store, aid: str, version: int) -> None:
    """One article, its places marked; add a missed place, show its places, remove it."""
    art = store.article(aid)
    top = st.columns([3, 1])
    if top[1].button("Close", key="reader_close", icon=":material/close:", width="stretch"):
        st.session_state.pop("reader", None)
        st.rerun()
    if art is None:
        st.info("This article is no longer in the database.")
        return
    mentions = store.mentions_of(aid)
    if top[0].button(
        "Show this article's places", key="reader_only", icon=":material/location_on:"
    ):
        show_article_places(aid)
        st.rerun()
    # Demonyms ("Russian forces") are marked only while the map counts them.
    if not st.session_state.get("demonyms"):
        mentions = [m for m in mentions if m.mention_type != "demonym"]
    st.html(
        render.article_html(
            art, mentions, st.session_state.get("selected_place"), st.session_state.get("text", "")
        )
    )
    placed = {m.place.key: m.place for m in mentions if m.place}
    place_links(aid, placed)
    unplaced = sorted({m.text for m in mentions if m.place is None})
    st.caption(
        f"{len(placed):,} places marked"
        + (
            f"; recognised but not placed: {render.md_escape(', '.join(unplaced), 300)}"
            if unplaced
            else ""
        )
    )
    placed_mentions = [m for m in mentions if m.place is not None]
    if placed_mentions:
        pick_col, go_col = st.columns([3, 1], vertical_alignment="bottom")
        choice = pick_col.selectbox(
            "Correct a place in this article",
            range(len(placed_mentions)),
            format_func=lambda i: (
                f"“{placed_mentions[i].text}” → {placed_mentions[i].place.name}"
                f" ({placed_mentions[i].place.country_code or placed_mentions[i].place.kind})"
                f" at character {placed_mentions[i].start:,}"
            ),
            key=f"reader_pick_{aid}_{version}",
        )
        if go_col.button("Correct…", key="reader_fix", icon=":material/edit:", width="stretch"):
            m = placed_mentions[choice]
            correct_dialog(store, Passage(art, m.start, m.end, m.mention_type, m.reason), m.place)
    with st.expander("Add a missed place"):
        words = st.text_input(
            "The words in the article (as written)", key="add_words", placeholder="e.g. Yahidne"
        ).strip()
        if words:
            hits = corrections.occurrences(art.text, words)
            if not hits:
                st.warning(
                    f"“{render.md_escape(words, 80)}” does not occur in this article as written."
                )
            else:
                st.caption(f"Found {plural(len(hits), 'time')} in this article.")
                chosen = pick_place("add", words, None)
                scope = scope_choice("add", words, art.source, mention=False)
                note = st.text_input("Your reason (optional)", key="add_note", max_chars=500)
                c = Correction(
                    "add", scope, words, chosen, aid, art.source, note=note, author=author()
                )
                sure = confirm_wide(store, c, "add")
                if st.button(
                    "Add this place",
                    type="primary",
                    key="add_save",
                    disabled=chosen is None or not sure,
                ):
                    save_correction(store, c, confirmed=sure)
    with st.expander("Remove this article"):
        st.caption("Removes it and its mentions from the map (nothing else); undo in the sidebar.")
        sure = st.checkbox("Yes, remove this article", key="reader_sure")
        if st.button("Remove", key="reader_remove", disabled=not sure, type="primary"):
            remove_articles(store, [aid], f"article “{art.title[:60]}”")


def place_links(aid: str, placed: dict) -> None:
    """The article's marked places as pills: a click opens that place's passages."""
    if not placed:
        return
    key = f"reader_places_{aid}"

    def pick() -> None:
        chosen = st.session_state.get(key)
        st.session_state[key] = None
        if chosen in placed:
            select_place(placed[chosen])

    st.pills(
        "Places in this article (click one for its passages)",
        list(placed),
        format_func=lambda k: render.md_escape(
            f"{placed[k].name}, {placed[k].country_code}"
            if placed[k].country_code and placed[k].kind != "country"
            else placed[k].name
        ),
        key=key,
        on_change=pick,
    )
