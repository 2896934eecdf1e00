"""A selection too large to draw whole, on PostgreSQL + PostGIS: the map draws the places in
the user's view (a bounding-box query), and the places of a new view after a move."""

from __future__ import annotations

import re

import pytest

from geo.store import Store

from .test_e2e import ARTIFACTS, page, wait_idle  # noqa: F401 (fixtures)
from .test_e2e_postgres import app_on

VILLAGES = [(f"Zz Village {i:02d}", 49.9 + 0.02 * i, 36.1 + 0.015 * i) for i in range(12)]


@pytest.fixture
def server(pg_sample_url, tmp_path, monkeypatch, gazetteer):
    """The sample plus a dozen one-mention villages near Kharkiv, on PostgreSQL, with the map
    drawing at most 300 places: a "large" selection, drawn by the map's view."""
    from datetime import date

    from geo.geoparser import GEOPARSER_VERSION
    from geo.models import Article, Mention, Place

    pg_url = pg_sample_url
    store = Store(pg_url)
    for name, lat, lon in VILLAGES:
        text = f"Shelling was reported in {name} overnight."
        start = text.index(name)
        place = Place(None, name, "city", lat, lon, "UA")
        a = Article(f"v-{name}", None, f"{name} shelled", date(2022, 3, 10), "Local", "en", text)
        store.save(
            a,
            [Mention(a.id, start, start + len(name), name, "name", place, "t")],
            GEOPARSER_VERSION,
            "x",
        )
    monkeypatch.setenv("CONFLICT_MAP_GAZETTEER", str(gazetteer.path))
    monkeypatch.setenv("CONFLICT_MAP_MAX_MARKERS", "300")
    with app_on(pg_url, tmp_path / "streamlit.log") as url:
        yield url, pg_url


def test_a_large_selection_is_drawn_by_the_view(page):  # noqa: F811
    from playwright.sync_api import expect

    from .e2e_fixtures import map_frame, map_ready, reveal_place

    pg, url, outside, bad = page
    wait_idle(pg)
    map_ready(pg)
    frame = map_frame(pg)
    expect(
        pg.get_by_text(re.compile(r"^A large selection: the map draws the 300 most"))
    ).to_be_visible(timeout=30_000)
    key = "x:city:Zz Village 03:UA"
    held = f"path[data-place='{key}'], [data-places*='|{key}|']"
    assert frame.locator(held).count() == 0  # one mention: not among the 300 at this view

    # Find another village by name: the map centres on it, and its neighbours come into view.
    pg.get_by_role("textbox", name="Find a place").click()
    pg.keyboard.type("Zz Village 07")
    pg.keyboard.press("Enter")
    wait_idle(pg)
    expect(pg.locator("h3.cm-place")).to_have_text("Zz Village 07, UA", timeout=30_000)
    expect(pg.get_by_text(re.compile(r"draws the \d+ places in view"))).to_be_visible(
        timeout=30_000
    )
    wait_idle(pg)
    reveal_place(pg, key)  # drawn now, as a marker or inside a badge within the view
    ARTIFACTS.mkdir(exist_ok=True)
    pg.screenshot(path=str(ARTIFACTS / "large_selection_view.png"))
    assert not outside, outside
    assert not bad, bad
