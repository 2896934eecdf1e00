"""Ingest speed and memory against plain spaCy on the same texts.

usage: python bench/ingest.py [--n 2000] [--workers N] [--profile FILE]

Builds a corpus of N articles from the bundled sample (data/sample/*.jsonl repeated with new
ids, shifted dates and one distinct sentence appended to each copy, so that neither
de-duplication nor the precomputed sample results apply), runs the real `python -m geo
ingest` on it into a fresh database, runs it once more over the unchanged files, and times
plain spaCy (the recogniser's model and components, one process, nlp.pipe) on the same
texts. Prints a table, then one JSON line: articles_per_s, spacy_articles_per_s, ratio
(the first over the second) and peak_rss_mb (summed over the ingest's process tree).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from geo.pipeline import CHUNK, SAMPLE_DIR  # noqa: E402

PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024
FILE_SIZE = 250  # articles per generated JSONL file


def sample_records() -> list[dict]:
    recs = []
    for f in sorted(SAMPLE_DIR.glob("*.jsonl")):
        recs += [json.loads(line) for line in f.read_text(encoding="utf-8").splitlines() if line]
    return recs


def make_corpus(folder: Path, n: int) -> list[str]:
    """Write n articles into JSONL files under `folder`; returns their texts."""
    base = sample_records()
    texts: list[str] = []
    out = []
    for i in range(n):
        copy, rec = divmod(i, len(base))
        rec = dict(base[rec])
        rec["id"] = f"bench{copy}-{rec['id']}"
        if rec.get("published"):
            day = date.fromisoformat(str(rec["published"])[:10]) + timedelta(days=7 * (copy + 1))
            rec["published"] = day.isoformat()
        rec["text"] = f"{rec['text']}\n\nBenchmark copy {copy}, item {i}: filed again for timing."
        texts.append(rec["text"])
        out.append(json.dumps(rec, ensure_ascii=False))
    for k in range(0, n, FILE_SIZE):
        (folder / f"bench_{k // FILE_SIZE:03d}.jsonl").write_text(
            "\n".join(out[k : k + FILE_SIZE]) + "\n", encoding="utf-8"
        )
    return texts


def tree_rss_kb(root: int) -> int:
    """Resident memory of a process and all its descendants, in KiB (from /proc)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                stat = fh.read()
            with open(f"/proc/{entry}/statm") as fh:
                pages = int(fh.read().split()[1])
        except OSError:
            continue  # the process ended meanwhile
        ppid = int(stat[stat.rindex(")") + 2 :].split()[1])
        children.setdefault(ppid, []).append(int(entry))
        rss[int(entry)] = pages * PAGE_KB
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo += children.get(pid, [])
    return total


