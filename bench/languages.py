"""Ingest speed per language and peak memory with English, Russian and Ukrainian loaded.

usage: python bench/languages.py [FILE.jsonl ...] [--n 150]

Each record of the FILEs needs `text` and `lang` (or `language`: en, ru or uk); the English
articles default to the bundled sample's when no FILE brings any. At most N articles of each
language are written to one JSONL file per language, with fresh ids, and ingested by the real
`geo.pipeline.ingest` into a fresh database, one language after the other, in this process
(workers=1, as one ingest core would): English first, so that by the last ingest spaCy,
natasha and the Ukrainian recogniser are all loaded. Models are loaded before the clock
starts and timed apart. articles/s counts the articles each ingest added (language detection,
recognition, resolution and storage). Prints a table, then one JSON line: per language
`<lang>_articles_per_s`, `load_s` and `peak_rss_mb` (this process's peak resident memory).
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from geo.pipeline import SAMPLE_DIR, Geoparser, ingest  # noqa: E402
from geo.store import Store  # noqa: E402

LANGS = ("en", "ru", "uk")


def read_records(paths: list[str]) -> dict[str, list[dict]]:
    """language -> records of the given JSONL files (records in other languages are left out)."""
    by_lang: dict[str, list[dict]] = {lang: [] for lang in LANGS}
    for p in paths:
        for line in Path(p).read_text(encoding="utf-8").splitlines():
            if line.strip():
                rec = json.loads(line)
                lang = rec.get("lang") or rec.get("language") or "en"
                if lang in by_lang:
                    by_lang[lang].append(rec)
    if not by_lang["en"]:
        for f in sorted(SAMPLE_DIR.glob("*.jsonl")):
            by_lang["en"] += [
                json.loads(x) for x in f.read_text(encoding="utf-8").splitlines() if x
            ]
    return by_lang


def write_corpus(folder: Path, lang: str, records: list[dict]) -> Path:
    path = folder / f"bench_{lang}.jsonl"
    rows = (
        {"id": f"bench-{lang}-{i}", "title": rec.get("title") or "", "text": rec["text"],
         "published": rec.get("published"), "source": rec.get("source") or "bench",
         "language": lang}
        for i, rec in enumerate(records)
    )  # fmt: skip
    path.write_text(
        "\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8"
    )
    return path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("files", nargs="*", help="JSONL records with text and lang")
    ap.add_argument("--n", type=int, default=150, help="articles per language at most")
    args = ap.parse_args()
    by_lang = read_records(args.files)
    t0 = time.perf_counter()
    gp = Geoparser()
    list(gp.nlp.pipe(["Shelling in Kharkiv."]))  # load the English model and run it once
    loaded = [lang for lang in ("ru", "uk") if by_lang[lang]]
    for lang, text in (("ru", "Обстрел Харькова."), ("uk", "Обстріл Харкова.")):
        if lang in loaded:
            gp.languages.recognize(text, lang)  # loads the models each recogniser uses
    load_s = time.perf_counter() - t0
    figures: dict[str, float] = {"load_s": round(load_s, 1)}
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        store = Store(folder / "bench.sqlite")
        for lang in LANGS:
            records = by_lang[lang][: args.n]
            if not records:
                continue
            path = write_corpus(folder, lang, records)
            chars = sum(len(r["text"]) for r in records)
            t = time.perf_counter()
            report = ingest([path], store, gp, workers=1)
            seconds = time.perf_counter() - t
            rate = report.added / seconds if seconds else 0.0
            figures[f"{lang}_articles_per_s"] = round(rate, 2)
            rows.append((lang, report.added, chars / max(1, len(records)), seconds, rate))
        stored = dict(store.languages())
        store.close()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    figures["peak_rss_mb"] = round(peak)
    print(
        f"{'language':>8} {'articles':>9} {'chars/article':>14} {'seconds':>8} {'articles/s':>11}"
    )
    for lang, n, avg, seconds, rate in rows:
        print(f"{lang:>8} {n:>9,} {avg:>14,.0f} {seconds:>8.1f} {rate:>11.2f}")
    print(f"stored by detected language: {stored}")
    print(
        f"models loaded in {load_s:.1f} s (spaCy{', ' + ', '.join(loaded) if loaded else ''}); "
        f"peak RSS {peak:.0f} MB with all of them loaded"
    )
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
