"""Users' corrections of the geoparser, kept as data and applied over its output.

Every stored mention keeps the geoparser's own choice (`mention.auto_place_key`); its
`place_key` is that choice with the active corrections applied, and `mention.correction`
names the correction that set it. Mentions a user added carry `added = 1`. Applying is
idempotent: an article's mentions are reset to the geoparser's output, then every active
correction that concerns the article is applied, the widest scope first and, within a scope,
in the order they were made, so that the narrower and the later correction wins. Corrections
of events ("event_type", "not_event") are applied alongside, by geo.event_corrections. The store
applies them after every save (so they survive re-ingest and geoparser upgrades), after a
correction is made or undone, and after an import.

These functions work on an open SQLite connection inside the caller's transaction.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import re
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from geo import event_corrections
from geo.event_corrections import EVENT_ACTIONS
from geo.models import CORRECTION_ACTIONS, CORRECTION_SCOPES, Correction, Place

if TYPE_CHECKING:
    from geo.gazetteer import Candidate

COLUMNS = (
    'id, uid, action, scope, name, article_id, source, start, "end", place_key, geonameid,'
    " place_name, kind, lat, lon, country, old_place, note, author, created_at, undone_at,"
    " orphaned, event_type"
)
_ORDER = "CASE scope WHEN 'everywhere' THEN 0 WHEN 'source' THEN 1 WHEN 'article' THEN 2 ELSE 3 END"
MAX_NOTE = 1_000  # characters of a user's reason that are kept


def validate(c: Correction) -> None:
    """Raise ValueError when the correction cannot be applied as described."""
    if c.action not in CORRECTION_ACTIONS:
        raise ValueError(f"unknown correction action {c.action!r}")
    if c.scope not in CORRECTION_SCOPES:
        raise ValueError(f"unknown correction scope {c.scope!r}")
    if not c.name.strip():
        raise ValueError("a correction needs the name as written in the article")
    if c.action in ("place", "add") and c.place is None:
        raise ValueError("choose the place this name refers to")
    if c.action in EVENT_ACTIONS:
        event_corrections.validate(c)
    if c.scope in ("mention", "article") and not c.article_id:
        raise ValueError("a correction of one article needs that article")
    if c.scope == "mention" and (c.start is None or c.end is None or c.end <= c.start):
        raise ValueError("a correction of one mention needs its position in the text")
    if c.scope == "source" and not c.source:
        raise ValueError("a correction of one source needs that source")


def make_uid(c: Correction) -> str:
    """An identity from what the correction says and when it was made, for imported records
    that carry none (a correction made here gets a random one).
    """
    p = c.place
    body = json.dumps(
        [
            c.action,
            c.scope,
            c.name,
            p.key if p else None,
            c.article_id if c.scope in ("mention", "article") else None,
            c.source if c.scope == "source" else None,
            c.start if c.scope == "mention" else None,
            c.created_at,
        ]
        # (appended only when set, so that the uids of place corrections stay as they were)
        + ([c.event_type] if c.event_type is not None else [])
    )
    return hashlib.sha256(body.encode()).hexdigest()[:24]


def insert(con: sqlite3.Connection, c: Correction) -> int | None:
    """Store a correction; returns its row id, or None when its uid is stored already."""
    p = c.place
    cur = con.execute(
        'INSERT INTO correction(uid, action, scope, name, article_id, source, start, "end",'
        " place_key, geonameid, place_name, kind, lat, lon, country, old_place, note, author,"
        " created_at, undone_at, event_type) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
        " ON CONFLICT(uid) DO NOTHING RETURNING id",
        (
            c.uid,
            c.action,
            c.scope,
            c.name,
            c.article_id,
            c.source,
            c.start,
            c.end,
            p.key if p else None,
            p.geonameid if p else None,
            p.name if p else None,
            p.kind if p else None,
            p.lat if p else None,
            p.lon if p else None,
            p.country_code if p else None,
            c.old_place,
            c.note[:MAX_NOTE],
            c.author,
            c.created_at,
            c.undone_at,
            c.event_type,
        ),
    )
    row = cur.fetchone()
    return row[0] if row else None


def from_row(row: tuple) -> Correction:
    (cid, uid, action, scope, name, aid, source, start, end, _key, gid, pname, kind, lat, lon,
     cc, old, note, author, created, undone, orphaned, event_type) = row  # fmt: skip
    place = Place(gid, pname, kind, lat, lon, cc) if pname is not None else None
    return Correction(
        action, scope, name, place, aid, source, start, end, note, author, created, old, uid,
        cid, undone, bool(orphaned), event_type,
    )  # fmt: skip


def read(con: sqlite3.Connection, where: str = "", args: tuple = ()) -> list[Correction]:
    sql = f"SELECT {COLUMNS} FROM correction {where}"
    return [from_row(r) for r in con.execute(sql, args)]


def to_json(c: Correction) -> dict:
    """A correction as one line of `geo corrections export`."""
    p = c.place
    return {
        "uid": c.uid,
        "action": c.action,
        "scope": c.scope,
        "name": c.name,
        "place": None
        if p is None
        else {
            "geonameid": p.geonameid,
            "name": p.name,
            "kind": p.kind,
            "lat": p.lat,
            "lon": p.lon,
            "country_code": p.country_code,
        },
        "article_id": c.article_id,
        "source": c.source,
        "start": c.start,
        "end": c.end,
        "old_place": c.old_place,
        "note": c.note,
        "author": c.author,
        "created_at": c.created_at,
        "undone_at": c.undone_at,
        "event_type": c.event_type,
    }


def from_json(rec: object) -> Correction:
    """Inverse of to_json; raises ValueError, naming the field, on a record that is not a
    valid correction: every field of its type (a bool is not a number, a list not a string)
    and range (finite coordinates, offsets and ids that a database column holds).
    """
    if not isinstance(rec, dict):
        raise ValueError("not a JSON object")
    p = rec.get("place")
    place = None
    if p is not None:
        if not isinstance(p, dict):
            raise ValueError("place: not a JSON object")
        place = Place(
            _int(p, "geonameid", "place.geonameid", 0, MAX_ID),
            _str(p, "name", "place.name", required=True),
            _str(p, "kind", "place.kind", required=True),
            _float(p, "lat", "place.lat", -90, 90),
            _float(p, "lon", "place.lon", -180, 180),
            _str(p, "country_code", "place.country_code", limit=3) or None,
        )
    c = Correction(
        action=_str(rec, "action", required=True, limit=20),
        scope=_str(rec, "scope", required=True, limit=20),
        name=_str(rec, "name", required=True),
        place=place,
        article_id=_str(rec, "article_id") or None,
        source=_str(rec, "source") or None,
        start=_int(rec, "start", "start", 0, MAX_OFFSET),
        end=_int(rec, "end", "end", 0, MAX_OFFSET),
        old_place=_str(rec, "old_place") or None,
        note=_str(rec, "note", limit=MAX_NOTE * 4),
        author=_str(rec, "author"),
        created_at=_str(rec, "created_at", limit=40),
        undone_at=_str(rec, "undone_at", limit=40) or None,
        uid=_str(rec, "uid", limit=100),
        event_type=_str(rec, "event_type", limit=40) or None,
    )
    validate(c)
    return c


MAX_ID = 2**62  # ids and offsets a BIGINT column holds
MAX_OFFSET = 2**31 - 1  # an INTEGER column (PostgreSQL's is 32 bits)
MAX_FIELD = 10_000  # characters of a text field of an imported record


def _str(
    rec: dict, key: str, label: str = "", *, required: bool = False, limit: int = MAX_FIELD
) -> str:
    """A text field ("" when absent or null); ValueError for another type or length."""
    value = rec.get(key)
    if value is None:
        if required:
            raise ValueError(f"{label or key}: missing")
        return ""
    if not isinstance(value, str):
        raise ValueError(f"{label or key}: a text was expected, not {_kind(value)}")
    if len(value) > limit:
        raise ValueError(f"{label or key}: longer than {limit:,} characters")
    return value


def _int(rec: dict, key: str, label: str, low: int, high: int) -> int | None:
    """A whole-number field (None when absent or null), within [low, high]."""
    value = rec.get(key)
    if value is None:
        return None
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{label}: a whole number was expected, not {_kind(value)}")
    if not low <= value <= high:
        raise ValueError(f"{label}: out of range ({low} to {high:,})")
    return value


def _float(rec: dict, key: str, label: str, low: float, high: float) -> float:
    """A required finite number within [low, high]."""
    value = rec.get(key)
    if value is None:
        raise ValueError(f"{label}: missing")
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{label}: a number was expected, not {_kind(value)}")
    if not (math.isfinite(value) and low <= value <= high):
        raise ValueError(f"{label}: out of range ({low:g} to {high:g})")
    return float(value)


def _kind(value: object) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, (list, dict)):
        return "a list" if isinstance(value, list) else "an object"
    return "text" if isinstance(value, str) else type(value).__name__


# -- reading an exported file -------------------------------------------------------------
MAX_LINE_BYTES = 1_000_000  # one record; a longer line is refused without being read whole
MAX_FILE_BYTES = 200_000_000  # reading stops here
_CHUNK = 1 << 16


def _no_constant(name: str) -> float:
    raise ValueError(f"{name} is not a number JSON allows")


def read_file(
    path: Path, *, max_line: int = MAX_LINE_BYTES, max_file: int = MAX_FILE_BYTES
) -> tuple[list[tuple[int, Correction]], list[str]]:
    """The corrections of a JSONL export, each with its line number, and one "line N: why"
    per refused line (the good lines are kept). Streams: a line longer than `max_line`
    bytes is skipped without being held whole, and reading stops after `max_file` bytes.
    Raises OSError when the file cannot be opened.
    """
    items: list[tuple[int, Correction]] = []
    bad: list[str] = []
    read = 0
    with path.open("rb") as fh:
        for n in itertools.count(1):
            if read >= max_file:
                if fh.read(1):
                    bad.append(
                        f"line {n}: the file is larger than {max_file:,} bytes; the rest was not read"
                    )
                break
            raw = fh.readline(max_line + 1)
            if not raw:
                break
            read += len(raw)
            if len(raw) > max_line and not raw.endswith(b"\n"):
                while raw and not raw.endswith(b"\n") and read < max_file:  # skip the rest
                    raw = fh.readline(_CHUNK)
                    read += len(raw)
                bad.append(f"line {n}: longer than {max_line:,} bytes")
                continue
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError:
                bad.append(f"line {n}: not UTF-8 text")
                continue
            if not line.strip():
                continue
            try:
                items.append((n, from_json(json.loads(line, parse_constant=_no_constant))))
            except RecursionError:
                bad.append(f"line {n}: nested too deeply")
            except ValueError as err:  # json.JSONDecodeError is one
                bad.append(f"line {n}: {printable(str(err))[:300]}")
    return items, bad


def printable(text: str) -> str:
    """`text` without control characters (terminal escapes, bidirectional overrides), for
    output to a terminal; line breaks and tabs become spaces.
    """
    return _CONTROL.sub("", _BREAK.sub(" ", text))


_BREAK = re.compile(r"[\n\t\u2028\u2029]")  # U+2028/9 break lines in some terminals
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


# -- how many mentions a rule changes -----------------------------------------------------
MAX_UNCONFIRMED = 2_000  # mentions a rule may change before the user has to confirm it


class WideCorrection(ValueError):
    """A correction would change more than MAX_UNCONFIRMED mentions and was not confirmed."""


def reach(con: sqlite3.Connection, c: Correction, limit: int | None = None) -> int:
    """How many mentions this correction would set, counted up to limit + 1 (default
    MAX_UNCONFIRMED + 1; a rule over one article or mention counts 0: that article bounds it).
    """
    limit = MAX_UNCONFIRMED if limit is None else limit
    if c.scope not in ("source", "everywhere"):
        return 0
    if c.action in EVENT_ACTIONS:
        return event_corrections.reach(con, c, limit)
    by_source = c.scope == "source"
    extra = " AND a.source = ?" if by_source else ""
    args: tuple = (c.name, c.source) if by_source else (c.name,)
    if c.action != "add":
        row = con.execute(
            "SELECT COUNT(*) FROM (SELECT 1 FROM mention m JOIN article a ON a.id = m.article_id"
            f" WHERE m.text = ? COLLATE NOCASE{extra} LIMIT ?) hits",
            (*args, limit + 1),
        ).fetchone()
        return int(row[0])
    found = 0
    for (text,) in con.execute(
        f"SELECT a.text FROM article a WHERE instr(a.text, ?) > 0{extra}", args
    ):
        found += len(occurrences(text, c.name))
        if found > limit:
            break
    return found


def check_reach(con: sqlite3.Connection, c: Correction) -> None:
    """Raise WideCorrection when `c` would change more than MAX_UNCONFIRMED mentions."""
    n = reach(con, c)
    if n > MAX_UNCONFIRMED:
        raise WideCorrection(
            f"{c.describe()} would change more than {MAX_UNCONFIRMED:,} mentions;"
            " confirm it to apply it"
        )


# -- which articles a correction concerns -------------------------------------------------
def affected(con: sqlite3.Connection, c: Correction) -> set[str]:
    """Ids of the stored articles whose mentions this correction can change (or changed)."""
    if c.action in EVENT_ACTIONS:
        return event_corrections.affected(con, c)
    ids: set[str] = set()
    if c.id is not None:
        ids.update(
            r[0]
            for r in con.execute(
                "SELECT DISTINCT article_id FROM mention WHERE correction=?", (c.id,)
            )
        )
    if c.scope in ("mention", "article"):
        ids.add(c.article_id or "")
        return ids
    by_source = c.scope == "source"
    extra = " AND a.source = ?" if by_source else ""
    args: tuple = (c.name, c.source) if by_source else (c.name,)
    ids.update(
        r[0]
        for r in con.execute(
            "SELECT DISTINCT m.article_id FROM mention m JOIN article a ON a.id = m.article_id"
            f" WHERE m.text = ? COLLATE NOCASE{extra}",
            args,
        )
    )
    if c.action != "not_place":
        ids.update(
            r[0]
            for r in con.execute(
                f"SELECT a.id FROM article a WHERE instr(a.text, ?) > 0{extra}",
                (c.name, c.source) if by_source else (c.name,),
            )
        )
    return ids


# -- applying ---------------------------------------------------------------------------
def apply(con: sqlite3.Connection, article_ids: Iterable[str]) -> None:
    """Reset these articles' mentions to the geoparser's output and apply every active
    correction that concerns them. Marks mention/article corrections that match nothing.
    """
    ids = sorted(set(article_ids))
    if not ids:
        return
    con.execute("CREATE TEMP TABLE IF NOT EXISTS cm_target(id TEXT PRIMARY KEY)")
    con.execute("DELETE FROM cm_target")
    con.executemany(
        "INSERT INTO cm_target SELECT id FROM article WHERE id = ? ON CONFLICT DO NOTHING",
        [(i,) for i in ids],
    )
    # The ids themselves, not the temporary table, so that both databases look the articles'
    # mentions up by index (PostgreSQL has no statistics on a temporary table and would
    # read every mention).
    for i in range(0, len(ids), 500):
        chunk = ids[i : i + 500]
        marks = ",".join("?" * len(chunk))
        con.execute(f"DELETE FROM mention WHERE added = 1 AND article_id IN ({marks})", chunk)
        con.execute(
            "UPDATE mention SET place_key = auto_place_key, correction = NULL"
            f" WHERE correction IS NOT NULL AND article_id IN ({marks})",
            chunk,
        )
        event_corrections.reset(con, chunk)
    rules = read(
        con,
        "WHERE undone_at IS NULL AND (scope = 'everywhere' OR (scope = 'source' AND source IN"
        " (SELECT DISTINCT a.source FROM article a JOIN cm_target t ON t.id = a.id))"
        " OR (scope IN ('mention', 'article') AND article_id IN (SELECT id FROM cm_target)))"
        f" ORDER BY {_ORDER}, id",
    )
    for c in rules:
        hits = (
            event_corrections.apply_one(con, c) if c.action in EVENT_ACTIONS else _apply_one(con, c)
        )
        if c.scope in ("mention", "article"):
            con.execute("UPDATE correction SET orphaned = ? WHERE id = ?", (int(hits == 0), c.id))
    for i in range(0, len(ids), 500):
        event_corrections.follow_places(con, ids[i : i + 500])
    con.execute("DELETE FROM cm_target")


def _save_place(con: sqlite3.Connection, p: Place) -> None:
    con.execute(
        "INSERT INTO place VALUES (?,?,?,?,?,?,?) ON CONFLICT(key) DO NOTHING",
        (p.key, p.geonameid, p.name, p.kind, p.lat, p.lon, p.country_code),
    )


def _targets(c: Correction) -> tuple[str, tuple]:
    """SQL (and its arguments) for the ids of this correction's articles among the targets."""
    if c.scope == "source":
        return (
            "SELECT t.id FROM cm_target t JOIN article a ON a.id = t.id WHERE a.source = ?",
            (c.source,),
        )
    return "SELECT id FROM cm_target", ()


