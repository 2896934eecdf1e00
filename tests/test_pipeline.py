import gzip
import json
import shutil

import pytest

from geo import pipeline
from geo.errors import ResolveError
from geo.geoparser import GEOPARSER_VERSION
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
        ingest([articles_dir], tmp_store, CrashingGeoparser(geoparser), workers=1)
    # Two parsed before the crash (the Russian cp1251.txt is parsed like the others).
    assert tmp_store.counts()["articles"] == 2
    report = ingest([articles_dir], tmp_store, geoparser)  # the next run completes the rest
    assert report.added == 4 and tmp_store.counts()["articles"] == 6
    # Files whose every article was stored before the crash are marked done and not re-read.
    assert report.files_unchanged + report.skipped == 2


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
    monkeypatch.setattr("geo.geoparser.GEOPARSER_VERSION", "next")
    report = ingest([articles_dir / "no_date.txt"], tmp_store, geoparser)
    assert report.updated == 1
    assert list(tmp_store.stale_articles("next")) == []


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


def test_precomputed_language_and_signature_spare_the_first_import(
    tmp_path, tmp_store, monkeypatch
):
    """The shipped language and MinHash are used as they are; an old file still loads."""
    from geo import dedup
    from geo.articles import load_file, text_id

    art = next(load_file(SEED))
    old = tmp_path / "old.jsonl.gz"
    with gzip.open(old, "wt", encoding="utf-8") as fh:
        fh.write(json.dumps({"geoparser": GEOPARSER_VERSION}) + "\n")
        rec = {"text_hash": text_id(art.text), "toponyms": [], "events": []}
        fh.write(json.dumps(rec) + "\n")
    assert load_precomputed(old).extras(text_id(art.text)) == (None, None)
    new = tmp_path / "new.jsonl.gz"
    new.write_bytes(old.read_bytes())
    assert pipeline.add_precomputed_extras([SEED], new) == 1
    pre = load_precomputed(new)
    lang, sig = pre.extras(text_id(art.text))
    assert lang == "en" and sig == dedup.signature(art.text)

    def not_again(*_args):
        raise AssertionError("computed again")

    monkeypatch.setattr(pipeline, "detect", not_again)
    monkeypatch.setattr(dedup, "signature", not_again)
    report = ingest([SEED], tmp_store, lambda: pytest.fail("should not parse"), precomputed=pre)
    assert report.added == 1
    assert tmp_store.article(art.id).language == "en"


def test_shipped_sample_results_carry_language_and_signatures():
    """Run `python scripts/add_precomputed_extras.py` (or `python -m geo precompute`)."""
    from geo import dedup

    pre = load_precomputed()
    assert pre and all(pre.extras(h)[0] for h in list(pre)[:50])
    with gzip.open(pipeline.PRECOMPUTED, "rt") as fh:
        assert json.loads(fh.readline())["minhash"] == dedup.SIGNATURE_KIND


def test_shipped_sample_results_match_the_current_code(geoparser):
    """If this fails, the geoparser changed: bump GEOPARSER_VERSION, run `python -m geo precompute`."""
    from geo.articles import load_file, text_id
    from geo.pipeline import toponym_json

    art = next(load_file(SEED))
    shipped = load_precomputed()[text_id(art.text)]
    assert shipped == [toponym_json(m) for m in geoparser.parse(art)]


def test_shipped_sample_results_are_current():
    """data/precomputed/sample.geoparsed.jsonl.gz must come from this geoparser (run `python -m geo precompute`)."""
    with gzip.open(pipeline.PRECOMPUTED, "rt") as fh:
        assert json.loads(fh.readline())["geoparser"] == GEOPARSER_VERSION


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
def web(tmp_path, monkeypatch):
    """A local web server on 127.0.0.1 serving tests/data/page.html."""
    monkeypatch.setenv("CONFLICT_MAP_ALLOW_PRIVATE", "1")  # fetching refuses local addresses
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
    assert fail.source == "http://127.0.0.1:9/gone.html" and "could not" in fail.reason
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


