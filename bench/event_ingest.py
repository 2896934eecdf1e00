"""What typing events costs an ingest: geoparsing with and without events.

usage: python bench/event_ingest.py [--n 100]

Reads the first N English articles of the bundled sample and parses them in this process
twice, each time after a warm-up: Geoparser.parse_guarded (places only, as before events
were stored) and Geoparser.parse_full (places, then events from the same spaCy Doc). Then
it ingests them into a new store (one process) to time the whole path with the saving of
events. Prints a table, then one JSON line: articles_per_s_places, articles_per_s_events,
events_cost (the share of time events add), articles_per_s_ingest, events.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from geo.articles import iter_paths, load_file  # noqa: E402
from geo.language import detect  # noqa: E402
from geo.models import Article  # noqa: E402
from geo.pipeline import SAMPLE_DIR, Geoparser, ingest_articles  # noqa: E402
from geo.store import Store  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100)
    n = ap.parse_args().n
    arts = []
    for a in (a for p in iter_paths([SAMPLE_DIR]) for a in load_file(p)):
        if isinstance(a, Article) and detect(a.text) == "en":
            arts.append(a)
        if len(arts) == n:
            break
    gp = Geoparser()
    list(gp.parse_full(arts[:5]))  # warm-up: the model, the gazetteer, the event model
    t0 = time.perf_counter()
    for _ in gp.parse_guarded(arts):
        pass
    places = time.perf_counter() - t0
    t0 = time.perf_counter()
    events = sum(len(e) for _, _, e, _ in gp.parse_full(arts))
    full = time.perf_counter() - t0
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "bench.sqlite")
        t0 = time.perf_counter()
        ingest_articles(arts, store, gp, "bench", workers=1)
        whole = time.perf_counter() - t0
        stored = store.count_events(_all())
        store.close()
    res = {
        "articles": len(arts),
        "articles_per_s_places": round(len(arts) / places, 2),
        "articles_per_s_events": round(len(arts) / full, 2),
        "events_cost": round(full / places - 1, 3),
        "articles_per_s_ingest": round(len(arts) / whole, 2),
        "events": events,
        "events_stored": stored,
    }
    for k, v in res.items():
        print(f"{k:24} {v}")
    print(json.dumps(res))


def _all():
    from geo.store import Query

    return Query(event_statuses=())


if __name__ == "__main__":
    main()
