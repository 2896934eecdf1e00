"""Geoparse in a process of its own, with a deadline: for servers that must stay responsive.

spaCy holds the GIL while it parses, so a parse in a server thread stalls every other
request, and the per-article budget (SIGALRM) only works in a main thread. Here a fresh
(spawned, not forked: the server's threads may hold locks) process opens the store, loads the
geoparser when something needs parsing, and ingests files, fetches pages or polls feeds in its
main thread; the caller only waits on a pipe. Past the deadline the process is killed: articles
already stored stay (one transaction per article), the one in flight is rolled back.
Addresses reach the child through the pipe, never its command line, so a password in one is
not visible in the process list.
"""

from __future__ import annotations

import logging
import multiprocessing as mp
import os
from collections.abc import Callable, Mapping
from pathlib import Path

from geo.errors import BudgetError, GeoError
from geo.pipeline import IngestReport
from geo.spawn import start_process
from geo.watch import PollResult

log = logging.getLogger(__name__)

DEADLINE_S = 300.0


def _open_store(db: str):
    from geo.store import Store

    return Store(db if "://" in db else Path(db))


def _feed_ingester(store):
    from geo.pipeline import Geoparser, ingest_articles

    def ingest_items(articles, origin):
        report = ingest_articles(articles, store, Geoparser, origin, workers=1)
        return report.added + report.updated, report.failed

    return ingest_items


def _ingest(send, store, paths: list[str], columns: Mapping[str, str] | None) -> IngestReport:
    from geo.pipeline import Geoparser, ingest

    return ingest(list(paths), store, Geoparser, workers=1, columns=columns)


def _add_feed(send, store, url: str, every_s: float) -> PollResult:
    from geo import watch
    from geo.fetch import fetch_url

    return watch.add_feed(url, store, _feed_ingester(store), fetch_url, every_s)


def _poll(send, store, urls: list[str]) -> None:
    from geo import watch
    from geo.fetch import fetch_url

    for url in urls:
        send(("item", watch.poll(url, store, _feed_ingester(store), fetch_url)))


_TASKS: dict[str, Callable] = {"ingest": _ingest, "add_feed": _add_feed, "poll": _poll}


def _child(conn, parent: int, task: str, db: str, args: tuple) -> None:
    from geo.workers import _die_with_parent

    # Spawned from a server thread: no parent-death signal, the pid watch ends this process
    # when the server is gone, even killed with SIGKILL.
    _die_with_parent(parent, by_main_thread=False)
    try:
        store = _open_store(db)
        try:
            value = _TASKS[task](conn.send, store, *args)
        finally:
            store.close()
        conn.send(("ok", value))
    except GeoError as err:
        conn.send(("error", str(err)))
    finally:
        conn.close()


def run_isolated(
    task: str,
    db: Path | str,
    args: tuple,
    deadline_s: float | None = None,
    on_item: Callable[[object], None] | None = None,
):
    """Run `task` ("ingest", "add_feed" or "poll") on the store at `db` in a child process.

    A task that reports items (a poll, one per feed) passes each to `on_item`, and each item
    starts a new `deadline_s` (None: DEADLINE_S seconds). Raises BudgetError past the deadline (what was stored by then
    stays), GeoError with the child's message when it failed.
    """
    deadline_s = DEADLINE_S if deadline_s is None else deadline_s
    recv, send = mp.get_context("spawn").Pipe(duplex=False)
    proc = start_process(_child, (send, os.getpid(), task, str(db), args), name=f"geo-{task}")
    send.close()
    try:
        while True:
            if not recv.poll(deadline_s):
                raise BudgetError(
                    f"took more than {deadline_s:g} s and was stopped; "
                    "the articles stored by then are kept"
                )
            try:
                status, value = recv.recv()
            except EOFError:
                raise GeoError(
                    f"geoparsing ended without a result (exit code {proc.exitcode})"
                ) from None
            if status == "item":
                if on_item:
                    on_item(value)
                continue
            if status == "error":
                raise GeoError(value)
            return value
    finally:
        recv.close()
        if proc.is_alive():
            proc.kill()
        proc.join(5)


def ingest_isolated(
    paths: list[Path | str],
    db: Path | str,
    columns: Mapping[str, str] | None = None,
    deadline_s: float | None = None,
) -> IngestReport:
    """`geo.pipeline.ingest` of `paths` (files or http(s) addresses) into the store at `db`,
    in a child process; raises as `run_isolated`.
    """
    return run_isolated("ingest", db, ([str(p) for p in paths], columns), deadline_s)


def add_feed_isolated(
    url: str, db: Path | str, every_s: float, deadline_s: float | None = None
) -> PollResult:
    """`geo.watch.add_feed` of `url` (fetched under the default address policy) in a child
    process; raises as `run_isolated`.
    """
    return run_isolated("add_feed", db, (url, every_s), deadline_s)


def poll_isolated(
    urls: list[str],
    db: Path | str,
    on_poll: Callable[[PollResult], None],
    deadline_s: float | None = None,
) -> None:
    """`geo.watch.poll` of each URL in a child process; `on_poll` gets each feed's result as
    it comes. Each feed has `deadline_s`; past it raises BudgetError and the remaining feeds
    are not polled.
    """
    run_isolated("poll", db, (list(urls),), deadline_s, on_item=on_poll)
