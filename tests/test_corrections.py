"""Corrections and removals on a real SQLite store: applied at once, kept across re-saves and
geoparser upgrades, undone, exported and imported, and safe under concurrent writers."""

import json
import subprocess
import sys
import threading
import tracemalloc
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from geo import corrections
from geo.models import Article, Correction, Mention, Place
from geo.store import Query, Store
from geo.store.postgres import PostgresStore

ODESA = Place(698740, "Odesa", "city", 46.48, 30.73, "UA")
ODESSA_TX = Place(5527554, "Odessa", "city", 31.85, -102.37, "US")
BRUSSELS_BE = Place(2800866, "Brussels", "city", 50.85, 4.35, "BE")
BRUSSELS_US = Place(4046255, "Brussels", "city", 38.95, -90.59, "US")
YAHIDNE = Place(None, "Yahidne", "city", 51.43, 31.24, "UA")

T1 = "The Kremlin said Odessa was calm. Later, Odessa was shelled. Brussels and Washington agreed."
T2 = "Odessa port reopened. Residents of Yahidne returned. Yahidne was occupied for a month."


def article(aid: str, text: str, source: str = "Kremlin", day: int = 1) -> Article:
    return Article(aid, None, f"Title {aid}", date(2022, 3, day), source, "en", text)


def parse(a: Article) -> list[Mention]:
    """What a geoparser with the sample's errors returns: Odessa, Texas; Brussels, US."""
    out = []
    for name, place in (("Odessa", ODESSA_TX), ("Brussels", BRUSSELS_US)):
        start = 0
        while (i := a.text.find(name, start)) >= 0:
            out.append(Mention(a.id, i, i + len(name), name, "name", place, "most populous"))
            start = i + 1
    return out


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path) -> Store:
    """Three articles, over both back ends: a SQLite file and a PostgreSQL database."""
    if request.param == "sqlite":
        s = Store(tmp_path / "c.sqlite")
    else:
        s = Store(request.getfixturevalue("pg_url"))
    for a in (article("k1", T1), article("k2", T2), article("r1", T1[:40], "Reuters", 2)):
        s.save(a, parse(a), "v1", f"/in/{a.id}.txt")
    yield s
    s.close()


def places_of(store: Store, aid: str) -> list[tuple[str, str | None]]:
    return [(m.text, m.place.name if m.place else None) for m in store.mentions_of(aid)]


def keys(store: Store) -> dict[str, int]:
    return {c.place.key: c.mentions for c in store.place_counts(Query())}


def test_wrong_place_in_one_mention_only(store):
    i = T1.find("Odessa")
    c = store.add_correction(
        Correction("place", "mention", "Odessa", ODESA, "k1", start=i, end=i + 6, note="Ukraine")
    )
    assert c.id and c.uid and c.created_at
    assert places_of(store, "k1")[:2] == [("Odessa", "Odesa"), ("Odessa", "Odessa")]
    (p,) = store.passages(ODESA.key, Query())
    assert (p.correction_id, p.correction_note, p.geoparser_place) == (c.id, "Ukraine", "Odessa")
    assert p.reason == "most populous"  # the geoparser's own reason stays next to it


def test_scopes_article_source_everywhere_and_the_narrower_wins(store):
    store.add_correction(Correction("place", "article", "Odessa", ODESA, "k1"))
    assert [p for t, p in places_of(store, "k1") if t == "Odessa"] == ["Odesa", "Odesa"]
    assert ("Odessa", "Odessa") in places_of(store, "k2")  # another article: untouched
    store.add_correction(Correction("place", "source", "Odessa", ODESA, source="Kremlin"))
    assert ("Odessa", "Odesa") in places_of(store, "k2")
    assert ("Odessa", "Odessa") in places_of(store, "r1")  # another source
    rule = store.add_correction(Correction("place", "everywhere", "ODESSA", ODESA))
    assert ("Odessa", "Odesa") in places_of(store, "r1")  # any letter case
    assert ODESSA_TX.key not in keys(store)
    # A narrower correction made earlier still wins over the wider rule made later.
    i = T2.find("Odessa")
    store.undo_correction(rule.id)
    store.add_correction(
        Correction("place", "mention", "Odessa", ODESSA_TX, "k2", start=i, end=i + 6)
    )
    store.add_correction(Correction("place", "everywhere", "Odessa", ODESA))
    assert ("Odessa", "Odessa") in places_of(store, "k2")