# -- parallel and streaming ingest --------------------------------------------------------
def _sample_jsonl(path, n, offset=0):
    """n short bundled sample articles from every source, as a JSONL file of their own."""
    from itertools import zip_longest

    from geo.pipeline import SAMPLE_DIR

    per_file = []
    for f in sorted(SAMPLE_DIR.glob("*.jsonl")):
        lines = [ln for ln in f.read_text(encoding="utf-8").splitlines() if ln.strip()]
        per_file.append([ln for ln in lines if len(json.loads(ln)["text"]) < 1500][offset:])
    picked = [ln for group in zip_longest(*per_file) for ln in group if ln][:n]
    path.write_text("\n".join(picked) + "\n", encoding="utf-8")
    return path


def _stored(store, ids):
    return {
        aid: [(m.start, m.end, m.text, m.place, m.reason) for m in store.mentions_of(aid)]
        for aid in ids
    }


class OnlyInWorkers(Geoparser):
    """Refuses to parse in the process that made it."""

    def __init__(self, real):
        import os

        self.__dict__.update(real.__dict__)
        self.parent = os.getpid()

    def _resolve(self, article, doc):
        import os

        assert os.getpid() != self.parent, "parsed in the main process"
        return super()._resolve(article, doc)


def test_parallel_ingest_stores_what_one_process_does(tmp_path, tmp_store, geoparser):
    from geo.articles import load_file
    from geo.models import Article

    src = _sample_jsonl(tmp_path / "some.jsonl", 40)
    arts = [a for a in load_file(src) if isinstance(a, Article)]
    progress = []
    report = ingest(
        [src],
        tmp_store,
        OnlyInWorkers(geoparser),
        workers=2,
        on_progress=lambda d, t: progress.append((d, t)),
    )
    assert report.added == 40 and not report.failed
    assert progress[-1] == (40, 40)
    one = {
        a.id: [(m.start, m.end, m.text, m.place, m.reason) for m in ms]
        for a, ms in geoparser.parse_many(arts)
    }
    assert _stored(tmp_store, one) == one
    assert sum(map(len, one.values())) > 100


def test_ingest_streams_its_input(tmp_path, tmp_store, geoparser, monkeypatch):
    """At the first save only a bounded number of articles has been read."""
    from geo.models import Article

    read = []

    def many(path, columns=None):
        for i in range(300):
            read.append(i)
            text = f"Report {i}: shelling near Kharkiv."
            if i % 10 == 0:
                text = (
                    f"Rapport {i} : les troupes ont bombardé la ville cette nuit, selon la mairie."
                )
            yield Article(f"a{i}", None, "", None, "test", "en", text)

    monkeypatch.setattr(pipeline, "load_file", many)
    (tmp_path / "many.txt").write_text("stands for 300 articles")
    first_save = []
    save = tmp_store.save

    def saving(*args, **kwargs):
        first_save.append(len(read))
        return save(*args, **kwargs)

    monkeypatch.setattr(tmp_store, "save", saving)
    totals = []
    report = ingest(
        [tmp_path / "many.txt"],
        tmp_store,
        geoparser,
        workers=2,
        on_progress=lambda d, t: totals.append(t),
    )
    assert report.added == 300 and report.other_languages == {"fr": 30}
    assert tmp_store.mentions_of("a10") == [] and tmp_store.article("a10").language == "fr"
    assert [m.text for m in tmp_store.mentions_of("a11")] == ["Kharkiv"]
    assert (
        first_save[0]
        <= pipeline.MIN_PARALLEL + (2 * pipeline.CHUNKS_PER_WORKER + 1) * pipeline.CHUNK
    )
    assert totals[0] < 300 and totals[-1] == 300 and totals == sorted(totals)


def test_parallel_crash_keeps_what_was_stored(tmp_path, tmp_store, geoparser):
    src = _sample_jsonl(tmp_path / "some.jsonl", 40)
    with pytest.raises(RuntimeError, match="simulated crash"):
        ingest([src], tmp_store, CrashingGeoparser(geoparser), workers=2)
    report = ingest([src], tmp_store, geoparser, workers=2)
    assert report.added + report.skipped == 40 and tmp_store.counts()["articles"] == 40