def _apply_one(con: sqlite3.Connection, c: Correction) -> int:
    """Apply one correction to the target articles; returns how many mentions it set."""
    key = c.place.key if c.place is not None and c.action != "not_place" else None
    if c.place is not None and key is not None:
        _save_place(con, c.place)
    if c.scope == "mention":
        text = _text(con, c.article_id or "")
        span = _locate(text, c.name, c.start or 0, c.end or 0) if text is not None else None
        if span is None:
            return 0
        return _set_span(con, c, key, *span, suppress_overlaps=True)
    if c.action in ("place", "not_place"):
        if c.scope == "article":
            where, args = "article_id = ?", (c.article_id,)
        else:
            sql, args = _targets(c)
            where = f"article_id IN ({sql})"
        cur = con.execute(
            f"UPDATE mention SET place_key = ?, correction = ? WHERE {where}"
            " AND text = ? COLLATE NOCASE",
            (key, c.id, *args, c.name),
        )
        return cur.rowcount
    # "add" over an article, a source or everywhere: every occurrence of the words.
    if c.scope == "article":
        rows: Iterator = iter([(c.article_id, _text(con, c.article_id or ""))])
    else:
        sql, args = _targets(c)
        rows = con.execute(
            f"SELECT a.id, a.text FROM article a WHERE a.id IN ({sql}) AND instr(a.text, ?) > 0",
            (*args, c.name),
        )
    hits = 0
    for aid, text in list(rows):
        if text is None:
            continue
        one = Correction(c.action, "mention", c.name, c.place, aid, id=c.id)
        for s, e in occurrences(text, c.name):
            hits += _set_span(con, one, key, s, e, suppress_overlaps=False)
    return hits


