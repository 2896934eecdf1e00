"""Command line: python -m geo {ingest,watch,geoparse,evaluate,events,gazetteer,precompute,
corrections,remove,migrate,focus}."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from geo import corrections as corrections_mod
from geo.errors import ArticleError, GeoError
from geo.redact import RedactFilter, redact

EPILOG = {
    "ingest": "example: python -m geo ingest data/articles/ my_article.txt --db /tmp/cm.sqlite\n"
    "also:    python -m geo ingest archive/ --cluster 2   (a local Dask cluster, 2 processes)\n"
    "         python -m geo ingest archive/ --scheduler tcp://HOST:8786   (a running one)",
    "geoparse": "example: python -m geo geoparse data/sample/000_fa1a19d97a69d7e0.txt --format jsonl\n"
    "also:    python -m geo geoparse story.txt --focus UA,RU --gazetteer-csv my_places.csv",
    "evaluate": "example: python -m geo evaluate ../shared/geoparsing_eval/gwn.jsonl --errors\n"
    "also:    python -m geo evaluate gwn.jsonl --calibration   (how right each confidence is)",
    "events": "example: python -m geo events passages.jsonl --predictions events.jsonl\n"
    "also:    python -m geo events --eval data/events/world.jsonl --split holdout --errors",
    "gazetteer": "example: python -m geo gazetteer --rebuild",
    "precompute": "example: python -m geo precompute",
    "watch": "example: python -m geo watch https://example.org/feed.rss --every 15m",
    "corrections": "example: python -m geo corrections export fixes.jsonl\n"
    "also:    python -m geo corrections import fixes.jsonl\n"
    "         python -m geo corrections list\n         python -m geo corrections undo 12",
    "remove": "example: python -m geo remove --source 'Kremlin'\n"
    "also:    python -m geo remove --article 000_fa1a19d97a69d7e0\n"
    "         python -m geo remove --file data/articles/bad.csv\n"
    "         python -m geo remove --restore 3",
    "focus": "example: python -m geo focus --set UA,RU   (then: python -m geo ingest data/sample)\n"
    "also:    python -m geo focus   (the focus kept and the one the corpus suggests)\n"
    "         python -m geo focus --set none",
    "migrate": "example: python -m geo migrate --from data/conflict_map.sqlite"
    " --to postgresql://analyst@dbhost/conflict_map\n"
    "Running it again copies only what is new.",
}


class _Bar:
    """A tqdm progress bar driven by on_progress(done, total) callbacks."""

    def __init__(self, desc: str, unit: str = "art") -> None:
        from tqdm import tqdm

        self.bar = tqdm(desc=desc, unit=unit, file=sys.stderr, dynamic_ncols=True)

    def __call__(self, done: int, total: int) -> None:
        if self.bar.total != total:
            self.bar.total = total  # grows while a stream is read; keeps the rate and ETA
        if done != self.bar.n:
            self.bar.update(done - self.bar.n)

    def close(self) -> None:
        self.bar.close()


def _geoparser(args):
    from geo.gazetteer import Gazetteer
    from geo.pipeline import Geoparser

    bar: _Bar | None = None

    def on_progress(done: int, total: int) -> None:
        nonlocal bar  # a bar only appears when the index really has to be built
        bar = bar or _Bar("building gazetteer (once)", "step")
        bar(done, total)

    try:
        gaz = Gazetteer.open_or_build(on_progress=on_progress)
    finally:
        if bar is not None:
            bar.close()
    if getattr(args, "gazetteer_csv", None):
        gaz.add_user_csv(Path(f) for f in args.gazetteer_csv)
    gp = Geoparser(gazetteer=gaz)
    focus = _focus(args)
    if focus == "auto" and args.command not in {"geoparse", "evaluate"}:
        raise ArticleError("--focus auto needs the whole corpus: name the countries, e.g. UA,RU")
    gp.resolver.focus = focus if isinstance(focus, dict) else {}
    return gp


def _focus(args) -> dict[str, float] | str:
    """The --focus flag: "auto" (found from the inputs), or country code -> weight."""
    from geo.focus import parse_focus

    text = getattr(args, "focus", None)
    if text is None:  # geoparse and evaluate read a whole corpus: its own focus
        text = "auto" if args.command in {"geoparse", "evaluate"} else "none"
    if text.strip().lower() == "auto":
        return "auto"
    if text.strip().lower() == "none":
        return {}
    try:
        return parse_focus(text)
    except ValueError as err:
        raise ArticleError(f"--focus: {err}") from err


def _geoparser_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--focus",
        metavar="CC,CC",
        help="countries the corpus is about, e.g. UA,RU (or UA:1,RU:0.5): a small prior "
        'for ambiguous names ("Odessa" is Odesa unless the article places it elsewhere); '
        "'auto' (geoparse and evaluate: the default) finds it from the inputs, 'none' turns "
        "it off. ingest keeps it with the database (see `focus`) and otherwise uses the "
        "one kept there",
    )
    p.add_argument(
        "--gazetteer-csv",
        action="append",
        metavar="FILE",
        help="your own places (CSV: name,aliases,lat,lon,kind,country,parent), winning over "
        "GeoNames; repeatable; data/gazetteer/user/*.csv is always read",
    )


def _fetch_options(args) -> None:
    """--allow-private lets fetches reach this machine and the local network."""
    if getattr(args, "allow_private", False):
        os.environ["CONFLICT_MAP_ALLOW_PRIVATE"] = "1"


def _print_report(store, report) -> None:
    print(f"{store.path}: {report.summary()}")
    for f in report.failed:
        print(f"  failed: {f.source}: {f.detail}")
    for w in report.warnings:
        print(f"  warning: {w}")
    orphans = getattr(store, "orphaned_corrections", lambda: [])()
    for c in orphans[:20]:
        print(f"  warning: correction {c.id} ({c.describe()}) matches nothing in its article now")


def cmd_ingest(args) -> int:
    from functools import partial

    from geo.fetch import fetch_url, read_url_list
    from geo.pipeline import db_path, ingest, load_precomputed
    from geo.store import Store

    _fetch_options(args)
    paths = list(args.paths)
    for url_file in args.urls or []:
        paths.extend(read_url_list(Path(url_file)))
    if not paths:
        raise ArticleError("nothing to ingest: give files, folders, URLs or --urls FILE")
    from geo.articles import parse_columns

    columns = parse_columns(args.column or [])
    on_cluster = bool(args.scheduler or args.cluster)
    if on_cluster and args.workers:
        raise ArticleError(
            "--workers forks local processes: leave it out with --scheduler/--cluster"
        )
    if args.cluster is not None and args.cluster < 1:
        raise ArticleError("--cluster needs at least 1 worker")
    store = Store(db_path(args.db))
    if args.focus is not None:  # kept with the database: later ingests and the app use it
        _keep_focus(store, _focus(args))
    fetch = partial(fetch_url, follow_links=args.follow_links)
    if on_cluster:
        report = _ingest_on_cluster(args, paths, store, columns or None, fetch)
        _print_report(store, report)
        return 1 if report.failed and not (report.added or report.updated or report.skipped) else 0
    bar = _Bar("ingesting")
    try:
        report = ingest(
            paths,  # ingest tells URLs from paths
            store,
            lambda: _geoparser(args),
            on_progress=bar,
            precomputed=load_precomputed(),
            workers=args.workers,
            columns=columns or None,
            fetch=fetch,
        )
    finally:
        bar.close()
    _print_report(store, report)
    return 1 if report.failed and not (report.added or report.updated or report.skipped) else 0


def _keep_focus(store, focus: dict[str, float]) -> int:
    """Make `focus` the store's corpus focus; say how many stored articles it re-reads."""
    from geo.focus import refocus
    from geo.gazetteer import Gazetteer
    from geo.store.focus import format_focus

    if not isinstance(focus, dict):
        raise ArticleError("--focus auto: use `python -m geo focus --set auto` after an ingest")
    n = refocus(store, Gazetteer.open_or_build().lookup, focus)
    what = format_focus(focus) or "none"
    print(
        f"focus: {what}, kept with the database; {n:,} stored article{'' if n == 1 else 's'}"
        " to parse again" + (" (at the next ingest or app start)" if n else "")
    )
    return n