def test_not_a_place_and_undo(store):
    c = store.add_correction(Correction("not_place", "everywhere", "Brussels"))
    assert BRUSSELS_US.key not in keys(store)
    assert all(t != "Brussels" or p is None for t, p in places_of(store, "k1"))
    rev = store.revision()
    assert store.undo_correction(c.id) is True
    assert store.revision() > rev
    assert keys(store)[BRUSSELS_US.key] == 1
    assert store.undo_correction(c.id) is False  # once only
    (hist,) = store.corrections()
    assert hist.undone_at is not None
    assert store.corrections(include_undone=False) == []


def test_add_a_missed_place_finds_every_occurrence(store):
    assert YAHIDNE.key not in keys(store)
    store.add_correction(Correction("add", "article", "Yahidne", YAHIDNE, "k2", note="village"))
    assert keys(store)[YAHIDNE.key] == 2
    got = store.passages(YAHIDNE.key, Query())
    assert [T2[p.start : p.end] for p in got] == ["Yahidne", "Yahidne"]
    # A mention-scope addition over words inside a found name replaces that mention.
    i = T1.find("Washington")
    store.add_correction(
        Correction("add", "mention", "Washington", ODESA, "k1", start=i, end=i + 10)
    )
    assert ("Washington", "Odesa") in places_of(store, "k1")


def test_corrections_survive_resave_and_geoparser_upgrade(store):
    store.add_correction(Correction("place", "everywhere", "Odessa", ODESA))
    store.add_correction(Correction("add", "article", "Yahidne", YAHIDNE, "k2"))
    i = T1.find("Brussels")
    store.add_correction(
        Correction("place", "mention", "Brussels", BRUSSELS_BE, "k1", start=i, end=i + 8)
    )
    before = keys(store)
    for a in (article("k1", T1), article("k2", T2), article("r1", T1[:40], "Reuters", 2)):
        assert store.save(a, parse(a), "v2", "re-parse").status == "updated"
    assert keys(store) == before
    assert store.orphaned_corrections() == []
    # New articles follow the "everywhere" rule from then on.
    new = article("n1", "Odessa again.", "AP", 5)
    store.save(new, parse(new), "v2", "/in/n1.txt")
    assert places_of(store, "n1") == [("Odessa", "Odesa")]


def test_a_correction_whose_mention_is_gone_is_reported(store):
    i = T1.find("Brussels")
    c = store.add_correction(
        Correction("place", "mention", "Brussels", BRUSSELS_BE, "k1", start=i, end=i + 8)
    )
    edited = article("k1", T1.replace("Brussels and ", ""))
    store.save(edited, parse(edited), "v1", "/in/k1.txt")
    (orphan,) = store.orphaned_corrections()
    assert orphan.id == c.id and orphan.orphaned
    # The text moved but still holds the name: the correction follows it.
    moved = article("k1", "New intro. " + T1)
    store.save(moved, parse(moved), "v1", "/in/k1.txt")
    assert store.orphaned_corrections() == []
    assert ("Brussels", "Brussels") in places_of(store, "k1")
    assert BRUSSELS_BE.key in keys(store)


def test_invalid_corrections_are_refused(store):
    for bad in (
        Correction("place", "article", "Odessa", None, "k1"),
        Correction("place", "mention", "Odessa", ODESA, "k1"),
        Correction("place", "source", "Odessa", ODESA),
        Correction("teleport", "article", "Odessa", ODESA, "k1"),
        Correction("not_place", "article", " ", None, "k1"),
    ):
        with pytest.raises(ValueError):
            store.add_correction(bad)
    assert store.corrections() == []


