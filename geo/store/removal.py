"""Removing articles (set aside, so that a rescan does not bring them back) and restoring
them; forgetting deleted files and the failures list.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from pathlib import Path

from geo import corrections, dedup
from geo.store.common import REPARSE, _now
from geo.store.events import AUTO_COLUMNS, insert_auto_rows
from geo.store.groups import _join_group, _leave_group


def _drop_article(con: sqlite3.Connection, aid: str) -> None:
    """Delete an article with its mentions, events, copies and near-duplicate group
    membership.
    """
    con.execute("DELETE FROM article_alias WHERE article_id = ?", (aid,))
    _leave_group(con, aid)
    con.execute("DELETE FROM article_band WHERE article_id = ?", (aid,))
    con.execute("DELETE FROM mention WHERE article_id = ?", (aid,))
    con.execute("DELETE FROM event WHERE article_id = ?", (aid,))
    con.execute("DELETE FROM article WHERE id = ?", (aid,))


class RemovalMixin:
    """Store's removal and restoring of articles."""

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
                    'SELECT start, "end", text, mention_type, auto_place_key, reason, confidence'
                    " FROM mention WHERE article_id = ? AND added = 0 ORDER BY start",
                    (aid,),
                ).fetchall()
                events = con.execute(
                    f"SELECT {AUTO_COLUMNS} FROM event WHERE article_id = ? ORDER BY seq",
                    (aid,),
                ).fetchall()
                aliases = con.execute(
                    "SELECT id, url, canonical_url, title, published, source, origin, added_at"
                    " FROM article_alias WHERE article_id = ?",
                    (aid,),
                ).fetchall()
                data = json.dumps(
                    {
                        "article": row,
                        "mentions": [list(m) for m in mentions],
                        "events": [list(e) for e in events],
                        "aliases": [list(a) for a in aliases],
                    }
                )
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
                # A row set aside before confidences were stored has six fields.
                con.executemany(
                    'INSERT INTO mention(article_id, start, "end", text, mention_type,'
                    " place_key, reason, auto_place_key, confidence) VALUES (?,?,?,?,?,?,?,?,?)",
                    [(aid, *m[:6], m[4], m[6] if len(m) > 6 else None) for m in d["mentions"]],
                )
                # One set aside before events were stored has none; its older geoparser
                # version has the next ingest parse it again.
                insert_auto_rows(con, aid, d.get("events", []))
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