def cmd_focus(args) -> int:
    from geo.focus import suggested_focus
    from geo.pipeline import db_path
    from geo.store import Store
    from geo.store.focus import format_focus

    store = Store(db_path(args.db))
    if args.set is not None:
        if args.set.strip().lower() == "auto":
            args.focus = format_focus(suggested_focus(store)) or "none"
        else:
            args.focus = args.set
        _keep_focus(store, _focus(args))
        return 0
    print(f"focus: {format_focus(store.focus()) or 'none'}")
    print(f"suggested by the stored articles: {format_focus(suggested_focus(store)) or 'none'}")
    return 0


def _ingest_on_cluster(args, paths, store, columns, fetch):
    """`ingest` with the parsing on Dask workers: a running scheduler or a LocalCluster."""
    from geo.cluster import dask_client, ingest_on_cluster
    from geo.pipeline import load_precomputed

    gazetteer = None
    if args.cluster:
        # The local workers share this machine's index: build it here, once, before they start.
        gazetteer = _geoparser(args).gazetteer.path
    with dask_client(args.scheduler, args.cluster) as client:
        bar = _Bar("ingesting")
        try:
            return ingest_on_cluster(
                paths,
                store,
                client,
                on_progress=bar,
                precomputed=load_precomputed(),
                columns=columns,
                gazetteer=gazetteer,
                fetch=fetch,
            )
        finally:
            bar.close()


