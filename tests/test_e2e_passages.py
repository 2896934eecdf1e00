"""The place panel in a real browser: paging after the find box, the reader's place links and
the passage downloads, used with the mouse."""

from __future__ import annotations

import re

import pytest

from .test_e2e import page, server, wait_idle  # noqa: F401 (fixtures)

pytestmark = pytest.mark.slow


def find(pg, name: str) -> None:
    box = pg.get_by_role("textbox", name="Find a place")
    box.click()
    pg.keyboard.press("Control+A")  # the box names the place selected before: typed over
    pg.keyboard.type(name)
    pg.keyboard.press("Enter")
    wait_idle(pg)


def test_first_older_after_the_find_box(page, server):  # noqa: F811
    from playwright.sync_api import expect

    pg, url, outside, bad = page
    wait_idle(pg)
    find(pg, "Kharkiv")
    expect(pg.get_by_role("heading", name=re.compile("^Kharkiv"))).to_be_visible(timeout=30_000)
    expect(pg.get_by_text(re.compile(r"Passages 1–20 of [\d,]{3,}"))).to_be_visible()
    pg.get_by_role("button", name="Older").click()
    wait_idle(pg)
    expect(pg.get_by_text(re.compile(r"Passages 21–40 of [\d,]{3,}"))).to_be_visible(timeout=30_000)


def test_older_after_the_find_box_with_a_place_already_open(page, server):  # noqa: F811
    from playwright.sync_api import expect

    pg, url, outside, bad = page
    wait_idle(pg)
    pg.get_by_role("button", name=re.compile("^Mariupol")).first.click()
    wait_idle(pg)
    pg.get_by_role("button", name="Older").click()
    wait_idle(pg)
    expect(pg.get_by_text(re.compile(r"Passages 21–40 of"))).to_be_visible(timeout=30_000)
    find(pg, "Kharkiv")
    expect(pg.get_by_role("heading", name=re.compile("^Kharkiv"))).to_be_visible(timeout=30_000)
    pg.get_by_role("button", name="Older").click()
    wait_idle(pg)
    expect(pg.get_by_text(re.compile(r"Passages 21–40 of"))).to_be_visible(timeout=30_000)
    pg.screenshot(path="/tmp/pp/after.png", full_page=True)


def test_reader_place_pill_and_every_passage_downloaded(page, server):  # noqa: F811
    import csv
    import io

    from playwright.sync_api import expect

    from geo.store import Query, Store

    pg, url, outside, bad = page
    _, db = server
    wait_idle(pg)
    find(pg, "Mariupol")
    expect(pg.get_by_role("heading", name=re.compile("^Mariupol"))).to_be_visible(timeout=30_000)
    # The download holds every passage of the selection, with the place's point and country.
    store = Store(db)
    start, end = store.core_dates()
    total = store.count_passages("gn:701822", Query(start=start, end=end))[0]
    with pg.expect_download() as dl:
        pg.get_by_role("button", name="CSV", exact=True).click()
    rows = list(csv.DictReader(io.StringIO(open(dl.value.path(), encoding="utf-8").read())))
    assert len(rows) == total > 20
    assert {(r["place"], r["country"]) for r in rows} == {("Mariupol", "UA")}
    assert abs(float(rows[0]["lat"]) - 47.1) < 0.3
    # The reader's places: a click on one opens its passages.
    pg.get_by_role("button", name="Read article").first.click()
    wait_idle(pg)
    expect(pg.locator(".cm-reader")).to_be_visible(timeout=30_000)
    pills = pg.get_by_role("button").filter(has_text=re.compile(r"^Kyiv, UA$"))
    if pills.count() == 0:
        pills = pg.locator("[data-testid='stButtonGroup'] button").last
    name = pills.first.inner_text().split(",")[0].strip()
    pills.first.click()
    wait_idle(pg)
    expect(pg.get_by_role("heading", name=re.compile(f"^{re.escape(name)}"))).to_be_visible(
        timeout=30_000
    )
    expect(pg.locator(".cm-reader")).to_have_count(0)
    assert not outside, outside
