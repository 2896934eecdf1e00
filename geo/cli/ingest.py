"""`ingest`: files, folders and URLs into the database, here or on a Dask cluster."""

from __future__ import annotations

import os
from pathlib import Path

from geo.cli.focus import keep_focus
from geo.cli.geoparser import focus_flag, geoparser
from geo.cli.progress import Bar
from geo.errors import ArticleError


def fetch_options(args) -> None:
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

    fetch_options(args)
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
        keep_focus(store, focus_flag(args))
    fetch = partial(fetch_url, follow_links=args.follow_links)
    if on_cluster:
        report = _ingest_on_cluster(args, paths, store, columns or None, fetch)
        _print_report(store, report)
        return 1 if report.failed and not (report.added or report.updated or report.skipped) else 0
    bar = Bar("ingesting")
    try:
        report = ingest(
            paths,  # ingest tells URLs from paths
            store,
            lambda: geoparser(args),
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


def _ingest_on_cluster(args, paths, store, columns, fetch):
    """`ingest` with the parsing on Dask workers: a running scheduler or a LocalCluster."""
    from geo.cluster import dask_client, ingest_on_cluster
    from geo.pipeline import load_precomputed

    gazetteer = None
    if args.cluster:
        # The local workers share this machine's index: build it here, once, before they start.
        gazetteer = geoparser(args).gazetteer.path
    with dask_client(args.scheduler, args.cluster) as client:
        bar = Bar("ingesting")
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