def cmd_watch(args) -> int:
    from functools import partial

    from geo.fetch import fetch_url, read_url_list, short_url
    from geo.pipeline import db_path, ingest_articles
    from geo.store import Store
    from geo.watch import parse_interval, watch

    _fetch_options(args)
    urls = list(args.urls_pos)
    for url_file in args.urls or []:
        urls.extend(read_url_list(Path(url_file)))
    store = Store(db_path(args.db))
    if not urls:  # the feeds this database already watches (e.g. added in the app)
        from geo.fetch import is_web_address

        urls = [f.url for f in store.feeds()]
        for url in [u for u in urls if not is_web_address(u)]:
            print(f"  skipped: {short_url(url)}: only http and https addresses are watched")
            urls.remove(url)
    if not urls:
        raise ArticleError("nothing to watch: give feed URLs or --urls FILE")
    try:
        every = parse_interval(args.every)
    except ValueError as err:
        raise ArticleError(f"--every: {err}") from err
    parser = None

    def ingest_items(articles, origin):
        nonlocal parser
        if parser is None:
            parser = _geoparser(args)
        report = ingest_articles(articles, store, parser, origin, workers=args.workers)
        for w in report.warnings:
            print(f"  warning: {w}")
        return report.added + report.updated, report.failed

    polls: list[bool] = []  # per poll: the feed itself could not be read

    def on_poll(res) -> None:
        polls.append(bool(res.error))
        stamp = time.strftime("%H:%M:%S")
        print(f"{stamp} {res.line()}", flush=True)
        for f in res.failed[:10]:
            print(f"  failed: {f.source}: {f.detail}", flush=True)

    print(f"watching {len(urls)} feed(s) every {args.every}; Ctrl-C stops", flush=True)
    try:
        total = watch(
            urls,
            store,
            ingest_items,
            partial(fetch_url, follow_links=args.follow_links),
            every,
            rounds=args.rounds,
            on_poll=on_poll,
        )
    except KeyboardInterrupt:
        print("stopped")
        return 0
    print(f"{store.path}: {total} article(s) stored")
    return 1 if polls and all(polls) else 0  # every feed unreadable: say so to scripts