def test_export_import_twice_changes_nothing(store, tmp_path):
    store.add_correction(Correction("place", "everywhere", "Odessa", ODESA, note="<b>x</b>"))
    store.add_correction(Correction("add", "article", "Yahidne", YAHIDNE, "k2"))
    lines = [json.dumps(corrections.to_json(c)) for c in store.corrections()]
    other = Store(tmp_path / "other.sqlite")
    for a in (article("k1", T1), article("k2", T2)):
        other.save(a, parse(a), "v1", "x")
    items = [corrections.from_json(json.loads(line)) for line in lines]
    assert other.import_corrections(items) == (2, 0)
    rev = other.revision()
    assert other.import_corrections(items) == (0, 2)
    assert other.revision() == rev
    assert keys(other)[ODESA.key] == 3 and keys(other)[YAHIDNE.key] == 2
    assert {c.uid for c in other.corrections()} == {c.uid for c in store.corrections()}
    with pytest.raises(ValueError):
        corrections.from_json({"action": "place", "scope": "everywhere", "name": "X"})
    other.close()


def test_remove_article_source_file_and_restore(store):
    batch = store.remove(store.articles_of(article="k2"))
    assert batch and store.removed_count(batch) == 1
    assert store.article("k2") is None and store.mentions_of("k2") == []
    # A rescan or a re-parse does not bring a removed article back.
    a = article("k2", T2)
    assert store.is_current(a, "v9")
    assert store.save(a, parse(a), "v9", "/in/k2.txt").status == "removed"
    assert store.restore(batch) == 1
    assert store.article("k2") == a
    assert places_of(store, "k2") == [(t, p.name) for t, p in [("Odessa", ODESSA_TX)]]
    by_source = store.remove(store.articles_of(source="Kremlin"))
    assert store.removed_count(by_source) == 2
    assert [s for s, _ in store.sources()] == ["Reuters"]
    by_file = store.remove(store.articles_of(origin="/in/r1.txt"))
    assert store.counts()["articles"] == 0 and store.place_counts(Query()) == []
    assert store.restore(by_file) == 1 and store.restore(by_source) == 2
    assert store.counts()["articles"] == 3


def test_restored_article_gets_its_corrections_back(store):
    store.add_correction(Correction("place", "article", "Odessa", ODESA, "k1"))
    batch = store.remove(["k1"])
    assert store.orphaned_corrections()[0].article_id == "k1"  # its article is gone
    store.restore(batch)
    assert ("Odessa", "Odesa") in places_of(store, "k1")


def test_deleted_files_are_forgotten_at_rescan(store, tmp_path):
    folder = tmp_path / "articles"
    folder.mkdir()
    kept, gone = folder / "kept.txt", folder / "gone.txt"
    kept.write_text("x")
    for path, aid in ((kept, "f1"), (gone, "f2")):
        a = article(aid, f"Odessa story {aid}.")
        store.save(a, parse(a), "v1", str(path.resolve()))
    n = store.forget_missing_files(folder, [str(kept.resolve())])
    assert n == 1 and store.article("f2") is None and store.article("f1") is not None
    assert store.article("k1") is not None  # read from elsewhere: untouched


def test_clear_failures(store):
    from geo.models import Failure

    store.record_failures([Failure("bad.pdf", "not supported", "/in/bad.pdf")], ["/in/bad.pdf"])
    assert store.clear_failures() == 1 and store.failures() == []


_WRITER = """
import sys
from geo.models import Correction, Place
from geo.store import Store
s = Store(sys.argv[1])
for i in range(int(sys.argv[3])):
    s.add_correction(Correction("not_place", "article", "Odessa", None, sys.argv[2], note=f"{sys.argv[2]}-{i}"))
"""


