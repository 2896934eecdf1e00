"""Adding and removing articles: the startup ingest, uploads, web pages, feeds."""

from __future__ import annotations

import time

import streamlit as st

from geo import gazetteer, render
from geo.articles import parse_columns, save_upload
from geo.errors import GeoError
from geo.fetch import without_credentials
from geo.gazetteer_build import ensure_index
from geo.isolated import add_feed_isolated, ingest_isolated, poll_isolated
from geo.pipeline import (
    SAMPLE_DIR,
    Geoparser,
    db_path,
    ingest,
    load_precomputed,
    user_dir,
)
from geo.render import is_web_address
from geo.store import Store
from geo.watch import PollResult
from ui.common import APP_WORKERS, FEED_INTERVAL_S, get_geoparser, show_article_places

PROGRESS_EVERY_S = 0.25  # the bar is redrawn at most this often (each redraw is a message)


def run_ingest(store: Store) -> None:
    """Bring the database up to date with data/sample and data/articles, with a progress bar.

    The bar names the phase and shows counts that move: importing the sample's shipped
    results (of how many), geoparsing new articles (of how many), or checking stored ones
    (how many so far: their number is not known before the folders are read).
    """
    bar = st.progress(0.0, text="Checking which article files changed…")
    precomputed = load_precomputed()
    # On the first start the sample's shipped results are the bulk of the work: their
    # number is what the bar counts towards.
    expected = len(precomputed) if not store.counts()["articles"] else 0
    shown = [0.0]

    def on_progress(done: int, total: int) -> None:
        now = time.monotonic()
        if now - shown[0] < PROGRESS_EVERY_S and done < total:
            return
        shown[0] = now
        if done < total:
            bar.progress(done / total, text=f"Geoparsing new articles: {done:,} of {total:,}")
        elif expected > done:
            bar.progress(
                done / expected,
                text=f"Importing the sample's precomputed places: {done:,} of {expected:,} articles",
            )
        else:
            bar.progress(0.0, text=f"Checking stored articles: {done:,} so far")

    def geoparser_factory() -> Geoparser:
        if not gazetteer.index_ready():
            bar.progress(0.0, text="Building the gazetteer index (once, about 10 s)…")
            ensure_index(
                on_progress=lambda d, t: bar.progress(d / t, text="Building the gazetteer index…")
            )
        bar.progress(0.0, text="Loading the geoparser (spaCy model and gazetteer)…")
        return get_geoparser()

    try:
        report = ingest(
            [SAMPLE_DIR, user_dir()],
            store,
            geoparser_factory,
            on_progress=on_progress,
            precomputed=precomputed,
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
    shown = without_credentials(url)  # a password in the address is used, never shown
    if not is_web_address(url):
        st.sidebar.error(
            f"“{render.md_escape(shown, 80)}”: only web addresses (http:// or https://) can be "
            "added here. To add a file, use “Add articles” above."
        )
        return
    # Fetched and geoparsed in a process of their own, with a deadline: a slow or hostile page
    # never stalls other pages, and each article's budget applies there.
    if watch:
        # The first poll: fetches, ingests, and remembers the items seen and how it went;
        # an address that may never be fetched is not kept.
        with st.spinner(f"Fetching {render.md_escape(shown, 120)}…"):
            try:
                res = add_feed_isolated(url, db_path(), FEED_INTERVAL_S)
            except GeoError as err:
                st.sidebar.error(f"{render.md_escape(shown, 80)}: {render.md_escape(err)}")
                return
        for f in res.failed:
            st.sidebar.error(render.md_escape(f"{f.source}: {f.detail}"))
        if res.error:
            st.sidebar.error(render.md_escape(res.line()))
        else:
            st.sidebar.success(render.md_escape(f"Watching {res.line()}", 300))
            remember_added(store, shown)
        return
    with st.spinner(f"Fetching {render.md_escape(shown, 120)}…"):
        try:
            report = ingest_isolated([url], db_path())
        except GeoError as err:
            report = None
            st.sidebar.error(f"{render.md_escape(shown, 80)}: {render.md_escape(err)}")
    if report is None:
        return
    for f in report.failed:
        st.sidebar.error(render.md_escape(f"{f.source}: {f.detail}"))
    # Shown here, next to the box; a mistyped address is not an input to list above the map.
    store.record_failures([], [shown])
    if report.added or report.updated or report.skipped:
        remember_added(store, shown)
    if report.added or report.updated:
        st.sidebar.success(
            f"{render.md_escape(shown, 80)}: {render.md_escape(report.summary(), 300)}"
        )
    elif report.skipped:
        st.sidebar.info(f"{render.md_escape(shown, 80)}: already in the database.")


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
    sb.caption(f"Just added: {len(ids):,} article{'' if len(ids) == 1 else 's'}")
    for aid in ids[:5]:
        art = store.article(aid)
        if sb.button(
            f"Show this article's places: {render.md_escape(art.title, 60)}",
            key=f"show_{aid}",
            type="tertiary",
            icon=":material/location_on:",
        ):
            show_article_places(aid, read=True)
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
                # A process of its own, with a deadline: a slow file never stalls other pages.
                report = ingest_isolated([path], db_path(), columns=columns)
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
        elif report.files_unchanged:
            # save_upload gave back the very file stored before: by this upload in a run of
            # the page that a rerun cut short (a multi-file upload reruns the page as the
            # files arrive), or by an earlier upload. It is the stored article's file: keep it.
            messages.append(("success", f"{up.name}: already stored, unchanged"))
            remember_added(store, str(path.resolve()))
        elif report.duplicates:
            messages.append(("success", f"{up.name}: a copy of a stored article; not kept"))
            path.unlink(missing_ok=True)
        else:
            messages.append(("error", f"{up.name}: nothing could be read from it; not kept"))
            path.unlink(missing_ok=True)  # nothing readable in it: don't keep it
            store.record_failures([], [str(path.resolve())])
    return messages


def poll_feeds(store: Store, urls: list[str]) -> None:
    """Fetch each watched feed once and ingest its unseen items, with a progress bar.

    In a process of their own (see `add_url`), each feed with a deadline.
    """
    bar = st.progress(0.0, text="Polling feeds…")
    lines: list[str] = []

    def on_poll(res: PollResult) -> None:
        lines.append(res.line())
        bar.progress(len(lines) / len(urls), text=f"Polled {len(lines)} of {len(urls)} feeds")

    try:
        poll_isolated(urls, db_path(), on_poll)
    except GeoError as err:
        stopped = without_credentials(urls[len(lines)]) if len(lines) < len(urls) else ""
        lines.append(f"{stopped}: {err}" if stopped else str(err))
        if len(lines) < len(urls):
            lines.append(f"{len(urls) - len(lines):,} more feed(s) not polled")
    bar.empty()
    st.session_state["_poll_messages"] = lines
    st.rerun()  # the counts, the map and the feeds table show what the poll added


def remove_articles(store: Store, ids: list[str], what: str) -> None:
    batch = store.remove(ids)
    if batch:
        st.session_state.setdefault("_removals", []).append((batch, f"{len(ids):,} from {what}"))
        st.session_state["_toast"] = (
            f"Removed {len(ids):,} article{'' if len(ids) == 1 else 's'}: {what}"
        )
    if st.session_state.get("reader") in ids:
        st.session_state.pop("reader", None)
    if st.session_state.get("article_filter") in ids:
        st.session_state.pop("article_filter", None)
    st.rerun()


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
