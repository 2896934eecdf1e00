"""The corpus focus kept with the database: stored on both back ends, used by every ingest,
changed from the CLI (and the app, tests/test_app_review.py) with only the articles whose
names it may read differently parsed again, carried by `geo migrate` and to Dask workers."""

from __future__ import annotations

from datetime import date

import pytest

from geo.focus import focus_change, names_the_focus_may_change, refocus, suggested_focus
from geo.models import Article, Mention, Place
from geo.store import Store

ODESA = Place(698740, "Odesa", "city", 46.48, 30.73, "UA")
KYIV = Place(703448, "Kyiv", "city", 50.45, 30.52, "UA")
PARIS = Place(2988507, "Paris", "city", 48.85, 2.35, "FR")

AMBIGUOUS = "The delegation travelled to Odessa last week and met the mayor."
PLAIN = "Kyiv was calm on Thursday; the mayor of Kyiv spoke."


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path) -> Store:
    s = (
        Store(tmp_path / "f.sqlite")
        if request.param == "sqlite"
        else Store(request.getfixturevalue("pg_url"))
    )
    yield s
    s.close()


def _save(store: Store, aid: str, text: str, places: dict[str, Place]) -> None:
    art = Article(aid, None, f"T {aid}", date(2022, 3, 1), "Src", "en", text)
    ms = []
    for name, place in places.items():
        i = text.find(name)
        ms.append(Mention(aid, i, i + len(name), name, "name", place, "test", 0.9))
    store.save(art, ms, "v1", f"/in/{aid}.txt")


def test_the_focus_is_kept_and_counted_on_both_back_ends(store):
    assert store.focus() == {}
    r0 = store.revision()
    store.set_focus({"UA": 1.0, "RU": 0.5})
    assert store.focus() == {"UA": 1.0, "RU": 0.5} and store.revision() > r0
    store.set_focus({})
    assert store.focus() == {}
    _save(store, "a", PLAIN, {"Kyiv": KYIV})
    _save(store, "b", "Paris and Odesa.", {"Paris": PARIS, "Odesa": ODESA})
    assert store.country_mentions() == {"UA": 2, "FR": 1}
    assert suggested_focus(store) == {"UA": 1.0, "FR": 0.5}
    assert store.mention_names() == {"Kyiv": {"UA"}, "Paris": {"FR"}, "Odesa": {"UA"}}


class _Cand:
    def __init__(self, cc: str, kind: str = "city") -> None:
        self.place = Place(None, "x", kind, 0.0, 0.0, cc)


def test_only_names_a_focus_can_move_are_chosen():
    cands = {
        "Odessa": [_Cand("UA"), _Cand("US")],  # read in UA
        "Paris": [_Cand("FR"), _Cand("US")],  # read in FR
        "Kyiv": [_Cand("UA")],  # one candidate: nothing to tip
        "Georgia": [_Cand("GE", "country"), _Cand("US")],  # a country is not tipped towards
    }
    now = {"Odessa": {"UA"}, "Paris": {"FR"}, "Kyiv": {"UA"}, "Georgia": {"GE"}}

    def pick(old, new):
        return sorted(names_the_focus_may_change(now, cands.get, *focus_change(old, new)))

    assert pick({}, {"US": 1.0}) == ["Odessa", "Paris"]  # both have a US namesake
    assert pick({}, {"UA": 1.0}) == []  # Odessa is in UA already: a UA prior cannot move it
    assert pick({"UA": 1.0}, {}) == ["Odessa"]  # losing UA may move it to the US
    assert pick({"UA": 1.0}, {"UA": 1.0}) == []
    assert focus_change({"UA": 1.0, "RU": 1.0}, {"UA": 1.0, "RU": 0.5}) == (set(), {"RU"})


