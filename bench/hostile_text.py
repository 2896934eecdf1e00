"""Geoparsing time of hostile texts, and a folder ingest with one hostile file among good ones.

usage: python bench/hostile_text.py [--timeout 600] [--skip-ingest]

Times `Geoparser.parse_many` (spaCy and the recogniser) on one article each of: 20 KB of "<";
10,000 of each of "(", "=", "*" and '"'; 10,000 of "(" inside 20 KB of prose; a 1 MB single
token. Each case runs in a child process with --timeout seconds, and its peak resident memory
is read from the child. Then `python -m geo ingest` of a folder holding a text file of
100,000 "<" and two good articles, with the same timeout: its wall time and the articles
stored.

Prints a table, then one JSON line: {case: seconds (null: timed out)}, plus "ingest_s",
"ingest_stored" and "peak_rss_mb" (the largest over the cases).
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROSE = "Russian forces shelled Kharkiv and Izium on Monday, officials in Kyiv said. " * 280
CASES = {
    "20 KB <": "<" * 20_000,
    "10,000 (": "(" * 10_000,
    "10,000 =": "=" * 10_000,
    "10,000 *": "*" * 10_000,
    '10,000 "': '"' * 10_000,
    "10,000 ( in prose": PROSE[:10_000] + "(" * 10_000 + PROSE[:10_000],
    "1 MB token": "a<" * 499_000,
}
CHILD = """
import sys, time, resource
from geo.models import Article
from geo.pipeline import Geoparser
gp = Geoparser()
gp.nlp
text = sys.stdin.read()
t = time.perf_counter()
[(_, m)] = list(gp.parse_many([Article("x", None, "", None, "", "en", text)]))
print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)
"""
GOOD = (
    "Shelling hit Kharkiv overnight, the regional governor said. Residents of Izium were "
    "evacuated towards Dnipro as fighting continued near Kupiansk."
)


def run_case(text: str, timeout: float) -> tuple[float | None, int | None]:
    try:
        out = subprocess.run(
            [sys.executable, "-c", CHILD],
            input=text,
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=ROOT,
            check=True,
        ).stdout.split()
    except subprocess.TimeoutExpired:
        return None, None
    return float(out[0]), int(out[1])


def run_ingest(timeout: float) -> tuple[float | None, int]:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "in"
        folder.mkdir()
        (folder / "hostile.txt").write_text("<" * 100_000)
        (folder / "good1.txt").write_text(GOOD)
        (folder / "good2.txt").write_text(GOOD.replace("Kharkiv", "Odesa"))
        db = Path(tmp) / "db.sqlite"
        t = time.perf_counter()
        try:
            subprocess.run(
                [sys.executable, "-m", "geo", "ingest", str(folder), "--db", str(db)],
                capture_output=True,
                timeout=timeout,
                cwd=ROOT,
            )
            elapsed: float | None = time.perf_counter() - t
        except subprocess.TimeoutExpired:
            elapsed = None
        stored = 0
        if db.exists():
            with sqlite3.connect(db) as con:
                stored = con.execute("SELECT count(*) FROM article").fetchone()[0]
        return elapsed, stored


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--timeout", type=float, default=600)
    ap.add_argument("--skip-ingest", action="store_true")
    args = ap.parse_args()
    os.environ.setdefault("PYTHONPATH", str(ROOT))
    figures: dict = {}
    peak = 0
    print(f"{'case':<22}{'seconds':>10}{'peak MB':>10}")
    for name, text in CASES.items():
        secs, rss = run_case(text, args.timeout)
        figures[name] = None if secs is None else round(secs, 2)
        peak = max(peak, rss or 0)
        shown = "timeout" if secs is None else f"{secs:.2f}"
        print(f"{name:<22}{shown:>10}{rss or '-':>10}", flush=True)
    if not args.skip_ingest:
        secs, stored = run_ingest(args.timeout)
        figures["ingest_s"] = None if secs is None else round(secs, 1)
        figures["ingest_stored"] = stored
        shown = "timeout" if secs is None else f"{secs:.1f}"
        print(f"{'folder ingest':<22}{shown:>10}   stored {stored} of 3 articles")
    figures["peak_rss_mb"] = peak
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
