"""Commands on a database as a whole: `remove` (and restore) articles, `migrate` to
another database; and the database --db names."""

from __future__ import annotations

import sys
from pathlib import Path

from geo.cli.progress import Bar
from geo.errors import ArticleError


def open_store(args):
    """The Store of --db (default: $CONFLICT_MAP_DB or data/conflict_map.sqlite)."""
    from geo.pipeline import db_path
    from geo.store import Store

    return Store(db_path(args.db))


def cmd_remove(args) -> int:
    store = open_store(args)
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
    bar = Bar("copying", "art")
    try:
        report = migrate(src, dst, on_progress=bar)
    finally:
        bar.close()
    print(f"{src.path} -> {dst.path}: {report.summary()}")
    return 0
