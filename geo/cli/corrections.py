"""`corrections`: list, export, import or undo users' corrections."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from geo.cli.database import open_store
from geo.errors import ArticleError


def cmd_corrections(args) -> int:
    from geo import corrections

    store = open_store(args)
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