def _text(con: sqlite3.Connection, article_id: str) -> str | None:
    row = con.execute("SELECT text FROM article WHERE id = ?", (article_id,)).fetchone()
    return row[0] if row else None


def occurrences(text: str, name: str) -> list[tuple[int, int]]:
    """Where `name` occurs in `text` as whole words (as written)."""
    pattern = re.compile(r"(?<!\w)" + re.escape(name) + r"(?!\w)")
    return [(m.start(), m.end()) for m in pattern.finditer(text)]


def _locate(text: str, name: str, start: int, end: int) -> tuple[int, int] | None:
    """The occurrence of `name` a mention correction meant: at its offsets, or, when the text
    changed since, the occurrence nearest to them (any letter case); None when it is gone.
    """
    if text[start:end] == name:
        return start, end
    spans = occurrences(text, name)
    if not spans:
        low = text.lower()
        pattern = re.compile(r"(?<!\w)" + re.escape(name.lower()) + r"(?!\w)")
        spans = [(m.start(), m.end()) for m in pattern.finditer(low)]
    if not spans:
        return None
    return min(spans, key=lambda s: abs(s[0] - start))


def _set_span(
    con: sqlite3.Connection,
    c: Correction,
    key: str | None,
    start: int,
    end: int,
    *,
    suppress_overlaps: bool,
) -> int:
    """Make the text at start:end mean `key` (None: no place). Returns 1 when it did."""
    aid = c.article_id
    exact = con.execute(
        'UPDATE mention SET place_key = ?, correction = ? WHERE article_id = ? AND start = ? AND "end" = ?',
        (key, c.id, aid, start, end),
    ).rowcount
    if exact:
        return 1
    overlap = 'article_id = ? AND start < ? AND "end" > ?'
    if key is None:
        # "Not a place" on a mention whose span moved: the mention over these words goes.
        return (
            con.execute(
                f"UPDATE mention SET place_key = NULL, correction = ? WHERE {overlap}",
                (c.id, aid, end, start),
            ).rowcount
            and 1
        )
    if con.execute(f"SELECT 1 FROM mention WHERE {overlap}", (aid, end, start)).fetchone():
        if not suppress_overlaps:
            return 0  # a longer or other name the geoparser found there stays
        con.execute(
            f"UPDATE mention SET place_key = NULL, correction = ? WHERE {overlap}",
            (c.id, aid, end, start),
        )
    text = _text(con, aid or "")
    con.execute(
        'INSERT INTO mention(article_id, start, "end", text, mention_type, place_key, reason,'
        " auto_place_key, correction, added) VALUES (?,?,?,?,?,?,?,?,?,1)",
        (aid, start, end, (text or "")[start:end], "name", key, "", None, c.id),
    )
    return 1