def cmd_geoparse(args) -> int:
    from geo.articles import load_file
    from geo.focus import parse_corpus
    from geo.language import detect
    from geo.models import Failure, Notice
    from geo.pipeline import GEOPARSED_LANGUAGES, article_json
    from geo.textguard import guard

    gp = _geoparser(args)
    failed = 0
    articles = []
    for path in args.files:
        for item in load_file(Path(path)):
            if isinstance(item, Failure):
                print(f"error: {item.source}: {item.detail}", file=sys.stderr)
                failed += 1
                continue
            if isinstance(item, Notice):
                print(f"warning: {item.source}: {item.message}", file=sys.stderr)
                continue
            lang = detect(item.text)
            if lang in GEOPARSED_LANGUAGES and lang not in {"und", item.language}:
                item = replace(item, language=lang)  # as ingest does: the text's language
            if refused := guard(item.text).refused:  # printed, and kept without places
                print(f"error: {item.id}: {refused}", file=sys.stderr)
                failed += 1
            articles.append(item)
    for item, mentions in parse_corpus(gp, articles, _focus(args)):
        rec = _with_confidence(article_json(item, mentions), mentions)
        if args.format == "jsonl":
            print(json.dumps(rec, ensure_ascii=False))
        else:
            print(json.dumps(rec, ensure_ascii=False, indent=2))
    return 1 if failed else 0


def _with_confidence(rec: dict, mentions: list) -> dict:
    """The contract record with each toponym's confidence (None when unresolved)."""
    for t, m in zip(rec["toponyms"], mentions, strict=True):
        t["confidence"] = m.confidence
    return rec


def _gold_lang(record: dict) -> str:
    """The recogniser's language for a gold record: its `lang`, else detected from the text."""
    from geo.language import detect

    lang = record.get("lang") or detect(record["text"])
    return "en" if lang == "und" else lang


def cmd_evaluate(args) -> int:
    from geo.evaluate import (
        calibration,
        format_calibration,
        format_errors,
        format_result,
        load_jsonl,
        score,
    )
    from geo.focus import parse_corpus
    from geo.models import Article
    from geo.pipeline import article_json

    gold = load_jsonl(Path(args.gold))
    if args.limit:
        gold = gold[: args.limit]
    gp = _geoparser(args)
    articles = [
        Article(
            str(g["id"]), g.get("url"), g.get("title") or "", None, "", _gold_lang(g), g["text"]
        )
        for g in gold
    ]
    out_path = Path(args.predictions) if args.predictions else None
    tmp = None
    if out_path is None:
        tmp = tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False, encoding="utf-8")
        out_path = Path(tmp.name)
        tmp.close()
    preds: dict[str, list[dict]] = {}
    used: dict[str, float] = {}  # the corpus focus
    bar = _Bar("evaluating")
    t0 = time.perf_counter()
    with out_path.open("w", encoding="utf-8") as fh:
        found = parse_corpus(gp, articles, _focus(args), on_focus=used.update)
        for n, (art, mentions) in enumerate(found, 1):
            rec = _with_confidence(article_json(art, mentions), mentions)
            preds[art.id] = rec["toponyms"]
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
            bar(n, len(articles))
    elapsed = time.perf_counter() - t0
    bar.close()
    res, errors = score(gold, preds, args.subset)
    res["seconds_per_article"] = elapsed / max(1, len(articles))
    res["articles_per_second"] = len(articles) / elapsed if elapsed else None
    res["predictions"] = str(out_path)
    res["focus"] = used
    if args.calibration:
        res["calibration"] = calibration(gold, preds, args.subset)
    if args.json:
        print(json.dumps(res, indent=2))
    else:
        print(format_result(res))
        print("focus: " + (", ".join(f"{k} {v:g}" for k, v in used.items()) or "none"))
        print(f"predictions: {out_path}")
        if args.calibration:
            print(format_calibration(res["calibration"]))
    if args.errors:
        print(format_errors(errors, args.top))
    return 0


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
    gp = _geoparser(args)
    out = open(args.predictions, "w", encoding="utf-8") if args.predictions else None  # noqa: SIM115
    preds: dict[str, list[dict]] = {}
    bar = _Bar("events")
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


