"""The dashboard's logic through Streamlit's AppTest (no browser: see test_e2e for clicks)."""

from datetime import date
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from geo.pipeline import ingest
from geo.store import Query, Store

from .conftest import DATA

APP = str(Path(__file__).resolve().parent.parent / "app.py")
MARIUPOL = "gn:701822"


@pytest.fixture
def at(app_db):
    st.cache_resource.clear()
    st.cache_data.clear()
    app = AppTest.from_file(APP, default_timeout=120)
    app.run()
    assert not app.exception, app.exception
    return app


def markdown(at) -> str:
    return "\n".join(m.value for m in at.markdown)


def places_line(at) -> str:
    return next(m.value for m in at.markdown if "places**" in m.value)


def test_starts_on_the_sample_with_bounded_dates(at, app_db):
    assert at.title[0].value == "Conflict Map"
    bounds = Store(app_db).date_bounds()
    (dates,) = at.sidebar.date_input
    assert dates.value == bounds
    assert "articles" in at.caption[0].value
    assert "Click a marker" in at.info[0].value


def test_selected_place_shows_its_passages(at):
    at.session_state["selected_place"] = MARIUPOL
    at.run()
    text = markdown(at)
    assert "### Mariupol" in text
    assert "<mark>Mariupol</mark>" in text
    assert "President of Ukraine" in text or "kremlin" in text.lower()


def test_date_range_narrows_counts_and_passages(at, app_db):
    before = places_line(at)
    at.session_state["selected_place"] = MARIUPOL
    at.run()
    n_before = markdown(at).count("<mark>")
    at.sidebar.date_input[0].set_value((date(2022, 3, 1), date(2022, 3, 7))).run()
    assert places_line(at) != before
    n_after = markdown(at).count("<mark>")
    assert 0 < n_after < n_before
    expected = Store(app_db).passages(MARIUPOL, Query(start=date(2022, 3, 1), end=date(2022, 3, 7)))
    assert n_after == len(expected)
    assert at.query_params["from"] in ("2022-03-01", ["2022-03-01"])


def test_filters_come_from_the_url(app_db):
    st.cache_resource.clear()
    st.cache_data.clear()
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["from"] = "2022-04-01"
    at.query_params["to"] = "2022-04-30"
    at.query_params["place"] = MARIUPOL
    at.query_params["kind"] = "city"
    at.run()
    assert at.sidebar.date_input[0].value == (date(2022, 4, 1), date(2022, 4, 30))
    assert at.sidebar.multiselect[1].value == ["city"]
    assert "### Mariupol" in markdown(at)


def test_article_text_is_escaped_in_the_panel(at, app_db, gazetteer):
    from geo.pipeline import Geoparser

    ingest([DATA / "xss.json"], Store(app_db), Geoparser(gazetteer=gazetteer))
    st.cache_data.clear()
    at.session_state["selected_place"] = "gn:703448"  # Kyiv
    at.session_state["dates"] = (date(2022, 4, 1), date(2022, 4, 1))
    at.run()
    text = markdown(at)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "<script>" not in text and "<img src=x" not in text and "<b>bold</b>" not in text
    assert 'href="javascript:' not in text


def test_ingest_failures_are_listed(at, app_db, tmp_path, monkeypatch, gazetteer):
    from geo.pipeline import Geoparser

    ingest([DATA / "empty.txt"], Store(app_db), Geoparser(gazetteer=gazetteer))
    at.run()
    assert any("could not be read" in e.label for e in at.expander)
    assert "file is empty" in markdown(at)


def test_dropped_files_appear_on_the_next_visit(at, tmp_path, monkeypatch):
    import shutil

    folder = tmp_path / "articles"
    folder.mkdir()
    monkeypatch.setenv("CONFLICT_MAP_ARTICLES", str(folder))
    shutil.copy(DATA / "page.html", folder / "page.html")
    shutil.copy(DATA / "binary.txt", folder / "binary.txt")
    fresh = AppTest.from_file(APP, default_timeout=120)  # a new browser session
    fresh.query_params["q"] = "evacuation buses left"
    fresh.query_params["place"] = "gn:706483"  # Kharkiv
    fresh.run()
    assert not fresh.exception
    text = markdown(fresh)
    assert "Shelling near Kharkiv" in text and "<mark>Kharkiv</mark>" in text
    assert "binary file" in text  # the unreadable file is listed, not silently dropped


def test_top_places_open_their_passages(at):
    top = at.button[0]
    assert "mentions" in top.label
    top.click().run()
    name = top.label.split(" — ")[0]
    assert f"### {name}" in markdown(at)


def test_country_filter_shows_names(at):
    countries = at.sidebar.multiselect[2]
    assert "Ukraine (UA)" in countries.options


def test_unreachable_url_gives_one_clear_line(at):
    at.sidebar.text_input[1].set_value("http://127.0.0.1:9/gone.html")
    at.sidebar.button[-1].click().run()
    assert not at.exception
    errors = [e.value for e in at.sidebar.error]
    assert any("could not download" in e for e in errors), errors


def test_unusable_database_gives_one_clear_line(tmp_path, monkeypatch):
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"not a database " * 200)
    monkeypatch.setenv("CONFLICT_MAP_DB", str(junk))
    st.cache_resource.clear()
    app = AppTest.from_file(APP, default_timeout=60)
    app.run()
    assert not app.exception
    assert any("Cannot open the database" in e.value for e in app.error)
    assert junk.read_bytes().startswith(b"not a database")  # left untouched
