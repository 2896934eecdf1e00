"""The page's header (title, corpus line, one-article filter) and the corpus notices."""

from __future__ import annotations

import streamlit as st

from geo import render
from geo.pipeline import EVENT_LANGUAGES, GEOPARSED_LANGUAGES
from geo.store import Store
from ui.common import plural, show_article_places
from ui.corpus import poll_feeds


def header(store: Store, one: str | None) -> None:
    """Title, corpus counts and the one-article filter: a few short lines above the map."""
    st.title("Conflict Map")
    counts_all = store.counts()
    copies_note = (
        f" · {counts_all['near_duplicates']:,} republished copies counted once"
        if counts_all.get("near_duplicates")
        else ""
    )
    # One compact line above the map (each caption would take a line and its margins).
    corpus = (
        f"Whole corpus: {counts_all['articles']:,} articles naming "
        f"{counts_all['places']:,} places · {counts_all['undated']:,} undated{copies_note}"
    )
    languages = render.corpus_languages_text(
        store.languages(), GEOPARSED_LANGUAGES, EVENT_LANGUAGES
    )
    st.html(
        "<div class='cm-corpus' title='Places include demonyms. Sources are the parties&#39; own"
        " statements unless stated otherwise; every passage names its source. English articles"
        " are read by spaCy, Russian by natasha, Ukrainian through the gazetteer&#39;s Cyrillic"
        f" names and word forms. {render.esc(languages)}'>"
        f"<span>{render.esc(corpus)}</span><span class='cm-langs'> · "
        f"<span>{render.esc(languages)}</span></span>"
        "</div>"
    )
    if one:
        art = store.article(one)
        c1, c2 = st.columns([3, 2], vertical_alignment="center")
        c1.caption(
            "Showing the places of one article: " + render.md_escape(art.title if art else one, 90)
        )
        if c2.button("Show all articles", key="all_articles", width="stretch"):
            show_article_places(None)
            st.rerun()


def corpus_notices(store: Store) -> None:
    """The inputs that could not be read and the watched feeds (under the map)."""
    failures = store.failures()
    if failures:
        with st.expander(f"⚠️ {plural(len(failures), 'input')} could not be read", expanded=False):
            st.html(render.failures_html(failures))
            st.caption("An input leaves this list once it is read successfully, or removed.")
            if st.button("Clear this list", key="clear_failures"):
                store.clear_failures()
                st.rerun()
    feeds = store.feeds()
    if feeds:
        broken = sum(1 for f in feeds if f.last_error)
        label = f"{plural(len(feeds), 'watched feed')}" + (
            f", {broken} with errors" if broken else ""
        )
        with st.expander(label, expanded=bool(st.session_state.get("_poll_messages"))):
            st.html(render.feeds_html(feeds))
            for line in st.session_state.pop("_poll_messages", []):
                st.info(render.md_escape(line, 300))
            if st.button("Poll feeds now", help="Fetch every watched feed's new items"):
                poll_feeds(store, [f.url for f in feeds])
            st.caption(
                "Polled by `python -m geo watch`; new items show up when the page next updates."
            )
