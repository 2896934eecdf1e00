"""The analyst's tools in a real browser: the timeline (presets, brush, play), finding a place
by name, the tables, and the downloads, each used with the mouse and keyboard."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date

import pytest

from geo.store import Store

from .e2e_fixtures import map_frame
from .test_e2e import ARTIFACTS, page, server, wait_idle  # noqa: F401 (fixtures)

pytestmark = pytest.mark.slow


def shown_range(pg) -> tuple[date, date]:
    parts = {}
    for which in ("start", "end"):
        vals = [
            pg.get_by_role("spinbutton", name=f"{part}, Date range {which} date").get_attribute(
                "aria-valuenow"
            )
            for part in ("year", "month", "day")
        ]
        parts[which] = date(*map(int, vals))
    return parts["start"], parts["end"]


def week_shown(pg, timeout_s: float = 15) -> tuple[date, date]:
    """The range shown once it is a one-week window (Play's reruns redraw the two dates one
    after the other: a read between them mixes two windows)."""
    import time

    deadline = time.monotonic() + timeout_s
    while True:
        a, b = shown_range(pg)
        if (b - a).days == 6 or time.monotonic() > deadline:
            return a, b
        pg.wait_for_timeout(200)


def url_range(pg) -> tuple[str | None, str | None]:
    got = dict(re.findall(r"[?&](from|to)=([0-9-]+)", pg.url))
    return got.get("from"), got.get("to")


def test_timeline_presets_brush_and_play(page, server):  # noqa: F811
    from playwright.sync_api import expect

    pg, url, outside, bad = page
    _, db = server
    store = Store(db)
    core, bounds = store.core_dates(), store.date_bounds()
    wait_idle(pg)
    # The landing range is where the articles are, not the stray 2006 text's year.
    assert shown_range(pg) == core
    pg.get_by_role("radio", name="30 days", exact=True).click()
    wait_idle(pg)
    expect(pg.get_by_role("spinbutton", name="month, Date range start date")).to_have_attribute(
        "aria-valuenow", "5"
    )
    assert shown_range(pg) == (date(2022, 5, 26), core[1])
    assert url_range(pg) == ("2022-05-26", core[1].isoformat())
    pg.get_by_role("radio", name="All", exact=True).click()
    wait_idle(pg)
    assert shown_range(pg) == bounds
    pg.get_by_role("radio", name="Main span", exact=True).click()
    wait_idle(pg)
    assert shown_range(pg) == core

    # Typed dates apply on Enter, without clicking elsewhere.
    typed = pg.get_by_role("textbox", name="…or type the dates and press Enter")
    typed.fill("2022-03-01 to 2022-03-07")
    typed.press("Enter")
    wait_idle(pg)
    assert shown_range(pg) == (date(2022, 3, 1), date(2022, 3, 7))
    assert url_range(pg) == ("2022-03-01", "2022-03-07"), pg.url
    pg.get_by_role("radio", name="Main span", exact=True).click()
    wait_idle(pg)
    assert shown_range(pg) == core

    # Drag across the weekly bars from about March to about April 2022.
    chart = pg.locator(
        "[data-testid='stVegaLiteChart'] canvas, [data-testid='stVegaLiteChart'] svg"
    ).first
    expect(chart).to_be_visible(timeout=30_000)
    box = chart.bounding_box()
    span = (core[1] - core[0]).days

    def x_of(d: date) -> float:  # the plot area fills most of the chart's width
        return box["x"] + 40 + (box["width"] - 50) * (d - core[0]).days / span

    y = box["y"] + box["height"] * 0.4
    pg.mouse.move(x_of(date(2022, 3, 1)), y)
    pg.mouse.down()
    pg.mouse.move(x_of(date(2022, 3, 20)), y, steps=8)
    pg.mouse.move(x_of(date(2022, 4, 10)), y, steps=8)
    pg.mouse.up()
    wait_idle(pg)
    pg.wait_for_timeout(800)
    wait_idle(pg)
    lo, hi = shown_range(pg)
    assert date(2022, 2, 1) <= lo <= date(2022, 3, 20) < hi <= date(2022, 5, 1), (lo, hi)
    assert url_range(pg) == (lo.isoformat(), hi.isoformat())

    # Play steps a one-week window through the range; Stop goes back to it.
    pg.get_by_role("button", name="Play", exact=True).click()
    expect(pg.get_by_text(re.compile(r"Playing: week of"))).to_be_visible(timeout=30_000)
    a, b = week_shown(pg)
    assert (b - a).days == 6 and lo <= a <= hi
    pg.wait_for_timeout(3000)
    a2, _ = week_shown(pg)
    assert a2 > a  # it moved on by itself
    pg.get_by_role("button", name="Stop", exact=True).click()
    wait_idle(pg)
    pg.wait_for_timeout(1500)
    wait_idle(pg)
    assert shown_range(pg) == (lo, hi)
    assert not outside, outside


def test_find_a_place_tables_and_downloads(page, server):  # noqa: F811
    from playwright.sync_api import expect

    pg, url, outside, bad = page
    _, db = server
    wait_idle(pg)
    # Every source's full name can be read in the Sources list.
    pg.get_by_role("combobox", name="Sources").click()
    options = pg.get_by_role("option")
    expect(options.first).to_be_visible()
    names = {s for s, _ in Store(db).sources()}
    shown = [o.inner_text().strip() for o in options.all()]
    assert names <= set(shown), shown
    for o in options.all():
        assert o.evaluate("e => e.scrollWidth <= e.clientWidth + 1"), o.inner_text()
    pg.keyboard.press("Escape")
    # Find a place by typing its name: selected, and the map centred on it.
    pg.get_by_role("textbox", name="Find a place").click()
    pg.keyboard.type("Mariupol")
    pg.keyboard.press("Enter")
    wait_idle(pg)
    expect(pg.get_by_role("heading", name="Mariupol, UA")).to_be_visible(timeout=30_000)
    frame = map_frame(pg).locator("#map_div")
    expect(frame).to_have_attribute("data-zoom", "7", timeout=30_000)
    centre = [float(v) for v in frame.get_attribute("data-center").split(",")]
    assert abs(centre[0] - 47.1) < 0.3 and abs(centre[1] - 37.55) < 0.3, centre

    # The place's per-day chart reads in dates ("06 Mar 2022"), not "Wed 02" or "12 PM".
    chart = pg.locator("[data-testid='stVegaLiteChart']").filter(
        has_text=re.compile(r"(Mentions|Events) per day")
    )
    expect(chart).to_contain_text(re.compile(r"\d{2} [A-Z][a-z]{2} 20\d{2}"), timeout=30_000)
    assert not re.search(r"\b(AM|PM)\b|\b(Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d", chart.inner_text())

    # Paging through the passages, newest first.
    expect(pg.get_by_text(re.compile(r"Passages 1–20 of [\d,]{3,}"))).to_be_visible()
    pg.get_by_role("button", name="Older").click()
    wait_idle(pg)
    expect(pg.get_by_text(re.compile(r"Passages 21–40 of [\d,]{3,}"))).to_be_visible(timeout=30_000)

    # The places table: a click on a row's selection box selects that place.
    pg.get_by_role("tab", name="Places table").click()
    grid = pg.locator("[data-testid='stDataFrame']:visible").first
    grid.scroll_into_view_if_needed()
    expect(grid).to_be_visible()
    gb = grid.bounding_box()
    pg.mouse.click(gb["x"] + 18, gb["y"] + 35 + 35 * 1.5)  # the second row's box
    wait_idle(pg)
    expect(pg.get_by_role("heading", name="Russia")).to_be_visible(timeout=30_000)
    # The map moves to the place picked in the table, and the finder names it.
    expect(frame).to_have_attribute("data-zoom", "4", timeout=30_000)
    lat, lon = (float(v) for v in frame.get_attribute("data-center").split(","))
    assert lat > 55 and lon > 60, (lat, lon)  # Russia's point, in Siberia
    expect(pg.get_by_role("textbox", name="Find a place")).to_have_value(re.compile("^Russia"))

    # Downloads: the places as CSV (numbers stay numbers) and as GeoJSON, opened as files.
    with pg.expect_download() as dl:
        pg.get_by_role("button", name="Download places (CSV)").click()
    rows = list(csv.DictReader(io.StringIO(open(dl.value.path(), encoding="utf-8").read())))
    lons = [r for r in rows if r.get("lon", "").startswith(("-", "'-"))]
    assert lons and all(r["lon"].startswith("-") for r in lons), lons[:3]
    with pg.expect_download() as dl:
        pg.get_by_role("button", name="Download places (GeoJSON)").click()
    gj = json.loads(open(dl.value.path(), encoding="utf-8").read())
    assert gj["type"] == "FeatureCollection" and len(gj["features"]) == len(rows)
    kyiv = next(f for f in gj["features"] if f["properties"]["name"] == "Kyiv")
    assert kyiv["geometry"]["coordinates"] == pytest.approx([30.52, 50.45], abs=0.1)
    with pg.expect_download() as dl:
        pg.get_by_role("button", name="GeoJSON", exact=True).click()
    passages = json.loads(open(dl.value.path(), encoding="utf-8").read())["features"]
    assert passages and all(f["properties"]["passage"] for f in passages)

    # The articles table: selecting a row opens the article in the reader.
    pg.get_by_role("tab", name="Articles table").click()
    grid = pg.locator("[data-testid='stDataFrame']:visible").last
    grid.scroll_into_view_if_needed()
    gb = grid.bounding_box()
    pg.mouse.click(gb["x"] + 18, gb["y"] + 35 + 35 * 0.5)
    wait_idle(pg)
    expect(pg.locator(".cm-reader")).to_be_visible(timeout=30_000)
    ARTIFACTS.mkdir(exist_ok=True)
    pg.screenshot(path=str(ARTIFACTS / "tables_and_reader.png"), full_page=True)
    assert not outside, outside


SPELLINGS = [
    ("Kharkov", "Kharkiv, UA"),
    ("Kiev", "Kyiv, UA"),
    ("Lugansk", "Luhansk, UA"),
    ("Zaporozhye", "Zaporizhzhya, UA"),
    ("Nikolaev", "Mykolayiv, UA"),
    ("Artemovsk", "Bakhmut, UA"),
    ("Severodonetsk", "Siverskodonetsk, UA"),
    ("Odessa", "Odesa, UA"),
]


def test_find_box_knows_the_names_people_write(page, server):  # noqa: F811
    """Each old name, Russian form or transliteration, typed and Enter, opens the Ukrainian
    place; the map goes to it and the page stays where it is."""
    from playwright.sync_api import expect

    from .e2e_fixtures import page_scroll

    pg, url, outside, bad = page
    pg.set_viewport_size({"width": 1400, "height": 900})
    pg.goto(url)
    wait_idle(pg)
    box = pg.get_by_role("textbox", name="Find a place")
    frame = map_frame(pg).locator("#map_div")
    for typed, heading in SPELLINGS:
        box.click()
        pg.keyboard.press("Control+A")
        pg.keyboard.type(typed)
        pg.keyboard.press("Enter")
        wait_idle(pg)
        expect(pg.locator("h3.cm-place"), typed).to_have_text(heading, timeout=30_000)
        expect(frame).to_have_attribute("data-zoom", "7", timeout=30_000)
        assert page_scroll(pg) == 0
    # Odessa: the corpus' Odesa opened; the panel says why and offers the other matches.
    expect(pg.get_by_text(re.compile(r"Found for “Odessa”: Odesa, Ukraine — city"))).to_be_visible()
    assert not outside, outside
    assert not bad, bad
