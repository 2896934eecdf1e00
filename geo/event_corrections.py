"""Users' corrections of the event typer: "event_type" (this event is of another type) and
"not_event" (it is no event), over the stored events (geo.store.events).

They follow the place corrections (geo.corrections, which calls these functions): every
event keeps the typer's own type (`event.auto_type`); its `type` is that type with the active
corrections applied, the widest scope first, and `event.correction` names the correction
that set it. `name` is the trigger as written: "mention" is the event at start:end of one
article (each of its places), "article", "source" and "everywhere" every event with that
trigger word, in any letter case.

These functions work on an open connection inside the caller's transaction.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from geo.models import Correction

EVENT_ACTIONS = ("event_type", "not_event")


def validate(c: Correction) -> None:
    """Raise ValueError when an event correction names no type, or an unknown one."""
    from geo.events import EVENT_TYPES

    if c.action == "event_type" and c.event_type not in EVENT_TYPES:
        raise ValueError(f"unknown event type {c.event_type!r}; one of: {', '.join(EVENT_TYPES)}")


def reset(con: sqlite3.Connection, ids: Sequence[str]) -> None:
    """Give these articles' events the typer's types again."""
    marks = ",".join("?" * len(ids))
    con.execute(
        "UPDATE event SET type = auto_type, correction = NULL"
        f" WHERE correction IS NOT NULL AND article_id IN ({marks})",
        list(ids),
    )


def follow_places(con: sqlite3.Connection, ids: Sequence[str]) -> None:
    """Give these articles' events the current place of their place mention (corrected or
    not; none when a user said the mention is no place).
    """
    marks = ",".join("?" * len(ids))
    con.execute(
        "UPDATE event SET place_key = (SELECT m.place_key FROM mention m"
        " WHERE m.article_id = event.article_id AND m.start = event.place_start"
        ' AND m."end" = event.place_end ORDER BY m.added, m.id LIMIT 1)'
        f" WHERE place_start IS NOT NULL AND article_id IN ({marks})",
        list(ids),
    )


def _where(c: Correction) -> tuple[str, tuple]:
    """SQL over event rows (and its arguments) for the articles of this correction's scope
    among the targets (the temporary table cm_target of geo.corrections.apply).
    """
    if c.scope in ("mention", "article"):
        return "article_id = ?", (c.article_id,)
    if c.scope == "source":
        return (
            "article_id IN (SELECT t.id FROM cm_target t JOIN article a ON a.id = t.id"
            " WHERE a.source = ?)",
            (c.source,),
        )
    return "article_id IN (SELECT id FROM cm_target)", ()


def apply_one(con: sqlite3.Connection, c: Correction) -> int:
    """Apply one event correction to the target articles; returns how many events it set."""
    new = c.event_type if c.action == "event_type" else None
    where, args = _where(c)
    if c.scope == "mention":
        # The trigger at its offsets, or, when the text changed since, the nearest one.
        found = con.execute(
            "SELECT DISTINCT start FROM event WHERE article_id = ?"
            " AND trigger_text = ? COLLATE NOCASE",
            (c.article_id, c.name),
        ).fetchall()
        if not found:
            return 0
        start = min((r[0] for r in found), key=lambda s: abs(s - (c.start or 0)))
        where += " AND start = ?"
        args = (*args, start)
    cur = con.execute(
        f"UPDATE event SET type = ?, correction = ? WHERE {where}"
        " AND trigger_text = ? COLLATE NOCASE",
        (new, c.id, *args, c.name),
    )
    return cur.rowcount


def affected(con: sqlite3.Connection, c: Correction) -> set[str]:
    """Ids of the stored articles whose events this correction can change (or changed)."""
    ids: set[str] = set()
    if c.id is not None:
        ids.update(
            r[0]
            for r in con.execute(
                "SELECT DISTINCT article_id FROM event WHERE correction = ?", (c.id,)
            )
        )
    if c.scope in ("mention", "article"):
        ids.add(c.article_id or "")
        return ids
    extra, args = _source(c)
    ids.update(
        r[0]
        for r in con.execute(
            "SELECT DISTINCT e.article_id FROM event e JOIN article a ON a.id = e.article_id"
            f" WHERE e.trigger_text = ? COLLATE NOCASE{extra}",
            args,
        )
    )
    return ids


def reach(con: sqlite3.Connection, c: Correction, limit: int) -> int:
    """How many events a source or everywhere rule would set, counted up to limit + 1."""
    if c.scope not in ("source", "everywhere"):
        return 0
    extra, args = _source(c)
    row = con.execute(
        "SELECT COUNT(*) FROM (SELECT 1 FROM event e JOIN article a ON a.id = e.article_id"
        f" WHERE e.trigger_text = ? COLLATE NOCASE{extra} LIMIT ?) hits",
        (*args, limit + 1),
    ).fetchone()
    return int(row[0])


def _source(c: Correction) -> tuple[str, tuple]:
    if c.scope == "source":
        return " AND a.source = ?", (c.name, c.source)
    return "", (c.name,)