def cmd_gazetteer(args) -> int:
    from geo.gazetteer import Gazetteer, build_index, default_index, index_ready

    path = Path(args.path) if args.path else default_index()
    if args.rebuild or not index_ready(path):  # missing or outdated
        bar = _Bar("building gazetteer", "step")
        try:
            build_index(path, on_progress=bar)
        finally:
            bar.close()
    gaz = Gazetteer(path)
    n = gaz._con().execute("SELECT value FROM meta WHERE key='entries'").fetchone()[0]
    print(f"{path}: {int(n):,} entries")
    return 0


def cmd_precompute(args) -> int:
    from geo.pipeline import PRECOMPUTED, SAMPLE_DIR, write_precomputed

    gp = _geoparser(args)
    bar = _Bar("parsing sample")
    try:
        n = write_precomputed(gp, [SAMPLE_DIR], PRECOMPUTED, on_progress=bar)
    finally:
        bar.close()
    print(f"{PRECOMPUTED}: {n} articles")
    return 0


def _online_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--online",
        choices=["nominatim", "photon"],
        help="also ask this online geocoder for names the offline gazetteer lacks "
        "(cached, rate-limited; off by default; same as $CONFLICT_MAP_ONLINE)",
    )


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
    store = _open_store(args)
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


def _open_store(args):
    from geo.pipeline import db_path
    from geo.store import Store

    return Store(db_path(args.db))


def cmd_corrections(args) -> int:
    from geo import corrections

    store = _open_store(args)
    if args.action == "list":
        items = store.corrections()
        for c in items:
            state = " (undone)" if c.undone_at else " (no longer matches)" if c.orphaned else ""
            note = f" — {c.note}" if c.note else ""
            # Imported text may hold terminal escapes: none reaches the terminal.
            print(corrections.printable(f"{c.id:>5}  {c.created_at}  {c.describe()}{state}{note}"))
        if not items:
            print("no corrections")
        return 0
    if args.action == "undo":
        if args.file is None or not args.file.isdigit():
            raise ArticleError("undo needs the number of a correction (see `corrections list`)")
        if not store.undo_correction(int(args.file)):
            print(f"error: no active correction number {args.file}", file=sys.stderr)
            return 1
        print(f"correction {args.file} undone")
        return 0
    if args.file is None:
        raise ArticleError(f"corrections {args.action} needs a FILE")
    path = Path(args.file)
    if args.action == "export":
        lines = [
            json.dumps(corrections.to_json(c), ensure_ascii=False) for c in store.corrections()
        ]
        tmp = path.with_name(path.name + ".partial")
        tmp.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
        os.replace(tmp, path)
        print(f"{len(lines)} corrections written to {path}")
        return 0
    try:
        numbered, bad = corrections.read_file(path)
    except OSError as err:
        raise ArticleError(f"cannot read {path}: {err}") from err
    items = _confirm_wide(store, numbered, bad, args.yes)
    for b in bad[:20]:
        print(f"  refused {b}", file=sys.stderr)
    if len(bad) > 20:
        print(f"  … and {len(bad) - 20:,} more refused lines", file=sys.stderr)
    new, known = store.import_corrections(items, confirmed=True)
    print(f"{new} corrections imported, {known} already there, {len(bad)} lines refused")
    for c in store.orphaned_corrections():
        print(
            corrections.printable(
                f"  warning: correction {c.id} ({c.describe()}) matches nothing in its article"
            )
        )
    return 1 if bad and not items else 0