def test_refocus_reparses_only_the_articles_it_may_change_and_ingest_uses_it(
    tmp_path, gazetteer, nlp
):
    from geo.articles import load_file, text_id
    from geo.gazetteer import Gazetteer
    from geo.geoparser import GEOPARSER_VERSION
    from geo.pipeline import Geoparser, ingest

    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "a.txt").write_text(f"Title: Trip\nDate: 2022-04-20\n\n{AMBIGUOUS}", "utf-8")
    (folder / "b.txt").write_text(f"Title: Calm\nDate: 2022-04-21\n\n{PLAIN}", "utf-8")
    store = Store(tmp_path / "s.sqlite")
    gaz = Gazetteer(gazetteer.path)

    def factory():
        return Geoparser(gazetteer=gaz, nlp=nlp)

    ingest([folder], store, factory, workers=1)
    assert {m.text: m.place.country_code for m in store.mentions_of("a")}["Odessa"] == "UA"
    # The user says the corpus is about the US: only the article with an ambiguous name
    # that has a US namesake goes stale ...
    assert refocus(store, gaz.lookup, {"US": 1.0}) == 1
    assert store.focus() == {"US": 1.0}
    assert [a.id for a in store.stale_articles(GEOPARSER_VERSION)] == ["a"]
    # ... and the next ingest parses it with the focus (shipped results are not used with
    # one: they were made without it).
    arts = [a for p in sorted(folder.iterdir()) for a in load_file(p)]
    shipped = {text_id(a.text): [] for a in arts}
    report = ingest([folder], store, factory, precomputed=shipped, workers=1)
    assert report.updated == 1
    odessa = next(m for m in store.mentions_of("a") if m.text == "Odessa")
    assert odessa.place.country_code == "US" and "focus" in odessa.reason
    assert [m.text for m in store.mentions_of("b")] == ["Kyiv", "Kyiv"]  # not parsed again
    # The same focus again changes nothing.
    assert refocus(store, gaz.lookup, {"US": 1.0}) == 0
    assert list(store.stale_articles(GEOPARSER_VERSION)) == []
    store.close()


def test_workers_get_the_focus_in_their_spec(gazetteer):
    from geo.cluster import ParserSpec, geoparse_batch

    art = Article("a", None, "t", None, "s", "en", AMBIGUOUS)
    plain = geoparse_batch([art], ParserSpec(str(gazetteer.path)))[0]
    us = geoparse_batch([art], ParserSpec(str(gazetteer.path), focus=(("US", 1.0),)))[0]
    assert {m.text: m.place.country_code for m in plain}["Odessa"] == "UA"
    assert {m.text: m.place.country_code for m in us}["Odessa"] == "US"


def _only_id(store: Store) -> str:
    [(aid,)] = store.con().execute("SELECT id FROM article").fetchall()
    return aid


def test_cli_sets_shows_and_keeps_the_focus(tmp_path, gazetteer, monkeypatch, capsys):
    from geo.__main__ import main

    monkeypatch.setenv("CONFLICT_MAP_GAZETTEER", str(gazetteer.path))
    db = tmp_path / "c.sqlite"
    story = tmp_path / "story.txt"
    story.write_text(f"Title: Trip\nDate: 2022-04-20\n\n{AMBIGUOUS}\n", encoding="utf-8")
    assert main(["focus", "--db", str(db)]) == 0
    assert "focus: none" in capsys.readouterr().out
    # ingest --focus keeps it with the database ...
    assert main(["ingest", str(story), "--db", str(db), "--workers", "1", "--focus", "US"]) == 0
    assert "focus: US:1, kept with the database" in capsys.readouterr().out
    store = Store(db)
    assert store.focus() == {"US": 1.0}
    [odessa] = [m for m in store.mentions_of(_only_id(store)) if m.text == "Odessa"]
    assert odessa.place.country_code == "US"
    store.close()
    # ... `focus --set` changes it and says how many articles are parsed again ...
    assert main(["focus", "--set", "UA", "--db", str(db)]) == 0
    assert "focus: UA:1, kept with the database; 1 stored article to parse again" in (
        capsys.readouterr().out
    )
    # ... the next ingest without --focus uses the kept one.
    assert main(["ingest", str(story), "--db", str(db), "--workers", "1"]) == 0
    capsys.readouterr()
    store = Store(db)
    [odessa] = [m for m in store.mentions_of(_only_id(store)) if m.text == "Odessa"]
    assert odessa.place.country_code == "UA"
    store.close()
    assert main(["focus", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert "focus: UA:1" in out and "suggested by the stored articles: UA:1" in out
    assert main(["focus", "--set", "Ukraine", "--db", str(db)]) == 2
    assert "--focus" in capsys.readouterr().err
