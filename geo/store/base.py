"""The Store class: one interface over SQLite and PostgreSQL, put together from one mixin per
concept (writes, feeds, corrections, removal, queries) and a dialect subclass that owns the
connections, the schema steps and the SQL that differs.
"""

from __future__ import annotations

import logging
import sqlite3
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path

from geo import dedup
from geo.store.common import is_server_url
from geo.store.corrections import CorrectionsMixin
from geo.store.events import EventsMixin
from geo.store.feeds import FeedsMixin
from geo.store.focus import FocusMixin
from geo.store.groups import _join_group
from geo.store.queries import QueriesMixin
from geo.store.removal import RemovalMixin
from geo.store.review import ReviewMixin
from geo.store.together import TogetherMixin
from geo.store.writes import WritesMixin

log = logging.getLogger(__name__)


class Store(
    WritesMixin,
    FeedsMixin,
    CorrectionsMixin,
    RemovalMixin,
    EventsMixin,
    QueriesMixin,
    ReviewMixin,
    TogetherMixin,
    FocusMixin,
):
    """Articles, places and mentions in one database; hands out one connection per thread.

    `Store(path)` is a `geo.store.sqlite.SqliteStore` (one SQLite file) and
    `Store("postgresql://user@host/db")` a `geo.store.postgres.PostgresStore`: the same
    interface over PostgreSQL with PostGIS.

    Raises StoreError when the database is not ours, belongs to another application or was
    written by a newer Conflict Map; such a database is left untouched.
    """

    def __new__(cls, path: Path | str, **kwargs: float) -> Store:
        if cls is Store and is_server_url(path):
            from geo.store.postgres import PostgresStore

            return super().__new__(PostgresStore)
        if cls is Store:
            from geo.store.sqlite import SqliteStore

            return super().__new__(SqliteStore)
        return super().__new__(cls)

    # -- what each dialect provides (geo.store.sqlite, geo.store.postgres) -----------------
    def con(self) -> sqlite3.Connection:
        """This thread's connection."""
        raise NotImplementedError

    def transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        """Hold the write lock; commit on success, roll back on any exception."""
        raise NotImplementedError

    def close(self) -> None:
        """Close this thread's connection (the next call opens a new one)."""
        raise NotImplementedError

    def batch(self) -> AbstractContextManager[None]:
        """Group this thread's writes into fewer commits where the back end gains by it
        (SQLite); elsewhere each `transaction()` commits on its own."""
        return nullcontext()

    # -- shared ----------------------------------------------------------------------------
    def _check_signatures(self) -> None:
        """Recompute near-duplicate signatures and groups if they were made with other
        parameters (dedup.SIGNATURE_KIND): signatures of two kinds cannot be compared.
        """
        query = "SELECT value FROM meta WHERE key='minhash'"
        if self.con().execute(query).fetchone() == (dedup.SIGNATURE_KIND,):
            return
        with self.transaction() as con:
            if con.execute(query).fetchone() == (dedup.SIGNATURE_KIND,):
                return  # another process did it meanwhile
            log.info("recomputing near-duplicate signatures of %s", self.path)
            con.execute("UPDATE article SET dup_of=NULL")
            for aid, text in con.execute("SELECT id, text FROM article ORDER BY rowid").fetchall():
                _join_group(con, aid, dedup.signature(text))
            con.execute(
                "INSERT INTO meta VALUES ('minhash', ?) ON CONFLICT(key) DO UPDATE"
                " SET value=excluded.value",
                (dedup.SIGNATURE_KIND,),
            )
            self._bump(con)

    def analyze(self) -> None:
        """Refresh the query planner's statistics after a bulk load (PostgreSQL; SQLite's
        plans are fixed by the queries themselves, so nothing is done here).
        """

    def revision(self) -> int:
        """Bumped by every change; use it to invalidate cached query results."""
        row = self.con().execute("SELECT value FROM meta WHERE key='revision'").fetchone()
        return int(row[0])

    def _bump(self, con: sqlite3.Connection) -> None:
        con.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key='revision'")
