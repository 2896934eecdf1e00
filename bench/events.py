"""Event extraction cost on top of the spaCy parse, on the bundled sample.

usage: python bench/events.py [--n 300]

Parses the first N articles of data/sample/*.jsonl with the recogniser's model (nlp.pipe, one
process), then times geo.events.events_in_doc on the parsed Docs with the article's place
mentions (as the ingest would call it). Prints a table, then one JSON line: parse_ms and
events_ms per article, extra_pct (events over parse), passages_per_s (sentences through
the event rules per second) and events per article.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from geo.events import events_in_doc  # noqa: E402
from geo.models import Article  # noqa: E402
from geo.pipeline import SAMPLE_DIR, Geoparser  # noqa: E402
from geo.recognize import recognize  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=300)
    args = ap.parse_args()
    recs = []
    for f in sorted(SAMPLE_DIR.glob("*.jsonl")):
        recs += [json.loads(line) for line in f.read_text(encoding="utf-8").splitlines() if line]
    recs = recs[: args.n]
    gp = Geoparser()
    arts = [Article(str(i), None, "", None, "", "en", r["text"]) for i, r in enumerate(recs)]
    t0 = time.perf_counter()
    docs = list(gp.nlp.pipe([a.text for a in arts], batch_size=16))
    parse = time.perf_counter() - t0
    mentions = [
        gp.resolver.resolve(a, recognize(d, gp.gazetteer)) for a, d in zip(arts, docs, strict=True)
    ]
    sents = sum(1 for d in docs for _ in d.sents)
    t0 = time.perf_counter()
    n_events = sum(len(events_in_doc(d, m)) for d, m in zip(docs, mentions, strict=True))
    events = time.perf_counter() - t0
    n = len(arts)
    chars = sum(len(a.text) for a in arts)
    row = {
        "articles": n,
        "mean_chars": round(chars / n),
        "parse_ms": round(1000 * parse / n, 1),
        "events_ms": round(1000 * events / n, 2),
        "extra_pct": round(100 * events / parse, 1),
        "passages_per_s": round(sents / events),
        "events_per_article": round(n_events / n, 2),
    }
    for k, v in row.items():
        print(f"{k:<20} {v}")
    print(json.dumps(row))


if __name__ == "__main__":
    main()