def test_concurrent_sessions_and_an_ingest_lose_no_correction(store, tmp_path):
    """Two processes correct (one of them the same article) while this one ingests."""
    path = getattr(store, "url", None) or str(store.path)
    procs = [
        subprocess.Popen([sys.executable, "-c", _WRITER, path, aid, "15"], cwd=Path.cwd())
        for aid in ("k1", "k1", "k2")
    ]

    def ingest() -> None:
        s = Store(path)
        for n in range(40):
            a = article(f"bulk{n}", f"Report {n}: Odessa and Brussels.", "AP")
            s.save(a, parse(a), "v1", "/in/bulk.txt")
        s.close()

    t = threading.Thread(target=ingest)
    t.start()
    for p in procs:
        assert p.wait(timeout=120) == 0
    t.join()
    assert len(store.corrections()) == 45
    assert store.counts()["articles"] == 43
    if isinstance(store, PostgresStore):
        # Every mention still points at its article's text, and no correction was applied twice.
        bad = store.con().execute(
            "SELECT COUNT(*) FROM mention m JOIN article a ON a.id = m.article_id"
            ' WHERE substr(a.text, m.start + 1, m."end" - m.start) != m.text'
        )
        assert bad.fetchone() == (0,)
    else:
        assert store.con().execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert all(p is None for t, p in places_of(store, "k1") if t == "Odessa")


def test_correction_on_removed_place_rows_keeps_place_table_consistent(store):
    c = store.add_correction(Correction("place", "everywhere", "Odessa", replace(ODESA)))
    assert store.place(ODESA.key) == ODESA
    store.undo_correction(c.id)
    assert ODESA.key not in keys(store)


REAL = (
    "Kremlin statement, 3 March 2022.\n\nThe Kremlin said the situation in Odessa was calm. "
    "Officials in Brussels and Washington disagreed. Troops left Yahidne, a village near "
    "Chernihiv, after a month.\n"
)


def test_real_ingest_keeps_corrections_across_reingest_and_version_bump(
    tmp_path, geoparser, monkeypatch
):
    """The sample's errors fixed by hand, then the same file ingested again by the real
    geoparser, then again under a new geoparser version: every fix holds."""
    from geo import pipeline

    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "kremlin.txt").write_text(REAL, encoding="utf-8")
    store = Store(tmp_path / "real.sqlite")
    pipeline.ingest([folder], store, geoparser, workers=1)
    (aid,) = store.articles_of(origin=str((folder / "kremlin.txt").resolve()))
    text = store.article(aid).text
    i = text.find("Odessa")
    store.add_correction(
        Correction("place", "mention", "Odessa", ODESA, aid, start=i, end=i + 6, note="Ukraine")
    )
    store.add_correction(Correction("place", "article", "Brussels", BRUSSELS_BE, aid))
    store.add_correction(Correction("add", "article", "Yahidne", YAHIDNE, aid))
    fixed = sorted((m.text, m.place.key) for m in store.mentions_of(aid) if m.place)
    assert ("Odessa", ODESA.key) in fixed and ("Yahidne", YAHIDNE.key) in fixed
    assert ("Brussels", BRUSSELS_BE.key) in fixed

    (folder / "kremlin.txt").write_text(REAL + "\n", encoding="utf-8")  # touched: read again
    report = pipeline.ingest([folder], store, geoparser, workers=1)
    assert report.updated + report.skipped == 1
    monkeypatch.setattr("geo.geoparser.GEOPARSER_VERSION", "next-version")
    report = pipeline.ingest([folder], store, geoparser, workers=1)
    assert report.updated == 1
    again = sorted((m.text, m.place.key) for m in store.mentions_of(aid) if m.place)
    assert again == fixed
    assert store.orphaned_corrections() == []

    # Deleting the file drops its article at the next scan of the folder.
    (folder / "kremlin.txt").unlink()
    report = pipeline.ingest([folder], store, geoparser, workers=1)
    assert report.forgotten == 1 and store.counts()["articles"] == 0
    store.close()


