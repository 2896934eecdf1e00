"""SQLite storage of articles, places and mentions (with character offsets)."""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from geo.articles import text_id
from geo.errors import StoreError
from geo.models import Article, Failure, Mention, Place

log = logging.getLogger(__name__)

SCHEMA_STEPS: list[str] = [
    # 1: the initial layout
    """
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
    text: str = ""  # substring of title or text, case-insensitive
    include_demonyms: bool = False


@dataclass(frozen=True, slots=True)
class PlaceCount:
    """A place with how often the selection mentions it."""

    place: Place
    mentions: int
    articles: int


@dataclass(frozen=True, slots=True)
class Passage:
    """One mention with its article's metadata and stored text."""

    article: Article
    start: int
    end: int
    mention_type: str
    reason: str


@dataclass(slots=True)
class SaveResult:
    status: str  # "added" | "updated" | "skipped"
    article_id: str


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Store:
    """One SQLite file; hands out one connection per thread."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._migrate()

    # -- connection and schema -------------------------------------------------------------
    def con(self) -> sqlite3.Connection:
        """This thread's connection (opened with WAL, foreign keys and a busy timeout)."""
        con = getattr(self._local, "con", None)
        if con is None:
            try:
                con = sqlite3.connect(self.path, timeout=5.0, isolation_level=None)
                con.execute("PRAGMA journal_mode=WAL")
                # In WAL mode NORMAL keeps the file consistent on a crash; a power cut may
                # lose only the last committed articles, which the next ingest redoes.
                con.execute("PRAGMA synchronous=NORMAL")
                con.execute("PRAGMA foreign_keys=ON")
                con.execute("PRAGMA busy_timeout=5000")
            except sqlite3.DatabaseError as err:
                raise StoreError(f"database {self.path} is unusable: {err}") from err
            self._local.con = con
        return con

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """Commit on success, roll back on any exception."""
        con = self.con()
        con.execute("BEGIN IMMEDIATE")
        try:
            yield con
        except BaseException:
            con.execute("ROLLBACK")
            raise
        con.execute("COMMIT")

    def _migrate(self) -> None:
        con = self.con()
        try:
            current = con.execute("PRAGMA user_version").fetchone()[0]
        except sqlite3.DatabaseError as err:
            raise StoreError(f"{self.path} is not a Conflict Map database: {err}") from err
        if current > len(SCHEMA_STEPS):
            raise StoreError(
                f"database {self.path} was written by a newer version (schema {current}, "
                f"this code knows {len(SCHEMA_STEPS)}); upgrade Conflict Map or use another --db"
            )
        for n in range(current + 1, len(SCHEMA_STEPS) + 1):
            with self.transaction() as c:
                for stmt in SCHEMA_STEPS[n - 1].split(";"):
                    if stmt.strip():
                        c.execute(stmt)
                c.execute(f"PRAGMA user_version = {n}")  # an int we control, not user data

    def close(self) -> None:
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

    def find_existing(self, article: Article) -> tuple[str, str, str] | None:
        """(id, text_hash, geoparser) of a stored article with the same text or URL."""
        con = self.con()
        row = con.execute(
            "SELECT id, text_hash, geoparser FROM article WHERE text_hash=?",
            (text_id(article.text),),
        ).fetchone()
        if row is None and article.url:
            row = con.execute(
                "SELECT id, text_hash, geoparser FROM article WHERE url=? LIMIT 1", (article.url,)
            ).fetchone()
        return row

    def is_current(self, article: Article, geoparser: str) -> bool:
        """True when this very text is stored, parsed by `geoparser`."""
        row = self.find_existing(article)
        return row is not None and row[1] == text_id(article.text) and row[2] == geoparser

    def save(
        self, article: Article, mentions: list[Mention], geoparser: str, origin: str
    ) -> SaveResult:
        """Store an article with its mentions in one transaction (replacing an older parse).

        Same text or same URL as a stored article updates that one; nothing is duplicated.
        """
        th = text_id(article.text)
        with self.transaction() as con:
            row = self.find_existing(article)
            if row is not None and row[1] == th and row[2] == geoparser:
                return SaveResult("skipped", row[0])
            if row is not None:
                aid = row[0]
                status = "updated"
                con.execute("DELETE FROM mention WHERE article_id=?", (aid,))
                con.execute("DELETE FROM article WHERE id=?", (aid,))
            else:
                status = "added"
                aid = article.id
                if con.execute("SELECT 1 FROM article WHERE id=?", (aid,)).fetchone():
                    aid = f"{article.id}~{th[:8]}"  # another article already uses this id
            con.execute(
                "INSERT INTO article VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (
                    aid,
                    article.url,
                    article.title,
                    article.published.isoformat() if article.published else None,
                    article.source,
                    article.language,
                    article.text,
                    th,
                    geoparser,
                    origin,
                    _now(),
                ),
            )
            for m in mentions:
                if article.text[m.start : m.end] != m.text:
                    raise ValueError(f"mention {m.text!r} does not match its offsets")
                key = None
                if m.place is not None:
                    p = m.place
                    key = p.key
                    con.execute(
                        "INSERT INTO place VALUES (?,?,?,?,?,?,?) ON CONFLICT(key) DO UPDATE SET"
                        " name=excluded.name, kind=excluded.kind, lat=excluded.lat,"
                        " lon=excluded.lon, country=excluded.country",
                        (key, p.geonameid, p.name, p.kind, p.lat, p.lon, p.country_code),
                    )
                con.execute(
                    'INSERT INTO mention(article_id, start, "end", text, mention_type, place_key,'
                    " reason) VALUES (?,?,?,?,?,?,?)",
                    (aid, m.start, m.end, m.text, m.mention_type, key, m.reason),
                )
            self._bump(con)
        return SaveResult(status, aid)

    def file_is_current(self, path: str, sha: str, geoparser: str) -> bool:
        """True when `path` with this content was fully ingested by this geoparser."""
        row = (
            self.con()
            .execute("SELECT sha, geoparser FROM source_file WHERE path=?", (path,))
            .fetchone()
        )
        return row == (sha, geoparser)

    def mark_file(self, path: str, sha: str, geoparser: str) -> None:
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

    def stale_articles(self, geoparser: str) -> list[Article]:
        """Stored articles parsed by another geoparser version."""
        rows = self.con().execute(
            "SELECT id, url, title, published, source, language, text FROM article"
            " WHERE geoparser != ?",
            (geoparser,),
        )
        return [_article(r) for r in rows]

    # -- reading ---------------------------------------------------------------------------
    def counts(self) -> dict[str, int]:
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
        }

    def date_bounds(self) -> tuple[date, date] | None:
        row = self.con().execute("SELECT MIN(published), MAX(published) FROM article").fetchone()
        if not row or row[0] is None:
            return None
        return date.fromisoformat(row[0]), date.fromisoformat(row[1])

    def sources(self) -> list[tuple[str, int]]:
        rows = self.con().execute(
            "SELECT source, COUNT(*) FROM article GROUP BY source ORDER BY COUNT(*) DESC, source"
        )
        return [(s, n) for s, n in rows]

    def countries(self) -> list[str]:
        rows = self.con().execute(
            "SELECT DISTINCT country FROM place WHERE country IS NOT NULL ORDER BY country"
        )
        return [r[0] for r in rows]

    def article(self, article_id: str) -> Article | None:
        row = (
            self.con()
            .execute(
                "SELECT id, url, title, published, source, language, text FROM article WHERE id=?",
                (article_id,),
            )
            .fetchone()
        )
        return _article(row) if row else None

    def mentions_of(self, article_id: str) -> list[Mention]:
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
        if q.text.strip():
            clauses.append("(instr(lower(a.title), ?) > 0 OR instr(lower(a.text), ?) > 0)")
            needle = q.text.strip().lower()
            args.extend([needle, needle])
        return " AND ".join(clauses), args

    def _select(
        self, columns: str, q: Query, place_key: str | None = None, tail: str = "", extra=()
    ) -> sqlite3.Cursor:
        """SELECT `columns` over the selection's mentions (joined with article and place)."""
        where, args = self._where(q)
        if place_key is not None:
            where += " AND m.place_key = ?"
            args.append(place_key)
        return self.con().execute(
            f"SELECT {columns} FROM mention m JOIN article a ON a.id=m.article_id"
            f" JOIN place p ON p.key=m.place_key WHERE {where} {tail}",
            [*args, *extra],
        )

    def place_counts(self, q: Query) -> list[PlaceCount]:
        """Every place the selection mentions, with mention and article counts, most first."""
        rows = self._select(
            "p.geonameid, p.name, p.kind, p.lat, p.lon, p.country, COUNT(*),"
            " COUNT(DISTINCT m.article_id)",
            q,
            tail="GROUP BY p.key ORDER BY COUNT(*) DESC, p.name",
        )
        return [
            PlaceCount(Place(g, n, k, la, lo, c), cnt, na) for g, n, k, la, lo, c, cnt, na in rows
        ]

    def passages(self, place_key: str, q: Query, limit: int = 500) -> list[Passage]:
        """Mentions of one place in the selection, newest article first."""
        rows = self._select(
            "a.id, a.url, a.title, a.published, a.source, a.language, a.text,"
            ' m.start, m."end", m.mention_type, m.reason',
            q,
            place_key,
            tail="ORDER BY a.published IS NULL, a.published DESC, a.id, m.start LIMIT ?",
            extra=(limit,),
        )
        cache: dict[str, Article] = {}
        out = []
        for aid, url, title, pub, src, lang, text, s, e, mt, why in rows:
            art = cache.get(aid)
            if art is None:
                art = cache[aid] = _article((aid, url, title, pub, src, lang, text))
            out.append(Passage(art, s, e, mt, why))
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
        """(mentions, articles) of one place in the selection."""
        mentions, articles = self._select(
            "COUNT(*), COUNT(DISTINCT m.article_id)", q, place_key
        ).fetchone()
        return mentions, articles

    def place(self, place_key: str) -> Place | None:
        row = (
            self.con()
            .execute(
                "SELECT geonameid, name, kind, lat, lon, country FROM place WHERE key=?",
                (place_key,),
            )
            .fetchone()
        )
        return Place(*row) if row else None


def _article(row) -> Article:
    aid, url, title, pub, src, lang, text = row
    return Article(aid, url, title, date.fromisoformat(pub) if pub else None, src, lang, text)
