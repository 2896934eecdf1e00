""" "What happened": the event filter, its URL, the events table and event corrections
through Streamlit's AppTest (no browser: see test_e2e_events for the clicks).

The database is the sample plus a few hand-written March 2022 articles about Kharkiv
(tests/data/events/), ingested through the real pipeline: two reported shellings, a denial,
planned talks and a bombing of 1943.
"""

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from geo.pipeline import Geoparser, ingest
from geo.store import Query, Store

from .conftest import DATA

APP = str(Path(__file__).resolve().parent.parent / "app.py")
EVENTS = DATA / "events" / "kharkiv_march_2022.jsonl"
KHARKIV = "gn:706483"
MARCH = (date(2022, 3, 1), date(2022, 3, 10))
SELECTION = Query(start=MARCH[0], end=MARCH[1])


@pytest.fixture(scope="session")
def events_db(sample_db, tmp_path_factory, gazetteer) -> Path:
    import shutil

    path = tmp_path_factory.mktemp("events") / "events.sqlite"
    shutil.copy(sample_db, path)
    store = Store(path)
    ingest([EVENTS], store, lambda: Geoparser(gazetteer=gazetteer))
    store.close()
    return path


@pytest.fixture
def db(events_db, tmp_path, monkeypatch, gazetteer) -> Path:
    import shutil

    path = tmp_path / "app.sqlite"
    shutil.copy(events_db, path)
    monkeypatch.setenv("CONFLICT_MAP_DB", str(path))
    monkeypatch.setenv("CONFLICT_MAP_GAZETTEER", str(gazetteer.path))
    return path


def app(**params) -> AppTest:
    st.cache_resource.clear()
    st.cache_data.clear()
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["from"], at.query_params["to"] = (d.isoformat() for d in MARCH)
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, at.exception
    return at


def what_happened(at):
    return next(m for m in at.sidebar.multiselect if m.label == "What happened")


def html(at) -> str:
    return "\n".join([m.value for m in at.markdown] + [h.proto.body for h in at.get("html")])


def test_the_fixture_holds_reported_shelling_in_kharkiv_and_events_that_do_not_count(db):
    store = Store(db)
    mine = Query(article_ids=tuple(f"ev-kharkiv-{i}" for i in range(1, 7)))
    everything = replace(mine, event_statuses=("reported", "denied", "planned", "historical"))
    found = {(e.article.id, e.type, e.status) for e in store.events(everything, KHARKIV)}
    assert {
        ("ev-kharkiv-1", "shelling", "reported"),
        ("ev-kharkiv-2", "shelling", "reported"),
        ("ev-kharkiv-3", "shelling", "denied"),
        ("ev-kharkiv-4", "talks", "planned"),
        ("ev-kharkiv-5", "air_strike", "historical"),
    } <= found
    reported = store.events(mine, KHARKIV)
    assert {e.article.id for e in reported} == {"ev-kharkiv-1", "ev-kharkiv-2"}
    assert {e.actor for e in reported} == {"Russian forces", "Russian artillery"}


def test_multiselect_counts_the_selection_and_filters_the_map(db):
    at = app()
    box = what_happened(at)
    counts = Store(db).event_type_counts(SELECTION)
    assert counts["shelling"] >= 2
    assert f"Shelling ({counts['shelling']:,})" in box.options
    assert any(o.startswith("Air or drone strike (") for o in box.options)
    assert "Shelling" in box.help and "artillery" in box.help  # the definitions
    box.select("shelling").run()
    assert not at.exception
    line = next(m.value for m in at.markdown if "places**" in m.value or "place**" in m.value)
    shelled = Store(db).place_counts(replace(SELECTION, event_types=("shelling",)))
    assert KHARKIV in {c.place.key for c in shelled}
    n = len(shelled)
    assert line.startswith(f"**{n:,} place")
    assert "data-legend-type='shelling'" in html(at)  # the legend names what the map shows
    # A type nobody reported this week is not offered.
    assert not any(o.startswith("Sanctions") for o in box.options) or counts.get("sanctions")


def test_event_filter_round_trips_through_the_url(db):
    at = app(event=["shelling", "air_strike"], place=KHARKIV)
    assert what_happened(at).value == ["shelling", "air_strike"]
    assert at.query_params["event"] == ["shelling", "air_strike"]
    what_happened(at).unselect("air_strike").run()
    assert at.query_params["event"] in ("shelling", ["shelling"])
    what_happened(at).unselect("shelling").run()
    assert "event" not in at.query_params
    # A made-up type in a link is dropped, not an error.
    at2 = app(event=["shelling", "<b>nope</b>"])
    assert what_happened(at2).value == ["shelling"]


def test_denied_and_planned_are_counted_only_when_asked(db):
    at = app(event="shelling", place=KHARKIV)
    text = html(at)
    assert "Russian forces" in text and "Russian artillery" in text
    assert "Moscow denies" not in text  # a denial is no reported shelling
    at3 = app(event="shelling", status=["reported", "denied"], place=KHARKIV)
    assert "Moscow denies" in html(at3)
    assert at3.query_params["status"] == ["reported", "denied"]


def test_events_table_lists_the_selection(db):
    at = app(event="shelling")
    tab = next(t for t in at.tabs if t.label == "Events table")
    table = next(d for d in tab.get("arrow_data_frame"))
    df = table.value
    assert list(df.columns) == ["date", "type", "place", "actor", "status", "source", "quote"]
    assert set(df["type"]) == {"Shelling"} and set(df["status"]) == {"Reported"}
    kharkiv = df[df["place"] == "Kharkiv"]
    assert {"Russian forces", "Russian artillery"} <= set(kharkiv["actor"])
    assert any("residential districts of Kharkiv" in q for q in kharkiv["quote"])
    assert not any("denied" in q for q in df["quote"])
    labels = [b.proto.label for b in at.get("download_button")]
    assert any(label.startswith("Download events (CSV") for label in labels)


def test_correction_dialog_offers_event_fixes_and_not_an_event_takes_it_off(db):
    at = app(event="shelling", place=KHARKIV)
    fix = next(b for b in at.button if (b.key or "").startswith("fix_ev-kharkiv-1_"))
    fix.click().run()
    what = next(r for r in at.radio if r.key == "dlg_what")
    assert what.options == ["Wrong place", "Not a place", "Wrong event type", "Not an event"]
    what.set_value("Wrong event type").run()
    right = next(s for s in at.selectbox if s.key == "dlg_type")
    assert "air_strike" in right.options or "Air or drone strike" in right.options
    what = next(r for r in at.radio if r.key == "dlg_what")
    what.set_value("Not an event").run()
    next(b for b in at.button if b.key == "dlg_save_event").click().run()
    assert not at.exception
    (c,) = [c for c in Store(db).corrections() if c.action == "not_event"]
    assert c.article_id == "ev-kharkiv-1" and c.name == "shelled"
    left = Store(db).events(replace(SELECTION, event_types=("shelling",)), KHARKIV)
    assert "ev-kharkiv-1" not in {e.article.id for e in left}
