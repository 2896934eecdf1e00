"""The store over PostgreSQL with PostGIS: `Store("postgresql://user@host/db")`.

The same Store, queries and save policy as the SQLite store (geo.store.sqlite): this module
holds only what differs between the two dialects, in one place:

- the connection (psycopg 3, one per thread, autocommit between explicit transactions) and a
  thin adapter that runs the store's qmark SQL (`?`) as psycopg's `%s`;
- the layout (geo.store.postgres_schema), its version in the `meta` table and the refusal of a
  database written by a newer Conflict Map or by another application;
- writers: every write transaction first takes one advisory lock, so writes from many app
  sessions and ingests queue as they do on SQLite's write lock and never lose each other's
  work, while readers never wait (MVCC);
- PostGIS: places carry a geometry point (for the map's bounding box, `&&`) and a geography
  point (for distances, `ST_DWithin`), each with a GiST index;
- full-text search: the text filter narrows articles with a GIN-indexed tsvector, then checks
  the words as written;
- two SQLite built-ins the shared SQL uses (`instr`, `COLLATE NOCASE`) exist here as a SQL
  function and an ICU collation of the same names.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from geo.errors import StoreError
from geo.models import Article, Mention
from geo.redact import redact
from geo.store.base import Store
from geo.store.common import APPLICATION_ID, BUSY_PATIENCE_S, BUSY_TIMEOUT_S
from geo.store.postgres_schema import APPLICATION, FTS_CHARS, PG_SCHEMA_STEPS
from geo.store.writes import SaveResult

if TYPE_CHECKING:
    from geo.events import Event

try:
    import psycopg
    from psycopg.conninfo import conninfo_to_dict
    from psycopg.pq import TransactionStatus
    from psycopg.types.numeric import NumericLoader
except ImportError:  # pragma: no cover - psycopg is in requirements.txt
    psycopg = None  # type: ignore[assignment]

log = logging.getLogger(__name__)

WRITE_LOCK = APPLICATION_ID  # pg_advisory_xact_lock key of the store's writers


@lru_cache(maxsize=1024)
def _pg_sql(sql: str) -> str:
    """The store's qmark SQL as psycopg's: `?` -> `%s`, a literal `%` -> `%%`."""
    return sql.replace("%", "%%").replace("?", "%s")


class PgConnection:
    """A psycopg connection that takes the store's SQL as sqlite3 connections do.

    A connection lost between transactions (a server restart, an idle timeout) is opened
    again once, by `reopen`; one lost inside a transaction raises, and the transaction's
    work is rolled back by the server.
    """

    def __init__(
        self, raw: psycopg.Connection, reopen: Callable[[], psycopg.Connection] | None = None
    ) -> None:
        self.raw = raw
        self._reopen = reopen

    def execute(self, sql: str, params: Any = None) -> psycopg.Cursor:
        idle = self.raw.info.transaction_status == TransactionStatus.IDLE
        try:
            return self._run(sql, params)
        except psycopg.OperationalError:
            if not (idle and self.raw.broken and self._reopen is not None):
                raise
            log.warning("the connection to the database was lost; connecting again")
            self.raw = self._reopen()
            return self._run(sql, params)

    def _run(self, sql: str, params: Any) -> psycopg.Cursor:
        if params:
            return self.raw.execute(_pg_sql(sql), params)
        return self.raw.execute(sql)

    def executemany(self, sql: str, rows: Any) -> None:
        rows = list(rows)
        if rows:
            with self.raw.cursor() as cur:
                cur.executemany(_pg_sql(sql), rows)

    @property
    def in_transaction(self) -> bool:
        return self.raw.info.transaction_status != TransactionStatus.IDLE

    def close(self) -> None:
        self.raw.close()


if psycopg is not None:

    class _WholeNumeric(NumericLoader):
        """numeric (what SUM of integers gives) as int when whole, as sqlite3 gives it."""

        def load(self, data: Any) -> Any:
            value = super().load(data)
            if isinstance(value, Decimal):
                return int(value) if value == value.to_integral_value() else float(value)
            return value


class PostgresStore(Store):
    """The store in a PostgreSQL database with PostGIS (see the module docstring)."""

    def __init__(
        self,
        path: str,
        *,
        busy_timeout: float = BUSY_TIMEOUT_S,
        busy_patience: float = BUSY_PATIENCE_S,
    ) -> None:
        if psycopg is None:
            raise StoreError(
                "PostgreSQL needs the psycopg package: pip install -r requirements.txt"
            )
        self.url = re.sub(r"^(postgres|postgresql\+psycopg)://", "postgresql://", str(path))
        self.path = redact(self.url, self.url)  # type: ignore[assignment]  # shown in messages
        try:
            conninfo_to_dict(self.url)
        except psycopg.ProgrammingError as err:
            raise StoreError(
                f"{self.path} is not a valid PostgreSQL address: {self._why(err)}"
            ) from None  # the driver's error quotes the address: not kept in a traceback
        self.busy_timeout = busy_timeout
        self.busy_patience = busy_patience
        self._local = threading.local()
        self._migrate()
        self._check_signatures()

    # -- connection and schema -------------------------------------------------------------
    def con(self) -> PgConnection:  # type: ignore[override]
        con = getattr(self._local, "con", None)
        if con is None or con.raw.closed:
            con = self._connect()
            self._local.con = con
        return con

    def _connect(self) -> PgConnection:  # type: ignore[override]
        return PgConnection(self._open(), self._open)

    def _open(self) -> psycopg.Connection:
        try:
            raw = psycopg.connect(self.url, autocommit=True, connect_timeout=10)
        except psycopg.Error as err:
            raise StoreError(
                f"cannot connect to the database {self.path}: {self._why(err)}"
            ) from None  # the driver's error may quote the address
        raw.adapters.register_loader("numeric", _WholeNumeric)
        # A write waits at most busy_patience for the writers' lock, then StoreError.
        raw.execute(f"SET lock_timeout = {int(self.busy_patience * 1000)}")
        # psycopg prepares a query run 5 times; PostgreSQL then switches to one generic plan
        # for every parameter value. The store's queries go from one place with 40,000
        # mentions to places with 5: a plan made for the average made a click on a small
        # place 12 times slower (bench/scale.py: 37.7 ms instead of 3.1 ms at 10k articles).
        raw.execute("SET plan_cache_mode = force_custom_plan")
        return raw

    @contextmanager
    def transaction(self) -> Iterator[PgConnection]:  # type: ignore[override]
        """One write transaction at a time (an advisory lock); commit on success, roll back on
        any exception.
        """
        con = self.con()
        con.execute("BEGIN")
        try:
            try:
                con.execute("SELECT pg_advisory_xact_lock(?)", (WRITE_LOCK,))
            except psycopg.errors.LockNotAvailable as err:
                raise StoreError(
                    f"database {self.path} stayed locked by another program for"
                    f" {self.busy_patience:.0f} s; try again when it is done"
                ) from err
            yield con
            con.execute("COMMIT")
        except BaseException:
            if con.in_transaction and not con.raw.closed:
                con.execute("ROLLBACK")
            raise

    def _inspect(self, con: PgConnection) -> int:  # type: ignore[override]
        """The database's schema version; StoreError unless it is ours (or empty) and known."""
        tables = {
            r[0]
            for r in con.execute(
                "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                " WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')"
                " AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass"
                " AND d.objid = c.oid AND d.deptype = 'e')"  # an extension's (PostGIS's)
            )
        }
        if not tables:
            return 0
        meta: dict[str, str] = {}
        if "meta" in tables:
            meta = dict(con.execute("SELECT key, value FROM meta").fetchall())
        if meta.get("application") != APPLICATION:
            shown = ", ".join(sorted(tables)[:5])
            raise StoreError(
                f"{self.path} belongs to another application (tables: {shown}); Conflict Map"
                " leaves it untouched: use another --db (or CONFLICT_MAP_DB)"
            )
        version = int(meta.get("schema", "0"))
        if version > len(PG_SCHEMA_STEPS):
            raise StoreError(
                f"database {self.path} was written by a newer version (schema {version}, this"
                f" code knows {len(PG_SCHEMA_STEPS)}); upgrade Conflict Map or use another --db"
                " (or CONFLICT_MAP_DB)"
            )
        return version

    def _migrate(self) -> None:
        """Lay out or upgrade the database, step by step, each under the writers' lock."""
        con = self.con()
        try:
            if self._inspect(con) == len(PG_SCHEMA_STEPS):
                return
            while True:
                with self.transaction() as c:
                    current = self._inspect(c)
                    if current >= len(PG_SCHEMA_STEPS):
                        return
                    c.execute(PG_SCHEMA_STEPS[current])
                    c.execute(
                        "INSERT INTO meta VALUES ('schema', ?) ON CONFLICT(key) DO UPDATE"
                        " SET value = excluded.value",
                        (str(current + 1),),
                    )
                log.info("database %s upgraded to schema %d", self.path, current + 1)
        except psycopg.errors.InsufficientPrivilege as err:
            self.close()
            raise StoreError(
                f"database {self.path}: {self._why(err)}. PostGIS must be enabled once by an"
                " administrator: psql -d DBNAME -c 'CREATE EXTENSION postgis'"
            ) from err
        except psycopg.errors.FeatureNotSupported as err:
            self.close()
            raise StoreError(f"database {self.path}: {self._why(err)}") from err
        except psycopg.errors.UndefinedFile as err:  # the extension's files are missing
            self.close()
            raise StoreError(
                f"database {self.path}: PostGIS is not installed on the server ({self._why(err)});"
                " on Debian: apt-get install postgresql-15-postgis-3"
            ) from err
        except StoreError:
            self.close()
            raise

    def close(self) -> None:
        con = getattr(self._local, "con", None)
        if con is not None:
            if not con.raw.closed:
                con.close()
            self._local.con = None

    def save(
        self,
        article: Article,
        mentions: list[Mention],
        geoparser: str,
        origin: str,
        signature: bytes | None = None,
        events: Sequence[Event] | None = None,
    ) -> SaveResult:
        """As Store.save; raises ValueError for a NUL character, which PostgreSQL text cannot
        hold (the article readers drop control characters, so only callers of the API meet it).
        """
        for value in (article.text, article.title, article.source, article.url or ""):
            if "\x00" in value:
                raise ValueError(
                    f"article {article.id!r} contains a NUL character, which PostgreSQL cannot store"
                )
        return super().save(article, mentions, geoparser, origin, signature, events)

    def _why(self, err: Exception) -> str:
        """`_why(err)` without this database's password."""
        return redact(_why(err), self.url)

    # -- dialect ---------------------------------------------------------------------------
    _GROUPED_BASE = (
        "FROM grouped gr JOIN article a ON a.id = gr.id"
        " JOIN mention m ON m.article_id = a.id JOIN place p ON p.key = m.place_key"
    )
    _MONDAY = "to_char(date_trunc('week', published::date), 'YYYY-MM-DD')"
    # NOT IN over a subquery makes PostgreSQL read every article; NOT EXISTS is an anti-join.
    _NOT_A_COPY = "NOT EXISTS (SELECT 1 FROM copies c WHERE c.id = a.id)"

    def analyze(self) -> None:
        """ANALYZE: after a bulk load (geo migrate) the planner knows the tables at once,
        instead of when autovacuum gets to them.
        """
        self.con().execute("ANALYZE")

    def _text_clause(self, term: str) -> tuple[str, list]:
        """The full-text index finds the articles with every word of `term` (as a word or a
        word's beginning); the words as written are then checked in those articles only.
        """
        exact = "(strpos(lower(a.title), lower(?)) > 0 OR strpos(lower(a.text), lower(?)) > 0)"
        words = re.findall(r"\w+", term)
        if not words:
            return exact, [term, term]
        tsquery = " & ".join(f"{w}:*" for w in words)
        return (
            f"((a.words @@ to_tsquery('simple', ?) OR length(a.text) > {FTS_CHARS}) AND {exact})",
            [tsquery, term, term],
        )

    def _bbox_clause(
        self, south: float, west: float, north: float, east: float
    ) -> tuple[str, list]:
        if west <= east:
            return "p.geom && ST_MakeEnvelope(?, ?, ?, ?, 4326)", [west, south, east, north]
        return (
            "(p.geom && ST_MakeEnvelope(?, ?, 180, ?, 4326)"
            " OR p.geom && ST_MakeEnvelope(-180, ?, ?, ?, 4326))",
            [west, south, north, south, east, north],
        )

    def _near_clause(self, lat: float, lon: float, km: float) -> tuple[str, list]:
        return (
            "ST_DWithin(p.geog, ST_SetSRID(ST_MakePoint(?, ?), 4326)::geography, ?, false)",
            [lon, lat, km * 1000],
        )


def _why(err: Exception) -> str:
    """The first line of a psycopg error, without the libpq prefix."""
    text = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
    return re.sub(r"^connection failed: ", "", text)
