"""SQLite storage of articles, places and mentions (with character offsets).

Save policy: an article is identified by its id. The same id saved again updates that article
in place; the same text under another id is stored once (the other id becomes an alias of the
stored article); records with distinct ids are distinct articles whatever their URL. Near
duplicates (wire copies: estimated Jaccard of word 3-shingles >= geo.dedup.NEAR_DUP_THRESHOLD)
are stored as articles of their own and join the earlier article's group (`dup_of` names the
group's first article, NULL for that first article itself).

Counting rule for near-duplicates: within a selection, each group of copies is one piece of
evidence. For every place, a group contributes the mentions of one representative member: the
selected member that mentions the place most often (ties: the one stored first). So a place's
`articles` is the number of groups that mention it and its `mentions` the sum of those
representatives' mentions; passages, the timeline and count_passages show the same
representatives, and also_published names the other members.
"""

from __future__ import annotations

import json
import logging
import math
import random
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TypeVar

from geo import corrections, dedup
from geo.articles import text_id
from geo.errors import StoreError
from geo.models import Article, Correction, Failure, Mention, Passage, Place, PlaceCount

log = logging.getLogger(__name__)

# PRAGMA application_id of every Conflict Map database ("CMAP"): a file carrying another id
# belongs to another application and is never written to.
APPLICATION_ID = 0x434D4150
SQLITE_MAGIC = b"SQLite format 3\x00"
# Tables every Conflict Map database has had since schema 1; with user_version 1 or 2 they
# identify the files written before databases were marked with APPLICATION_ID.
CORE_TABLES = frozenset({"article", "place", "mention", "source_file", "failure", "meta"})
UNMARKED_VERSIONS = (1, 2)
SQLITE_BUSY = 5
BUSY_TIMEOUT_S = 5.0  # SQLite's own wait for a lock, per attempt
BUSY_PATIENCE_S = 60.0  # total wait for the write lock before giving up with StoreError
PROBE_ATTEMPTS = 25  # x 0.2 s: how long a file being created elsewhere may look broken
SERVER_SCHEMES = ("postgresql", "postgres", "postgresql+psycopg")
REPARSE = "re-parse"  # the origin the pipeline gives a stale article it parses again
ARTICLE_COLUMNS = "id, url, title, published, source, language, text"

T = TypeVar("T")
Step = str | Callable[[sqlite3.Connection], None]


def _fill_canonical_urls(con: sqlite3.Connection) -> None:
    """Schema 4: canonical URLs of the stored articles; every file is read again."""
    con.execute("ALTER TABLE article ADD COLUMN canonical_url TEXT")
    con.execute("CREATE INDEX article_canonical_url ON article(canonical_url)")
    con.execute(
        """CREATE TABLE article_alias(
            id TEXT PRIMARY KEY,
            article_id TEXT NOT NULL REFERENCES article(id) ON DELETE CASCADE,
            url TEXT, canonical_url TEXT, title TEXT NOT NULL, published TEXT,
            source TEXT NOT NULL, origin TEXT NOT NULL, added_at TEXT NOT NULL)"""
    )
    con.execute("CREATE INDEX article_alias_article ON article_alias(article_id)")
    rows = con.execute("SELECT id, url FROM article WHERE url IS NOT NULL").fetchall()
    con.executemany(
        "UPDATE article SET canonical_url=? WHERE id=?",
        [(dedup.canonical_url(url), aid) for aid, url in rows],
    )
    # Earlier versions matched articles by URL and overwrote records that shared one. Forget
    # which files were done, so the next ingest reads them all again (only articles whose
    # stored text differs are parsed) and brings back the texts that were overwritten.
    con.execute("DELETE FROM source_file")


def _group_near_duplicates(con: sqlite3.Connection) -> None:
    """Schema 5: MinHash signatures, LSH bands and near-duplicate groups of stored articles."""
    con.execute("ALTER TABLE article ADD COLUMN dup_of TEXT REFERENCES article(id)")
    con.execute("ALTER TABLE article ADD COLUMN minhash BLOB")
    con.execute("CREATE INDEX article_dup_of ON article(dup_of) WHERE dup_of IS NOT NULL")
    con.execute(
        """CREATE TABLE article_band(
            key INTEGER NOT NULL,
            article_id TEXT NOT NULL REFERENCES article(id) ON DELETE CASCADE,
            PRIMARY KEY(key, article_id)) WITHOUT ROWID"""
    )
    con.execute("CREATE INDEX article_band_article ON article_band(article_id)")
    # A group's members' mentions of one place are looked up by (article, place).
    con.execute("DROP INDEX mention_article")
    con.execute("CREATE INDEX mention_article ON mention(article_id, place_key)")
    con.execute("INSERT INTO meta VALUES ('minhash', ?)", (dedup.SIGNATURE_KIND,))
    for aid, text in con.execute("SELECT id, text FROM article ORDER BY rowid").fetchall():
        _join_group(con, aid, dedup.signature(text))


def _rekey_fetched_pages(con: sqlite3.Connection) -> None:
    """Schema 7: pages fetched by URL take the id of their canonical URL (dedup.url_id).

    Their id used to hash the URL as typed; now a re-fetch under another spelling of the same
    URL updates the stored article. A page whose new id is taken keeps its old one.
    """
    con.execute("PRAGMA defer_foreign_keys = ON")  # references are renamed below, same commit
    rows = con.execute("SELECT id, url FROM article WHERE url IS NOT NULL").fetchall()
    for old, url in rows:
        if old != text_id(url):
            continue  # not a fetched page: its id came with the record
        new = dedup.url_id(url)
        if new == old or con.execute("SELECT 1 FROM article WHERE id=?", (new,)).fetchone():
            continue
        con.execute("UPDATE article SET id=? WHERE id=?", (new, old))
        con.execute("UPDATE article SET dup_of=? WHERE dup_of=?", (new, old))
        for table, column in (
            ("mention", "article_id"),
            ("article_band", "article_id"),
            ("article_alias", "article_id"),
        ):
            con.execute(f"UPDATE {table} SET {column}=? WHERE {column}=?", (new, old))


def _index_words(con: sqlite3.Connection) -> None:
    """Schema 9: a trigram full-text index of titles and texts under the text filter.

    It is keyed by `article.seq`, a number that stays with its article (rowids of a table
    without an INTEGER PRIMARY KEY may change in a VACUUM); triggers keep it current.
    """
    for stmt in (
        "ALTER TABLE article ADD COLUMN seq INTEGER",
        "UPDATE article SET seq = rowid",
        "CREATE UNIQUE INDEX article_seq ON article(seq)",
        "CREATE VIRTUAL TABLE article_fts USING fts5(title, text, content='article',"
        " content_rowid='seq', tokenize='trigram')",
        "INSERT INTO article_fts(article_fts) VALUES ('rebuild')",
        """CREATE TRIGGER article_fts_insert AFTER INSERT ON article BEGIN
            UPDATE article SET seq = (SELECT COALESCE(MAX(seq), 0) + 1 FROM article)
                WHERE rowid = new.rowid;
            INSERT INTO article_fts(rowid, title, text)
                VALUES ((SELECT seq FROM article WHERE rowid = new.rowid), new.title, new.text);
        END""",
        """CREATE TRIGGER article_fts_update AFTER UPDATE OF title, text ON article BEGIN
            INSERT INTO article_fts(article_fts, rowid, title, text)
                VALUES ('delete', old.seq, old.title, old.text);
            INSERT INTO article_fts(rowid, title, text) VALUES (new.seq, new.title, new.text);
        END""",
        """CREATE TRIGGER article_fts_delete AFTER DELETE ON article BEGIN
            INSERT INTO article_fts(article_fts, rowid, title, text)
                VALUES ('delete', old.seq, old.title, old.text);
        END""",
    ):
        con.execute(stmt)