def _confirm_wide(store, numbered: list, bad: list[str], yes: bool) -> list:
    """The corrections to import: a new rule that changes more than MAX_UNCONFIRMED
    mentions only with --yes or a "y" at a terminal; a refused one joins `bad`.
    """
    from geo import corrections

    stored = {c.uid for c in store.corrections()}
    keep = []
    for n, c in numbered:
        if yes or (c.uid and c.uid in stored):
            keep.append(c)
            continue
        reach = store.correction_reach(c)
        if reach <= corrections.MAX_UNCONFIRMED:
            keep.append(c)
            continue
        what = (
            f"line {n}: {corrections.printable(c.describe())[:200]} would change more than"
            f" {corrections.MAX_UNCONFIRMED:,} mentions"
        )
        if sys.stdin.isatty():
            answer = input(f"{what}. Apply it? [y/N] ").strip().lower()
            if answer in ("y", "yes"):
                keep.append(c)
                continue
            bad.append(f"{what}; not confirmed")
        else:
            bad.append(f"{what}; run again with --yes to apply it")
    return keep


def cmd_remove(args) -> int:
    store = _open_store(args)
    if args.restore is not None:
        n = store.restore(args.restore)
        print(f"{n} articles restored" if n else f"nothing to restore in batch {args.restore}")
        return 0 if n else 1
    if args.list:
        rows = store.removed()
        for batch, aid, source, title in rows:
            print(f"{batch:>4}  {aid}  [{source}] {title[:80]}")
        if not rows:
            print("no removed articles")
        return 0
    if args.article:
        ids, what = store.articles_of(article=args.article), f"article {args.article}"
    elif args.source:
        ids, what = store.articles_of(source=args.source), f"source {args.source!r}"
    elif args.file:
        from geo.fetch import is_url, without_credentials

        target = args.file
        if is_url(target):
            target = without_credentials(target)  # as ingest stored it
        else:
            target = str(Path(target).resolve())
        ids, what = store.articles_of(origin=target), f"input {args.file}"
        store.record_failures([], [target])  # the input's failures leave the list with it
    else:
        raise ArticleError("say what to remove: --article ID, --source NAME or --file PATH")
    if not ids:
        print(f"error: no stored articles for {what}", file=sys.stderr)
        return 1
    batch = store.remove(ids)
    print(
        f"{len(ids)} articles of {what} removed with their mentions; "
        f"undo with: python -m geo remove --restore {batch}"
    )
    return 0


def cmd_migrate(args) -> int:
    from geo.migrate import migrate
    from geo.pipeline import db_path
    from geo.store import Store

    source, target = db_path(args.source), db_path(args.target)
    if str(source) == str(target):
        raise ArticleError("--from and --to name the same database")
    if not isinstance(source, str) and not Path(source).exists():
        raise ArticleError(f"{source} does not exist")
    src, dst = Store(source), Store(target)
    bar = _Bar("copying", "art")
    try:
        report = migrate(src, dst, on_progress=bar)
    finally:
        bar.close()
    print(f"{src.path} -> {dst.path}: {report.summary()}")
    return 0


def _fetch_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--follow-links",
        action="store_true",
        help="for feed entries with only a short summary, fetch the linked page's text",
    )
    p.add_argument(
        "--allow-private",
        action="store_true",
        help="let URLs reach this machine and private networks (refused by default; "
        "same as CONFLICT_MAP_ALLOW_PRIVATE=1)",
    )


