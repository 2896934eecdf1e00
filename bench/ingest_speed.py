"""Ingest speed and memory: geoparse N sample articles into a fresh database.

usage: python bench/ingest_speed.py [N]   (default 200; prints a table, then one JSON line)
"""

from __future__ import annotations

import json
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from geo.articles import load_file  # noqa: E402
from geo.models import Article  # noqa: E402
from geo.pipeline import SAMPLE_DIR, Geoparser, ingest  # noqa: E402
from geo.store import Store  # noqa: E402


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    t0 = time.perf_counter()
    gp = Geoparser()
    load_s = time.perf_counter() - t0
    arts = [
        a
        for f in sorted(SAMPLE_DIR.glob("*.jsonl"))
        for a in load_file(f)
        if isinstance(a, Article)
    ]
    # Spread the selection over all sources.
    pick = arts[:: max(1, len(arts) // n)][:n]
    with tempfile.TemporaryDirectory() as tmp:
        jsonl = Path(tmp) / "bench.jsonl"
        with jsonl.open("w") as fh:
            for a in pick:
                rec = {
                    "id": a.id,
                    "title": a.title,
                    "url": a.url,
                    "source": a.source,
                    "text": a.text,
                    "published": a.published.isoformat() if a.published else None,
                }
                fh.write(json.dumps(rec) + "\n")
        store = Store(Path(tmp) / "bench.sqlite")
        t1 = time.perf_counter()
        report = ingest([jsonl], store, gp)
        ingest_s = time.perf_counter() - t1
        t2 = time.perf_counter()
        again = ingest([jsonl], store, gp)
        reingest_s = time.perf_counter() - t2
    chars = sum(len(a.text) for a in pick)
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rows = [
        ("articles", f"{report.added}"),
        ("characters", f"{chars:,}"),
        ("model + gazetteer load", f"{load_s:.1f} s"),
        ("ingest (parse + store)", f"{ingest_s:.1f} s"),
        ("articles/s", f"{report.added / ingest_s:.1f}"),
        (
            "re-ingest unchanged file",
            f"{reingest_s:.3f} s ({again.files_unchanged} file unchanged)",
        ),
        ("peak RSS", f"{rss_mb:.0f} MB"),
    ]
    for k, v in rows:
        print(f"{k:28s} {v}")
    print(
        json.dumps(
            {
                "articles": report.added,
                "articles_per_s": round(report.added / ingest_s, 2),
                "chars_per_s": round(chars / ingest_s),
                "load_s": round(load_s, 2),
                "reingest_s": round(reingest_s, 3),
                "peak_rss_mb": round(rss_mb),
            }
        )
    )


if __name__ == "__main__":
    main()
