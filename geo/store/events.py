"""Events (geo.events) as stored per article, and what the map, the panels and the tables
read of them (docs/events-api.md).

Each event row keeps the event typer's type (`auto_type`) and the type shown (`type`: that
one, or a user's correction's; NULL when a user said it is no event: such rows are read by
nobody). An event's place is the place of its place mention (`place_start:place_end`), so a
corrected place moves its events too (geo.event_corrections keeps `place_key` equal to it).

Selection: `Query.event_types` (empty: every type) and `Query.event_statuses` (empty: every
status; by default only "reported" events count). Counting rule for near-duplicates, as for
mentions: for every place (and for the events with no place), a group of copies contributes
the events of one representative member: the selected member with the most selected events
there (ties: the one stored first).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING

from geo.models import EventRow, Mention, Place
from geo.store.common import ARTICLE_COLUMNS, _article

if TYPE_CHECKING:
    from geo.events import Event
    from geo.store.queries import Query

NO_LIMIT = 2**62  # LIMIT for "all rows" that both dialects take

EVENT_COLUMNS = (
    'e.id, e.article_id, e.type, e.status, e.start, e."end", e.passage_start, e.passage_end,'
    " e.actor, e.target, e.confidence, e.source, e.place_basis, e.correction, e.auto_type,"
    " p.geonameid, p.name, p.kind, p.lat, p.lon, p.country"
)
_FROM = (
    "FROM event e JOIN article a ON a.id = e.article_id LEFT JOIN place p ON p.key = e.place_key"
)


def event_rows(aid: str, text: str, mentions: Sequence[Mention], events: Sequence[Event]) -> list:
    """The event table's rows for one article's events; `place_index` indexes `mentions`.

    Raises ValueError for an event whose offsets lie outside the text.
    """
    rows = []
    for seq, ev in enumerate(events):
        if not (0 <= ev.start < ev.end <= len(text)):
            raise ValueError(f"event {ev.trigger!r} lies outside the text")
        if not (0 <= ev.passage_start <= ev.passage_end <= len(text)):
            raise ValueError(f"the passage of event {ev.trigger!r} lies outside the text")
        k = ev.place_index
        m = mentions[k] if k is not None and 0 <= k < len(mentions) else None
        rows.append(
            (
                aid,
                seq,
                ev.type,
                ev.type,
                ev.status,
                ev.start,
                ev.end,
                text[ev.start : ev.end],
                ev.passage_start,
                ev.passage_end,
                m.place.key if m is not None and m.place is not None else None,
                m.start if m is not None else None,
                m.end if m is not None else None,
                ev.actor or "",
                ev.target or "",
                float(ev.confidence),
                ev.source or "",
                ev.place_basis or "",
            )
        )
    return rows


INSERT_EVENT = (
    'INSERT INTO event(article_id, seq, type, auto_type, status, start, "end", trigger_text,'
    " passage_start, passage_end, place_key, place_start, place_end, actor, target,"
    " confidence, source, place_basis) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
)
# The event typer's output of one article, as removal sets it aside and migration copies it.
AUTO_COLUMNS = (
    'seq, auto_type, status, start, "end", trigger_text, passage_start, passage_end,'
    " place_start, place_end, actor, target, confidence, source, place_basis"
)


def insert_auto_rows(con: sqlite3.Connection, aid: str, rows: Sequence[Sequence]) -> None:
    """Put back events read with AUTO_COLUMNS (their place from the article's mentions)."""
    con.executemany(
        'INSERT INTO event(article_id, seq, type, auto_type, status, start, "end",'
        " trigger_text, passage_start, passage_end, place_start, place_end, actor, target,"
        " confidence, source, place_basis) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        [(aid, r[0], r[1], *r[1:]) for r in rows],
    )


def events_from_rows(
    text: str, mentions: Sequence[Mention], rows: Sequence[Sequence]
) -> list[Event]:
    """geo.events.Event objects from rows read with AUTO_COLUMNS (for a copy into another
    store): their place is the mention of `mentions` at the stored offsets.
    """
    from geo.events import Event

    at = {(m.start, m.end): k for k, m in enumerate(mentions)}
    out = []
    for _seq, typ, status, s, e, trig, ps, pe, ms, me, actor, target, conf, src, basis in rows:
        k = at.get((ms, me)) if ms is not None else None
        m = mentions[k] if k is not None else None
        out.append(
            Event(
                type=typ,
                start=s,
                end=e,
                trigger=trig,
                passage_start=ps,
                passage_end=pe,
                place=m.text if m else None,
                place_index=k,
                place_basis=basis,
                resolved=m.place if m else None,
                actor=actor or None,
                target=target or None,
                status=status,
                source=src,
                confidence=conf,
            )  # fmt: skip
        )
    return out


class EventsMixin:
    """Store's events: writing an article's events, and the reads of docs/events-api.md."""

    def _insert_events(
        self,
        con: sqlite3.Connection,
        aid: str,
        text: str,
        mentions: Sequence[Mention],
        events: Sequence[Event],
    ) -> None:
        con.execute("DELETE FROM event WHERE article_id = ?", (aid,))
        con.executemany(INSERT_EVENT, event_rows(aid, text, mentions, events))

    # -- the selection ---------------------------------------------------------------------
    def _event_passage_clause(self, q: Query) -> tuple[str, list]:
        """SQL true for a mention m inside the passage of a selected event at its place."""
        sql = (
            "EXISTS (SELECT 1 FROM event e WHERE e.article_id = m.article_id"
            " AND e.place_key = m.place_key AND e.passage_start <= m.start"
            ' AND e.passage_end >= m."end"'
        )
        more, args = _type_clauses(q, True)
        return sql + more + ")", args

    def _kept(
        self, q: Query, *, types: bool = True, place_key: str | None = None, placed: bool = False
    ) -> tuple[str, list]:
        """A WITH clause's tables ending in `kept(id, article_id, place_key, type,
        published)`: the selected events, one representative per near-duplicate group
        and place (see the module docstring).
        """
        where, args = self._where(q, on="event")
        more, extra = _type_clauses(q, types)
        where += more
        args += extra
        if place_key is not None:
            where += " AND e.place_key = ?"
            args.append(place_key)
        elif placed:
            where += " AND e.place_key IS NOT NULL"
        cols = "e.id, e.article_id, e.place_key, e.type, a.published"
        if not self._has_groups():
            return f"kept AS (SELECT {cols} {_FROM} WHERE {where})", args
        return (
            f"sel AS (SELECT {cols}, a.rowid AS r, COALESCE(a.dup_of, a.id) AS g,"
            f" COALESCE(e.place_key, '') AS k {_FROM} WHERE {where}),"
            # n: the member's selected events at the place; best: the group's member with
            # the most there (ties: stored first). Windows, not a join back: a join of the
            # ranked members to `sel` was a nested scan (1 s for 10,000 events).
            " per AS (SELECT sel.*, COUNT(*) OVER (PARTITION BY article_id, k) AS n FROM sel),"
            " ranked AS (SELECT per.*, FIRST_VALUE(article_id) OVER"
            " (PARTITION BY g, k ORDER BY n DESC, r) AS best FROM per),"
            " kept AS (SELECT id, article_id, place_key, type, published FROM ranked"
            " WHERE article_id = best)",
            args,
        )

    # -- reads -----------------------------------------------------------------------------
    def _event_place_counts(self, q: Query) -> list[tuple]:
        """place_counts' rows when q.event_types is set: events (and articles) per place."""
        cte, args = self._kept(q, placed=True)
        return self.con().execute(
            f"WITH {cte} SELECT p.geonameid, p.name, p.kind, p.lat, p.lon, p.country,"
            " COUNT(*) AS n, COUNT(DISTINCT k.article_id) FROM kept k"
            " JOIN place p ON p.key = k.place_key GROUP BY p.key ORDER BY n DESC, p.name, p.key",
            args,
        )

    def event_type_counts(self, q: Query) -> dict[str, int]:
        """Events per type in the selection (q.event_types ignored; statuses applied),
        placed or not, most first.
        """
        cte, args = self._kept(q, types=False)
        rows = self.con().execute(
            f"WITH {cte} SELECT type, COUNT(*) AS n FROM kept GROUP BY type ORDER BY n DESC, type",
            args,
        )
        return {t: n for t, n in rows}

    def events(
        self, q: Query, place_key: str | None = None, limit: int | None = 500, offset: int = 0
    ) -> list[EventRow]:
        """The selection's events, newest article first, in text order within an article.

        `place_key`: only the events located at that place. Without it, events with no
        place are listed too unless the selection filters places (kinds, countries, box).
        """
        cte, args = self._kept(q, place_key=place_key)
        rows = (
            self.con()
            .execute(
                f"WITH {cte} SELECT {EVENT_COLUMNS} FROM kept k JOIN event e ON e.id = k.id"
                " JOIN article a ON a.id = e.article_id LEFT JOIN place p ON p.key = e.place_key"
                " ORDER BY a.published IS NULL, a.published DESC, a.id, e.seq LIMIT ? OFFSET ?",
                [*args, NO_LIMIT if limit is None else limit, offset],
            )
            .fetchall()
        )
        return self._event_rows(rows)

    def count_events(self, q: Query, place_key: str | None = None) -> int:
        """How many events `events(q, place_key, limit=None)` lists."""
        cte, args = self._kept(q, place_key=place_key)
        return self.con().execute(f"WITH {cte} SELECT COUNT(*) FROM kept", args).fetchone()[0]

    def dominant_event_types(self, q: Query) -> dict[str, tuple[str, int]]:
        """place key -> (its most frequent selected event type, events of it); ties go to
        the type first in alphabetical order.
        """
        cte, args = self._kept(q, placed=True)
        rows = self.con().execute(
            f"WITH {cte} SELECT place_key, type, COUNT(*) AS n FROM kept"
            " GROUP BY place_key, type ORDER BY place_key, n DESC, type",
            args,
        )
        out: dict[str, tuple[str, int]] = {}
        for key, typ, n in rows:
            out.setdefault(key, (typ, n))
        return out

    def event_timeline(self, place_key: str | None, q: Query) -> list[tuple[date, str, int]]:
        """(publication day, type, events) of the selection's dated events, in date order
        (`place_key` None: every event of the selection).
        """
        cte, args = self._kept(q, place_key=place_key)
        rows = self.con().execute(
            f"WITH {cte} SELECT published, type, COUNT(*) FROM kept WHERE published IS NOT NULL"
            " GROUP BY published, type ORDER BY published, type",
            args,
        )
        return [(date.fromisoformat(d), t, n) for d, t, n in rows]

    def events_of(self, article_id: str) -> list[EventRow]:
        """One article's events of every status, in text order (none that a user said are
        no event).
        """
        rows = (
            self.con()
            .execute(
                f"SELECT {EVENT_COLUMNS} {_FROM} WHERE e.article_id = ? AND e.type IS NOT NULL"
                " ORDER BY e.start, e.seq",
                (article_id,),
            )
            .fetchall()
        )
        return self._event_rows(rows)

    def _event_rows(self, rows: list) -> list[EventRow]:
        con = self.con()
        arts = {}
        for aid in dict.fromkeys(r[1] for r in rows):
            got = con.execute(f"SELECT {ARTICLE_COLUMNS} FROM article WHERE id = ?", (aid,))
            arts[aid] = _article(got.fetchone())
        notes: dict[int, str] = {}
        out = []
        for r in rows:
            (eid, aid, typ, status, s, e, ps, pe, actor, target, conf, src, basis, cid, auto,
             gid, name, kind, lat, lon, cc) = r  # fmt: skip
            note = ""
            if cid is not None:
                if cid not in notes:
                    got = con.execute("SELECT note FROM correction WHERE id = ?", (cid,))
                    row = got.fetchone()
                    notes[cid] = row[0] if row else ""
                note = notes[cid]
            place = Place(gid, name, kind, lat, lon, cc) if name is not None else None
            out.append(
                EventRow(
                    eid,
                    arts[aid],
                    typ,
                    status,
                    s,
                    e,
                    ps,
                    pe,
                    place,
                    actor,
                    target,
                    float(conf),
                    src,
                    basis,
                    cid,
                    note,
                    auto if cid is not None else None,
                )  # fmt: skip
            )
        return out


def _type_clauses(q: Query, types: bool) -> tuple[str, list]:
    """ " AND ..." for the selected event types (when `types`) and statuses, over e."""
    sql = " AND e.type IS NOT NULL"
    args: list = []
    if types and q.event_types:
        sql += f" AND e.type IN ({','.join('?' * len(q.event_types))})"
        args.extend(q.event_types)
    if q.event_statuses:
        sql += f" AND e.status IN ({','.join('?' * len(q.event_statuses))})"
        args.extend(q.event_statuses)
    return sql, args
