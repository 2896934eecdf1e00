"""Confidences and the review list on both back ends: stored per mention, doubtful places,
the queue's order and reasons, confirmations that survive re-ingest, corrections and the
"hide doubtful" filter."""

from __future__ import annotations

import gzip
import json
from datetime import date

import pytest

from geo import contract
from geo.models import Article, Correction, Mention, Place
from geo.store import Query, Store
from geo.store.review import DOUBTFUL, _town_size

from .conftest import DATA

KHARKIV = Place(706483, "Kharkiv", "city", 49.98, 36.25, "UA")
POLINA = Place(3113067, "Polina", "city", 42.3, -7.9, "ES")  # a hamlet named like a girl
DELTA = Place(2565340, "Delta", "admin1", 5.5, 6.0, "NG")
KYIV = Place(703448, "Kyiv", "city", 50.45, 30.52, "UA")
ODESA = Place(698740, "Odesa", "city", 46.48, 30.73, "UA")

TEXT = (
    "Shelling hit Kharkiv at night. Polina said the Delta variant spread. Kyiv was calm."
    " Kharkiv again. Kyiv again. Delta again."
)


def _mentions(aid: str, text: str) -> list[Mention]:
    sure = {"Kharkiv": (KHARKIV, 0.95), "Kyiv": (KYIV, 0.9)}
    unsure = {"Polina": (POLINA, 0.3), "Delta": (DELTA, 0.45)}
    out = []
    for name, (place, conf) in {**sure, **unsure}.items():
        start = 0
        while (i := text.find(name, start)) >= 0:
            reason = "city of 2k; article mentions ES" if name == "Polina" else "admin1"
            out.append(Mention(aid, i, i + len(name), name, "name", place, reason, conf))
            start = i + 1
    return sorted(out, key=lambda m: m.start)


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path) -> Store:
    s = (
        Store(tmp_path / "r.sqlite")
        if request.param == "sqlite"
        else Store(request.getfixturevalue("pg_url"))
    )
    for aid, day in (("a1", 1), ("a2", 2)):
        art = Article(aid, None, f"T {aid}", date(2022, 3, day), "Src", "en", TEXT + aid)
        s.save(art, _mentions(aid, art.text), "v1", f"/in/{aid}.txt")
    yield s
    s.close()


def test_confidences_are_stored_and_doubtful_places_found(store):
    got = (
        store.con()
        .execute(
            "SELECT text, confidence FROM mention WHERE article_id = ? ORDER BY start LIMIT 3",
            ("a1",),
        )
        .fetchall()
    )
    assert [tuple(r) for r in got] == [("Kharkiv", 0.95), ("Polina", 0.3), ("Delta", 0.45)]
    doubtful = store.doubtful_places(Query())
    assert set(doubtful) == {POLINA.key, DELTA.key}
    assert doubtful[POLINA.key] == pytest.approx(0.3)
    assert all(v < DOUBTFUL for v in doubtful.values())


def test_the_queue_orders_by_misplaced_mentions_and_says_why(store):
    rows = store.review_queue(Query(), frozenset({"polina"}))
    names = [r.place.name for r in rows]
    # Delta: 4 mentions x (1 - 0.45) = 2.2; Polina: 2 x 0.7 = 1.4; the sure places are absent
    assert names == ["Delta", "Polina"]
    delta, polina = rows
    assert delta.mentions == 4 and delta.doubt == pytest.approx(2.2)
    assert delta.names == ("Delta",)
    assert any(w.startswith("low confidence") for w in delta.why)
    assert "the name is also a first name" in polina.why
    assert "a small town (2,000 people) was chosen for the name" in polina.why
    assert "far from the corpus's other places" in polina.why  # ES, among UA places


