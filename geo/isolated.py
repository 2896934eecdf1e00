"""Ingest in a process of its own, with a deadline: for servers that must stay responsive.

spaCy holds the GIL while it parses, so a parse in a server thread stalls every other
request. Here a fresh (spawned, not forked: the server's threads may hold locks) process opens
the store, loads the geoparser and ingests; the caller only waits on a pipe. Past the deadline
the process is killed: articles already stored stay (one transaction per article), the one in
flight is rolled back.
"""

from __future__ import annotations

import logging
import multiprocessing as mp
from collections.abc import Mapping
from pathlib import Path

from geo.errors import BudgetError, GeoError
from geo.pipeline import IngestReport

log = logging.getLogger(__name__)

DEADLINE_S = 300.0


def _child(conn, paths: list[str], db: str, columns: Mapping[str, str] | None) -> None:
    from geo.pipeline import Geoparser, ingest
    from geo.store import Store

    try:
        store = Store(db if "://" in db else Path(db))
        report = ingest(list(paths), store, Geoparser, workers=1, columns=columns)
        store.close()
        conn.send(("ok", report))
    except GeoError as err:
        conn.send(("error", str(err)))
    finally:
        conn.close()


def ingest_isolated(
    paths: list[Path | str],
    db: Path | str,
    columns: Mapping[str, str] | None = None,
    deadline_s: float = DEADLINE_S,
) -> IngestReport:
    """`geo.pipeline.ingest` of `paths` into the store at `db`, in a child process.

    Raises BudgetError when it takes longer than `deadline_s` seconds (what was stored by
    then stays), GeoError with the child's message when it failed.
    """
    ctx = mp.get_context("spawn")
    recv, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(
        target=_child, args=(send, [str(p) for p in paths], str(db), columns), daemon=True
    )
    proc.start()
    send.close()
    try:
        if not recv.poll(deadline_s):
            raise BudgetError(
                f"geoparsing took more than {deadline_s:.0f} s and was stopped; "
                "the articles stored by then are kept"
            )
        try:
            status, value = recv.recv()
        except EOFError:
            raise GeoError(
                f"geoparsing ended without a result (exit code {proc.exitcode})"
            ) from None
        if status == "error":
            raise GeoError(value)
        return value
    finally:
        recv.close()
        if proc.is_alive():
            proc.kill()
        proc.join(5)
