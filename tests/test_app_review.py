"""The Review tab and the "Hide doubtful readings" filter on the bundled sample, through
Streamlit's AppTest (the clicks in a browser: test_e2e_review)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from geo.store import Store

APP = str(Path(__file__).resolve().parent.parent / "app.py")


@pytest.fixture
def at(app_db):
    st.cache_resource.clear()
    st.cache_data.clear()
    app = AppTest.from_file(APP, default_timeout=120)
    app.run()
    assert not app.exception, app.exception
    return app


def buttons(at, prefix: str) -> list:
    return [b for b in at.button if (b.key or "").startswith(prefix)]


def places_line(at) -> str:
    return next(m.value for m in at.markdown if "places**" in m.value)


def test_review_confirms_and_moves_with_one_click_each(at, app_db):
    (tab,) = [t for t in at.tabs if t.label.startswith("Review (")]
    n = int(re.match(r"Review \((\d+)", tab.label).group(1))
    confirms = buttons(at, "confirm_")
    assert n >= 5 and len(confirms) >= 5
    # Each row says why it is worth a look and how the geoparser chose.
    captions = [c.value for c in at.caption if "Worth a look:" in c.value]
    assert len(captions) == len(confirms)
    assert all("The geoparser:" in c for c in captions)

    # Confirm the first two: they leave the list and stay confirmed in the database.
    picked = []
    for _ in range(2):
        b = buttons(at, "confirm_")[0]
        picked.append(b.key.removeprefix("confirm_"))
        b.click().run()
        assert not at.exception, at.exception
    store = Store(app_db)
    assert set(picked) <= set(store.confirmed_places())
    keys = [b.key.removeprefix("confirm_") for b in buttons(at, "confirm_")]
    assert not set(picked) & set(keys)
    (tab,) = [t for t in at.tabs if t.label.startswith("Review (")]
    assert tab.label == f"Review ({n - 2})" or n >= 50

    # Move the next place's name to another candidate: a correction over every mention.
    move = buttons(at, "move_")[0]
    moved_from = move.key.removeprefix("move_").rsplit("_", 1)[0]
    before = store.revision()
    move.click().run()
    assert not at.exception, at.exception
    assert store.revision() > before
    fixes = [c for c in store.corrections() if c.note == "from the review list"]
    assert fixes and all(c.scope == "everywhere" and c.action == "place" for c in fixes)
    assert moved_from not in [b.key.removeprefix("confirm_") for b in buttons(at, "confirm_")]
    # The panel shows the place the mentions went to.
    assert at.session_state["selected_place"] == fixes[0].place.key


def test_hide_doubtful_readings_narrows_the_map_and_goes_in_the_url(at):
    before = places_line(at)
    at.sidebar.checkbox(key="hide_doubtful").check().run()
    assert not at.exception, at.exception
    after = places_line(at)
    count = lambda line: int(re.search(r"\*\*([\d,]+) places", line).group(1).replace(",", ""))  # noqa: E731
    assert count(after) < count(before)
    assert at.query_params["sure"] in ("1", ["1"])


def test_corpus_focus_is_set_in_the_sidebar_and_its_articles_parsed_again(at, app_db, gazetteer):
    from geo.focus import focus_change, names_the_focus_may_change
    from geo.gazetteer import Gazetteer
    from geo.geoparser import GEOPARSER_VERSION

    store = Store(app_db)
    assert store.focus() == {}
    toggle = at.sidebar.toggle(key="focus_open")
    assert toggle.label == "Corpus focus: none"
    toggle.set_value(True).run()
    assert not at.exception, at.exception
    # The suggestion comes from the stored places: this corpus is about Ukraine and Russia.
    assert any("Suggested by the stored places: Ukraine (UA)" in c.value for c in at.caption)
    names = names_the_focus_may_change(
        store.mention_names(), Gazetteer(gazetteer.path).lookup, *focus_change({}, {"GE": 1.0})
    )
    marks = ",".join("?" * len(names))
    expected = (
        store.con()
        .execute(f"SELECT COUNT(DISTINCT article_id) FROM mention WHERE text IN ({marks})", names)
        .fetchone()[0]
    )
    assert expected >= 1
    at.sidebar.multiselect(key="focus_countries").set_value(["GE"]).run()
    at.sidebar.button(key="focus_apply").click().run()
    assert not at.exception, at.exception
    assert store.focus() == {"GE": 1.0}
    said = [s.value for s in at.sidebar.success if "Corpus focus" in s.value]
    assert said and f"{expected:,} article" in said[0], said
    # The next run parsed them again: nothing is left stale.
    assert list(store.stale_articles(GEOPARSER_VERSION)) == []
    assert at.sidebar.toggle(key="focus_open").label == "Corpus focus: Georgia"