def test_parallel_geocoder_failure_is_reported_and_the_file_retried(tmp_path, tmp_store, geoparser):
    src = _sample_jsonl(tmp_path / "some.jsonl", 40)
    report = ingest([src], tmp_store, GeocoderDown(geoparser), workers=2)
    assert [f.source for f in report.failed] == ["geocoder"] and "timed out" in report.failed[
        0
    ].reason
    assert ingest([src], tmp_store, geoparser, workers=2).added == 40


class RecordingGeocoder:
    """An 'online' geocoder that knows nothing and notes which process asked it."""

    def __init__(self):
        self.asked = []

    def geocode(self, query, exactly_one=True):
        import os

        self.asked.append((os.getpid(), query))
        return None


def test_with_an_online_geocoder_only_this_process_resolves(tmp_path, tmp_store, gazetteer, nlp):
    import os

    from geo.resolve import GazetteerGeocoder, Resolver

    online = RecordingGeocoder()
    resolver = Resolver(gazetteer, [GazetteerGeocoder(gazetteer), online])
    gp = Geoparser(gazetteer=gazetteer, nlp=nlp, resolver=resolver)
    src = _sample_jsonl(tmp_path / "some.jsonl", 40, offset=20)
    # Names no gazetteer has, in several articles, so that some reach the online geocoder
    # whichever worker parses them.
    unknown = [
        {"id": f"unknown-{k}", "title": "", "text": text}
        for k, text in enumerate([
            "Shelling hit the village of Zhovtobalkivka near Kharkiv, Ukraine, officials said.",
            "Two houses burned in the village of Zhovtobalkivka, the regional governor wrote.",
            "Evacuation buses left the village of Zhovtobalkivka for Kharkiv on Tuesday morning.",
        ])
    ]  # fmt: skip
    with src.open("a", encoding="utf-8") as fh:
        fh.writelines(json.dumps(r) + "\n" for r in unknown)
    assert ingest([src], tmp_store, gp, workers=2).added == 43
    assert online.asked and {pid for pid, _ in online.asked} == {os.getpid()}
    assert any(q == "Zhovtobalkivka" for _, q in online.asked)


def test_russian_and_ukrainian_are_geoparsed_other_languages_kept_without_places(
    tmp_path, tmp_store, geoparser
):
    recs = [
        {
            "id": "en",
            "title": "",
            "text": "Russian forces shelled Mariupol and Kharkiv overnight, officials in Kyiv said.",
        },
        {
            "id": "uk",
            "title": "",
            "text": "Російські війська вночі обстріляли Маріуполь і Харків, повідомили в Києві.",
        },
        {
            "id": "ru",
            "title": "",
            "text": "Российские войска ночью обстреляли Мариуполь и Харьков, сообщили в Киеве.",
        },
        {
            "id": "fr",
            "title": "",
            "text": "Les forces russes ont bombardé Marioupol et Kharkiv pendant la nuit, ont "
            "indiqué des responsables à Kyiv.",
        },
        {"id": "short", "title": "", "text": "Kyiv, Kharkiv."},
    ]
    src = tmp_path / "langs.jsonl"
    src.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in recs), encoding="utf-8")
    report = ingest([src], tmp_store, geoparser)
    assert report.added == 5 and report.not_english == 1
    assert report.other_languages == {"fr": 1}
    assert "1 not in English" in report.summary()
    langs = {r["id"]: tmp_store.article(r["id"]).language for r in recs}
    assert langs == {"en": "en", "uk": "uk", "ru": "ru", "fr": "fr", "short": "und"}
    assert tmp_store.mentions_of("fr") == []
    assert {m.text for m in tmp_store.mentions_of("en")} >= {"Mariupol", "Kharkiv", "Kyiv"}
    places = {
        # Names only: English also maps "Russian forces" (a demonym) to Russia.
        lang: {
            m.place.name
            for m in tmp_store.mentions_of(lang)
            if m.place and m.mention_type == "name"
        }
        for lang in ("en", "uk", "ru")
    }
    assert places["uk"] == places["ru"] == places["en"] == {"Mariupol", "Kharkiv", "Kyiv"}
    assert {m.text for m in tmp_store.mentions_of("short")} == {"Kyiv", "Kharkiv"}


