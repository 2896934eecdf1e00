"""Trusting the markers, in a real browser: hollow markers for doubtful places, the Review
tab (confirm two places and fix one, a click each; the counts, the map and the places
download follow), and a user gazetteer file that puts the Azovstal plant on the map with
its passages. One app start on the bundled sample.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import replace

import pytest

from geo.geoparser import GEOPARSER_VERSION
from geo.store import Store

from .conftest import DATA
from .e2e_fixtures import map_frame, map_ready
from .test_e2e import ARTIFACTS, page, server, wait_idle  # noqa: F401 (fixtures)

pytestmark = pytest.mark.slow


def review_names(pg) -> list[str]:
    """The place names of the Review tab's rows, in order."""
    rows = pg.locator("[class*='st-key-review_row_']:visible strong")
    return [rows.nth(i).inner_text() for i in range(rows.count())]


def review_row_named(pg, name: str):
    """The Review tab's visible row heading that is exactly `name` (expect it gone)."""
    exact = re.compile(rf"^{re.escape(name)}$")
    return pg.locator("[class*='st-key-review_row_']:visible strong").filter(has_text=exact)


def shown(pg) -> tuple[int, int]:
    """(places, mentions) as the line under the map gives them."""
    line = pg.get_by_text(re.compile(r"^[\d,]+ places?, [\d,]+ mentions? in the selection"))
    words = line.inner_text().replace(",", "").split(" ")
    return int(words[0]), int(words[2])


def expected(store: Store, **kw) -> tuple[int, int]:
    """(places, mentions) of the landing selection, read from the database."""
    counts = store.place_counts(replace(_landing_query(store), **kw))
    return len(counts), sum(c.mentions for c in counts)


def test_review_confirm_fix_and_your_own_places(page, server):  # noqa: F811
    from playwright.sync_api import expect

    pg, url, outside, bad = page
    _, db = server
    wait_idle(pg)
    map_ready(pg)
    frame = map_frame(pg)
    # Doubtful places are drawn hollow, and the legend says how many there are.
    expect(frame.locator("path[data-doubtful]").first).to_be_attached(timeout=30_000)
    expect(pg.locator(".cm-legend .cm-doubtful")).to_contain_text(re.compile(r"doubtful reading"))

    # Hide them: fewer places; the URL keeps the choice.
    store = Store(db)
    assert shown(pg) == expected(store)
    pg.get_by_text("Hide doubtful readings").click()
    wait_idle(pg)
    expect(pg).to_have_url(re.compile(r"[?&]sure=1"), timeout=30_000)
    assert shown(pg) == expected(store, hide_doubtful=True)
    assert shown(pg)[1] < expected(store)[1]

    # The Review tab lists the doubtful places, the likeliest misplacements first.
    tab = pg.get_by_role("tab", name=re.compile(r"^Review \(\d+"))
    tab.click()
    first = review_names(pg)
    assert len(first) >= 5, first
    doubts = [r.doubt for r in store.review_queue(_landing_query(store))]
    assert doubts == sorted(doubts, reverse=True)

    # Confirm two with a click each: they leave the list, and as sure places they count again.
    for _ in range(2):
        name = review_names(pg)[0]
        pg.locator("[class*='st-key-review_row_0'] button", has_text="Confirm").click()
        wait_idle(pg)
        expect(review_row_named(pg, name)).to_have_count(0, timeout=30_000)
    confirmed = set(store.confirmed_places().values())
    assert len(confirmed) == 2 and confirmed <= set(first[:3])
    assert shown(pg) == expected(store, hide_doubtful=True)  # the confirmed count again

    # Fix the next one with one click: every mention of its name goes to another place.
    row = pg.locator("[class*='st-key-review_row_0']")
    wrong = review_names(pg)[0]
    move = row.get_by_role("button", name=re.compile(r"^Move every “"))
    target = re.search(r" to ([^:]+):", move.first.inner_text()).group(1)
    move.first.click()
    wait_idle(pg)
    expect(pg.locator("h3.cm-place")).to_contain_text(target, timeout=30_000)
    expect(review_row_named(pg, wrong)).to_have_count(0, timeout=30_000)
    fix = next(c for c in store.corrections() if c.note == "from the review list")
    # The places download follows: the new place is in it.
    with pg.expect_download() as dl:
        pg.get_by_role("button", name="Download places (CSV)").click()
    rows = list(csv.DictReader(io.StringIO(open(dl.value.path(), encoding="utf-8").read())))
    assert fix.place.name in {r["place"] for r in rows}

    # Your own places: a CSV adds the Azovstal plant; the articles naming it are parsed
    # again, and the plant is on the map with its passages.
    pg.get_by_text(re.compile(r"^Your own places \(0 files\)")).click()
    wait_idle(pg)
    sidebar = pg.locator("[data-testid='stSidebar']")
    sidebar.locator("[data-testid='stFileUploaderDropzoneInput']").last.set_input_files(
        str(DATA / "user_gazetteer.csv")
    )
    expect(
        sidebar.get_by_text(re.compile(r"user_gazetteer\.csv: 3 places; [1-9]\d* articles? naming"))
    ).to_be_visible(timeout=240_000)
    wait_idle(pg)
    box = pg.get_by_role("textbox", name="Find a place")
    box.click()
    pg.keyboard.press("Control+A")
    pg.keyboard.type("Azovstal")
    pg.keyboard.press("Enter")
    wait_idle(pg)
    expect(pg.locator("h3.cm-place")).to_contain_text("Azovstal plant", timeout=60_000)
    expect(pg.locator(".cm-passage mark", has_text="Azovstal").first).to_be_visible()
    plant = next(k for k in _keys(store) if "Azovstal plant" in k)
    expect(frame.locator(f"path[data-place='{plant}']")).to_have_count(1, timeout=30_000)

    # Corpus focus: typed and picked in the sidebar; the articles it may read differently
    # are parsed again at once, and the sidebar says how many.
    pg.get_by_text("Corpus focus: none").click()
    wait_idle(pg)
    expect(
        sidebar.get_by_text(re.compile(r"Suggested by the stored places: Ukraine"))
    ).to_be_visible()
    pick = sidebar.get_by_role("combobox").last
    pick.click()
    pg.keyboard.type("Georgia (GE)")
    pg.keyboard.press("Enter")
    wait_idle(pg)
    pg.keyboard.press("Escape")
    wait_idle(pg)
    expect(sidebar.get_by_role("button", name="Remove Georgia (GE)")).to_have_count(1)
    pg.screenshot(path=str(ARTIFACTS / "focus_picked.png"))
    sidebar.get_by_role("button", name="Apply", exact=True).click()
    expect(
        sidebar.get_by_text(re.compile(r"Corpus focus: Georgia\. [1-9]\d* articles? whose place"))
    ).to_be_visible(timeout=240_000)
    assert store.focus() == {"GE": 1.0}
    expect(pg.get_by_text("Corpus focus: Georgia", exact=True)).to_be_visible(timeout=60_000)
    assert list(store.stale_articles(GEOPARSER_VERSION)) == []
    assert not outside, outside
    assert not bad, bad


def _landing_query(store: Store):
    from geo.store import Query

    start, end = store.core_dates()
    return Query(start=start, end=end)


def _keys(store: Store) -> list[str]:
    return [r[0] for r in store.con().execute("SELECT key FROM place")]
