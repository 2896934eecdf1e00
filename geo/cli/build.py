"""Commands that build offline data: `gazetteer` (the index) and `precompute` (the
sample's results for a fast first start)."""

from __future__ import annotations

from pathlib import Path

from geo.cli.geoparser import geoparser
from geo.cli.progress import Bar


def cmd_gazetteer(args) -> int:
    from geo.gazetteer import Gazetteer, build_index, default_index, index_ready

    path = Path(args.path) if args.path else default_index()
    if args.rebuild or not index_ready(path):  # missing or outdated
        bar = Bar("building gazetteer", "step")
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

    gp = geoparser(args)
    bar = Bar("parsing sample")
    try:
        n = write_precomputed(gp, [SAMPLE_DIR], PRECOMPUTED, on_progress=bar)
    finally:
        bar.close()
    print(f"{PRECOMPUTED}: {n} articles")
    return 0
