"""Dashboard speed at archive size: a filter change, a marker click, what the map sends.

usage: python bench/dashboard.py [--n 10000] [--repeat 5] [--keep DIR]

Builds two stores in a temporary folder through the project's own ingest (geo.pipeline.ingest
with the bundled precomputed results, so spaCy is not needed): the bundled sample as it is
(~1.8k articles) and N articles made from it. Each extra copy of a sample article gets a new
id and url, its date shifted by whole weeks, and every third lower-case word outside the
place mentions replaced by letters of the same length, so that offsets stay valid but no copy
is an exact or near duplicate of another (the store would count those once).

Then, on each store, it times what app.py does per rerun, uncached:
- filter_s: a filter change = Store.place_counts(query) + mapview.markers_layer(...) +
  streamlit-folium's serialisation of the map + the places CSV and GeoJSON the app's
  download buttons hold (median over several filters);
- click_s: a marker click = Store.passages + Store.count_passages + Store.timeline of one
  place (median over big and small places); passages_s is the passages() part alone;
- map_html_bytes: the bytes st_folium hands to the browser per rerun for the landing view
  (the base map's script and html plus the markers' feature-group script), measured by
  calling st_folium with the component function replaced by a recorder;
- panel_s (not in click_s): the app's Python for the passages panel of that place, i.e.
  Store.passages (up to 500), export.passages_csv and passages_geojson of them, and
  render.passage_html for the first page of 20.

Prints a table, then one JSON line: filter_s, click_s, passages_s, map_html_bytes (at N),
click_max_s and panel_max_s (the slowest place)
and the same with the suffix _1_8k for the sample as it is, plus articles and mentions.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from geo import export, mapview, render  # noqa: E402
from geo.articles import iter_paths, load_file, text_id  # noqa: E402
from geo.models import Article  # noqa: E402
from geo.pipeline import SAMPLE_DIR, Geoparser, ingest, load_precomputed  # noqa: E402
from geo.store import Query, Store  # noqa: E402

FILE_SIZE = 500  # articles per generated JSONL file
PAGE = 20  # passages the app's panel shows per page (app.PAGE)
LETTERS = "abcdefghijklmnopqrstuvwxyz"


def sample_articles() -> list[Article]:
    """The bundled sample's articles as the pipeline reads them."""
    return [a for p in iter_paths([SAMPLE_DIR]) for a in load_file(p) if isinstance(a, Article)]


def scramble(text: str, spans: list[tuple[int, int]], copy: int) -> str:
    """Replace every third lower-case word outside `spans` by same-length letters."""
    chars = list(text)
    taken = sorted(spans)
    i = n = k = 0
    while i < len(text):
        if not text[i].isalpha():
            i += 1
            continue
        j = i
        while j < len(text) and text[j].isalpha():
            j += 1
        while k < len(taken) and taken[k][1] <= i:
            k += 1
        inside = k < len(taken) and taken[k][0] < j
        if not inside and text[i:j].islower() and j - i >= 3:
            n += 1
            if n % 3 == 0:
                h = hashlib.blake2b(f"{copy}:{i}".encode(), digest_size=16).digest()
                for q in range(i, j):
                    chars[q] = LETTERS[h[(q - i) % 16] % 26]
        i = j
    return "".join(chars)


def write_copies(folder: Path, base: list[Article], n: int, pre) -> dict[str, list[dict]]:
    """Write n - len(base) copies as JSONL files; returns text hash -> toponyms for them."""
    extra: dict[str, list[dict]] = {}
    out: list[str] = []
    file_no = 0
    for i in range(n - len(base)):
        copy, idx = divmod(i, len(base))
        art = base[idx]
        topos = pre.get(text_id(art.text))
        if topos is None:
            continue  # not in the precomputed results (would need spaCy)
        text = scramble(art.text, [(t["start"], t["end"]) for t in topos], copy)
        published = art.published + timedelta(weeks=copy + 1) if art.published else None
        url = f"{art.url}{'&' if '?' in art.url else '?'}copy={copy}" if art.url else None
        rec = {
            "id": f"c{copy}-{art.id}",
            "title": f"{art.title} ({copy})",
            "published": published.isoformat() if published else None,
            "url": url,
            "source": art.source,
            "language": art.language,
            "text": text,
        }
        extra[text_id(text)] = topos
        out.append(json.dumps(rec, ensure_ascii=False))
        if len(out) == FILE_SIZE:
            (folder / f"copies_{file_no:03d}.jsonl").write_text("\n".join(out) + "\n")
            out, file_no = [], file_no + 1
    if out:
        (folder / f"copies_{file_no:03d}.jsonl").write_text("\n".join(out) + "\n")
    return extra


class Precomputed(dict):
    """The bundled results plus the copies' (same toponyms, their own text hashes)."""

    def __init__(self, bundled, extra: dict[str, list[dict]]) -> None:
        super().__init__(extra)
        self.bundled = bundled

    def get(self, key, default=None):
        got = super().get(key)
        return got if got is not None else self.bundled.get(key, default)


def build(db: Path, paths: list[Path], pre) -> float:
    t = time.perf_counter()
    store = Store(db)
    try:
        report = ingest(paths, store, Geoparser, precomputed=pre, workers=1)
    finally:
        store.close()
    if report.failed:
        print(f"  {len(report.failed)} failed, e.g. {report.failed[0]}", file=sys.stderr)
    return time.perf_counter() - t