SCHEMA_STEPS: list[Step] = [
    # 1: the initial layout
    f"""
    PRAGMA application_id = {APPLICATION_ID};
    CREATE TABLE article(
        id TEXT PRIMARY KEY, url TEXT, title TEXT NOT NULL, published TEXT, source TEXT NOT NULL,
        language TEXT NOT NULL, text TEXT NOT NULL, text_hash TEXT NOT NULL,
        geoparser TEXT NOT NULL, origin TEXT NOT NULL, added_at TEXT NOT NULL);
    CREATE INDEX article_url ON article(url);
    CREATE UNIQUE INDEX article_text_hash ON article(text_hash);
    CREATE INDEX article_published ON article(published);
    CREATE TABLE place(
        key TEXT PRIMARY KEY, geonameid INTEGER, name TEXT NOT NULL, kind TEXT NOT NULL,
        lat REAL NOT NULL, lon REAL NOT NULL, country TEXT);
    CREATE TABLE mention(
        id INTEGER PRIMARY KEY, article_id TEXT NOT NULL REFERENCES article(id) ON DELETE CASCADE,
        start INTEGER NOT NULL, "end" INTEGER NOT NULL, text TEXT NOT NULL,
        mention_type TEXT NOT NULL, place_key TEXT REFERENCES place(key), reason TEXT NOT NULL);
    CREATE INDEX mention_article ON mention(article_id);
    CREATE INDEX mention_place ON mention(place_key);
    CREATE TABLE source_file(
        path TEXT PRIMARY KEY, sha TEXT NOT NULL, geoparser TEXT NOT NULL, done_at TEXT NOT NULL);
    CREATE TABLE failure(
        id INTEGER PRIMARY KEY, source TEXT NOT NULL, reason TEXT NOT NULL, at TEXT NOT NULL);
    CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
    INSERT INTO meta VALUES ('revision', '0');
    """,
    # 2: failures remember their file or URL, so one ingest only replaces its own
    """
    ALTER TABLE failure ADD COLUMN origin TEXT NOT NULL DEFAULT '';
    CREATE INDEX failure_origin ON failure(origin);
    """,
    # 3: mark files written before step 1 set the application id
    f"PRAGMA application_id = {APPLICATION_ID}",
    # 4: articles keep their own ids; exact copies under other ids are aliases
    _fill_canonical_urls,
    # 5: near-duplicate groups
    _group_near_duplicates,
    # 6: watched feeds and the items already seen in each
    """
    CREATE TABLE feed(
        url TEXT PRIMARY KEY, every_s REAL NOT NULL CHECK(every_s >= 0), last_poll TEXT,
        added INTEGER NOT NULL DEFAULT 0, last_error TEXT, etag TEXT, last_modified TEXT);
    CREATE TABLE feed_seen(
        feed_url TEXT NOT NULL, key TEXT NOT NULL, seen_at TEXT NOT NULL,
        PRIMARY KEY(feed_url, key)) WITHOUT ROWID;
    """,
    # 7: fetched pages are identified by their canonical URL
    _rekey_fetched_pages,
    # 8: users' corrections over the geoparser's choices (geo.corrections); removed articles
    """
    ALTER TABLE mention ADD COLUMN auto_place_key TEXT;
    ALTER TABLE mention ADD COLUMN correction INTEGER;
    ALTER TABLE mention ADD COLUMN added INTEGER NOT NULL DEFAULT 0;
    UPDATE mention SET auto_place_key = place_key;
    CREATE INDEX mention_text ON mention(text COLLATE NOCASE);
    CREATE INDEX mention_correction ON mention(correction) WHERE correction IS NOT NULL;
    CREATE TABLE correction(
        id INTEGER PRIMARY KEY, uid TEXT NOT NULL UNIQUE,
        action TEXT NOT NULL CHECK(action IN ('place', 'not_place', 'add')),
        scope TEXT NOT NULL CHECK(scope IN ('mention', 'article', 'source', 'everywhere')),
        name TEXT NOT NULL, article_id TEXT, source TEXT, start INTEGER, "end" INTEGER,
        place_key TEXT, geonameid INTEGER, place_name TEXT, kind TEXT, lat REAL, lon REAL,
        country TEXT, old_place TEXT, note TEXT NOT NULL DEFAULT '',
        author TEXT NOT NULL DEFAULT '', created_at TEXT NOT NULL, undone_at TEXT,
        orphaned INTEGER NOT NULL DEFAULT 0);
    CREATE INDEX correction_article ON correction(article_id);
    CREATE TABLE removed(
        article_id TEXT PRIMARY KEY, batch INTEGER NOT NULL, origin TEXT NOT NULL,
        source TEXT NOT NULL, title TEXT NOT NULL, data TEXT NOT NULL, removed_at TEXT NOT NULL);
    CREATE INDEX removed_batch ON removed(batch);
    """,
    # 9: a full-text index under the text filter
    _index_words,
]


@dataclass(frozen=True, slots=True)
class Query:
    """What the user selected. None dates mean unbounded."""

    start: date | None = None
    end: date | None = None
    include_undated: bool = True
    sources: tuple[str, ...] = ()  # empty: all
    kinds: tuple[str, ...] = ()  # empty: all
    countries: tuple[str, ...] = ()  # ISO2 of the place; empty: all
    text: str = ""  # comma-separated substrings of title or text (any), case-insensitive
    include_demonyms: bool = False
    article_ids: tuple[str, ...] = ()  # empty: all; else only these articles
    # (south, west, north, east) in degrees: only places inside; west > east crosses ±180°
    bbox: tuple[float, float, float, float] | None = None
    near: tuple[float, float, float] | None = None  # (lat, lon, km): places within km of it


@dataclass(frozen=True, slots=True)
class SaveResult:
    """What `Store.save` did with one article.

    status: "added" (a new article), "updated" (an article with this id was re-parsed or got
    a new text), "skipped" (stored exactly so already), "duplicate" (this text is stored
    under another id: `article_id`) or "removed" (the user removed this article: not stored).
    """

    status: str
    article_id: str  # the stored article that holds this text
    replaced: str | None = None  # the id whose earlier stored version this save replaced
    text_changed: bool = False  # that earlier version had another text, which is now gone
    near_duplicate_of: str | None = None  # the first article of the group this one is in


@dataclass(frozen=True, slots=True)
class FeedState:
    """A watched feed: how often to poll it and how the last poll went."""

    url: str
    every_s: float
    last_poll: datetime | None  # UTC; None: never polled
    added: int  # articles added from this feed over all polls
    last_error: str | None  # None: the last poll went fine
    etag: str | None
    last_modified: str | None

    def due(self, now: datetime | None = None) -> bool:
        """True when the feed has never been polled or its interval has passed."""
        if self.last_poll is None:
            return True
        return (now or datetime.now(UTC)) >= self.last_poll + timedelta(seconds=self.every_s)


