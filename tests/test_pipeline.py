import gzip
import json
import shutil

import pytest

from geo import pipeline
from geo.errors import ResolveError
from geo.pipeline import Geoparser, article_json, ingest, load_precomputed
from geo.store import Query

from .conftest import DATA, SEED


@pytest.fixture
def articles_dir(tmp_path):
    d = tmp_path / "articles"
    d.mkdir()
    for name in (
        "000_fa1a19d97a69d7e0.txt",
        "no_date.txt",
        "records.jsonl",
        "empty.txt",
        "binary.txt",
        "cp1251.txt",
        "page.html",
    ):
        shutil.copy(DATA / name, d / name)
    return d


def test_ingest_adds_skips_and_reports_failures(articles_dir, tmp_store, geoparser):
    progress = []
    report = ingest(
        [articles_dir], tmp_store, geoparser, on_progress=lambda d, t: progress.append((d, t))
    )
    assert report.added == 6  # seed, no_date, 2 records, cp1251, page
    assert {f.source for f in report.failed} == {
        "empty.txt",
        "binary.txt",
        "records.jsonl:2",
        "records.jsonl:4",
    }
    assert progress[-1] == (6, 6)
    assert tmp_store.failures() == report.failed
    names = {c.place.name for c in tmp_store.place_counts(Query())}
    assert {"Mariupol", "Kyiv", "Istanbul", "Odesa"} <= names
    again = ingest([articles_dir], tmp_store, geoparser)
    assert again.added == 0 and again.updated == 0
    assert tmp_store.counts()["articles"] == 6


def test_unchanged_files_are_not_even_read_again(articles_dir, tmp_store, geoparser):
    ingest([articles_dir / "no_date.txt"], tmp_store, geoparser)
    report = ingest([articles_dir / "no_date.txt"], tmp_store, lambda: pytest.fail("parsed again"))
    assert report.files_unchanged == 1


class CrashingGeoparser(Geoparser):
    """Fails on the third article, as a crash mid-ingest would."""

    def __init__(self, real):
        self.__dict__.update(real.__dict__)
        self.n = 0

    def _resolve(self, article, doc):
        self.n += 1
        if self.n == 3:
            raise RuntimeError("simulated crash")
        return super()._resolve(article, doc)


def test_crash_mid_ingest_keeps_what_was_stored(articles_dir, tmp_store, geoparser):
    with pytest.raises(RuntimeError):
        ingest([articles_dir], tmp_store, CrashingGeoparser(geoparser))
    assert tmp_store.counts()["articles"] == 2
    report = ingest([articles_dir], tmp_store, geoparser)  # the next run completes the rest
    assert report.added == 4 and report.skipped == 2


class GeocoderDown(Geoparser):
    def __init__(self, real):
        self.__dict__.update(real.__dict__)

    def _resolve(self, article, doc):
        raise ResolveError("geocoding 'Kyiv' failed: timed out")


def test_geocoder_failure_is_reported_not_raised(articles_dir, tmp_store, geoparser):
    report = ingest([articles_dir / "no_date.txt"], tmp_store, GeocoderDown(geoparser))
    assert report.failed and "timed out" in report.failed[0].reason
    # The file is not marked done, so the next run retries it.
    assert ingest([articles_dir / "no_date.txt"], tmp_store, geoparser).added == 1


def test_new_geoparser_version_reparses_stale_articles(
    articles_dir, tmp_store, geoparser, monkeypatch
):
    ingest([articles_dir / "no_date.txt"], tmp_store, geoparser)
    monkeypatch.setattr(pipeline, "GEOPARSER_VERSION", "next")
    report = ingest([articles_dir / "no_date.txt"], tmp_store, geoparser)
    assert report.updated == 1
    assert tmp_store.stale_articles("next") == []


def test_precomputed_results_are_used_and_match_a_fresh_parse(tmp_path, tmp_store, geoparser):
    from geo.articles import load_file

    out = tmp_path / "pre.jsonl.gz"
    assert pipeline.write_precomputed(geoparser, [SEED], out) == 1
    pre = load_precomputed(out)
    report = ingest([SEED], tmp_store, lambda: pytest.fail("should not parse"), precomputed=pre)
    assert report.added == 1
    art = next(load_file(SEED))
    stored = tmp_store.mentions_of(art.id)
    fresh = geoparser.parse(art)
    assert [(m.start, m.end, m.place) for m in stored] == [(m.start, m.end, m.place) for m in fresh]