def test_panel_html_escapes_reasons_articles_and_marks_filter_words():
    from geo import render

    mark = render.correction_html("<img src=x onerror=alert(1)>", "<b>Odessa</b>", "city of 114k")
    assert "<img" not in mark and "&lt;img" in mark and "&lt;b&gt;Odessa" in mark
    assert "city of 114k" in mark
    assert "added by hand" in render.correction_html("", None, "")
    a = article("x", "Grain <script>x</script> left Odessa; GRAIN again.")
    m = [Mention("x", a.text.find("Odessa"), a.text.find("Odessa") + 6, "Odessa", "name", ODESA)]
    html = render.passage_html(a, m[0].start, m[0].end, highlight="grain")
    assert html.count('class="cm-hit"') == 2 and "<script>" not in html
    reader = render.article_html(a, m + [Mention("x", 0, 5, "Grain", "name", None)], ODESA.key)
    assert 'class="cm-here" title="Odesa, UA"' in reader and "cm-unplaced" in reader
    assert "<script>" not in reader and "&lt;script&gt;" in reader


def test_alternatives_say_why_each_lost(gazetteer):
    cands = gazetteer.lookup("Odessa")
    texas = next(c.place for c in cands if c.place.country_code == "US")
    alts = corrections.alternatives(cands, texas)
    assert [a.chosen for a in alts].count(True) == 1
    ua = next(a for a in alts if a.place.country_code == "UA")
    assert ua.why_not and "1.0M people" in ua.label()
    small = next(a for a in alts if a.place.country_code == "US" and not a.chosen)
    assert small.why_not.startswith("fewer people than Odessa")
    assert all(a.why_not for a in corrections.alternatives(cands, None))


def test_a_schema_7_database_gets_corrections_and_keeps_its_places(tmp_path):
    """Upgrading keeps every mention's place as the geoparser's own choice."""
    from geo.store import SCHEMA_STEPS

    from .test_store import before_schema_8

    path = tmp_path / "v7.sqlite"
    s = Store(path)
    a = article("k1", T1)
    s.save(a, parse(a), "v1", "/in/k1.txt")
    s.close()
    before_schema_8(path)
    s = Store(path)
    assert s.con().execute("PRAGMA user_version").fetchone()[0] == len(SCHEMA_STEPS)
    assert s.con().execute(
        "SELECT COUNT(*) FROM mention WHERE auto_place_key IS NOT place_key"
    ).fetchone() == (0,)
    s.add_correction(Correction("place", "article", "Odessa", ODESA, "k1"))
    assert ("Odessa", "Odesa") in places_of(s, "k1")
    s.close()


# -- importing untrusted files ----------------------------------------------------------
GOOD = {"action": "place", "scope": "everywhere", "name": "Odessa", "place": {
    "geonameid": 698740, "name": "Odesa", "kind": "city", "lat": 46.48, "lon": 30.73,
    "country_code": "UA"}}  # fmt: skip


def with_(rec: dict, path: str, value) -> dict:
    """A deep copy of `rec` with the field at "a.b" set to `value`."""
    out = json.loads(json.dumps(rec))
    *head, last = path.split(".")
    target = out
    for key in head:
        target = target[key]
    target[last] = value
    return out


