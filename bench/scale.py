"""Scaling out: single-process ingest against a 2-worker Dask LocalCluster on the same corpus.

usage: python bench/scale.py [--articles 20000] [--dask-workers 2] [--batch 16]

Generates N articles from the bundled sample (bench/ingest.py's generator: new ids, shifted
dates, one distinct sentence per copy, so neither de-duplication nor the precomputed sample
results apply), then ingests them into fresh SQLite databases twice, each run in a process of
its own: `geo.pipeline.ingest(..., workers=1)` and `geo.cluster.ingest_on_cluster` on a
LocalCluster (processes of one thread each). Peak RSS is summed over each run's process tree
(the cluster's nanny and worker processes included). CPU time is split into the ingesting
process (reading, language detection, storing: one process whatever the cluster's size) and
the workers (parsing), the two figures a projection to more workers needs.

Prints a table, then one JSON line: dask_ratio (cluster articles/s over single-process
articles/s), the articles/s and peak RSS of each, and the per-article CPU costs. The PostgreSQL
figures of issue 12 (pg_filter_s, pg_click_s) are to be added to the same object.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _bench_ingest():
    """bench/ingest.py as a module (its corpus generator and process-tree RSS sampler)."""
    spec = importlib.util.spec_from_file_location("bench_ingest", ROOT / "bench" / "ingest.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


# -- one run, in a child process --------------------------------------------------------------
def run_phase(phase: str, corpus: Path, db: Path, gaz: Path, workers: int, batch: int) -> dict:
    """Ingest `corpus` into `db`; figures as a dict (printed as JSON by the child)."""
    from geo.gazetteer import Gazetteer
    from geo.pipeline import Geoparser, ingest
    from geo.store import Store

    store = Store(db)
    out: dict = {}
    if phase == "single":
        t0, c0 = time.perf_counter(), time.process_time()
        report = ingest([corpus], store, lambda: Geoparser(gazetteer=Gazetteer(gaz)), workers=1)
        out["seconds"] = time.perf_counter() - t0
        out["client_cpu_s"] = time.process_time() - c0
        out["workers_cpu_s"] = 0.0
    else:
        from distributed import Client, LocalCluster

        from geo.cluster import ingest_on_cluster

        t0 = time.perf_counter()
        with (
            LocalCluster(
                n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0"
            ) as cluster,
            Client(cluster) as client,
        ):
            out["cluster_start_s"] = time.perf_counter() - t0
            cpu_before = sum(client.run(_cpu_seconds).values())
            t0, c0 = time.perf_counter(), time.process_time()
            report = ingest_on_cluster([corpus], store, client, gazetteer=gaz, batch=batch)
            out["seconds"] = time.perf_counter() - t0
            out["client_cpu_s"] = time.process_time() - c0
            out["workers_cpu_s"] = sum(client.run(_cpu_seconds).values()) - cpu_before
    store.close()
    out["db_bytes"] = sum(p.stat().st_size for p in db.parent.glob(db.name + "*"))
    out["summary"] = report.summary()
    out["added"] = report.added
    return out


def _cpu_seconds() -> float:
    """CPU seconds of the calling (worker) process."""
    t = os.times()
    return t.user + t.system


def child(args: argparse.Namespace) -> dict:
    """Run one phase in a child process while sampling its process tree's RSS."""
    bi = _bench_ingest()
    cmd = [
        sys.executable,
        __file__,
        "--phase",
        args.phase_name,
        "--corpus",
        str(args.corpus),
        "--db",
        str(args.db),
        "--gazetteer",
        str(args.gaz),
        "--dask-workers",
        str(args.dask_workers),
        "--batch",
        str(args.batch),
    ]
    proc = subprocess.Popen(
        cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    peak = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not stop.is_set():
            peak = max(peak, bi.tree_rss_kb(proc.pid))
            stop.wait(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = proc.communicate()
    stop.set()
    sampler.join()
    if proc.returncode:
        sys.exit(f"{args.phase_name} failed ({proc.returncode}):\n{out}\n{err[-3000:]}")
    res = json.loads(out.strip().splitlines()[-1])
    res["peak_rss_mb"] = peak / 1024
    return res


def bench_dask(n: int, workers: int, batch: int, tmp: Path) -> tuple[list, dict]:
    """(table rows, JSON figures) of the single-process vs LocalCluster comparison."""
    bi = _bench_ingest()
    gaz = os.environ.get("CONFLICT_MAP_GAZETTEER")
    if not gaz or not Path(gaz).exists():
        from geo.gazetteer import default_index, index_ready

        gaz = str(default_index())
        if not index_ready(Path(gaz)):
            from geo.gazetteer import build_index

            gaz = str(tmp / "gazetteer.sqlite")
            build_index(Path(gaz))
    corpus = tmp / "corpus"
    corpus.mkdir()
    texts = bi.make_corpus(corpus, n)
    chars = sum(map(len, texts))
    del texts
    runs = {}
    for phase in ("single", "dask"):
        ns = argparse.Namespace(
            phase_name=phase,
            corpus=corpus,
            db=tmp / f"{phase}.sqlite",
            gaz=gaz,
            dask_workers=workers,
            batch=batch,
        )
        load0 = os.getloadavg()[0]
        runs[phase] = child(ns)
        runs[phase]["load"] = (load0, os.getloadavg()[0])
    s, d = runs["single"], runs["dask"]
    for r in (s, d):
        if r["added"] != n:
            sys.exit(f"expected {n} articles stored, got: {r['summary']}")
    s_rate, d_rate = n / s["seconds"], n / d["seconds"]
    rows = [
        ("articles", f"{n:,} ({chars / n:,.0f} characters each on average)"),
        ("cores", str(os.cpu_count())),
        ("single process", f"{s['seconds']:.1f} s, {s_rate:.1f} articles/s: {s['summary']}"),
        ("  CPU", f"{s['client_cpu_s']:.1f} s"),
        ("  peak RSS", f"{s['peak_rss_mb']:.0f} MB"),
        ("  load average before/after", "{:.1f} / {:.1f}".format(*s["load"])),
        (f"LocalCluster, {workers} workers", f"start {d['cluster_start_s']:.1f} s"),
        ("  ingest", f"{d['seconds']:.1f} s, {d_rate:.1f} articles/s: {d['summary']}"),
        ("  CPU, ingesting process", f"{d['client_cpu_s']:.1f} s"),
        ("  CPU, workers", f"{d['workers_cpu_s']:.1f} s"),
        ("  peak RSS, process tree", f"{d['peak_rss_mb']:.0f} MB"),
        ("  load average before/after", "{:.1f} / {:.1f}".format(*d["load"])),
        ("dask ratio (cluster / single)", f"{d_rate / s_rate:.2f}"),
        (
            "SQLite database",
            f"{s['db_bytes'] / 1e6:.1f} MB, {s['db_bytes'] / n / 1e3:.1f} kB/article",
        ),
    ]
    figures = {
        "articles": n,
        "dask_workers": workers,
        "dask_ratio": round(d_rate / s_rate, 3),
        "single_articles_per_s": round(s_rate, 2),
        "dask_articles_per_s": round(d_rate, 2),
        "single_peak_rss_mb": round(s["peak_rss_mb"]),
        "dask_peak_rss_mb": round(d["peak_rss_mb"]),
        "single_cpu_ms_per_article": round(1000 * s["client_cpu_s"] / n, 2),
        "dask_client_cpu_ms_per_article": round(1000 * d["client_cpu_s"] / n, 2),
        "dask_worker_cpu_ms_per_article": round(1000 * d["workers_cpu_s"] / n, 2),
        "dask_cluster_start_s": round(d["cluster_start_s"], 1),
        "sqlite_kb_per_article": round(s["db_bytes"] / n / 1e3, 1),
    }
    return rows, figures


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, default=20_000, help="articles in the corpus")
    ap.add_argument("--dask-workers", type=int, default=2, help="LocalCluster worker processes")
    ap.add_argument("--batch", type=int, default=16, help="articles per Dask task")
    # One measured run in a child process (internal).
    ap.add_argument("--phase", choices=["single", "dask"], help=argparse.SUPPRESS)
    ap.add_argument("--corpus", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--gazetteer", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.phase:
        res = run_phase(
            args.phase, args.corpus, args.db, args.gazetteer, args.dask_workers, args.batch
        )
        print(json.dumps(res))
        return

    started = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())
    figures: dict = {}
    rows: list = [("started", started)]
    with tempfile.TemporaryDirectory(prefix="bench_scale_") as tmp:
        dask_rows, dask_figures = bench_dask(
            args.articles, args.dask_workers, args.batch, Path(tmp)
        )
        rows += dask_rows
        figures.update(dask_figures)
        # The PostgreSQL comparison (pg_filter_s, pg_click_s) adds its rows and keys here.
    for k, v in rows:
        print(f"{k:34s} {v}")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
