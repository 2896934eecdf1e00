"""The store in one SQLite file: `Store("path/to/file.db")`.

What is particular to SQLite: a connection per thread (WAL, foreign keys, a busy timeout),
writers queued on BEGIN IMMEDIATE with retries while the file is busy, the refusal of a file
that is not ours (read without writing), the schema steps (geo.store.sqlite_schema), and the
dialect's SQL: the trigram full-text index, plain lat/lon boxes and a haversine function.
"""

from __future__ import annotations

import logging
import random
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from geo.errors import StoreError
from geo.store.base import Store
from geo.store.common import APPLICATION_ID, BUSY_PATIENCE_S, BUSY_TIMEOUT_S
from geo.store.distance import box_around, haversine_km
from geo.store.sqlite_schema import SCHEMA_STEPS, index_new_texts, texts_to_index

log = logging.getLogger(__name__)

SQLITE_MAGIC = b"SQLite format 3\x00"
# Tables every Conflict Map database has had since schema 1; with user_version 1 or 2 they
# identify the files written before databases were marked with APPLICATION_ID.
CORE_TABLES = frozenset({"article", "place", "mention", "source_file", "failure", "meta"})
UNMARKED_VERSIONS = (1, 2)
SQLITE_BUSY = 5
PROBE_ATTEMPTS = 25  # x 0.2 s: how long a file being created elsewhere may look broken

T = TypeVar("T")