def test_notices_become_warnings(tmp_path, tmp_store, geoparser, monkeypatch):
    from geo.models import Article, Notice

    def with_notice(path, columns=None):
        yield Notice("odd.txt", "no readable date: kept as undated")
        yield Article(
            "odd", None, "", None, "test", "en", "Shelling near Kharkiv was reported again."
        )

    monkeypatch.setattr(pipeline, "load_file", with_notice)
    (tmp_path / "odd.txt").write_text("stands for an article with a notice")
    report = ingest([tmp_path / "odd.txt"], tmp_store, geoparser)
    assert report.added == 1 and not report.failed
    assert report.warnings == ["odd.txt: no readable date: kept as undated"]


def test_default_workers_use_the_cores_within_the_cap():
    assert 1 <= pipeline.default_workers() <= pipeline.MAX_WORKERS


def test_the_bundled_sample_ingests_without_failures(sample_db):
    """Every file in data/sample/ is an article file (the precomputed results live elsewhere)."""
    from geo.store import Store

    store = Store(sample_db)
    assert store.failures() == []
    assert store.counts()["articles"] > 1800


def test_an_updated_record_says_which_text_it_replaced(tmp_path, tmp_store, geoparser):
    import json

    path = tmp_path / "wire.jsonl"
    rec = {"id": "w-1", "title": "Kyiv", "text": "Air raid sirens sounded in Kyiv at dawn."}
    path.write_text(json.dumps(rec))
    assert ingest([path], tmp_store, geoparser, workers=1).added == 1
    rec["text"] = "Air raid sirens sounded in Kyiv and Lviv at dawn."
    path.write_text(json.dumps(rec))
    report = ingest([path], tmp_store, geoparser, workers=1)
    assert report.updated == 1 and report.added == 0
    assert any(w.startswith("w-1: text replaced") for w in report.warnings), report.warnings
    assert "Lviv" in tmp_store.article("w-1").text


def test_same_named_files_in_two_folders_are_two_articles(tmp_path, tmp_store, geoparser):
    """Ids made from file names repeat across folders; neither text may overwrite the other."""
    for folder, place in (("a", "Kharkiv"), ("b", "Odesa")):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "report.txt").write_text(f"# Report\n\nShelling was heard in {place}.")
    first = ingest([tmp_path / "a", tmp_path / "b"], tmp_store, geoparser, workers=1)
    assert first.added == 2 and first.updated == 0
    texts = sorted(a.text for a in map(tmp_store.article, ("report", first_other(tmp_store))))
    assert texts == ["Shelling was heard in Kharkiv.", "Shelling was heard in Odesa."]
    # A rerun finds both again; a fix to one file updates that file's article only.
    again = ingest([tmp_path / "a", tmp_path / "b"], tmp_store, geoparser, workers=1)
    assert again.added == again.updated == 0
    (tmp_path / "a" / "report.txt").write_text("# Report\n\nShelling was heard in Kherson.")
    fixed = ingest([tmp_path / "a", tmp_path / "b"], tmp_store, geoparser, workers=1)
    assert fixed.updated == 1 and fixed.added == 0
    assert tmp_store.article("report").text == "Shelling was heard in Kherson."
    assert tmp_store.article(first_other(tmp_store)).text == "Shelling was heard in Odesa."


def first_other(store) -> str:
    (aid,) = [r[0] for r in store.con().execute("SELECT id FROM article WHERE id LIKE 'report~%'")]
    return aid


def test_web_addresses_in_any_case_are_fetched_and_their_passwords_never_kept(tmp_store):
    from geo.errors import FetchError

    asked = []

    def fetch(url):
        asked.append(url)
        raise FetchError("example.org answered 404 Not Found")

    url = "HTTP://reader:s3cret@example.org/a"
    report = ingest([url], tmp_store, lambda: pytest.fail("nothing to parse"), fetch=fetch)
    assert asked == [url]  # a web address, not a local path
    [failed] = report.failed
    assert (failed.source, failed.origin) == ("HTTP://example.org/a", "HTTP://example.org/a")
    assert "s3cret" not in repr(report.failed) and "s3cret" not in repr(tmp_store.failures())
