"""Scaling out: ingest on one process vs Dask; the dashboard's queries on SQLite vs PostgreSQL.

usage: python bench/scale.py [--articles 20000] [--dask-workers 2] [--batch 16]
                            [--pg-articles 10000] [--repeat 5] [--skip-ingest]

Generates N articles from the bundled sample (bench/ingest.py's generator: new ids, shifted
dates, one distinct sentence per copy, so neither de-duplication nor the precomputed sample
results apply), then ingests them into fresh SQLite databases twice, each run in a process of
its own: `geo.pipeline.ingest(..., workers=1)` and `geo.cluster.ingest_on_cluster` on a
LocalCluster (processes of one thread each). Peak RSS is summed over each run's process tree
(the cluster's nanny and worker processes included). CPU time is split into the ingesting
process (reading, language detection, storing: one process whatever the cluster's size) and
the workers (parsing), the two figures a projection to more workers needs.

Then the dashboard's queries on the two back ends (skip with --pg-articles 0; run alone with
--skip-ingest). bench/dashboard.py builds a SQLite store of --pg-articles articles (its
generator and the project's ingest with the bundled precomputed results); a throwaway
PostgreSQL + PostGIS server (tests/pgserver.py, with PostgreSQL's durable defaults: fsync and
synchronous commits on) receives a copy through geo.migrate.migrate (pg_migrate_s), then
`VACUUM ANALYZE` (pg_vacuum_s, as the README advises after a migrate: autovacuum would do it
within minutes, competing with the timings). The same Query objects then run on both, each
figure the median of --repeat runs after one warm-up, and every answer is asserted equal
between the back ends:
- filter: what the app runs when the date range changes: place_counts, place_dates and the
  articles table's count and first page (the store's part, *_filter_store_s), plus what
  bench/dashboard.py counts (the map sent to the browser, the places CSV and GeoJSON); the
  median over three date ranges;
- click: what the app runs when a marker is clicked: place, passages (up to 500),
  count_passages and timeline over the whole date range; the median over Ukraine and
  bench/dashboard.py's five places (from the most mentioned down to one of the least);
- text: place_counts(Query(text="humanitarian corridor")); bbox: place_counts(Query(bbox=(44,
  22, 53, 41))); near: places_near(Kyiv, 100 km).

Prints a table, then one JSON line: dask_ratio (cluster articles/s over single-process
articles/s), the articles/s and peak RSS of each, the per-article CPU costs, and pg_* /
sqlite_* figures of each query (seconds), pg_migrate_s, and the sizes (pg_size_mb from
pg_database_size, sqlite_size_mb of the file with its WAL).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _load(name: str, path: Path):
    """The Python file at `path` as a module called `name` (loaded once)."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    spec.loader.exec_module(mod)
    return mod


def _bench_ingest():
    """bench/ingest.py as a module (its corpus generator and process-tree RSS sampler)."""
    return _load("bench_ingest", ROOT / "bench" / "ingest.py")


def _bench_dashboard():
    """bench/dashboard.py as a module (its 10k-store builder, map payload and timer)."""
    return _load("bench_dashboard", ROOT / "bench" / "dashboard.py")


def _pgserver():
    """tests/pgserver.py as a module (a throwaway PostgreSQL + PostGIS server)."""
    return _load("tests_pgserver", ROOT / "tests" / "pgserver.py")


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


def progress(line: str) -> None:
    """A line on stderr as a long run goes (the table and the JSON come at the end)."""
    la = os.getloadavg()[0]
    print(
        f"{time.strftime('%H:%M:%S')} {line} (load average {la:.2f})", file=sys.stderr, flush=True
    )


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
        progress(f"{phase}: {runs[phase]['seconds']:.0f} s, {runs[phase]['summary']}")
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


# -- the dashboard's queries on SQLite and on PostgreSQL --------------------------------------
PG_DURABLE = {"fsync": "on", "synchronous_commit": "on", "full_page_writes": "on"}
TEXT = "humanitarian corridor"
BBOX = (44.0, 22.0, 53.0, 41.0)  # (south, west, north, east): Ukraine and around
NEAR_KM = 100


def build_sqlite(n: int, tmp: Path) -> tuple[Path, float]:
    """A SQLite store of n articles built as bench/dashboard.py builds its big one; (path, s)."""
    bd = _bench_dashboard()
    pre = bd.load_precomputed()
    copies = tmp / "dashboard_copies"
    copies.mkdir()
    extra = bd.write_copies(copies, bd.sample_articles(), n, pre)
    db = tmp / f"dashboard_n{n}.sqlite"
    took = bd.build(db, [bd.SAMPLE_DIR, copies], bd.Precomputed(pre, extra))
    return db, took


