import json
import re
from pathlib import Path

import pytest

from geo.__main__ import build_parser, main

from .conftest import DATA, SEED

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def isolated(monkeypatch, gazetteer, tmp_path):
    monkeypatch.setenv("CONFLICT_MAP_GAZETTEER", str(gazetteer.path))
    monkeypatch.setenv("CONFLICT_MAP_DB", str(tmp_path / "env.sqlite"))


def test_geoparse_prints_the_contract(capsys):
    assert main(["geoparse", str(SEED), "--format", "jsonl"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 1
    rec = json.loads(lines[0])
    assert rec["id"] == "000_fa1a19d97a69d7e0" and rec["published"] == "2022-03-28"
    assert rec["url"].startswith("https://www.themoscowtimes.com/")
    mariupol = next(t for t in rec["toponyms"] if t["name"] == "Mariupol")
    assert (
        mariupol["country"] == "UA"
        and mariupol["kind"] == "city"
        and mariupol["geonameid"] == 701822
    )


def test_geoparse_jsonl_records_and_errors_to_stderr(capsys):
    assert main(["geoparse", str(DATA / "records.jsonl")]) == 1
    out, err = capsys.readouterr()
    assert [json.loads(line)["id"] for line in out.splitlines()] == ["rec-1", "rec-3"]
    assert "records.jsonl:2" in err and "no 'text'" in err


def test_ingest_summary_and_db_option(capsys, tmp_path):
    db = tmp_path / "cli.sqlite"
    assert (
        main(["ingest", str(DATA / "no_date.txt"), str(DATA / "empty.txt"), "--db", str(db)]) == 0
    )
    out = capsys.readouterr().out
    assert "1 added" in out and "1 failed" in out and "  failed: empty.txt: file is empty\n" in out
    assert db.exists() and not (tmp_path / "env.sqlite").exists()


def test_env_db_is_used_without_option(capsys, tmp_path):
    assert main(["ingest", str(DATA / "no_date.txt")]) == 0
    assert (tmp_path / "env.sqlite").exists()


def test_only_failures_exit_nonzero(capsys, tmp_path):
    assert main(["ingest", str(DATA / "binary.txt"), "--db", str(tmp_path / "x.sqlite")]) == 1
    assert "binary file" in capsys.readouterr().out


def test_newer_database_gives_one_clear_line(capsys, tmp_path):
    import sqlite3

    db = tmp_path / "new.sqlite"
    sqlite3.connect(db).execute("PRAGMA user_version = 42").connection.close()
    assert main(["ingest", str(DATA / "no_date.txt"), "--db", str(db)]) == 2
    assert "newer version" in capsys.readouterr().err


def subcommands():
    sub = next(a for a in build_parser()._actions if a.dest == "command")
    return sub.choices


def test_every_subcommand_has_an_example_and_is_in_the_readme():
    readme = (ROOT / "README.md").read_text()
    for name, parser in subcommands().items():
        assert "example: python -m geo " + name in parser.format_help()
        assert re.search(rf"python -m geo {name}\b", readme), f"README does not list {name}"


def test_ingest_maps_columns_of_an_export(tmp_path, capsys):
    db = tmp_path / "cols.sqlite"
    args = ["ingest", str(DATA / "export_columns.csv"), "--db", str(db), "--workers", "1"]
    for pair in ("id=story_id", "title=headline", "published=pub_date", "url=link"):
        args += ["--column", pair]
    args += ["--column", "source=outlet", "--column", "text=story_text"]
    assert main(args) == 0
    assert "added" in capsys.readouterr().out
    from geo.store import Store

    art = Store(db).article("e-1")
    assert art is not None and art.title == "Talks in Istanbul" and art.source == "Example Wire"
    assert str(art.published) == "2022-03-29" and art.text.startswith("Delegations")


@pytest.mark.parametrize("pair", ["text", "colour=red", "=body"])
def test_a_bad_column_mapping_is_one_clear_line(pair, tmp_path, capsys):
    code = main(["ingest", str(DATA / "export_columns.csv"), "--column", pair])
    assert code == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error:") and "\n" not in err


def test_ingest_a_url_list_from_a_local_server(tmp_path, monkeypatch, capsys):
    from .httpserver import LocalServer, Reply

    monkeypatch.delenv("CONFLICT_MAP_ALLOW_PRIVATE", raising=False)  # --allow-private sets it
    with LocalServer() as srv:
        srv.routes["/kharkiv.html"] = Reply(body=(DATA / "page.html").read_bytes())
        srv.routes["/gone.html"] = Reply(status=404)
        urls = tmp_path / "urls.txt"
        urls.write_text(f"# two pages\n{srv.url('/kharkiv.html')}\n\n{srv.url('/gone.html')}\n")
        db = str(tmp_path / "urls.sqlite")
        # Private addresses (this machine included) are refused unless allowed.
        assert main(["ingest", "--urls", str(urls), "--db", db]) == 1
        assert "private address" in capsys.readouterr().out and not srv.requests
        assert main(["ingest", "--urls", str(urls), "--db", db, "--allow-private"]) == 0
    out = capsys.readouterr().out
    assert "1 added" in out and "404" in out


def test_corrections_export_import_undo_and_remove(tmp_path, capsys, monkeypatch):
    from geo.models import Correction, Place
    from geo.store import Store

    db = tmp_path / "fix.sqlite"
    assert main(["ingest", str(SEED), "--db", str(db), "--workers", "1"]) == 0
    store = Store(db)
    (aid,) = store.articles_of(source=store.sources()[0][0])
    odesa = Place(698740, "Odesa", "city", 46.48, 30.73, "UA")
    name = next(m.text for m in store.mentions_of(aid) if m.place)
    store.add_correction(Correction("place", "article", name, odesa, aid, note="test"))
    store.add_correction(Correction("not_place", "everywhere", "Kremlin"))
    out = tmp_path / "fixes.jsonl"
    capsys.readouterr()
    assert main(["corrections", "export", str(out), "--db", str(db)]) == 0
    assert len(out.read_text().splitlines()) == 2
    other = tmp_path / "other.sqlite"
    assert main(["ingest", str(SEED), "--db", str(other), "--workers", "1"]) == 0
    assert main(["corrections", "import", str(out), "--db", str(other)]) == 0
    assert "2 corrections imported" in capsys.readouterr().out
    assert main(["corrections", "import", str(out), "--db", str(other)]) == 0
    assert "0 corrections imported, 2 already there" in capsys.readouterr().out
    moved = {m.text: m.place for m in Store(other).mentions_of(aid)}
    assert moved[name] == odesa
    assert main(["corrections", "list", "--db", str(other)]) == 0
    listing = capsys.readouterr().out
    assert "is not a place, everywhere" in listing and "— test" in listing
    first = int(listing.split()[0])
    assert main(["corrections", "undo", str(first), "--db", str(other)]) == 0
    assert main(["corrections", "undo", str(first), "--db", str(other)]) == 1
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"action": "fly"}\nnot json\n')
    assert main(["corrections", "import", str(bad), "--db", str(other)]) == 1
    assert "line 1" in capsys.readouterr().err

    # The fixes survive `geo ingest` of the same file and a geoparser version bump.
    fixed = {m.text: m.place for m in Store(db).mentions_of(aid)}
    assert main(["ingest", str(SEED), "--db", str(db), "--workers", "1"]) == 0
    monkeypatch.setattr("geo.geoparser.GEOPARSER_VERSION", "a-newer-version")
    assert main(["ingest", str(SEED), "--db", str(db), "--workers", "1"]) == 0
    assert "1 updated" in capsys.readouterr().out
    after = {m.text: m.place for m in Store(db).mentions_of(aid)}
    assert after[name] == fixed[name] == odesa and after.get("Kremlin") is None
    assert Store(db).orphaned_corrections() == []

    assert main(["remove", "--file", str(SEED), "--db", str(db)]) == 0
    said = capsys.readouterr().out
    assert "1 articles of input" in said and "--restore 1" in said
    assert Store(db).counts()["articles"] == 0
    assert main(["remove", "--list", "--db", str(db)]) == 0
    assert aid in capsys.readouterr().out
    # Ingesting the same file again does not bring it back; restoring does.
    assert main(["ingest", str(SEED), "--db", str(db), "--workers", "1"]) == 0
    assert Store(db).counts()["articles"] == 0
    assert main(["remove", "--restore", "1", "--db", str(db)]) == 0
    assert Store(db).article(aid) is not None
    assert {m.text: m.place for m in Store(db).mentions_of(aid)}[name] == odesa
    assert main(["remove", "--source", "No Such Source", "--db", str(db)]) == 1


def test_ingest_reports_a_correction_whose_words_are_gone(tmp_path, capsys):
    from geo.models import Correction, Place
    from geo.store import Store

    db = tmp_path / "orphan.sqlite"
    doc = tmp_path / "note.txt"
    doc.write_text(
        "# Note\n\nMarch 3, 2022\n\nShelling near Kharkiv and Izium.\n", encoding="utf-8"
    )
    assert main(["ingest", str(doc), "--db", str(db), "--workers", "1"]) == 0
    store = Store(db)
    (aid,) = store.articles_of(origin=str(doc.resolve()))
    point = Place(None, "Izium", "city", 49.21, 37.26, "UA")
    store.add_correction(Correction("place", "article", "Izium", point, aid, note="check"))
    doc.write_text("# Note\n\nMarch 3, 2022\n\nShelling near Kharkiv.\n", encoding="utf-8")
    capsys.readouterr()
    assert main(["ingest", str(doc), "--db", str(db), "--workers", "1"]) == 0
    out = capsys.readouterr().out
    assert "matches nothing in its article now" in out and "'Izium'" in out
