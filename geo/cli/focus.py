"""`focus`: show or set the corpus focus kept with the database."""

from __future__ import annotations

from geo.cli.geoparser import focus_flag
from geo.errors import ArticleError


def keep_focus(store, focus: dict[str, float]) -> int:
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
        keep_focus(store, focus_flag(args))
        return 0
    print(f"focus: {format_focus(store.focus()) or 'none'}")
    print(f"suggested by the stored articles: {format_focus(suggested_focus(store)) or 'none'}")
    return 0