def _sqlite_bytes(db: Path) -> int:
    return sum(p.stat().st_size for p in db.parent.glob(db.name + "*"))


def _find(counts, name: str, kind: str):
    """The key of the place called `name` of this kind in `counts`, or None."""
    return next((c.place.key for c in counts if (c.place.name, c.place.kind) == (name, kind)), None)


def _workloads(store, full, date_ranges: dict, picks: list[str], kyiv: str) -> dict:
    """name -> zero-argument function running that query on `store` (returns its answer)."""
    bd = _bench_dashboard()
    from geo import export
    from geo.store import Query

    def filter_store(q):
        counts = store.place_counts(q)
        total, _ = store.article_rows(q, 1, 0)
        return counts, store.place_dates(q), total, store.article_rows(q, 50, 0)

    def filter_all(q):
        got = filter_store(q)
        bd.map_payload(got[0])
        export.places_csv(got[0])
        export.places_geojson(got[0])
        return got

    def click(key):
        return (
            store.place(key),
            store.passages(key, full),
            store.count_passages(key, full),
            store.timeline(key, full),
        )

    work: dict = {}
    for name, q in date_ranges.items():
        work[("filter store", name)] = lambda q=q: filter_store(q)
        work[("filter", name)] = lambda q=q: filter_all(q)
    for key in picks:
        work[("click", key)] = lambda key=key: click(key)
    work[("text", TEXT)] = lambda: store.place_counts(Query(text=TEXT))
    work[("bbox", str(BBOX))] = lambda: store.place_counts(Query(bbox=BBOX))
    work[("near", kyiv)] = lambda: store.places_near(kyiv, NEAR_KM)
    return work