def cpu_of_children() -> float:
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def run_ingest(args: list[str], env: dict[str, str]) -> tuple[float, int, str]:
    """Run `python -m geo ingest ...`; (seconds, peak tree RSS in KiB, its stdout)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "geo", "ingest", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,  # the progress bar; shown when the run fails
        text=True,
    )
    peak = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not stop.is_set():
            peak = max(peak, tree_rss_kb(proc.pid))
            stop.wait(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = proc.communicate()
    seconds = time.perf_counter() - t0
    stop.set()
    sampler.join()
    if proc.returncode:
        sys.exit(f"ingest failed ({proc.returncode}):\n{out}\n{err[-3000:]}")
    return seconds, peak, out.strip()


def time_spacy(texts: list[str]) -> tuple[float, float, float]:
    """(model load seconds, nlp.pipe seconds, nlp.pipe CPU seconds): plain spaCy, one process."""
    from geo.recognize import load_model

    t0 = time.perf_counter()
    nlp = load_model()
    load_s = time.perf_counter() - t0
    t1, c1 = time.perf_counter(), time.process_time()
    for _ in nlp.pipe(texts, batch_size=CHUNK):
        pass
    return load_s, time.perf_counter() - t1, time.process_time() - c1


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=2000, help="articles in the corpus")
    ap.add_argument("--workers", type=int, help="pass --workers N to the CLI (default: its own)")
    ap.add_argument("--profile", help="write a cProfile of the ingest's main process here")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench_ingest_") as tmp:
        tmp_path = Path(tmp)
        env = dict(os.environ)
        gaz = env.get("CONFLICT_MAP_GAZETTEER")
        t0 = time.perf_counter()
        if not gaz or not Path(gaz).exists():
            from geo.gazetteer import build_index

            gaz = str(tmp_path / "gazetteer.sqlite")
            build_index(Path(gaz))
        gaz_s = time.perf_counter() - t0
        env["CONFLICT_MAP_GAZETTEER"] = gaz
        env.pop("CONFLICT_MAP_ONLINE", None)  # offline, as in the default setup
        corpus = tmp_path / "corpus"
        corpus.mkdir()
        texts = make_corpus(corpus, args.n)
        chars = sum(map(len, texts))
        db = tmp_path / "bench.sqlite"
        cli = [str(corpus), "--db", str(db)]
        if args.workers:
            cli += ["--workers", str(args.workers)]

        started = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())
        # Other jobs on the machine slow either phase: the load averages and CPU times
        # (which they touch less) say how much.
        load_before = os.getloadavg()[0]
        cpu0 = cpu_of_children()
        ingest_s, peak_kb, summary = run_ingest(cli, env)
        ingest_cpu = cpu_of_children() - cpu0
        load_ingest = os.getloadavg()[0]
        again_s, _, again_summary = run_ingest(cli, env)
        load_s, spacy_s, spacy_cpu = time_spacy(texts)
        load_spacy = os.getloadavg()[0]
        if args.profile:
            # The main process of a real run: reading, language, storage, waiting on workers.
            subprocess.run(
                [sys.executable, "-m", "cProfile", "-o", args.profile, "-m", "geo", "ingest"]
                + [str(corpus), "--db", str(tmp_path / "profile.sqlite")],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                check=True,
            )

    rate = args.n / ingest_s
    spacy_rate = args.n / spacy_s
    rows = [
        ("started", started),
        ("articles", f"{args.n:,} ({chars / args.n:,.0f} characters each on average)"),
        ("cores", str(os.cpu_count())),
        ("gazetteer index", f"{gaz_s:.1f} s" if gaz_s > 0.5 else "reused"),
        ("ingest (CLI, wall clock)", f"{ingest_s:.1f} s: {summary}"),
        ("ingest articles/s", f"{rate:.1f}"),
        ("ingest CPU, all processes", f"{ingest_cpu:.1f} s"),
        ("re-ingest, inputs unchanged", f"{again_s:.1f} s: {again_summary}"),
        ("spaCy model load", f"{load_s:.1f} s"),
        ("spaCy nlp.pipe, 1 process", f"{spacy_s:.1f} s"),
        ("spaCy CPU", f"{spacy_cpu:.1f} s"),
        ("spaCy articles/s", f"{spacy_rate:.1f}"),
        ("ratio ingest / spaCy", f"{rate / spacy_rate:.2f}"),
        ("peak RSS, ingest process tree", f"{peak_kb / 1024:.0f} MB"),
        (
            "load average: start/ingest/spaCy",
            f"{load_before:.1f} / {load_ingest:.1f} / {load_spacy:.1f}",
        ),
    ]
    for k, v in rows:
        print(f"{k:32s} {v}")
    if args.profile:
        import pstats

        print(f"\nmain process of the ingest, top functions by own time ({args.profile}):")
        pstats.Stats(args.profile, stream=sys.stdout).sort_stats("tottime").print_stats(15)
    print(
        json.dumps(
            {
                "articles": args.n,
                "articles_per_s": round(rate, 2),
                "spacy_articles_per_s": round(spacy_rate, 2),
                "ratio": round(rate / spacy_rate, 3),
                "peak_rss_mb": round(peak_kb / 1024),
                "ingest_s": round(ingest_s, 1),
                "reingest_s": round(again_s, 2),
                "ingest_cpu_s": round(ingest_cpu, 1),
                "spacy_cpu_s": round(spacy_cpu, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
