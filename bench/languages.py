"""Geoparsing speed per language and memory with all three languages loaded.

    python bench/languages.py FILE.jsonl [FILE.jsonl ...]

Each JSONL record needs `text` and `lang` (en, ru or uk). Every article goes through
Geoparser.parse (recognition and resolution) in one process, the English model and the
Russian and Ukrainian recognisers all loaded. Prints a table, then one JSON line.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from geo.models import Article  # noqa: E402
from geo.pipeline import Geoparser  # noqa: E402


def main(paths: list[str]) -> None:
    records = [
        json.loads(line)
        for p in paths
        for line in Path(p).read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    gp = Geoparser()
    t0 = time.perf_counter()
    gp.nlp  # noqa: B018 - load the English model
    for lang in ("ru", "uk"):
        gp.languages.get(lang)
    load_s = time.perf_counter() - t0
    by_lang: dict[str, list[float]] = {}
    for i, rec in enumerate(records):
        lang = rec.get("lang") or "en"
        art = Article(str(i), None, "", None, "", lang, rec["text"])
        t = time.perf_counter()
        gp.parse(art)
        by_lang.setdefault(lang, []).append(time.perf_counter() - t)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    figures = {"load_s": round(load_s, 1), "peak_rss_mb": round(peak)}
    print(f"{'language':>8} {'articles':>9} {'articles/s':>11}")
    for lang, times in sorted(by_lang.items()):
        rate = len(times) / sum(times)
        figures[f"{lang}_articles_per_s"] = round(rate, 2)
        print(f"{lang:>8} {len(times):>9} {rate:>11.2f}")
    print(f"models loaded in {load_s:.1f} s; peak RSS {peak:.0f} MB")
    print(json.dumps(figures))


if __name__ == "__main__":
    main(sys.argv[1:])