def test_places_with_no_namesake_and_small_towns_with_no_big_one_are_left_out(store):
    sizes = {"Delta": [5_000_000, 3_000], "Polina": [2_000]}
    rows = store.review_queue(Query(), frozenset(), namesakes=lambda n: sizes.get(n, []))
    assert [r.place.name for r in rows] == ["Delta"]  # only one place is called Polina
    rows = store.review_queue(Query(), frozenset({"polina"}), namesakes=lambda n: sizes[n])
    polina = rows[1]  # written like a first name: listed, but no bigger namesake
    assert "the name is also a first name" in polina.why
    assert not any("small town" in w for w in polina.why)


def test_confirmed_places_leave_the_queue_and_survive_reingest(store):
    store.confirm_place(POLINA, "tester")
    before = store.revision()
    assert [r.place.name for r in store.review_queue(Query())] == ["Delta"]
    assert POLINA.key not in store.doubtful_places(Query())
    assert store.confirmed_places() == {POLINA.key: "Polina"}
    # Parsed again by a newer geoparser: the confirmation is kept (keyed like the place).
    art = store.article("a1")
    store.save(art, _mentions("a1", art.text), "v2", "/in/a1.txt")
    assert [r.place.name for r in store.review_queue(Query())] == ["Delta"]
    store.unconfirm_place(POLINA.key)
    assert store.revision() > before
    assert [r.place.name for r in store.review_queue(Query())] == ["Delta", "Polina"]


def test_a_corrected_name_leaves_the_queue(store):
    store.add_correction(
        Correction(action="place", scope="everywhere", name="Delta", place=ODESA),
        confirmed=True,
    )
    assert [r.place.name for r in store.review_queue(Query())] == ["Polina"]
    assert set(store.doubtful_places(Query())) == {POLINA.key}


def test_hide_doubtful_leaves_out_unsure_mentions_everywhere(store):
    every = {c.place.name: c.mentions for c in store.place_counts(Query())}
    sure = {c.place.name: c.mentions for c in store.place_counts(Query(hide_doubtful=True))}
    assert every == {"Delta": 4, "Kharkiv": 4, "Kyiv": 4, "Polina": 2}
    assert sure == {"Kharkiv": 4, "Kyiv": 4}
    store.confirm_place(DELTA)
    sure = {c.place.name: c.mentions for c in store.place_counts(Query(hide_doubtful=True))}
    assert sure == {"Delta": 4, "Kharkiv": 4, "Kyiv": 4}
    assert store.count_passages(DELTA.key, Query(hide_doubtful=True)) == (4, 2)


def test_removed_and_restored_articles_keep_their_confidences(store):
    batch = store.remove(["a1", "a2"])
    assert store.doubtful_places(Query()) == {}
    store.restore(batch)
    assert set(store.doubtful_places(Query())) == {POLINA.key, DELTA.key}


def test_the_contract_carries_confidence_both_ways():
    m = Mention("x", 0, 6, "Polina", "name", POLINA, "why", 0.3049)
    t = contract.toponym_json(m)
    assert t["confidence"] == 0.305
    back = contract.mention_from_json("x", t)
    assert back.confidence == 0.305 and back == m
    unresolved = contract.toponym_json(Mention("x", 0, 3, "Foo", "name", None))
    assert unresolved["confidence"] is None
    assert contract.mention_from_json("x", {**unresolved, "confidence": True}).confidence is None


def test_the_shipped_sample_has_confidences():
    from geo.pipeline import PRECOMPUTED

    with gzip.open(PRECOMPUTED, "rt", encoding="utf-8") as fh:
        fh.readline()
        topos = [t for line in list(fh)[:200] for t in json.loads(line)["toponyms"]]
    resolved = [t for t in topos if t["lat"] is not None]
    assert resolved and all(0.0 <= t["confidence"] <= 1.0 for t in resolved)


@pytest.mark.parametrize(
    ("reason", "size"),
    [("city of 24k; x", 24_000), ("city of 1.4M", 1_400_000), ("city of 800", 800), ("x", None)],
)
def test_town_sizes_are_read_from_reasons(reason, size):
    assert _town_size(reason) == size


