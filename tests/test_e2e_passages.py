"""The place panel in a real browser: paging after the find box, the reader's place links and
the passage downloads, used with the mouse."""

from __future__ import annotations

import re

import pytest

from .test_e2e import page, server, wait_idle  # noqa: F401 (fixtures)

pytestmark = pytest.mark.slow


def find(pg, name: str) -> None:
    box = pg.get_by_role("combobox", name="Find a place")
    box.click()
    pg.keyboard.type(name)
    pg.get_by_role("option").filter(has_text=re.compile(f"^{name}")).first.click()
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
