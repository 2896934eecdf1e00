"""Saving articles with their mentions, exact copies (aliases), ingested files and failures.

Save policy: an article is identified by its id. The same id saved again updates that article
in place; the same text under another id is stored once (the other id becomes an alias of the
stored article); records with distinct ids are distinct articles whatever their URL. Near
duplicates (wire copies: estimated Jaccard of word 3-shingles >= geo.dedup.NEAR_DUP_THRESHOLD)
are stored as articles of their own and join the earlier article's group (`dup_of` names the
group's first article, NULL for that first article itself).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from geo import corrections, dedup
from geo.articles import text_id
from geo.models import Article, Failure, Mention
from geo.store.common import ARTICLE_COLUMNS, REPARSE, _article, _now
from geo.store.groups import _join_group, _leave_group

if TYPE_CHECKING:
    from geo.events import Event


STALE = "stale"  # the geoparser version of an article to parse again whatever the version


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


class WritesMixin:
    """Store's writes: articles, their mentions and copies, ingested files, failures."""

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
        events: Sequence[Event] | None = None,
    ) -> SaveResult:
        """Store an article with its mentions and events in one transaction (see the module's
        save policy). `events` (geo.events) place_index into `mentions`; None or empty: the
        article has none (e.g. no event model reads its language).

        `signature`: the text's MinHash (dedup.signature), when already known; else computed.
        Raises ValueError when a mention's text does not match its offsets or an event lies
        outside the text; nothing is stored.
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
                self._insert_mentions(con, aid, mentions, article.text, events or ())
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
            self._insert_mentions(con, aid, mentions, article.text, events or ())
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

    def _insert_mentions(
        self,
        con: sqlite3.Connection,
        aid: str,
        mentions: list[Mention],
        text: str,
        events: Sequence[Event] = (),
    ) -> None:
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
            conf = m.confidence if key is not None else None
            rows.append((aid, m.start, m.end, m.text, m.mention_type, key, m.reason, key, conf))
        con.executemany(
            'INSERT INTO mention(article_id, start, "end", text, mention_type, place_key,'
            " reason, auto_place_key, confidence) VALUES (?,?,?,?,?,?,?,?,?)",
            rows,
        )
        self._insert_events(con, aid, text, mentions, events)
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

    def mark_for_reparse(self, names: Sequence[str]) -> int:
        """Make the articles whose title or text contains any of `names` (any letter case)
        stale, so that the next ingest parses them again (after the user's own places
        changed); returns how many.
        """
        ids: set[str] = set()
        con = self.con()
        terms = [n for n in dict.fromkeys(n.strip() for n in names) if n]
        for i in range(0, len(terms), 20):  # a bounded expression per statement
            parts = [self._text_clause(t) for t in terms[i : i + 20]]
            where = " OR ".join(sql for sql, _ in parts)
            args = [a for _, more in parts for a in more]
            ids.update(r[0] for r in con.execute(f"SELECT a.id FROM article a WHERE {where}", args))
        return self._mark_stale(ids)

    def _mark_stale(self, ids: set[str]) -> int:
        """Make these articles stale (parsed again by the next ingest); returns how many."""
        if ids:
            with self.transaction() as con:
                con.executemany(
                    "UPDATE article SET geoparser = ? WHERE id = ?",
                    [(STALE, aid) for aid in sorted(ids)],
                )
                self._bump(con)
        return len(ids)

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
