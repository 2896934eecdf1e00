"""Copy a corpus from one store to another (`python -m geo migrate --from A --to B`).

Typically a local SQLite file to a team's PostgreSQL database; either side may be either
back end. What is copied: articles with the geoparser's mentions (with their confidences),
events and places, exact copies (aliases), users' corrections (by uid, applied again on the
other side) and confirmed places, removed articles, watched feeds with the items seen, the
record of fully ingested files, the failures list and the corpus focus.

Running it again copies only what is new: an article stored on the other side with the same
text and geoparser version is passed over, a correction with a known uid is not imported twice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from geo.models import Mention, Place
from geo.store import ARTICLE_COLUMNS, Store
from geo.store.common import _article
from geo.store.events import AUTO_COLUMNS, events_from_rows

ProgressFn = Callable[[int, int], None]


@dataclass
class MigrateReport:
    articles: int = 0  # copied now
    already: int = 0  # stored on the other side already
    mentions: int = 0
    events: int = 0
    corrections: int = 0  # imported now
    corrections_known: int = 0
    aliases: int = 0
    removed: int = 0
    feeds: int = 0

    def summary(self) -> str:
        return (
            f"{self.articles} articles copied ({self.mentions} mentions, {self.events} events),"
            f" {self.already} there"
            f" already; {self.corrections} corrections imported ({self.corrections_known} known);"
            f" {self.aliases} exact copies, {self.removed} removed articles, {self.feeds} feeds"
        )


def migrate(source: Store, target: Store, on_progress: ProgressFn | None = None) -> MigrateReport:
    """Copy everything `source` holds into `target` (see the module docstring)."""
    report = MigrateReport()
    src = source.con()
    ids = [r[0] for r in src.execute("SELECT id FROM article ORDER BY rowid")]
    total = len(ids) + 1
    places: dict[str, Place] = {}
    for n, aid in enumerate(ids, 1):
        row = src.execute(
            f"SELECT {ARTICLE_COLUMNS}, text_hash, geoparser, origin FROM article WHERE id = ?",  # noqa: S608
            (aid,),
        ).fetchone()
        if row is None:
            continue  # removed meanwhile
        article = _article(row[:7])
        text_hash, geoparser, origin = row[7:]
        there = (
            target.con()
            .execute("SELECT text_hash, geoparser FROM article WHERE id = ?", (aid,))
            .fetchone()
        )
        if there is not None and tuple(there) == (text_hash, geoparser):
            report.already += 1
        else:
            mentions = []
            for s, e, t, mt, key, why, conf in src.execute(
                'SELECT start, "end", text, mention_type, auto_place_key, reason, confidence'
                " FROM mention WHERE article_id = ? AND added = 0 ORDER BY start",
                (aid,),
            ).fetchall():
                place = None
                if key is not None:
                    if key not in places:
                        got = src.execute(
                            "SELECT geonameid, name, kind, lat, lon, country FROM place"
                            " WHERE key = ?",
                            (key,),
                        ).fetchone()
                        places[key] = Place(*got)
                    place = places[key]
                mentions.append(Mention(aid, s, e, t, mt, place, why, conf))
            rows = src.execute(
                f"SELECT {AUTO_COLUMNS} FROM event WHERE article_id = ? ORDER BY seq",  # noqa: S608
                (aid,),
            ).fetchall()
            events = events_from_rows(article.text, mentions, rows)
            result = target.save(article, mentions, geoparser, origin, events=events)
            if result.status in ("added", "updated"):
                report.articles += 1
                report.mentions += len(mentions)
                report.events += len(events)
            else:
                report.already += 1
        if on_progress is not None and (n % 20 == 0 or n == len(ids)):
            on_progress(n, total)
    _copy_rest(source, target, report)
    new, known = target.import_corrections(source.corrections())
    report.corrections, report.corrections_known = new, known
    target.analyze()
    if on_progress is not None:
        on_progress(total, total)
    return report


def _copy_rest(source: Store, target: Store, report: MigrateReport) -> None:
    """Aliases, removed articles, feeds, ingested-file records, failures, confirmed
    places and the corpus focus."""
    src = source.con()
    aliases = src.execute(
        "SELECT id, article_id, url, canonical_url, title, published, source, origin, added_at"
        " FROM article_alias ORDER BY id"
    ).fetchall()
    removed = src.execute(
        "SELECT article_id, batch, origin, source, title, data, removed_at FROM removed"
        " ORDER BY batch, rowid"
    ).fetchall()
    feeds = src.execute(
        "SELECT url, every_s, last_poll, added, last_error, etag, last_modified FROM feed"
    ).fetchall()
    seen = src.execute("SELECT feed_url, key, seen_at FROM feed_seen").fetchall()
    files = src.execute("SELECT path, sha, geoparser, done_at FROM source_file").fetchall()
    failures = src.execute("SELECT source, reason, at, origin FROM failure ORDER BY id").fetchall()
    confirmed = src.execute(
        "SELECT place_key, name, author, created_at FROM verification"
    ).fetchall()
    focus = src.execute("SELECT value FROM meta WHERE key = 'focus'").fetchall()
    with target.transaction() as con:
        for a in aliases:
            if con.execute("SELECT 1 FROM article WHERE id = ?", (a[1],)).fetchone() is None:
                continue  # its article is not there
            if con.execute("SELECT 1 FROM article WHERE id = ?", (a[0],)).fetchone() is not None:
                continue  # stored as an article of its own there
            cur = con.execute(
                "INSERT INTO article_alias(id, article_id, url, canonical_url, title, published,"
                " source, origin, added_at) VALUES (?,?,?,?,?,?,?,?,?) ON CONFLICT DO NOTHING",
                tuple(a),
            )
            report.aliases += max(cur.rowcount, 0)
        if removed:
            base = con.execute("SELECT COALESCE(MAX(batch), 0) FROM removed").fetchone()[0]
            for aid, batch, origin, src_name, title, data, at in removed:
                if con.execute("SELECT 1 FROM article WHERE id = ?", (aid,)).fetchone():
                    continue  # the other side still has it on the map
                cur = con.execute(
                    "INSERT INTO removed(article_id, batch, origin, source, title, data,"
                    " removed_at) VALUES (?,?,?,?,?,?,?) ON CONFLICT DO NOTHING",
                    (aid, base + batch, origin, src_name, title, data, at),
                )
                report.removed += max(cur.rowcount, 0)
        for f in feeds:
            cur = con.execute(
                "INSERT INTO feed(url, every_s, last_poll, added, last_error, etag, last_modified)"
                " VALUES (?,?,?,?,?,?,?) ON CONFLICT DO NOTHING",
                tuple(f),
            )
            report.feeds += max(cur.rowcount, 0)
        con.executemany(
            "INSERT INTO feed_seen(feed_url, key, seen_at) VALUES (?,?,?) ON CONFLICT DO NOTHING",
            [tuple(s) for s in seen],
        )
        con.executemany(
            "INSERT INTO source_file(path, sha, geoparser, done_at) VALUES (?,?,?,?)"
            " ON CONFLICT DO NOTHING",
            [tuple(f) for f in files],
        )
        con.executemany(
            "INSERT INTO verification(place_key, name, author, created_at) VALUES (?,?,?,?)"
            " ON CONFLICT DO NOTHING",
            [tuple(v) for v in confirmed],
        )
        # The corpus focus goes along unless the target keeps one of its own.
        con.executemany(
            "INSERT INTO meta VALUES ('focus', ?) ON CONFLICT(key) DO NOTHING",
            [tuple(f) for f in focus],
        )
        known = {tuple(r) for r in con.execute("SELECT source, reason, origin FROM failure")}
        con.executemany(
            "INSERT INTO failure(source, reason, at, origin) VALUES (?,?,?,?)",
            [tuple(f) for f in failures if (f[0], f[1], f[3]) not in known],
        )
        con.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'revision'")