# -- choosing the right place -----------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Alternative:
    """A place a name can mean, as offered to a user correcting the geoparser."""

    place: Place
    population: int
    feature: str
    chosen: bool  # the geoparser's (or the current) choice
    why_not: str  # why it lost; "" for the chosen one

    def label(self) -> str:
        """ "Odessa — city, US, 114k people (smaller than …)"."""
        p = self.place
        kind = _KIND_WORDS.get(p.kind, p.kind)
        bits = [kind if not self.feature or self.feature == p.kind else f"{kind} ({self.feature})"]
        if p.country_code:
            bits.append(p.country_code)
        if self.population:
            bits.append(f"{human(self.population)} people")
        bits.append(
            f"{abs(p.lat):.1f}°{'N' if p.lat >= 0 else 'S'} {abs(p.lon):.1f}°{'E' if p.lon >= 0 else 'W'}"
        )
        tail = " — current choice" if self.chosen else f" — {self.why_not}" if self.why_not else ""
        return f"{p.name}: {', '.join(bits)}{tail}"


_KIND_WORDS = {"admin1": "region", "admin2": "district"}


def _a(kind: str) -> str:
    """ "a city", "an admin1 unit"."""
    word = _KIND_WORDS.get(kind, kind)
    return ("an " if word[:1] in "aeiou" else "a ") + word