def bench_pg(n: int, repeat: int, tmp: Path) -> tuple[list, dict]:
    """(table rows, JSON figures) of the dashboard's queries on SQLite and on PostgreSQL."""
    bd = _bench_dashboard()
    pgs = _pgserver()
    from geo import mapview
    from geo.migrate import migrate
    from geo.store import Query, Store

    load0 = os.getloadavg()
    db, build_s = build_sqlite(n, tmp)
    progress(f"SQLite store of {n:,} articles built in {build_s:.0f} s")
    sqlite = Store(db)
    rows: list = []
    figures: dict = {}
    with pgs.PostgresServer(settings=PG_DURABLE) as server:
        url = server.new_database("conflict_map_bench")
        t0 = time.perf_counter()
        pg = Store(url)
        schema_s = time.perf_counter() - t0
        load_m = os.getloadavg()
        t0 = time.perf_counter()
        report = migrate(sqlite, pg)
        migrate_s = time.perf_counter() - t0
        progress(f"migrated to PostgreSQL in {migrate_s:.0f} s: {report.summary()}")
        t0 = time.perf_counter()
        pg.con().execute("VACUUM ANALYZE")
        vacuum_s = time.perf_counter() - t0
        try:
            totals = sqlite.counts()
            if pg.counts() != totals:
                sys.exit(f"migrate copied {pg.counts()} of {totals}: {report.summary()}")
            start, end = sqlite.date_bounds()
            full = Query(start=start, end=end)
            date_ranges = {
                "full range": full,
                "March 2022": Query(start=date(2022, 3, 1), end=date(2022, 3, 31)),
                "Oct 2021 - Jun 2022": Query(start=date(2021, 10, 1), end=date(2022, 6, 30)),
            }
            counts = sqlite.place_counts(full)
            drawn = mapview.drawn(counts)
            # bench/dashboard.py's five places, and Ukraine (the corpus's subject) if not one.
            ukraine = [c for c in counts if (c.place.name, c.place.kind) == ("Ukraine", "country")]
            picks = [*ukraine[:1], counts[0], drawn[0], drawn[len(drawn) // 10]]
            picks += [drawn[len(drawn) // 2], drawn[-1]]
            pick_keys = list(dict.fromkeys(pc.place.key for pc in picks))
            label = {pc.place.key: f"{pc.place.name} ({pc.mentions:,})" for pc in picks}
            kyiv = _find(counts, "Kyiv", "city") or counts[0].place.key
            label.setdefault(kyiv, next(c.place.name for c in counts if c.place.key == kyiv))
            on = {
                "sqlite": _workloads(sqlite, full, date_ranges, pick_keys, kyiv),
                "pg": _workloads(pg, full, date_ranges, pick_keys, kyiv),
            }
            # Equal answers, so that the times compare equal work.
            for what in on["sqlite"]:
                a, b = on["sqlite"][what](), on["pg"][what]()
                assert a == b, f"{what}: SQLite and PostgreSQL answer differently"
            load1 = os.getloadavg()
            times = {
                side: {what: bd.timed(fn, repeat) for what, fn in work.items()}
                for side, work in on.items()
            }
            load2 = os.getloadavg()
            size = pg.con().execute("SELECT pg_database_size(current_database())").fetchone()[0]
        finally:
            pg.close()
            sqlite.close()
    sqlite_bytes = _sqlite_bytes(db)

    def median(side: str, kind: str) -> float:
        return statistics.median(t for (k, _), t in times[side].items() if k == kind)

    rows += [
        ("PostgreSQL vs SQLite", f"{totals['articles']:,} articles, {totals['mentions']:,}"
         f" mentions, {totals['places']:,} places; median of {repeat} runs, after a warm-up"),
        ("  SQLite store built", f"{build_s:.0f} s (load average before {load0[0]:.2f})"),
        ("  PostgreSQL schema", f"{schema_s:.2f} s"),
        ("  migrate to PostgreSQL", f"{migrate_s:.1f} s: {report.summary()}"),
        ("  VACUUM ANALYZE", f"{vacuum_s:.2f} s"),
        ("  load average migrate/timing", f"{load_m[0]:.2f} / {load1[0]:.2f} - {load2[0]:.2f}"),
        ("  SQLite size", f"{sqlite_bytes / 1e6:.1f} MB,"
         f" {sqlite_bytes / totals['articles'] / 1e3:.1f} kB/article"),
        ("  PostgreSQL size", f"{size / 1e6:.1f} MB,"
         f" {size / totals['articles'] / 1e3:.1f} kB/article"),
        (f"  {'query':<40}", f"{'SQLite s':>9} {'PostgreSQL s':>13} {'PG/SQLite':>10}"),
    ]  # fmt: skip
    for what in times["sqlite"]:
        kind, arg = what
        s, p = times["sqlite"][what], times["pg"][what]
        shown = f"{kind} {label.get(arg, arg)}" + (f" {NEAR_KM} km" if kind == "near" else "")
        rows.append((f"    {shown[:38]:<38}", f"{s:>9.3f} {p:>13.3f} {p / s:>10.2f}"))
    figures["pg_articles"] = totals["articles"]
    for side in ("pg", "sqlite"):
        for kind, name in (("filter", "filter"), ("filter store", "filter_store"),
                           ("click", "click"), ("text", "text"), ("bbox", "bbox"),
                           ("near", "near")):  # fmt: skip
            figures[f"{side}_{name}_s"] = round(median(side, kind), 4)
        figures[f"{side}_click_max_s"] = round(
            max(t for (k, _), t in times[side].items() if k == "click"), 4
        )
    figures.update(
        pg_migrate_s=round(migrate_s, 1),
        pg_vacuum_s=round(vacuum_s, 2),
        pg_size_mb=round(size / 1e6, 1),
        sqlite_size_mb=round(sqlite_bytes / 1e6, 1),
        pg_kb_per_article=round(size / totals["articles"] / 1e3, 1),
        sqlite_kb_per_article_dashboard=round(sqlite_bytes / totals["articles"] / 1e3, 1),
        pg_migrate_load=round(load_m[0], 2),
        pg_load=[round(load1[0], 2), round(load2[0], 2)],
    )
    return rows, figures


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, default=20_000, help="articles in the corpus")
    ap.add_argument("--dask-workers", type=int, default=2, help="LocalCluster worker processes")
    ap.add_argument("--batch", type=int, default=16, help="articles per Dask task")
    ap.add_argument(
        "--pg-articles",
        type=int,
        default=10_000,
        help="articles in the store of the PostgreSQL vs SQLite queries (0: skip them)",
    )
    ap.add_argument("--repeat", type=int, default=5, help="timed runs per query")
    ap.add_argument(
        "--skip-ingest",
        action="store_true",
        help="skip the single-process vs Dask ingest: only the PostgreSQL vs SQLite queries",
    )
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
        if not args.skip_ingest:
            dask_rows, dask_figures = bench_dask(
                args.articles, args.dask_workers, args.batch, Path(tmp)
            )
            rows += dask_rows
            figures.update(dask_figures)
        if args.pg_articles:
            pg_rows, pg_figures = bench_pg(args.pg_articles, args.repeat, Path(tmp))
            rows += pg_rows
            figures.update(pg_figures)
    for k, v in rows:
        print(f"{k:34s} {v}")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