def _article_values(article: Article, canon: str | None, text_hash: str) -> tuple:
    """url, canonical_url, title, published, source, language, text, text_hash: as stored."""
    return (
        article.url,
        canon,
        article.title,
        article.published.isoformat() if article.published else None,
        article.source,
        article.language,
        article.text,
        text_hash,
    )


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _is_busy(err: sqlite3.OperationalError) -> bool:
    code = getattr(err, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF == SQLITE_BUSY
    return "locked" in str(err) or "busy" in str(err)


def _join_group(con: sqlite3.Connection, aid: str, sig: bytes | None) -> str | None:
    """Store an article's signature and bands and put it into the group of its closest earlier
    near-duplicate; returns that group's first article, or None.
    """
    con.execute("DELETE FROM article_band WHERE article_id=?", (aid,))
    head = None
    if sig is not None:
        keys = dedup.band_keys(sig)
        rows = con.execute(
            "SELECT DISTINCT a.id, a.minhash, a.dup_of, a.rowid FROM article_band b"
            " JOIN article a ON a.id = b.article_id"
            f" WHERE b.key IN ({','.join('?' * len(keys))}) AND b.article_id != ?",
            [*keys, aid],
        ).fetchall()
        best: tuple[float, int] | None = None
        for cid, csig, cdup, rowid in rows:
            score = dedup.similarity(sig, csig)
            if score >= dedup.NEAR_DUP_THRESHOLD and (best is None or (-score, rowid) < best):
                best = (-score, rowid)
                head = cdup or cid
        con.executemany("INSERT INTO article_band VALUES (?,?)", [(k, aid) for k in keys])
    con.execute("UPDATE article SET minhash=?, dup_of=? WHERE id=?", (sig, head, aid))
    return head


def _leave_group(con: sqlite3.Connection, aid: str) -> None:
    """Take an article out of its group; if it was the group's first, the next one leads."""
    members = [
        r[0] for r in con.execute("SELECT id FROM article WHERE dup_of=? ORDER BY rowid", (aid,))
    ]
    if members:
        con.execute("UPDATE article SET dup_of=NULL WHERE id=?", (members[0],))
        con.execute("UPDATE article SET dup_of=? WHERE dup_of=?", (members[0], aid))
    con.execute("UPDATE article SET dup_of=NULL WHERE id=?", (aid,))


def _drop_article(con: sqlite3.Connection, aid: str) -> None:
    """Delete an article with its mentions, copies and near-duplicate group membership."""
    con.execute("DELETE FROM article_alias WHERE article_id = ?", (aid,))
    _leave_group(con, aid)
    con.execute("DELETE FROM article_band WHERE article_id = ?", (aid,))
    con.execute("DELETE FROM mention WHERE article_id = ?", (aid,))
    con.execute("DELETE FROM article WHERE id = ?", (aid,))


def _drop_aliases(con: sqlite3.Connection, aid: str) -> None:
    """Forget the exact copies of an article whose text is about to go, and mark their inputs
    unread so that the next ingest stores those texts on their own.
    """
    con.execute(
        "DELETE FROM source_file WHERE path IN"
        " (SELECT origin FROM article_alias WHERE article_id=?)",
        (aid,),
    )
    con.execute("DELETE FROM article_alias WHERE article_id=?", (aid,))


# Database files this process has opened as stores (resolved paths): never read raw again.
_OPENED: set[str] = set()
_OPENED_LOCK = threading.Lock()


def is_server_url(value: object) -> bool:
    """True for a PostgreSQL URL (postgresql://user@host/db); anything else is a SQLite path."""
    return isinstance(value, str) and value.split("://", 1)[0] in SERVER_SCHEMES


class Store:
    """One SQLite file; hands out one connection per thread.

    `Store("postgresql://user@host/db")` is a `geo.pgstore.PostgresStore` instead: the same
    interface over PostgreSQL with PostGIS.

    Raises StoreError when the file is not SQLite, belongs to another application or was
    written by a newer Conflict Map; such a file is left untouched.
    """

    def __new__(cls, path: Path | str, **kwargs: float) -> Store:
        if cls is Store and is_server_url(path):
            from geo.pgstore import PostgresStore

            return super().__new__(PostgresStore)
        return super().__new__(cls)

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

        Writers queue for the lock, so one transaction never loses another's work.
        """
        con = self.con()
        self._retry(lambda: con.execute("BEGIN IMMEDIATE"))
        try:
            yield con
            self._retry(lambda: con.execute("COMMIT"))
        except BaseException:
            if con.in_transaction:
                con.execute("ROLLBACK")
            raise

    def _probe(self) -> None:
        """Refuse a file that is not SQLite or belongs to another application, without writing.

        Skipped for a file this process has opened as a store before: closing any file
        descriptor of a database drops every POSIX lock this process holds on it, including
        those of SQLite connections open in other threads, and that corrupts the file
        (sqlite.org/howtocorrupt.html, 2.2). Such a file is still checked through SQLite.
        """
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

    def close(self) -> None:
        """Close this thread's connection (the next call opens a new one)."""
        con = getattr(self._local, "con", None)
        if con is not None:
            con.close()
            self._local.con = None

    # -- writing ---------------------------------------------------------------------------
    def revision(self) -> int:
        """Bumped by every change; use it to invalidate cached query results."""
        row = self.con().execute("SELECT value FROM meta WHERE key='revision'").fetchone()
        return int(row[0])

    def _bump(self, con: sqlite3.Connection) -> None:
        con.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key='revision'")

    def is_current(self, article: Article, geoparser: str) -> bool:
        """True when saving this article would change nothing.

        That is: its id holds this very text parsed by `geoparser`, or its id is recorded as an
        exact copy of a stored article that still has this text.
        """
        con = self.con()
        if con.execute("SELECT 1 FROM removed WHERE article_id=?", (article.id,)).fetchone():
            return True  # removed by the user: not stored again
        th = text_id(article.text)
        row = con.execute(
            "SELECT text_hash, geoparser FROM article WHERE id=?", (article.id,)
        ).fetchone()
        if row is not None:
            return row == (th, geoparser)
        row = con.execute(
            "SELECT a.text_hash FROM article_alias al JOIN article a ON a.id = al.article_id"
            " WHERE al.id=?",
            (article.id,),
        ).fetchone()
        return row is not None and row[0] == th

    def origin_of(self, article_id: str) -> tuple[str, str] | None:
        """(origin, text hash) of a stored article: the file path or URL it was read from."""
        row = (
            self.con()
            .execute("SELECT origin, text_hash FROM article WHERE id=?", (article_id,))
            .fetchone()
        )
        return (row[0], row[1]) if row else None

    def duplicate_of(self, article: Article) -> str | None:
        """The id of a stored article with exactly this text under another id, if any.

        Saving such an article only records the copy, so it needs no parsing: pass no mentions.
        """
        row = (
            self.con()
            .execute(
                "SELECT id FROM article WHERE text_hash=? AND id != ?",
                (text_id(article.text), article.id),
            )
            .fetchone()
        )
        return row[0] if row else None

    def save(
        self,
        article: Article,
        mentions: list[Mention],
        geoparser: str,
        origin: str,
        signature: bytes | None = None,
    ) -> SaveResult:
        """Store an article with its mentions in one transaction (see the module's save policy).

        `signature`: the text's MinHash (dedup.signature), when already known; else computed.
        Raises ValueError when a mention's text does not match its offsets; nothing is stored.
        """
        for m in mentions:
            if article.text[m.start : m.end] != m.text:
                raise ValueError(f"mention {m.text!r} does not match its offsets")
        th = text_id(article.text)
        aid = article.id
        canon = dedup.canonical_url(article.url) if article.url else None
        # Before taking the lock: it is the slow part.
        sig = signature if signature is not None else dedup.signature(article.text)
        with self.transaction() as con:
            if con.execute("SELECT 1 FROM removed WHERE article_id=?", (aid,)).fetchone():
                return SaveResult("removed", aid)
            row = con.execute(
                "SELECT text_hash, geoparser, dup_of FROM article WHERE id=?", (aid,)
            ).fetchone()
            other = con.execute(
                "SELECT id FROM article WHERE text_hash=? AND id != ?", (th, aid)
            ).fetchone()
            if row is not None:
                if row[:2] == (th, geoparser):
                    return SaveResult("skipped", aid, near_duplicate_of=row[2])
                text_changed = row[0] != th
                if text_changed:
                    _drop_aliases(con, aid)
                    _leave_group(con, aid)
                if other is not None:
                    # The new version of this article is stored already under another id.
                    con.execute("DELETE FROM article WHERE id=?", (aid,))
                    self._add_alias(con, article, canon, other[0], origin)
                    self._bump(con)
                    return SaveResult("duplicate", other[0], aid, text_changed)
                con.execute(
                    "UPDATE article SET url=?, canonical_url=?, title=?, published=?, source=?,"
                    " language=?, text=?, text_hash=?, geoparser=?, origin=COALESCE(?, origin)"
                    " WHERE id=?",
                    (
                        *_article_values(article, canon, th),
                        geoparser,
                        None if origin == REPARSE else origin,  # keep where it came from
                        aid,
                    ),
                )
                con.execute("DELETE FROM mention WHERE article_id=?", (aid,))
                group = _join_group(con, aid, sig) if text_changed else row[2]
                self._insert_mentions(con, aid, mentions)
                self._bump(con)
                return SaveResult("updated", aid, aid, text_changed, group)
            alias = con.execute(
                "SELECT al.article_id, a.text_hash FROM article_alias al"
                " JOIN article a ON a.id = al.article_id WHERE al.id=?",
                (aid,),
            ).fetchone()
            if alias is not None and alias[1] == th:
                return SaveResult("skipped", alias[0])
            if other is not None:
                self._add_alias(con, article, canon, other[0], origin)
                self._bump(con)
                return SaveResult("duplicate", other[0])
            con.execute("DELETE FROM article_alias WHERE id=?", (aid,))  # a copy no more
            con.execute(
                "INSERT INTO article(id, url, canonical_url, title, published, source, language,"
                " text, text_hash, geoparser, origin, added_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    aid,
                    *_article_values(article, canon, th),
                    geoparser,
                    origin,
                    _now(),
                ),
            )
            group = _join_group(con, aid, sig)
            self._insert_mentions(con, aid, mentions)
            self._bump(con)
        return SaveResult("added", aid, near_duplicate_of=group)

    def _add_alias(
        self,
        con: sqlite3.Connection,
        article: Article,
        canon: str | None,
        stored_id: str,
        origin: str,
    ) -> None:
        con.execute(
            "INSERT INTO article_alias(id, article_id, url, canonical_url, title, published,"
            " source, origin, added_at) VALUES (?,?,?,?,?,?,?,?,?) ON CONFLICT(id) DO UPDATE SET"
            " article_id=excluded.article_id, url=excluded.url,"
            " canonical_url=excluded.canonical_url, title=excluded.title,"
            " published=excluded.published, source=excluded.source, origin=excluded.origin",
            (
                article.id,
                stored_id,
                article.url,
                canon,
                article.title,
                article.published.isoformat() if article.published else None,
                article.source,
                origin,
                _now(),
            ),
        )

    def _insert_mentions(self, con: sqlite3.Connection, aid: str, mentions: list[Mention]) -> None:
        # Batched: one statement each for the places and the mentions.
        places = {m.place.key: m.place for m in mentions if m.place is not None}
        con.executemany(
            "INSERT INTO place VALUES (?,?,?,?,?,?,?) ON CONFLICT(key) DO UPDATE SET"
            " name=excluded.name, kind=excluded.kind, lat=excluded.lat,"
            " lon=excluded.lon, country=excluded.country",
            [
                (k, p.geonameid, p.name, p.kind, p.lat, p.lon, p.country_code)
                for k, p in places.items()
            ],
        )
        rows = []
        for m in mentions:
            key = m.place.key if m.place is not None else None
            rows.append((aid, m.start, m.end, m.text, m.mention_type, key, m.reason, key))
        con.executemany(
            'INSERT INTO mention(article_id, start, "end", text, mention_type, place_key,'
            " reason, auto_place_key) VALUES (?,?,?,?,?,?,?,?)",
            rows,
        )
        corrections.apply(con, [aid])

    def file_is_current(self, path: str, sha: str, geoparser: str) -> bool:
        """True when `path` with this content was fully ingested by this geoparser."""
        row = (
            self.con()
            .execute("SELECT sha, geoparser FROM source_file WHERE path=?", (path,))
            .fetchone()
        )
        return row == (sha, geoparser)

    def mark_file(self, path: str, sha: str, geoparser: str) -> None:
        """Remember that `path` with this content was fully ingested by this geoparser."""
        with self.transaction() as con:
            con.execute(
                "INSERT INTO source_file VALUES (?,?,?,?) ON CONFLICT(path) DO UPDATE SET"
                " sha=excluded.sha, geoparser=excluded.geoparser, done_at=excluded.done_at",
                (path, sha, geoparser, _now()),
            )

    def record_failures(self, failures: list[Failure], examined: Iterable[str]) -> None:
        """Replace the failures of the inputs an ingest examined (files, URLs) with new ones.

        Failures of inputs this ingest did not look at stay listed.
        """
        with self.transaction() as con:
            con.executemany("DELETE FROM failure WHERE origin = ?", [(o,) for o in examined])
            con.executemany(
                "INSERT INTO failure(source, reason, at, origin) VALUES (?,?,?,?)",
                [(f.source, f.reason, _now(), f.origin) for f in failures],
            )

    def failures(self) -> list[Failure]:
        """Inputs that could not be read, oldest first."""
        rows = self.con().execute("SELECT source, reason, origin FROM failure ORDER BY id")
        return [Failure(s, r, o) for s, r, o in rows]

    def stale_articles(self, geoparser: str) -> Iterator[Article]:
        """Stored articles parsed by another geoparser version, read one at a time.

        Only their ids are held up front (the texts of a whole corpus may not fit in memory);
        an article removed or re-parsed meanwhile is passed over.
        """
        ids = [
            r[0]
            for r in self.con().execute("SELECT id FROM article WHERE geoparser != ?", (geoparser,))
        ]
        for aid in ids:
            row = (
                self.con()
                .execute(
                    f"SELECT {ARTICLE_COLUMNS} FROM article WHERE id = ? AND geoparser != ?",
                    (aid, geoparser),
                )
                .fetchone()
            )
            if row is not None:
                yield _article(row)

    # -- watched feeds ---------------------------------------------------------------------
    def watch_feed(self, url: str, every_s: float) -> None:
        """Poll `url` every `every_s` seconds (>= 0); watching it again only changes the interval."""
        if not every_s >= 0:
            raise ValueError(f"poll interval must be 0 or more seconds, not {every_s}")
        with self.transaction() as con:
            con.execute(
                "INSERT INTO feed(url, every_s) VALUES (?,?)"
                " ON CONFLICT(url) DO UPDATE SET every_s=excluded.every_s",
                (url, float(every_s)),
            )

    def unwatch_feed(self, url: str) -> None:
        """Stop watching `url` and forget which of its items were seen."""
        with self.transaction() as con:
            con.execute("DELETE FROM feed_seen WHERE feed_url=?", (url,))
            con.execute("DELETE FROM feed WHERE url=?", (url,))

    def feeds(self) -> list[FeedState]:
        """Every watched feed, by URL."""
        rows = self.con().execute(
            "SELECT url, every_s, last_poll, added, last_error, etag, last_modified FROM feed"
            " ORDER BY url"
        )
        return [
            FeedState(u, s, datetime.fromisoformat(lp) if lp else None, n, e, et, lm)
            for u, s, lp, n, e, et, lm in rows
        ]

    def seen(self, feed_url: str, keys: Iterable[str]) -> set[str]:
        """Those of `keys` (item guids or URLs) already marked seen for this feed."""
        keys = list(dict.fromkeys(keys))
        out: set[str] = set()
        con = self.con()
        for i in range(0, len(keys), 500):  # below SQLite's limit on ? parameters
            chunk = keys[i : i + 500]
            rows = con.execute(
                "SELECT key FROM feed_seen WHERE feed_url=?"
                f" AND key IN ({','.join('?' * len(chunk))})",
                [feed_url, *chunk],
            )
            out.update(r[0] for r in rows)
        return out

    def mark_seen(self, feed_url: str, keys: Iterable[str]) -> None:
        """Remember these item keys of a feed, so that later polls skip them."""
        now = _now()
        with self.transaction() as con:
            con.executemany(
                "INSERT INTO feed_seen VALUES (?,?,?) ON CONFLICT DO NOTHING",
                [(feed_url, k, now) for k in dict.fromkeys(keys)],
            )

    def record_poll(
        self,
        url: str,
        added: int,
        error: str | None,
        etag: str | None = None,
        last_modified: str | None = None,
    ) -> None:
        """Note a poll of a watched feed now: `added` more articles; `error` None or "" if it went fine.

        `etag`/`last_modified` (the response's validators, for the next conditional request)
        replace the stored ones when given. Raises StoreError when the feed is not watched.
        """
        with self.transaction() as con:
            cur = con.execute(
                "UPDATE feed SET last_poll=?, added=added+?, last_error=?,"
                " etag=COALESCE(?, etag), last_modified=COALESCE(?, last_modified) WHERE url=?",
                (_now(), added, error or None, etag, last_modified, url),
            )
            if cur.rowcount == 0:
                raise StoreError(f"feed {url} is not watched")

    # -- corrections -----------------------------------------------------------------------
    def add_correction(self, c: Correction) -> Correction:
        """Store a user's correction and apply it at once; returns it as stored.

        Raises ValueError when it is incomplete (see geo.corrections.validate).
        """
        corrections.validate(c)
        c = replace(c, created_at=c.created_at or _now(), note=c.note.strip())
        c = replace(c, uid=c.uid or uuid.uuid4().hex)  # two users may make the same fix
        with self.transaction() as con:
            cid = corrections.insert(con, c)
            if cid is None:
                raise ValueError("this correction is stored already")
            c = replace(c, id=cid)
            corrections.apply(con, corrections.affected(con, c))
            self._bump(con)
            return corrections.read(con, "WHERE id = ?", (cid,))[0]

    def undo_correction(self, correction_id: int) -> bool:
        """Withdraw a correction (it stays in the history, marked undone); False if unknown
        or undone already. The geoparser's choice, or an older correction, applies again.
        """
        with self.transaction() as con:
            found = corrections.read(con, "WHERE id = ? AND undone_at IS NULL", (correction_id,))
            if not found:
                return False
            con.execute("UPDATE correction SET undone_at = ? WHERE id = ?", (_now(), correction_id))
            corrections.apply(con, corrections.affected(con, found[0]))
            self._bump(con)
            return True

    def corrections(self, *, include_undone: bool = True) -> list[Correction]:
        """The corrections, newest first."""
        where = "" if include_undone else "WHERE undone_at IS NULL"
        return corrections.read(self.con(), f"{where} ORDER BY id DESC")

    def orphaned_corrections(self) -> list[Correction]:
        """Active corrections that no longer match anything in their article (its text
        changed, or the article was removed).
        """
        return corrections.read(
            self.con(),
            "WHERE undone_at IS NULL AND scope IN ('mention', 'article') AND (orphaned = 1"
            " OR article_id NOT IN (SELECT id FROM article)) ORDER BY id",
        )

    def import_corrections(self, items: Iterable[Correction]) -> tuple[int, int]:
        """Store corrections made elsewhere (e.g. `geo corrections import`), keeping their
        uid; returns (new, already stored). Importing the same corrections twice changes
        nothing.
        """
        new = known = 0
        with self.transaction() as con:
            touched: set[str] = set()
            for c in items:
                corrections.validate(c)
                c = replace(
                    c, uid=c.uid or corrections.make_uid(c), created_at=c.created_at or _now()
                )
                cid = corrections.insert(con, c)
                if cid is None:
                    known += 1
                    continue
                new += 1
                touched |= corrections.affected(con, replace(c, id=cid))
            if new:
                corrections.apply(con, touched)
                self._bump(con)
        return new, known

    # -- removing --------------------------------------------------------------------------
    def articles_of(
        self, *, article: str | None = None, source: str | None = None, origin: str | None = None
    ) -> list[str]:
        """Ids of the stored articles with this id, from this source, or read from this
        file or URL (the origin an ingest gave them).
        """
        if article is not None:
            sql, arg = "SELECT id FROM article WHERE id = ?", article
        elif source is not None:
            sql, arg = "SELECT id FROM article WHERE source = ? ORDER BY rowid", source
        elif origin is not None:
            sql, arg = "SELECT id FROM article WHERE origin = ? ORDER BY rowid", origin
        else:
            raise ValueError("name an article, a source or an input")
        return [r[0] for r in self.con().execute(sql, (arg,))]

    def origins(self) -> list[tuple[str, int]]:
        """(file path or URL, articles) of the inputs the stored articles were read from."""
        rows = self.con().execute(
            "SELECT origin, COUNT(*) FROM article WHERE origin != ? GROUP BY origin"
            " ORDER BY origin",
            (REPARSE,),
        )
        return [(o, n) for o, n in rows]

    def remove(self, article_ids: Iterable[str]) -> int:
        """Remove these articles with their mentions, and keep them set aside so that a
        rescan does not bring them back and `restore` can. Returns the batch number (0 when
        nothing was removed); `removed_count(batch)` says how many.
        """
        ids = list(dict.fromkeys(article_ids))
        with self.transaction() as con:
            batch = con.execute("SELECT COALESCE(MAX(batch), 0) + 1 FROM removed").fetchone()[0]
            n = 0
            for aid in ids:
                row = con.execute(
                    "SELECT id, url, canonical_url, title, published, source, language, text,"
                    " text_hash, geoparser, origin, added_at FROM article WHERE id = ?",
                    (aid,),
                ).fetchone()
                if row is None:
                    continue
                mentions = con.execute(
                    'SELECT start, "end", text, mention_type, auto_place_key, reason FROM mention'
                    " WHERE article_id = ? AND added = 0 ORDER BY start",
                    (aid,),
                ).fetchall()
                aliases = con.execute(
                    "SELECT id, url, canonical_url, title, published, source, origin, added_at"
                    " FROM article_alias WHERE article_id = ?",
                    (aid,),
                ).fetchall()
                data = json.dumps({"article": row, "mentions": mentions, "aliases": aliases})
                con.execute(
                    "INSERT INTO removed VALUES (?,?,?,?,?,?,?) ON CONFLICT(article_id) DO UPDATE"
                    " SET batch=excluded.batch, data=excluded.data, removed_at=excluded.removed_at",
                    (aid, batch, row[10], row[5], row[3], data, _now()),
                )
                _drop_article(con, aid)
                n += 1
            if not n:
                return 0
            self._bump(con)
            return batch

    def removed_count(self, batch: int) -> int:
        """How many articles a `remove` batch set aside (and still holds)."""
        row = self.con().execute("SELECT COUNT(*) FROM removed WHERE batch = ?", (batch,))
        return row.fetchone()[0]

    def removed(self) -> list[tuple[int, str, str, str]]:
        """(batch, article id, source, title) of the removed articles, newest batch first."""
        rows = self.con().execute(
            "SELECT batch, article_id, source, title FROM removed ORDER BY batch DESC, rowid"
        )
        return [tuple(r) for r in rows]

    def restore(self, batch: int) -> int:
        """Put back the articles of a `remove` batch, with their mentions and the
        corrections that apply to them; returns how many.
        """
        with self.transaction() as con:
            rows = con.execute(
                "SELECT article_id, data FROM removed WHERE batch = ?", (batch,)
            ).fetchall()
            back = []
            for aid, data in rows:
                d = json.loads(data)
                art = d["article"]
                con.execute("DELETE FROM removed WHERE article_id = ?", (aid,))
                if con.execute(
                    "SELECT 1 FROM article WHERE id = ? OR text_hash = ?", (aid, art[8])
                ).fetchone():
                    continue  # stored again meanwhile
                con.execute(
                    "INSERT INTO article(id, url, canonical_url, title, published, source,"
                    " language, text, text_hash, geoparser, origin, added_at)"
                    " VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                    art,
                )
                con.executemany(
                    'INSERT INTO mention(article_id, start, "end", text, mention_type,'
                    " place_key, reason, auto_place_key) VALUES (?,?,?,?,?,?,?,?)",
                    [(aid, s, e, t, mt, k, why, k) for s, e, t, mt, k, why in d["mentions"]],
                )
                con.executemany(
                    "INSERT INTO article_alias(id, article_id, url, canonical_url,"
                    " title, published, source, origin, added_at) VALUES (?,?,?,?,?,?,?,?,?)"
                    " ON CONFLICT DO NOTHING",
                    [(a[0], aid, *a[1:]) for a in d["aliases"]],
                )
                _join_group(con, aid, dedup.signature(art[7]))
                back.append(aid)
            corrections.apply(con, back)
            if back:
                self._bump(con)
            return len(back)

    def forget_missing_files(self, folder: Path | str, present: Iterable[str]) -> int:
        """Drop what was read from files under `folder` that are no longer in `present`
        (resolved paths): their articles, mentions, failures and file records. For a rescan
        of a folder the user deleted files from; returns the number of articles dropped.
        """
        root = str(Path(folder).resolve())
        prefix = root.rstrip("/") + "/"
        keep = set(present)
        with self.transaction() as con:
            gone = [
                o
                for (o,) in con.execute(
                    "SELECT origin FROM article WHERE substr(origin, 1, ?) = ?"
                    " UNION SELECT path FROM source_file WHERE substr(path, 1, ?) = ?"
                    " UNION SELECT origin FROM failure WHERE substr(origin, 1, ?) = ?",
                    (len(prefix), prefix) * 3,
                )
                if o not in keep and not Path(o).exists()
            ]
            n = 0
            for origin in gone:
                for (aid,) in con.execute(
                    "SELECT id FROM article WHERE origin = ?", (origin,)
                ).fetchall():
                    _drop_article(con, aid)
                    n += 1
                con.execute("DELETE FROM article_alias WHERE origin = ?", (origin,))
                con.execute("DELETE FROM source_file WHERE path = ?", (origin,))
                con.execute("DELETE FROM failure WHERE origin = ?", (origin,))
            if gone:
                self._bump(con)
            return n

    def clear_failures(self) -> int:
        """Empty the list of inputs that could not be read; returns how many were listed."""
        with self.transaction() as con:
            n = con.execute("DELETE FROM failure").rowcount
            if n:
                self._bump(con)
            return n

    # -- reading ---------------------------------------------------------------------------
    def counts(self) -> dict[str, int]:
        """Stored articles, mentions, mentioned places, undated articles and near-duplicates.

        "near_duplicates" counts the articles that joined an earlier article's group.
        """
        con = self.con()
        return {
            "articles": con.execute("SELECT COUNT(*) FROM article").fetchone()[0],
            "mentions": con.execute("SELECT COUNT(*) FROM mention").fetchone()[0],
            "places": con.execute(
                "SELECT COUNT(DISTINCT place_key) FROM mention WHERE place_key IS NOT NULL"
            ).fetchone()[0],
            "undated": con.execute(
                "SELECT COUNT(*) FROM article WHERE published IS NULL"
            ).fetchone()[0],
            "near_duplicates": con.execute(
                "SELECT COUNT(*) FROM article WHERE dup_of IS NOT NULL"
            ).fetchone()[0],
        }

    def languages(self) -> list[tuple[str, int]]:
        """(language code, articles) over the stored articles, most first."""
        rows = self.con().execute(
            "SELECT language, COUNT(*) FROM article GROUP BY language ORDER BY COUNT(*) DESC"
        )
        return [(lang, n) for lang, n in rows]

    def date_bounds(self) -> tuple[date, date] | None:
        """Earliest and latest publication date; None when no article is dated."""
        row = self.con().execute("SELECT MIN(published), MAX(published) FROM article").fetchone()
        if not row or row[0] is None:
            return None
        return date.fromisoformat(row[0]), date.fromisoformat(row[1])

    def core_dates(self, gap_days: int = 60, share: float = 0.8) -> tuple[date, date] | None:
        """The span where the dated articles cluster: the run of publication dates without a
        gap of more than `gap_days` that holds the most articles, when it holds at least
        `share` of them; else the full bounds. A few stray old or new texts do not stretch
        the landing view's date range over years.
        """
        rows = (
            self.con()
            .execute(
                "SELECT published, COUNT(*) FROM article WHERE published IS NOT NULL"
                " GROUP BY published ORDER BY published"
            )
            .fetchall()
        )
        if not rows:
            return None
        days = [(date.fromisoformat(d), n) for d, n in rows]
        total = sum(n for _, n in days)
        best = (0, days[0][0], days[0][0])
        run_start, run_n, prev = days[0][0], 0, days[0][0]
        for d, n in days:
            if (d - prev).days > gap_days:
                run_start, run_n = d, 0
            run_n += n
            prev = d
            if run_n > best[0]:
                best = (run_n, run_start, d)
        if best[0] >= share * total:
            return best[1], best[2]
        return days[0][0], days[-1][0]

    def sources(self) -> list[tuple[str, int]]:
        """Every source with its number of stored articles, most first."""
        rows = self.con().execute(
            "SELECT source, COUNT(*) FROM article GROUP BY source ORDER BY COUNT(*) DESC, source"
        )
        return [(s, n) for s, n in rows]

    def countries(self) -> list[str]:
        """ISO2 codes of the countries of stored places."""
        rows = self.con().execute(
            "SELECT DISTINCT country FROM place WHERE country IS NOT NULL ORDER BY country"
        )
        return [r[0] for r in rows]

    def article(self, article_id: str) -> Article | None:
        """The stored article with this id; None when there is none."""
        row = (
            self.con()
            .execute(f"SELECT {ARTICLE_COLUMNS} FROM article WHERE id=?", (article_id,))
            .fetchone()
        )
        return _article(row) if row else None

    def also_published(self, article_id: str) -> list[tuple[str, str | None, str]]:
        """(source, url, title) of the other copies of this article's story, oldest first.

        Those are the other members of its near-duplicate group, then the exact copies stored
        as aliases of any member. Empty when the article has no copies or is unknown.
        """
        con = self.con()
        row = con.execute(
            "SELECT COALESCE(a.dup_of, a.id) FROM article a WHERE a.id = ?"
            " UNION ALL SELECT COALESCE(a.dup_of, a.id) FROM article_alias al"
            " JOIN article a ON a.id = al.article_id WHERE al.id = ?",
            (article_id, article_id),
        ).fetchone()
        if row is None:
            return []
        rows = con.execute(
            "WITH g AS (SELECT id, rowid AS r FROM article WHERE id = ? OR dup_of = ?)"
            " SELECT * FROM (SELECT a.source, a.url, a.title, a.published AS pub, 0 AS copy, g.r"
            " FROM article a JOIN g ON g.id = a.id WHERE a.id != ?"
            " UNION ALL SELECT al.source, al.url, al.title, al.published, 1, g.r"
            " FROM article_alias al JOIN g ON g.id = al.article_id WHERE al.id != ?) AS copies"
            " ORDER BY copy, pub IS NULL, pub, r",
            (row[0], row[0], article_id, article_id),
        )
        return [(src, url, title) for src, url, title, *_ in rows]

    def mentions_of(self, article_id: str) -> list[Mention]:
        """The stored mentions of one article, in text order."""
        rows = self.con().execute(
            'SELECT m.start, m."end", m.text, m.mention_type, m.reason, p.geonameid, p.name,'
            " p.kind, p.lat, p.lon, p.country FROM mention m LEFT JOIN place p ON p.key=m.place_key"
            " WHERE m.article_id=? ORDER BY m.start",
            (article_id,),
        )
        out = []
        for s, e, t, mt, why, gid, nm, kind, lat, lon, cc in rows:
            place = Place(gid, nm, kind, lat, lon, cc) if nm is not None else None
            out.append(Mention(article_id, s, e, t, mt, place, why))
        return out

    def _where(self, q: Query) -> tuple[str, list]:
        clauses = ["m.place_key IS NOT NULL"]
        args: list = []
        date_parts = []
        if q.start or q.end:
            rng = []
            if q.start:
                rng.append("a.published >= ?")
                args.append(q.start.isoformat())
            if q.end:
                rng.append("a.published <= ?")
                args.append(q.end.isoformat())
            date_parts.append("(" + " AND ".join(rng) + ")")
            if q.include_undated:
                date_parts.append("a.published IS NULL")
            clauses.append("(" + " OR ".join(date_parts) + ")")
        elif not q.include_undated:
            clauses.append("a.published IS NOT NULL")
        if q.sources:
            clauses.append(f"a.source IN ({','.join('?' * len(q.sources))})")
            args.extend(q.sources)
        if q.kinds:
            clauses.append(f"p.kind IN ({','.join('?' * len(q.kinds))})")
            args.extend(q.kinds)
        if q.countries:
            clauses.append(f"p.country IN ({','.join('?' * len(q.countries))})")
            args.extend(q.countries)
        if not q.include_demonyms:
            clauses.append("m.mention_type = 'name'")
        if q.article_ids:
            clauses.append(f"a.id IN ({','.join('?' * len(q.article_ids))})")
            args.extend(q.article_ids)
        terms = [t.strip() for t in q.text.split(",") if t.strip()]
        if terms:
            # Comma-separated words or phrases: articles containing any of them.
            parts = [self._text_clause(t) for t in terms]
            clauses.append("(" + " OR ".join(sql for sql, _ in parts) + ")")
            for _, more in parts:
                args.extend(more)
        if q.bbox is not None:
            sql, more = self._bbox_clause(*q.bbox)
            clauses.append(sql)
            args.extend(more)
        if q.near is not None:
            sql, more = self._near_clause(*q.near)
            clauses.append(sql)
            args.extend(more)
        return " AND ".join(clauses), args

    # -- what differs between SQL dialects (geo.pgstore overrides these) -------------------
    def _text_clause(self, term: str) -> tuple[str, list]:
        """SQL that is true for the articles whose title or text contain `term`, in any case.

        The trigram index finds any piece of text of 3 characters or more; shorter terms are
        looked for in every article.
        """
        if len(term) >= 3:
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

    def _has_groups(self) -> bool:
        """True when some article is a near-duplicate (an indexed look-up)."""
        row = self.con().execute("SELECT 1 FROM article WHERE dup_of IS NOT NULL LIMIT 1")
        return row.fetchone() is not None

    # The articles of groups with more than one member, with their group's first article.
    _GROUPED = (
        "grouped AS (SELECT id, dup_of AS g FROM article WHERE dup_of IS NOT NULL"
        " UNION SELECT dup_of, dup_of FROM article WHERE dup_of IS NOT NULL)"
    )
    _BASE = "FROM mention m JOIN article a ON a.id=m.article_id JOIN place p ON p.key=m.place_key"
    _NOT_A_COPY = "a.id NOT IN (SELECT id FROM copies)"
    # SQLite: CROSS JOIN keeps this loop order, from the few grouped articles to their mentions.
    _GROUPED_BASE = (
        "FROM grouped gr CROSS JOIN article a ON a.id = gr.id"
        " CROSS JOIN mention m ON m.article_id = a.id JOIN place p ON p.key = m.place_key"
    )

    def _select(
        self, columns: str, q: Query, place_key: str, tail: str = "", extra: tuple = ()
    ) -> sqlite3.Cursor:
        """SELECT `columns` over one place's mentions in the selection (joined with article
        and place), keeping only each near-duplicate group's representative article.
        """
        where, args = self._where(q)
        where += " AND m.place_key = ?"
        args.append(place_key)
        if not self._has_groups():
            return self.con().execute(
                f"SELECT {columns} {self._BASE} WHERE {where} {tail}", [*args, *extra]
            )
        # Only grouped articles can lose to their group's representative: the member with
        # most mentions of the place in the selection, the one stored first on a tie.
        return self.con().execute(
            f"WITH {self._GROUPED},"
            " per_article AS (SELECT a.id AS id, gr.g AS g, COUNT(*) AS n, a.rowid AS r"
            f" {self._GROUPED_BASE} WHERE {where} GROUP BY a.id, gr.g, a.rowid),"
            " copies AS (SELECT id FROM (SELECT id, ROW_NUMBER() OVER"
            " (PARTITION BY g ORDER BY n DESC, r) AS k FROM per_article) AS ranked WHERE k > 1)"
            f" SELECT {columns} {self._BASE} WHERE {where} AND {self._NOT_A_COPY} {tail}",
            [*args, *args, *extra],
        )

    def place_counts(self, q: Query) -> list[PlaceCount]:
        """Every place the selection mentions, with mention and article counts, most first.

        A near-duplicate group counts once: see the module docstring.
        """
        where, args = self._where(q)
        plain = (
            "SELECT p.key AS k, p.geonameid, p.name, p.kind, p.lat, p.lon, p.country,"
            f" COUNT(*) AS n, COUNT(DISTINCT m.article_id) AS na {self._BASE} WHERE {where}"
            " GROUP BY p.key"
        )
        if not self._has_groups():
            rows = self.con().execute(
                "SELECT p.geonameid, p.name, p.kind, p.lat, p.lon, p.country, COUNT(*),"
                f" COUNT(DISTINCT m.article_id) {self._BASE} WHERE {where}"
                " GROUP BY p.key ORDER BY COUNT(*) DESC, p.name, p.key",
                args,
            )
        else:
            # Every mention counted, less what the copies of each group add beyond its
            # representative (computed over the grouped articles only, which are few).
            rows = self.con().execute(
                f"WITH {self._GROUPED},"
                " per_article AS (SELECT m.place_key AS k, gr.g AS g, COUNT(*) AS n"
                f" {self._GROUPED_BASE} WHERE {where} GROUP BY m.article_id, m.place_key, gr.g),"
                " surplus AS (SELECT k, SUM(n) AS n, SUM(na) AS na FROM (SELECT k,"
                " SUM(n) - MAX(n) AS n, COUNT(*) - 1 AS na FROM per_article GROUP BY k, g)"
                " AS per_group GROUP BY k),"
                f" plain AS ({plain})"
                " SELECT c.geonameid, c.name, c.kind, c.lat, c.lon, c.country,"
                " c.n - COALESCE(s.n, 0) AS n, c.na - COALESCE(s.na, 0)"
                " FROM plain c LEFT JOIN surplus s ON s.k = c.k ORDER BY 7 DESC, c.name, c.k",
                [*args, *args],
            )
        return [
            PlaceCount(Place(g, n, k, la, lo, c), cnt, na) for g, n, k, la, lo, c, cnt, na in rows
        ]

    def passages(
        self, place_key: str, q: Query, limit: int = 500, offset: int = 0
    ) -> list[Passage]:
        """Mentions of one place in the selection, newest article first (`limit` of them,
        after skipping `offset`). A corrected mention carries its correction.

        Of a near-duplicate group only the representative's passages are listed.
        """
        # Rows first, texts after: sorting the mentions with their articles' texts costs
        # far more than reading the few texts the page shows.
        rows = self._select(
            'a.id, m.start, m."end", m.mention_type, m.reason, m.correction, m.auto_place_key',
            q,
            place_key,
            tail="ORDER BY a.published IS NULL, a.published DESC, a.id, m.start LIMIT ? OFFSET ?",
            extra=(limit, offset),
        ).fetchall()
        con = self.con()
        arts: dict[str, Article] = {}
        for aid in dict.fromkeys(r[0] for r in rows):
            row = con.execute(f"SELECT {ARTICLE_COLUMNS} FROM article WHERE id=?", (aid,))
            arts[aid] = _article(row.fetchone())
        notes: dict[int, str] = {}
        names: dict[str, str] = {}
        out = []
        for aid, s, e, mt, why, cid, auto in rows:
            note, auto_name = "", None
            if cid is not None:
                if cid not in notes:
                    got = con.execute("SELECT note FROM correction WHERE id=?", (cid,)).fetchone()
                    notes[cid] = got[0] if got else ""
                note = notes[cid]
                if auto is not None:
                    if auto not in names:
                        got = con.execute("SELECT name FROM place WHERE key=?", (auto,)).fetchone()
                        names[auto] = got[0] if got else auto
                    auto_name = names[auto]
            out.append(Passage(arts[aid], s, e, mt, why, cid, note, auto_name))
        return out

    def place_dates(self, q: Query) -> dict[str, tuple[date | None, date | None]]:
        """place key -> (first, last) publication date of the selection's articles naming it."""
        where, args = self._where(q)
        rows = self.con().execute(
            f"SELECT p.key, MIN(a.published), MAX(a.published) {self._BASE} WHERE {where}"
            " GROUP BY p.key",
            args,
        )
        return {
            k: (date.fromisoformat(lo) if lo else None, date.fromisoformat(hi) if hi else None)
            for k, lo, hi in rows
        }

    def article_rows(
        self, q: Query, limit: int = 50, offset: int = 0
    ) -> tuple[int, list[tuple[str, str, date | None, str, int]]]:
        """(how many, a page of (id, title, date, source, places)) of the selection's
        articles that name a place, newest first.
        """
        where, args = self._where(q)
        con = self.con()
        total = con.execute(
            f"SELECT COUNT(DISTINCT a.id) {self._BASE} WHERE {where}", args
        ).fetchone()[0]
        rows = con.execute(
            f"SELECT a.id, a.title, a.published, a.source, COUNT(DISTINCT p.key) {self._BASE}"
            f" WHERE {where} GROUP BY a.id ORDER BY a.published IS NULL, a.published DESC, a.id"
            " LIMIT ? OFFSET ?",
            [*args, limit, offset],
        )
        return total, [
            (aid, title, date.fromisoformat(pub) if pub else None, src, n)
            for aid, title, pub, src, n in rows
        ]

    # The Monday of an ISO date's week, as an ISO date.
    _MONDAY = (
        "date(published, '-' || ((CAST(strftime('%w', published) AS INTEGER) + 6) % 7) || ' days')"
    )

    def articles_per_week(self) -> list[tuple[date, int]]:
        """(Monday, dated articles published that week) over the whole corpus, in order."""
        rows = self.con().execute(
            f"SELECT {self._MONDAY} AS wk, COUNT(*) FROM article WHERE published IS NOT NULL"
            " GROUP BY wk ORDER BY wk"
        )
        return [(date.fromisoformat(str(w)), n) for w, n in rows]

    def places_near(
        self, place_key: str, km: float, q: Query | None = None
    ) -> list[tuple[PlaceCount, float]]:
        """The other places of the selection within `km` of this one, nearest first, each
        with its distance in km (on a sphere: PostGIS's `ST_DWithin` on PostgreSQL, the
        haversine formula on SQLite). Empty when the place is unknown.
        """
        centre = self.place(place_key)
        if centre is None:
            return []
        rows = self.place_counts(replace(q or Query(), near=(centre.lat, centre.lon, km)))
        out = []
        for pc in rows:
            if pc.place.key == place_key:
                continue
            d = haversine_km(centre.lat, centre.lon, pc.place.lat, pc.place.lon)
            if d <= km:
                out.append((pc, d))
        out.sort(key=lambda x: (x[1], -x[0].mentions))
        return out

    def timeline(self, place_key: str, q: Query) -> list[tuple[date, int]]:
        """Mentions of one place per publication day in the selection (undated left out)."""
        rows = self._select(
            "a.published, COUNT(*)",
            q,
            place_key,
            tail="AND a.published IS NOT NULL GROUP BY a.published ORDER BY a.published",
        )
        return [(date.fromisoformat(d), n) for d, n in rows]

    def count_passages(self, place_key: str, q: Query) -> tuple[int, int]:
        """(mentions, articles) of one place in the selection, as place_counts counts them."""
        mentions, articles = self._select(
            "COUNT(*), COUNT(DISTINCT m.article_id)", q, place_key
        ).fetchone()
        return mentions, articles

    def place(self, place_key: str) -> Place | None:
        """The stored place with this key; None when there is none."""
        row = (
            self.con()
            .execute(
                "SELECT geonameid, name, kind, lat, lon, country FROM place WHERE key=?",
                (place_key,),
            )
            .fetchone()
        )
        return Place(*row) if row else None


EARTH_RADIUS_KM = 6371.0088  # the mean radius (PostGIS measures on the same sphere)


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def box_around(lat: float, lon: float, km: float) -> tuple[float, float, float, float]:
    """(south, west, north, east) of a box holding every point within `km` of (lat, lon)."""
    dlat = math.degrees(km / EARTH_RADIUS_KM)
    south, north = max(-90.0, lat - dlat), min(90.0, lat + dlat)
    if south <= -90 or north >= 90 or km >= math.pi * EARTH_RADIUS_KM / 2:
        return south, -180.0, north, 180.0  # a pole is inside: every longitude
    # The widest longitude span is at the box's latitude farthest from the equator.
    dlon = math.degrees(
        math.asin(min(1.0, math.sin(km / EARTH_RADIUS_KM) / math.cos(math.radians(lat))))
    )
    if dlon >= 180:
        return south, -180.0, north, 180.0
    west, east = lon - dlon, lon + dlon
    if west < -180:
        west += 360
    if east > 180:
        east -= 360
    return south, west, north, east


def _article(row: tuple) -> Article:
    aid, url, title, pub, src, lang, text = row
    return Article(aid, url, title, date.fromisoformat(pub) if pub else None, src, lang, text)