def human(n: int) -> str:
    """1234567 -> "1.2M", 45000 -> "45k"."""
    if n >= 1_000_000:
        return f"{n / 1_000_000:.1f}M"
    if n >= 1_000:
        return f"{n / 1_000:.0f}k"
    return str(n)


def alternatives(
    candidates: Sequence[Candidate], chosen: Place | None, limit: int = 15
) -> list[Alternative]:
    """The candidates for a name (gazetteer order), each with why it lost to `chosen`."""
    by_key = {c.place.key: c for c in candidates}
    top = by_key.get(chosen.key) if chosen is not None else None
    out = []
    for c in list(candidates)[:limit]:
        p = c.place
        if chosen is not None and p.key == chosen.key:
            out.append(Alternative(p, c.population, c.feature, True, ""))
            continue
        if chosen is None:
            why = "the geoparser placed this name nowhere"
        elif not c.primary and (top is None or top.primary):
            why = "carries the name only as an alternate name"
        elif p.kind != chosen.kind:
            why = f"{_a(p.kind)}; the geoparser preferred {_a(chosen.kind)} here"
        elif top is not None and c.population < top.population:
            why = f"fewer people than {chosen.name} ({human(top.population)})"
        elif p.country_code != chosen.country_code:
            why = "the article's other places pointed to another country"
        else:
            why = "ranked lower by the geoparser"
        out.append(Alternative(p, c.population, c.feature, False, why))
    if chosen is not None and top is None:
        out.insert(0, Alternative(chosen, 0, chosen.kind, True, ""))
    return out