def _workers_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--workers", type=int, help="geoparsing processes (default: one per core, at most 4)"
    )


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(
        prog="python -m geo", description="Conflict Map: geoparse news articles into a map."
    )
    ap.add_argument("-v", "--verbose", action="store_true", help="log progress details")
    sub = ap.add_subparsers(dest="command", required=True)

    def add(name: str, help_: str):
        return sub.add_parser(
            name,
            help=help_,
            description=help_,
            epilog=EPILOG[name],
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )

    p = add("ingest", "Add articles (files or folders) to the database, geoparsing what is new.")
    p.add_argument(
        "paths",
        nargs="*",
        help="files (.txt .md .html .json .jsonl .csv .tsv .rss .atom, also .gz and .zip), "
        "folders, or http(s) URLs of pages or feeds",
    )
    p.add_argument(
        "--db", help="database file (default: $CONFLICT_MAP_DB or data/conflict_map.sqlite)"
    )
    p.add_argument(
        "--urls", action="append", metavar="FILE", help="a file of URLs, one per line (# comments)"
    )
    p.add_argument(
        "--column",
        action="append",
        metavar="FIELD=NAME",
        help="read FIELD (id, title, published, url, source, text, language) from the column "
        "or key NAME of CSV/JSON/JSONL records; repeatable, e.g. --column text=body",
    )
    _fetch_flags(p)
    _workers_option(p)
    _geoparser_options(p)
    g = p.add_mutually_exclusive_group()
    g.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="geoparse on the workers of a running Dask scheduler, e.g. tcp://10.0.0.5:8786 "
        "(start it with `dask scheduler`, workers with `dask worker ADDRESS`); "
        "this process reads the inputs and writes the database",
    )
    g.add_argument(
        "--cluster",
        type=int,
        metavar="N",
        help="geoparse on a local Dask cluster of N worker processes, one thread each",
    )
    p.set_defaults(func=cmd_ingest)

    p = add("watch", "Poll feeds on a schedule and ingest their new items (until Ctrl-C).")
    p.add_argument(
        "urls_pos",
        nargs="*",
        metavar="FEED_OR_URL",
        help="feed or page addresses (none: the feeds the database already watches)",
    )
    p.add_argument("--urls", action="append", metavar="FILE", help="a file of feed URLs")
    p.add_argument("--every", default="15m", help="poll interval: 15m, 2h, 1d (default 15m)")
    p.add_argument("--rounds", type=int, help="stop after this many polls of every feed")
    p.add_argument(
        "--db", help="database file (default: $CONFLICT_MAP_DB or data/conflict_map.sqlite)"
    )
    _fetch_flags(p)
    _workers_option(p)
    p.set_defaults(func=cmd_watch)

    p = add("geoparse", "Print the places found in articles as JSON, one object per article.")
    p.add_argument("files", nargs="+")
    p.add_argument("--format", choices=["jsonl", "json"], default="jsonl")
    p.add_argument("--db", help="accepted for symmetry; geoparse never writes the database")
    _online_option(p)
    _geoparser_options(p)
    p.set_defaults(func=cmd_geoparse)

    p = add("evaluate", "Score the geoparser on an annotated corpus (JSONL with gold toponyms).")
    p.add_argument("gold", help="gold corpus, e.g. gwn.jsonl")
    p.add_argument("--predictions", help="write predictions here (default: a temporary file)")
    p.add_argument("--errors", action="store_true", help="list the most frequent errors")
    p.add_argument("--top", type=int, default=25, help="rows per error list")
    p.add_argument("--json", action="store_true", help="print the metrics as JSON")
    p.add_argument("--limit", type=int, default=0, help="only the first N articles")
    p.add_argument("--subset", choices=["auto", "geonames", "coords"], default="auto")
    p.add_argument(
        "--calibration",
        action="store_true",
        help="show how often mentions of each confidence band are right (within 161 km)",
    )
    _geoparser_options(p)
    p.add_argument("--db", help="ignored: evaluation never touches the database")
    p.set_defaults(func=cmd_evaluate)

    p = add(
        "events",
        "Find events (shelling, air strikes, clashes, protests, talks, ...) in passages, or "
        "score them against labelled passages.",
    )
    p.add_argument("input", nargs="?", help="JSONL records {id, text[, title, published]}")
    p.add_argument("--predictions", help="write {id, events} per record here (default: stdout)")
    p.add_argument("--eval", metavar="GOLD", help="score against labelled passages (JSONL)")
    p.add_argument("--split", choices=["dev", "holdout", "all"], default="all")
    p.add_argument("--errors", action="store_true", help="list passages with a wrong main type")
    p.add_argument("--top", type=int, default=50, help="passages listed by --errors")
    p.add_argument("--json", action="store_true", help="print the metrics as JSON")
    p.add_argument(
        "--stored",
        action="store_true",
        help="list the events stored in the database (--db) as CSV, to --predictions or stdout",
    )
    p.add_argument("--type", action="append", help="with --stored: only this type (repeatable)")
    p.add_argument(
        "--status",
        action="append",
        help="with --stored: events of this status (repeatable; default reported)",
    )
    p.add_argument("--from", dest="start", help="with --stored: published on or after YYYY-MM-DD")
    p.add_argument("--to", dest="end", help="with --stored: published on or before YYYY-MM-DD")
    p.add_argument(
        "--db",
        help="with --stored: database file (default: $CONFLICT_MAP_DB or "
        "data/conflict_map.sqlite); else ignored",
    )
    p.set_defaults(func=cmd_events)

    p = add("gazetteer", "Build (or check) the offline gazetteer index.")
    p.add_argument("--rebuild", action="store_true", help="rebuild even if present")
    p.add_argument("--path", help="index file (default data/gazetteer.sqlite)")
    p.add_argument("--db", help="ignored")
    p.set_defaults(func=cmd_gazetteer)

    p = add("corrections", "List, export, import or undo users' corrections of the geoparser.")
    p.add_argument("action", choices=["list", "export", "import", "undo"])
    p.add_argument("file", nargs="?", help="JSONL file (export/import) or correction number (undo)")
    p.add_argument(
        "--yes",
        action="store_true",
        help="import rules that change more than "
        f"{corrections_mod.MAX_UNCONFIRMED:,} mentions without asking (else asked at a "
        "terminal, refused otherwise)",
    )
    p.add_argument(
        "--db", help="database file (default: $CONFLICT_MAP_DB or data/conflict_map.sqlite)"
    )
    p.set_defaults(func=cmd_corrections)

    p = add("remove", "Remove an article, a source or one input's articles (undo with --restore).")
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--article", metavar="ID", help="one article, by id")
    g.add_argument("--source", metavar="NAME", help="every article of this source")
    g.add_argument("--file", metavar="PATH_OR_URL", help="every article read from this input")
    g.add_argument("--restore", type=int, metavar="BATCH", help="put back a removal")
    g.add_argument("--list", action="store_true", help="list removed articles")
    p.add_argument(
        "--db", help="database file (default: $CONFLICT_MAP_DB or data/conflict_map.sqlite)"
    )
    p.set_defaults(func=cmd_remove)

    p = add(
        "migrate",
        "Copy a corpus (articles, mentions, corrections) to another database, e.g. a local "
        "SQLite file to PostgreSQL; running it again copies only what is new.",
    )
    p.add_argument("--from", dest="source", required=True, help="database file or URL to read")
    p.add_argument(
        "--to", dest="target", required=True, help="database to fill: postgresql://… or a file"
    )
    p.add_argument("--db", help="ignored: name the databases with --from and --to")
    p.set_defaults(func=cmd_migrate)

    p = add(
        "focus",
        "Show or set the corpus focus: the countries the database's articles are about, a "
        "small prior for ambiguous names in every later ingest and in the app.",
    )
    p.add_argument(
        "--set",
        metavar="CC,CC",
        help="e.g. UA,RU (or UA:1,RU:0.5); 'auto': the countries the stored articles mention "
        "most; 'none': no focus. Stored articles whose names it may read differently are "
        "parsed again at the next ingest or app start",
    )
    p.add_argument(
        "--db", help="database file (default: $CONFLICT_MAP_DB or data/conflict_map.sqlite)"
    )
    p.set_defaults(func=cmd_focus)

    p = add(
        "precompute", "Geoparse the bundled sample and save the results for a fast first start."
    )
    p.add_argument("--db", help="ignored")
    p.set_defaults(func=cmd_precompute)
    return ap


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING)
    # Database addresses may carry a password: no message or log line shows it.
    addresses = [getattr(args, k, None) for k in ("db", "source", "target")]
    addresses.append(os.environ.get("CONFLICT_MAP_DB"))
    for handler in logging.getLogger().handlers:
        handler.addFilter(RedactFilter(*addresses))
    if getattr(args, "online", None):
        os.environ["CONFLICT_MAP_ONLINE"] = args.online
    try:
        return args.func(args)
    except GeoError as err:
        print(f"error: {redact(err, *addresses)}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