# -- the user's own places: saved from the app, the articles naming them parsed again ------
def test_a_saved_places_file_is_checked_and_kept_under_a_safe_name(tmp_path):
    from geo import usergazetteer
    from geo.errors import GazetteerError

    data = (DATA / "user_gazetteer.csv").read_bytes()
    path, places = usergazetteer.save_file("../../My places!.csv", data, tmp_path)
    assert path == tmp_path / "My_places.csv" and path.read_bytes() == data
    assert "Azovstal" in usergazetteer.names_of(places)
    with pytest.raises(GazetteerError, match=r"bad\.csv:3: unreadable lat/lon"):
        usergazetteer.save_file("bad.csv", b"name,lat,lon\nA,1,2\nB,x,2\n", tmp_path)
    with pytest.raises(GazetteerError, match="not UTF-8"):
        usergazetteer.save_file("latin.csv", "name,lat,lon\nÄ,1,2\n".encode("latin-1"), tmp_path)
    with pytest.raises(GazetteerError, match="no place rows"):
        usergazetteer.save_file("empty.csv", b"name,lat,lon\n", tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["My_places.csv"]


def test_articles_naming_a_new_place_are_parsed_again_with_it(
    tmp_path, monkeypatch, gazetteer, nlp
):
    from geo import usergazetteer
    from geo.gazetteer import Gazetteer
    from geo.geoparser import GEOPARSER_VERSION
    from geo.pipeline import Geoparser, ingest

    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "a.txt").write_text(
        "Title: Siege\nDate: 2022-04-20\n\nDefenders held out in the Azovstal plant in Mariupol.",
        encoding="utf-8",
    )
    (folder / "b.txt").write_text(
        "Title: Calm\nDate: 2022-04-21\n\nKyiv was calm on Thursday.", encoding="utf-8"
    )
    store = Store(tmp_path / "s.sqlite")

    def factory():
        return Geoparser(gazetteer=Gazetteer(gazetteer.path), nlp=nlp)

    ingest([folder], store, factory, workers=1)
    names = {m.text for aid in ("a", "b") for m in store.mentions_of(aid)}
    assert "Azovstal" not in names
    # The user adds a places file: only the article naming the plant goes stale ...
    usergazetteer.save_file("mine.csv", (DATA / "user_gazetteer.csv").read_bytes())
    added = usergazetteer.read_files(usergazetteer.default_files())
    assert store.mark_for_reparse(usergazetteer.names_of(added)) == 1
    stale = [a.id for a in store.stale_articles(GEOPARSER_VERSION)]
    assert stale == ["a"]
    # ... and the next ingest parses it with the user's places.
    report = ingest([folder], store, factory, workers=1)
    assert report.updated == 1
    got = {m.text: m.place for m in store.mentions_of("a")}
    assert got["Azovstal"].name == "Azovstal plant"
    assert store.place_counts(Query())
    store.close()


def test_shipped_results_are_not_used_for_texts_naming_a_users_place(tmp_path, gazetteer, nlp):
    from geo import usergazetteer
    from geo.articles import load_file, text_id
    from geo.gazetteer import Gazetteer
    from geo.pipeline import Geoparser, ingest

    folder = tmp_path / "articles"
    folder.mkdir()
    for name, body in (("a", "Defenders held out in Azovstal."), ("b", "Kyiv was calm.")):
        (folder / f"{name}.txt").write_text(f"Title: {name}\n\n{body}", encoding="utf-8")
    arts = [a for p in sorted(folder.iterdir()) for a in load_file(p)]
    # "Shipped" results that place nothing: used unless the text names a user's place.
    shipped = {text_id(a.text): [] for a in arts}
    usergazetteer.save_file("mine.csv", (DATA / "user_gazetteer.csv").read_bytes())
    store = Store(tmp_path / "s.sqlite")
    ingest(
        [folder],
        store,
        lambda: Geoparser(gazetteer=Gazetteer(gazetteer.path), nlp=nlp),
        precomputed=shipped,
        workers=1,
    )
    assert [m.text for m in store.mentions_of("a")] == ["Azovstal"]  # parsed
    assert store.mentions_of("b") == []  # the shipped result
    store.close()