def test_shipped_sample_results_match_the_current_code(geoparser):
    """If this fails, the geoparser changed: bump GEOPARSER_VERSION, run `python -m geo precompute`."""
    from geo.articles import load_file, text_id
    from geo.pipeline import toponym_json

    art = next(load_file(SEED))
    shipped = load_precomputed()[text_id(art.text)]
    assert shipped == [toponym_json(m) for m in geoparser.parse(art)]


def test_shipped_sample_results_are_current():
    """data/sample/geoparsed.jsonl.gz must come from this geoparser (run `python -m geo precompute`)."""
    with gzip.open(pipeline.PRECOMPUTED, "rt") as fh:
        assert json.loads(fh.readline())["geoparser"] == pipeline.GEOPARSER_VERSION


def test_contract_fields(geoparser):
    from geo.articles import load_file

    art = next(load_file(SEED))
    rec = article_json(art, geoparser.parse(art))
    assert set(rec) == {"id", "title", "published", "url", "toponyms"}
    assert rec["published"] == "2022-03-28"
    for t in rec["toponyms"]:
        assert {"start", "end", "name", "lat", "lon", "country", "kind", "geonameid"} <= set(t)
        assert art.text[t["start"] : t["end"]] == t["name"]
        assert t["kind"] in {
            None,
            "country",
            "admin1",
            "admin2",
            "city",
            "region",
            "water",
            "continent",
            "landmark",
        }


@pytest.fixture
def web(tmp_path):
    """A local web server on 127.0.0.1 serving tests/data/page.html."""
    import threading
    from functools import partial
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(Quiet, directory=str(DATA)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_ingest_urls_and_report_unreachable_ones(web, tmp_store, geoparser):
    report = ingest([f"{web}/page.html", "http://127.0.0.1:9/gone.html"], tmp_store, geoparser)
    assert report.added == 1
    (fail,) = report.failed
    assert fail.source == "http://127.0.0.1:9/gone.html" and "could not download" in fail.reason
    kharkiv = [c for c in tmp_store.place_counts(Query()) if c.place.name == "Kharkiv"]
    assert kharkiv and kharkiv[0].mentions >= 2
    again = ingest([f"{web}/page.html"], tmp_store, geoparser)
    assert again.skipped == 1 and again.added == 0


def test_failures_of_other_inputs_stay_listed(articles_dir, tmp_store, geoparser, tmp_path):
    ingest([articles_dir / "empty.txt"], tmp_store, geoparser)
    ingest([articles_dir / "no_date.txt"], tmp_store, geoparser)  # another input
    assert [f.source for f in tmp_store.failures()] == ["empty.txt"]
    (articles_dir / "empty.txt").write_text("Fixed: shelling near Kharkiv.")
    ingest([articles_dir / "empty.txt"], tmp_store, geoparser)  # the same input, now readable
    assert tmp_store.failures() == []


def test_schema_upgrade_keeps_data(tmp_path):
    """A database at schema 1 is upgraded in place; its rows survive."""
    import sqlite3

    from geo.store import SCHEMA_STEPS, Store

    path = tmp_path / "old.sqlite"
    con = sqlite3.connect(path)
    con.executescript(SCHEMA_STEPS[0])
    con.execute("INSERT INTO failure(source, reason, at) VALUES ('x.txt', 'file is empty', 'now')")
    con.execute("PRAGMA user_version = 1")
    con.commit()
    con.close()
    store = Store(path)
    assert store.con().execute("PRAGMA user_version").fetchone()[0] == len(SCHEMA_STEPS)
    assert [(f.source, f.origin) for f in store.failures()] == [("x.txt", "")]


def test_ingest_a_feed_url(web, tmp_store, geoparser):
    report = ingest([f"{web}/feed.rss"], tmp_store, geoparser)
    assert report.added == 2
    assert [f.source for f in report.failed] == [f"{web}/feed.rss#3"]
    names = {c.place.name for c in tmp_store.place_counts(Query())}
    assert {"Kharkiv", "Istanbul"} <= names