@pytest.mark.parametrize(
    ("line", "why"),
    [
        (json.dumps(with_(GOOD, "name", ["Odessa"])), "name: a text was expected, not a list"),
        (json.dumps(with_(GOOD, "name", {"x": "y"})), "name: a text was expected"),
        (json.dumps(with_(GOOD, "place.lat", True)), "place.lat: a number was expected"),
        (json.dumps(with_(GOOD, "place.lat", "46")), "place.lat: a number was expected"),
        (json.dumps(with_(GOOD, "place", [1, 2])), "place: not a JSON object"),
        (json.dumps(with_(GOOD, "place.geonameid", 10**30)), "place.geonameid: out of range"),
        (json.dumps(with_(GOOD, "place.geonameid", True)), "whole number was expected"),
        (json.dumps(with_(GOOD, "scope", "mention")) + "", "needs that article"),
        (
            json.dumps({**GOOD, "scope": "mention", "article_id": "k1", "start": 10**30, "end": 3}),
            "start: out of range",
        ),  # fmt: skip
        (json.dumps(GOOD).replace('"lat": 46.48', '"lat": 1e999'), "place.lat: out of range"),
        (json.dumps(GOOD).replace('"lat": 46.48', '"lat": NaN'), "not a number JSON allows"),
        ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
        ('{"a":' * 50_000 + "1" + "}" * 50_000, "nested too deeply"),
        ("not json", "line 2: Expecting value"),
        ("\xff", "line 2"),
    ],
    ids=lambda v: v[:30] if isinstance(v, str) else None,
)
def test_import_refuses_bad_lines_with_their_number_and_keeps_the_good(tmp_path, line, why):
    path = tmp_path / "fixes.jsonl"
    path.write_text(json.dumps(GOOD) + "\n" + line + "\n" + json.dumps(GOOD) + "\n")
    items, bad = corrections.read_file(path)
    assert [n for n, _ in items] == [1, 3]
    assert len(bad) == 1 and bad[0].startswith("line 2: ") and why in bad[0], bad


def test_import_caps_line_and_file_size_while_streaming(tmp_path):
    path = tmp_path / "big.jsonl"
    with path.open("w") as fh:
        fh.write(json.dumps(GOOD) + "\n")
        fh.write('{"name": "' + "x" * 3_000_000 + '"}\n')  # one 3 MB line
        fh.write(json.dumps(GOOD) + "\n")
    items, bad = corrections.read_file(path, max_line=1_000_000)
    assert [n for n, _ in items] == [1, 3]
    assert bad == ["line 2: longer than 1,000,000 bytes"]
    items, bad = corrections.read_file(path, max_file=2_000_000)
    assert [n for n, _ in items] == [1]
    assert len(bad) == 2 and "larger than 2,000,000 bytes" in bad[-1]


def test_import_skips_a_150_mb_line_without_reading_it_whole(tmp_path):
    path = tmp_path / "huge.jsonl"
    with path.open("w") as fh:
        fh.write(json.dumps(GOOD) + "\n")
        fh.write('{"name": "')
        for _ in range(150):
            fh.write("x" * 1_000_000)
        fh.write('"}\n' + json.dumps(with_(GOOD, "name", "Odessa2")) + "\n")
    tracemalloc.start()
    items, bad = corrections.read_file(path)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert [n for n, _ in items] == [1, 3]
    assert bad == ["line 2: longer than 1,000,000 bytes"]
    assert peak < 20_000_000  # the line is skipped in pieces, never held


def sqlite_store(tmp_path, *texts: str) -> Store:
    s = Store(tmp_path / "w.sqlite")
    for i, text in enumerate(texts):
        a = article(f"a{i}", text)
        s.save(a, parse(a), "v1", f"/in/{a.id}.txt")
    return s


def test_a_rule_over_thousands_of_mentions_needs_confirmation(tmp_path):
    s = sqlite_store(tmp_path, "the town " * 2_050, T1)
    wide = Correction("add", "everywhere", "the", ODESA)
    assert s.correction_reach(wide) > corrections.MAX_UNCONFIRMED
    with pytest.raises(corrections.WideCorrection, match="more than 2,000 mentions"):
        s.add_correction(wide)
    with pytest.raises(corrections.WideCorrection):
        s.import_corrections([wide])
    assert s.corrections() == []
    narrow = Correction("place", "everywhere", "Odessa", ODESA)
    assert s.correction_reach(narrow) == 2
    s.add_correction(narrow)
    s.add_correction(wide, confirmed=True)
    assert keys(s)[ODESA.key] == 2_050 + 2
    s.close()


