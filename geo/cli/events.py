"""`events`: find events in passages, score them against labelled ones, or list the
stored ones."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from geo.cli.database import open_store
from geo.cli.geoparser import geoparser
from geo.cli.progress import Bar
from geo.errors import ArticleError


def _event_records(path: Path) -> list:
    from datetime import date

    from geo.models import Article

    out = []
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
                text = rec["text"]
            except (ValueError, KeyError, TypeError) as err:
                raise ArticleError(f"{path}:{n}: not a record with a text ({err})") from err
            published = None
            try:
                published = date.fromisoformat(str(rec.get("published") or "")[:10])
            except ValueError:
                pass
            rid = str(rec.get("id", n))
            out.append(Article(rid, None, rec.get("title") or "", published, "", "en", text))
    return out


def cmd_events(args) -> int:
    from geo.event_eval import format_errors, format_result, load_gold, score
    from geo.events import events_for_articles

    if args.stored:
        return _stored_events(args)
    if bool(args.input) == bool(args.eval):
        raise ArticleError(
            "give either IN.jsonl (with --predictions), --eval GOLD.jsonl or --stored"
        )
    path = Path(args.eval or args.input)
    gold = load_gold(path, args.split) if args.eval else None
    if gold is not None:
        from geo.models import Article

        articles = [
            Article(str(g["id"]), None, g.get("title") or "", None, "", "en", g["text"])
            for g in gold
        ]
    else:
        articles = _event_records(path)
    gp = geoparser(args)
    out = open(args.predictions, "w", encoding="utf-8") if args.predictions else None  # noqa: SIM115
    preds: dict[str, list[dict]] = {}
    bar = Bar("events")
    t0 = time.perf_counter()
    try:
        for n, (art, events) in enumerate(events_for_articles(articles, gp), 1):
            rec = {"id": art.id, "events": [e.to_json() for e in events]}
            preds[art.id] = rec["events"]
            if out is not None:
                out.write(json.dumps(rec, ensure_ascii=False) + "\n")
            elif gold is None:
                print(json.dumps(rec, ensure_ascii=False))
            bar(n, len(articles))
    finally:
        bar.close()
        if out is not None:
            out.close()
    elapsed = time.perf_counter() - t0
    if gold is None:
        return 0
    res = score(gold, preds)
    res["passages_per_second"] = len(articles) / elapsed if elapsed else None
    if args.json:
        res.pop("errors") if not args.errors else None
        print(json.dumps(res, indent=2))
        return 0
    print(format_result(res))
    print(f"time: {res['passages_per_second']:.1f} passages/s (parse, places and events)")
    if args.errors:
        print(format_errors(res, args.top))
    return 0


def _stored_events(args) -> int:
    """The events stored in the database as CSV (the app's "Download events" columns)."""
    from geo import export
    from geo.articles import parse_date
    from geo.events import EVENT_TYPES, STATUSES
    from geo.store import Query

    types = tuple(dict.fromkeys(args.type or ()))
    statuses = tuple(dict.fromkeys(args.status or ("reported",)))
    for value, known, what in ((types, EVENT_TYPES, "type"), (statuses, STATUSES, "status")):
        bad = [v for v in value if v not in known]
        if bad:
            raise ArticleError(f"unknown event {what} {bad[0]!r}; known: {', '.join(known)}")
    dates = []
    for value in (args.start, args.end):
        d = parse_date(value) if value else None
        if value and d is None:
            raise ArticleError(f"unreadable date {value!r}: use YYYY-MM-DD")
        dates.append(d)
    store = open_store(args)
    try:
        q = Query(start=dates[0], end=dates[1], event_types=types, event_statuses=statuses)
        rows = store.events(q, None, None)
    finally:
        store.close()
    text = export.events_csv(rows)
    if args.predictions:
        Path(args.predictions).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    print(f"{len(rows):,} events", file=sys.stderr)
    return 0
