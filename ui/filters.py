"""The sidebar's filters: dates, sources, kinds, countries, text, demonyms, doubt."""

from __future__ import annotations

import re
from datetime import date

import streamlit as st

from geo import gazetteer, render, textfilter
from geo.models import KINDS
from geo.store import Query, Store
from ui.common import parse_date, show_messages
from ui.corpus import add_uploads, add_url, just_added
from ui.events import event_filter
from ui.focus import focus_box
from ui.userplaces import user_places

_RANGE_SPLIT = re.compile(r"\s*(?:\.\.|–|—|\bto\b|\s-\s|,|\s)\s*")


def _typed_dates(bounds: tuple[date, date]) -> None:
    """The typed-dates box's callback: a valid day or range becomes the date range."""
    text = (st.session_state.get("typed_dates") or "").strip()
    if not text:
        return
    parts = [p for p in _RANGE_SPLIT.split(text) if p]
    days = [parse_date(p) for p in parts[:2]]
    if not days or any(d is None for d in days):
        st.session_state["_typed_problem"] = (
            f"“{text[:40]}” is not a date: write 2022-03-01, or 2022-03-01 to 2022-03-07"
        )
        return
    lo, hi = min(days), max(days)
    lo, hi = max(lo, bounds[0]), min(hi, bounds[1])
    if lo > hi:
        st.session_state["_typed_problem"] = (
            f"No articles then: the corpus runs from {bounds[0]} to {bounds[1]}"
        )
        return
    st.session_state["dates"] = (lo, hi)
    st.session_state["typed_dates"] = ""  # applied: the box is ready for the next range


def sidebar(store: Store, bounds: tuple[date, date] | None) -> Query:
    sb = st.sidebar
    sb.header("Filters")
    start = end = None
    if bounds:
        # Removing or adding articles moves the corpus' bounds: keep the range inside them.
        if pending := st.session_state.pop("_pending_dates", None):
            st.session_state["dates"] = pending
        # A range that was the whole corpus stays the whole corpus.
        held = st.session_state.get("dates")
        if isinstance(held, tuple | list) and held:
            if tuple(held) == st.session_state.get("_bounds"):
                held = bounds
            lo = min(max(held[0], bounds[0]), bounds[1])
            hi = max(min(held[-1], bounds[1]), lo)
            if (lo, hi) != tuple(held) or tuple(held) == bounds:
                st.session_state["dates"] = (lo, hi)
        st.session_state["_bounds"] = tuple(bounds)
        picked = sb.date_input(
            "Date range",
            min_value=bounds[0],
            max_value=bounds[1],
            key="dates",
            help="Only articles published in this range (the corpus' first and last dates).",
        )
        if isinstance(picked, tuple | list) and len(picked) == 2:
            start, end = picked
        elif isinstance(picked, tuple | list) and len(picked) == 1:
            start = end = picked[0]
        elif isinstance(picked, date):
            start = end = picked
    if bounds:
        sb.text_input(
            "…or type the dates and press Enter",
            key="typed_dates",
            placeholder="2022-03-01 to 2022-03-07",
            on_change=_typed_dates,
            args=(bounds,),
            help="A day (2022-03-01) or a range (2022-03-01 to 2022-03-07); applies on Enter.",
        )
        if problem := st.session_state.pop("_typed_problem", None):
            sb.error(render.md_escape(problem, 200))
    events_slot = sb.container()  # "What happened": filled last, it counts the selection
    include_undated = sb.checkbox("Include undated articles", key="undated")
    source_names = [s for s, _ in store.sources()]
    st.session_state["sources"] = [
        s for s in st.session_state.get("sources", []) if s in source_names
    ]
    sources = sb.multiselect("Sources", source_names, key="sources", placeholder="All sources")
    kinds = sb.multiselect(
        "Place kinds",
        list(KINDS),
        key="kinds",
        placeholder="All kinds",
        format_func=render.kind_name,
    )
    country_codes = store.countries()
    st.session_state["countries"] = [
        c for c in st.session_state.get("countries", []) if c in country_codes
    ]
    countries = sb.multiselect(
        "Countries",
        country_codes,
        key="countries",
        placeholder="All countries",
        format_func=lambda code: f"{gazetteer.country_names().get(code, code)} ({code})",
    )
    text = sb.text_input(
        "Text contains (filters articles)",
        key="text",
        placeholder="e.g. grain, shelling",
        help="Keeps the articles whose title or text contains any of these words or phrases "
        "(separate them with commas; any letter case); the map counts all their places, and "
        "the passages and the reader mark the words.",
    )
    terms = textfilter.parse(text)
    if terms.ignored:
        sb.warning(render.md_escape(terms.message(), 600))
    demonyms = sb.checkbox(
        "Count demonyms (“Russian forces” → Russia)",
        key="demonyms",
        help="Adjectives and demonyms are mapped to their country or region.",
    )
    hide_doubtful = sb.checkbox(
        "Hide doubtful readings",
        key="hide_doubtful",
        help="Leave out the mentions the geoparser is unsure of (hollow markers), unless a "
        "user confirmed or corrected them. The Review tab under the map lists them.",
    )
    sb.divider()
    sb.checkbox(
        "Online map tiles (OpenStreetMap)",
        key="online_tiles",
        value=False,
        help="Off by default: the offline base map needs no internet.",
    )
    mapping = sb.text_input(
        "Columns of CSV/JSON exports",
        key="columns",
        placeholder="e.g. text=body, published=date",
        help="Which column holds each field (id, title, published, url, source, text, "
        "language) in uploaded CSV, TSV, JSON and JSONL files. Empty: the usual names.",
    )
    uploads = sb.file_uploader(
        "Add articles",
        type=None,  # any file: one we cannot read gets its reason in plain words
        accept_multiple_files=True,
        help="Saved to data/articles/ and geoparsed at once: .txt .md .html .json .jsonl .csv .tsv "
        ".rss .atom, or .gz/.zip archives of them",
        key=f"upload_{st.session_state.get('_upload_round', 0)}",
    )
    show_messages(sb, "_upload_messages")
    if uploads:
        st.session_state["_upload_messages"] = add_uploads(store, uploads, mapping)
        st.session_state["_upload_round"] = st.session_state.get("_upload_round", 0) + 1
        st.rerun()
    just_added(store)
    user_places(store)
    focus_box(store)
    if sb.button("Rescan articles", help="Pick up new files in data/articles/"):
        st.session_state.pop("_ingested", None)
        st.rerun()
    with sb.form("add_url", clear_on_submit=True, border=False):
        typed = st.text_area(
            "Add web pages or feeds",
            placeholder="https://… (one address per line)",
            help="Downloads each page or feed (this goes online) and geoparses its articles.",
            height=80,
        )
        keep = st.checkbox(
            "Watch these feeds",
            help="Remember them: “Poll feeds now” (above the map) or `python -m geo watch` "
            "fetches their new items.",
        )
        if st.form_submit_button("Fetch and add") and typed.strip():
            for line in typed.splitlines()[:50]:
                if line.strip() and not line.strip().startswith("#"):
                    add_url(store, line.strip(), watch=keep)
    query = Query(
        start=start,
        end=end,
        include_undated=include_undated,
        sources=tuple(sources),
        kinds=tuple(kinds),
        countries=tuple(countries),
        text=terms.text,
        include_demonyms=demonyms,
        hide_doubtful=hide_doubtful,
    )
    with events_slot:
        return event_filter(store, query)