def test_cli_import_refuses_a_wide_rule_without_yes(tmp_path, capsys):
    from geo.__main__ import main

    s = sqlite_store(tmp_path, "the town " * 2_050, T1)
    s.close()
    db = str(tmp_path / "w.sqlite")
    path = tmp_path / "fixes.jsonl"
    wide = {"action": "add", "scope": "everywhere", "name": "the", "place": GOOD["place"]}
    path.write_text(json.dumps(GOOD) + "\n" + json.dumps(wide) + "\n")
    assert main(["corrections", "import", str(path), "--db", db]) == 0
    out, err = capsys.readouterr()
    assert "1 corrections imported" in out and "1 lines refused" in out
    assert "line 2: " in err and "more than 2,000 mentions" in err and "--yes" in err
    assert main(["corrections", "import", str(path), "--db", db, "--yes"]) == 0
    assert "1 corrections imported, 1 already there, 0 lines refused" in capsys.readouterr().out


def test_cli_list_strips_terminal_escapes(tmp_path, capsys):
    from geo.__main__ import main

    s = sqlite_store(tmp_path, T1)
    s.close()
    db = str(tmp_path / "w.sqlite")
    evil = "\x1b[2J\x1b]0;pwned\x07\x9b31m\u202e\x85\u2028\u2029"
    rec = {**GOOD, "name": "Odessa", "note": f"fine{evil}", "author": evil}
    rec["place"] = {**GOOD["place"], "name": f"Odesa{evil}"}
    path = tmp_path / "fixes.jsonl"
    path.write_text(json.dumps(rec) + "\n")
    assert main(["corrections", "import", str(path), "--db", db]) == 0
    capsys.readouterr()
    assert main(["corrections", "list", "--db", db]) == 0
    out = capsys.readouterr().out
    assert "Odesa" in out and "fine" in out
    assert not any(ch in out for ch in "\x1b\x07\x9b\u202e\x85\u2028\u2029")


def test_app_asks_before_a_rule_over_thousands_of_mentions(tmp_path, monkeypatch, gazetteer):
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from .test_app import APP

    monkeypatch.setattr(corrections, "MAX_UNCONFIRMED", 5)  # the app runs in this process
    sqlite_store(tmp_path, "the town " * 10, T1).close()
    monkeypatch.setenv("CONFLICT_MAP_DB", str(tmp_path / "w.sqlite"))
    monkeypatch.setenv("CONFLICT_MAP_GAZETTEER", str(gazetteer.path))
    st.cache_resource.clear()
    st.cache_data.clear()
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["_ingested"] = True
    at.session_state["reader"] = "a0"
    at.run()
    at.text_input(key="add_words").input("the").run()
    at.radio(key="add_scope").set_value("everywhere").run()
    assert not at.exception, at.exception
    assert "more than 5 mentions" in at.checkbox(key="add_wide").label
    at.radio(key="add_scope").set_value("article").run()
    assert not any(c.key == "add_wide" for c in at.checkbox)


def test_a_rules_reason_is_carried_only_by_the_mentions_it_moved(store):
    right = article("ok", "Odessa is a Ukrainian port.")
    store.save(right, [Mention("ok", 0, 6, "Odessa", "name", ODESA, "port city")], "v1", "/in/ok")
    rule = store.add_correction(Correction("place", "everywhere", "Odessa", ODESA, note="Ukraine"))
    shown = {(p.article.id, p.start): p for p in store.passages(ODESA.key, Query())}
    assert len(shown) == 5  # k1 twice, k2, r1 and ok
    moved = [p for (aid, _), p in shown.items() if aid != "ok"]
    assert all((p.correction_id, p.correction_note) == (rule.id, "Ukraine") for p in moved)
    kept = shown[("ok", 0)]  # the geoparser had it right: nothing to explain
    assert (kept.correction_id, kept.correction_note, kept.geoparser_place) == (None, "", None)
    assert kept.reason == "port city"