def _is_busy(err: sqlite3.OperationalError) -> bool:
    code = getattr(err, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF == SQLITE_BUSY
    return "locked" in str(err) or "busy" in str(err)


# Database files this process has opened as stores (resolved paths): never read raw again.
_OPENED: set[str] = set()
_OPENED_LOCK = threading.Lock()


class SqliteStore(Store):
    """One SQLite file; hands out one connection per thread (see Store)."""

    def __init__(
        self,
        path: Path | str,
        *,
        busy_timeout: float = BUSY_TIMEOUT_S,
        busy_patience: float = BUSY_PATIENCE_S,
    ) -> None:
        """`busy_timeout`: seconds SQLite waits for a lock per attempt; `busy_patience`: seconds
        a write waits for the lock in all, with retries, before StoreError.
        """
        self.path = Path(path)
        self.busy_timeout = busy_timeout
        self.busy_patience = busy_patience
        self._local = threading.local()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise StoreError(f"database {self.path} cannot be created: {err}") from err
        try:
            self._key = str(self.path.resolve())
        except OSError as err:
            raise StoreError(f"database {self.path} cannot be opened: {err}") from err
        self._probe()
        con = self._connect()
        try:
            self._inspect(con)  # before WAL mode is set: that is a write
            self._setup(con)
        except (StoreError, sqlite3.DatabaseError) as err:
            con.close()
            if isinstance(err, StoreError):
                raise
            raise StoreError(f"database {self.path} is unusable: {err}") from err
        self._local.con = con
        with _OPENED_LOCK:
            _OPENED.add(self._key)
        self._migrate()
        self._check_signatures()

    # -- connection and schema -------------------------------------------------------------
    def con(self) -> sqlite3.Connection:
        """This thread's connection (opened with WAL, foreign keys and a busy timeout)."""
        con = getattr(self._local, "con", None)
        if con is None:
            con = self._connect()
            try:
                self._setup(con)
            except sqlite3.DatabaseError as err:
                con.close()
                raise StoreError(f"database {self.path} is unusable: {err}") from err
            self._local.con = con
        return con

    def _setup(self, con: sqlite3.Connection) -> None:
        self._retry(lambda: con.execute("PRAGMA journal_mode=WAL").fetchone())
        # In WAL mode NORMAL keeps the file consistent on a crash; a power cut may lose only
        # the last committed articles, which the next ingest redoes.
        con.execute("PRAGMA synchronous=NORMAL")

    def _connect(self) -> sqlite3.Connection:
        """A connection with foreign keys and the busy timeout; writes nothing to the file."""
        try:
            con = sqlite3.connect(
                self.path,
                timeout=self.busy_timeout,
                isolation_level=None,
                check_same_thread=True,
            )
            con.create_function("distance_km", 4, haversine_km, deterministic=True)
            con.execute("PRAGMA foreign_keys=ON")
            con.execute(f"PRAGMA busy_timeout={int(self.busy_timeout * 1000)}")  # our float
        except sqlite3.DatabaseError as err:
            raise StoreError(f"database {self.path} is unusable: {err}") from err
        return con

    def _retry(self, op: Callable[[], T]) -> T:
        """Run `op`, retrying with growing pauses while the database is busy.

        Raises StoreError once `busy_patience` seconds have passed.
        """
        deadline = time.monotonic() + self.busy_patience
        pause = 0.02
        while True:
            try:
                return op()
            except sqlite3.OperationalError as err:
                if not _is_busy(err):
                    raise
                if time.monotonic() >= deadline:
                    raise StoreError(
                        f"database {self.path} stayed locked by another program for"
                        f" {self.busy_patience:.0f} s; try again when it is done"
                    ) from err
                log.info("database busy, retrying in %.2f s", pause)
                time.sleep(pause * random.uniform(0.5, 1.5))  # noqa: S311 (jitter, not crypto)
                pause = min(pause * 2, 1.0)

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """Hold the write lock (BEGIN IMMEDIATE); commit on success, roll back on any exception.

        Writers queue for the lock, so one transaction never loses another's work. Inside a
        `batch()` of this thread it is a savepoint: rolled back alone, committed with the batch.
        """
        con = self.con()
        if getattr(self._local, "batch", False):
            con.execute("SAVEPOINT part")
            try:
                yield con
            except BaseException:
                con.execute("ROLLBACK TO part")
                con.execute("RELEASE part")
                raise
            con.execute("RELEASE part")
            return
        self._retry(lambda: con.execute("BEGIN IMMEDIATE"))
        try:
            yield con
            self._retry(lambda: con.execute("COMMIT"))
        except BaseException:
            if con.in_transaction:
                con.execute("ROLLBACK")
            raise

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Group this thread's writes into one transaction (each `transaction()` inside is a
        savepoint): many small saves cost one commit. Hold it briefly: it keeps the write
        lock. An exception rolls back the whole batch.
        """
        if getattr(self._local, "batch", False):
            yield
            return
        with self.transaction():
            self._local.batch = True
            try:
                yield
            finally:
                self._local.batch = False

    def _probe(self) -> None:
        """Refuse a file that is not SQLite or belongs to another application, without writing.

        Skipped for a file this process has opened as a store before: closing any file
        descriptor of a database drops every POSIX lock this process holds on it, including
        those of SQLite connections open in other threads, and that corrupts the file
        (sqlite.org/howtocorrupt.html, 2.2). Such a file is still checked through SQLite.
        """
        import os
        import stat

        # Checked first and without opening the file: SQLite would create a -journal beside a
        # device (/dev/null-journal), -wal/-shm beside a file it cannot write, and blame a
        # folder it cannot write in on the file.
        try:
            mode = self.path.stat().st_mode
        except FileNotFoundError:
            mode = None
        except OSError as err:
            raise StoreError(f"database {self.path} cannot be read: {err}") from err
        if mode is not None and not stat.S_ISREG(mode):
            raise StoreError(
                f"{self.path} is not a database file (a folder, device or pipe); "
                "give the path of a file, e.g. data/conflict_map.sqlite"
            )
        if mode is not None and not os.access(self.path, os.R_OK):
            raise StoreError(f"database {self.path} cannot be read: permission denied")
        if mode is not None and not os.access(self.path, os.W_OK):
            raise StoreError(
                f"database {self.path} is read-only: Conflict Map writes to its database; "
                "make the file writable or use a copy (--db or CONFLICT_MAP_DB)"
            )
        folder = self.path.parent
        if not os.access(folder, os.W_OK | os.X_OK):
            what = "written" if mode is not None else "created"
            raise StoreError(
                f"database {self.path} cannot be {what}: its folder {folder} is not writable "
                "(SQLite keeps its -wal and -shm files beside the database)"
            )
        with _OPENED_LOCK:
            if self._key in _OPENED:
                return
        try:
            if not self.path.exists() or self.path.stat().st_size == 0:
                return  # a new database
            with self.path.open("rb") as fh:
                header = fh.read(100)
        except OSError as err:
            raise StoreError(f"database {self.path} cannot be read: {err}") from err
        if len(header) < 100 or not header.startswith(SQLITE_MAGIC):
            raise StoreError(f"{self.path} is not a Conflict Map database (not SQLite at all)")
        app_id = int.from_bytes(header[68:72], "big", signed=True)
        if app_id == APPLICATION_ID:
            return
        if app_id != 0:
            raise StoreError(self._foreign_message(f"its application id is {app_id:#x}"))
        # An unmarked file: look at its tables. immutable=1 reads without locks and without
        # creating -wal/-shm files beside someone else's database. A file with a -wal beside it
        # is open in a writer (perhaps another process laying out this very database): read it
        # through SQLite's locks then, and give a file caught mid-creation a moment to settle.
        for attempt in range(PROBE_ATTEMPTS):
            live = self.path.with_name(self.path.name + "-wal").exists()
            uri = self.path.resolve().as_uri() + ("?mode=ro" if live else "?immutable=1")
            try:
                ro = sqlite3.connect(uri, uri=True, timeout=5.0)
            except sqlite3.DatabaseError as err:
                raise StoreError(f"database {self.path} is unusable: {err}") from err
            try:
                self._inspect(ro)
                return
            except StoreError as err:
                if not isinstance(err.__cause__, sqlite3.DatabaseError):
                    raise
                if attempt == PROBE_ATTEMPTS - 1:
                    raise
                time.sleep(0.2)
            finally:
                ro.close()

    def _foreign_message(self, why: str) -> str:
        return (
            f"{self.path} belongs to another application ({why}); Conflict Map leaves it"
            " untouched: use another --db (or CONFLICT_MAP_DB)"
        )

    def _inspect(self, con: sqlite3.Connection) -> int:
        """The file's schema version; raises StoreError unless it is ours (or empty) and known."""
        own = not con.in_transaction  # the three reads must see one state of the file
        try:
            if own:
                con.execute("BEGIN")
            try:
                app_id = con.execute("PRAGMA application_id").fetchone()[0]
                version = con.execute("PRAGMA user_version").fetchone()[0]
                tables = {
                    r[0]
                    for r in con.execute(
                        "SELECT name FROM sqlite_master"
                        " WHERE type='table' AND name NOT LIKE 'sqlite_%'"
                    )
                }
            finally:
                if own:
                    con.execute("COMMIT")
        except sqlite3.DatabaseError as err:
            raise StoreError(f"{self.path} is not a Conflict Map database: {err}") from err
        newer = StoreError(
            f"database {self.path} was written by a newer version (schema {version}, "
            f"this code knows {len(SCHEMA_STEPS)}); upgrade Conflict Map or use another --db (or CONFLICT_MAP_DB)"
        )
        if app_id == APPLICATION_ID:
            if version > len(SCHEMA_STEPS):
                raise newer
            return version
        if app_id != 0:
            raise StoreError(self._foreign_message(f"its application id is {app_id:#x}"))
        if not tables and version == 0:
            return 0  # empty: ours to lay out
        if version in UNMARKED_VERSIONS and CORE_TABLES <= tables:
            return version  # written before files were marked
        if version > len(SCHEMA_STEPS) and (not tables or CORE_TABLES <= tables):
            raise newer
        shown = ", ".join(sorted(tables)[:5]) or "none"
        raise StoreError(self._foreign_message(f"tables: {shown}; user_version {version}"))

    def _migrate(self) -> None:
        """Run the schema steps this file lacks, each in its own transaction.

        Another process may be migrating the same file: each step takes the write lock and
        reads the version again inside it.
        """
        con = self.con()
        try:
            if self._inspect(con) == len(SCHEMA_STEPS):
                return
            while True:
                with self.transaction() as c:
                    current = self._inspect(c)
                    if current >= len(SCHEMA_STEPS):
                        return
                    step = SCHEMA_STEPS[current]
                    if callable(step):
                        step(c)
                    else:
                        for stmt in step.split(";"):
                            if stmt.strip():
                                c.execute(stmt)
                    c.execute(f"PRAGMA user_version = {current + 1}")  # an int we control
                log.info("database %s upgraded to schema %d", self.path, current + 1)
        except StoreError:
            self.close()
            raise

    def close(self) -> None:
        """Close this thread's connection (the next call opens a new one)."""
        con = getattr(self._local, "con", None)
        if con is not None:
            con.close()
            self._local.con = None

    def _index_new_texts(self) -> None:
        """Bring the text index up to date with the articles saved since it was last used
        (schema 12): a few index lookups when it is current.
        """
        con = self.con()
        if texts_to_index(con) is not None:  # checked again under the write lock
            if con.in_transaction:  # inside this thread's own write
                n = index_new_texts(con)
            else:
                with self.transaction() as c:
                    n = index_new_texts(c)
            log.info("text index: %d new articles indexed", n)

    # -- dialect ---------------------------------------------------------------------------
    def _text_clause(self, term: str) -> tuple[str, list]:
        """SQL that is true for the articles whose title or text contain `term`, in any case.

        The trigram index finds any piece of text of 3 characters or more; shorter terms are
        looked for in every article.
        """
        if len(term) >= 3:
            self._index_new_texts()
            phrase = '"' + term.replace('"', '""') + '"'
            return "a.seq IN (SELECT rowid FROM article_fts WHERE article_fts MATCH ?)", [phrase]
        return "(instr(lower(a.title), lower(?)) > 0 OR instr(lower(a.text), lower(?)) > 0)", [
            term,
            term,
        ]

    def _bbox_clause(
        self, south: float, west: float, north: float, east: float
    ) -> tuple[str, list]:
        """SQL that is true for the places p inside the box."""
        if west <= east:
            return "(p.lat BETWEEN ? AND ? AND p.lon BETWEEN ? AND ?)", [south, north, west, east]
        return "(p.lat BETWEEN ? AND ? AND (p.lon >= ? OR p.lon <= ?))", [south, north, west, east]

    def _near_clause(self, lat: float, lon: float, km: float) -> tuple[str, list]:
        """SQL that keeps the places p within `km` of (lat, lon) on a sphere: a box around
        the circle (which the lat/lon indexes could serve) and then the exact distance.
        """
        box, args = self._bbox_clause(*box_around(lat, lon, km))
        return f"({box} AND distance_km(?, ?, p.lat, p.lon) <= ?)", [*args, lat, lon, km]

    _NOT_A_COPY = "a.id NOT IN (SELECT id FROM copies)"
    # SQLite: CROSS JOIN keeps this loop order, from the few grouped articles to their mentions.
    _GROUPED_BASE = (
        "FROM grouped gr CROSS JOIN article a ON a.id = gr.id"
        " CROSS JOIN mention m ON m.article_id = a.id JOIN place p ON p.key = m.place_key"
    )
    # The Monday of an ISO date's week, as an ISO date.
    _MONDAY = (
        "date(published, '-' || ((CAST(strftime('%w', published) AS INTEGER) + 6) % 7) || ' days')"
    )
