"""`watch`: poll feeds on a schedule and ingest their new items."""

from __future__ import annotations

import time
from pathlib import Path

from geo.cli.geoparser import geoparser
from geo.cli.ingest import fetch_options
from geo.errors import ArticleError


def cmd_watch(args) -> int:
    from functools import partial

    from geo.fetch import fetch_url, read_url_list, short_url
    from geo.pipeline import db_path, ingest_articles
    from geo.store import Store
    from geo.watch import parse_interval, watch

    fetch_options(args)
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
            parser = geoparser(args)
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