def map_payload(counts, selected=None) -> int:
    """Bytes streamlit-folium sends per rerun for this map (script, html, feature group)."""
    import streamlit_folium

    sent: dict = {}

    def record(**kwargs):
        sent.update(kwargs)
        return kwargs.get("default")

    real = streamlit_folium._component_func
    streamlit_folium._component_func = record
    try:
        streamlit_folium.st_folium(
            mapview.base_map(),
            key="map",
            height=640,
            use_container_width=True,
            feature_group_to_add=mapview.markers_layer(
                counts, selected, mapview.ViewCommand.frame(counts)
            ),
            returned_objects=["last_active_drawing"],
        )
    finally:
        streamlit_folium._component_func = real
    keep = ("script", "header", "html", "feature_group", "layer_control", "css_links", "js_links")
    return len(json.dumps({k: sent.get(k) for k in keep}).encode("utf-8"))


def timed(fn, repeat: int) -> float:
    """Median wall time of `fn()` over `repeat` runs (after one warm-up run)."""
    fn()
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def measure(db: Path, repeat: int) -> dict:
    store = Store(db)
    try:
        start, end = store.date_bounds()
        sources = [s for s, _ in store.sources()]
        full = Query(start=start, end=end)
        filters = {
            "full range": full,
            "March 2022": Query(start=date(2022, 3, 1), end=date(2022, 3, 31)),
            "Oct 2021 - Jun 2022": Query(start=date(2021, 10, 1), end=date(2022, 6, 30)),
            "one source": Query(start=start, end=end, sources=(sources[0],)),
            "cities only": Query(start=start, end=end, kinds=("city",)),
            "text 'grain'": Query(start=start, end=end, text="grain"),
        }
        rows = {}
        for name, q in filters.items():

            def rerun(q=q):
                counts = store.place_counts(q)
                map_payload(counts)
                export.places_csv(counts)  # the app's download buttons, built every rerun
                export.places_geojson(counts)

            rows[name] = (timed(lambda q=q: store.place_counts(q), repeat), timed(rerun, repeat))
        counts = store.place_counts(full)
        drawn = mapview.drawn(counts)
        picks = [counts[0], drawn[0], drawn[len(drawn) // 10], drawn[len(drawn) // 2], drawn[-1]]
        clicks = {}
        for pc in picks:
            key = pc.place.key

            def click(key=key):
                store.passages(key, full)
                store.count_passages(key, full)
                store.timeline(key, full)

            def panel(key=key, place=pc.place):
                export._quote_text.cache_clear()  # a place clicked for the first time
                rows = store.passages(key, full)
                export.passages_csv(place, rows)
                export.passages_geojson(place, rows)
                for r in rows[:PAGE]:
                    render.passage_html(r.article, r.start, r.end, [])

            clicks[f"{pc.place.name} ({pc.mentions:,})"] = (
                timed(lambda key=key: store.passages(key, full), repeat),
                timed(click, repeat),
                timed(panel, max(1, repeat // 2)),
            )
        totals = store.counts()
        n_mentions = store.con().execute("SELECT COUNT(*) FROM mention").fetchone()[0]
        t = time.perf_counter()
        layer_bytes = map_payload(counts)
        map_s = time.perf_counter() - t
    finally:
        store.close()
    print(f"\n{totals['articles']:,} articles, {n_mentions:,} mentions, {len(counts):,} places")
    print(f"  {'filter':<28}{'place_counts s':>16}{'+ map s':>10}")
    for name, (a, b) in rows.items():
        print(f"  {name:<28}{a:>16.3f}{b:>10.3f}")
    print(f"  {'click on':<28}{'passages s':>12}{'+ count + timeline s':>22}{'panel s':>10}")
    for name, (a, b, c) in clicks.items():
        print(f"  {name:<28}{a:>12.3f}{b:>22.3f}{c:>10.3f}")
    print(f"  map sent per rerun: {layer_bytes:,} bytes (built in {map_s:.3f} s)")
    return {
        "articles": totals["articles"],
        "mentions": n_mentions,
        "filter_s": round(statistics.median(b for _, b in rows.values()), 3),
        "place_counts_s": round(statistics.median(a for a, _ in rows.values()), 3),
        "click_s": round(statistics.median(b for _, b, _ in clicks.values()), 3),
        "passages_s": round(statistics.median(a for a, _, _ in clicks.values()), 3),
        "click_max_s": round(max(b for _, b, _ in clicks.values()), 3),
        "panel_max_s": round(max(c for _, _, c in clicks.values()), 3),
        "map_html_bytes": layer_bytes,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=10_000, help="articles in the big store")
    ap.add_argument("--repeat", type=int, default=5, help="timed runs per figure")
    ap.add_argument("--keep", type=Path, help="build the stores in this folder and keep them")
    args = ap.parse_args()
    logging.basicConfig(level=logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="cm-bench-") as tmp:
        work = args.keep or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        pre = load_precomputed()
        small, big = work / "sample.sqlite", work / f"n{args.n}.sqlite"
        if not small.exists():
            print(f"building the sample store: {build(small, [SAMPLE_DIR], pre):.0f} s")
        if not big.exists():
            copies = work / "copies"
            copies.mkdir(exist_ok=True)
            base = sample_articles()
            extra = write_copies(copies, base, args.n, pre)
            took = build(big, [SAMPLE_DIR, copies], Precomputed(pre, extra))
            print(f"building the {args.n:,}-article store: {took:.0f} s")
        small_fig = measure(small, args.repeat)
        big_fig = measure(big, args.repeat)
    figures = {**big_fig, **{f"{k}_1_8k": v for k, v in small_fig.items()}}
    figures["date"] = date.today().isoformat()
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
