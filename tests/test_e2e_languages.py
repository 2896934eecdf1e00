"""End to end: Ukrainian, Russian and English articles about one city on one marker.

Three short hand-written articles about Kharkiv (tests/data/kharkiv/, dated the last day of
the sample's core span, so that they are the newest passages) are uploaded through the
sidebar; a mouse click on Kharkiv's marker lists their passages, each in its own script, and
the find box takes Cyrillic names. One app start for the whole flow.
"""

from __future__ import annotations

import re

import pytest

from .conftest import DATA
from .e2e_fixtures import click_place, map_frame, map_ready
from .test_e2e import articles_dir, page, server, wait_idle  # noqa: F401 (fixtures)

pytestmark = pytest.mark.slow

KHARKIV = "gn:706483"
ARTICLES = {  # file -> (title, the form written in the text, its language as the panel names it)
    "kharkiv_en.txt": ("Evening explosions shake a tram depot", "Kharkiv", None),
    "kharkiv_uk.txt": ("Вечірні вибухи пошкодили трамвайне депо", "Харкові", "Ukrainian"),
    "kharkiv_ru.txt": ("Ночная тревога: обломки упали во дворе школы", "Харькове", "Russian"),
}
# Cyrillic names typed in the find box -> the panel's heading. Each differs from the place
# selected before it, so every Enter must select.
FOUND = [
    ("Одесса", "Odesa, UA"),
    ("Харків", "Kharkiv, UA"),
    ("Киев", "Kyiv, UA"),
    ("Харьков", "Kharkiv, UA"),
]


def test_three_languages_on_one_marker_and_cyrillic_in_the_find_box(articles_dir, page):  # noqa: F811
    from playwright.sync_api import expect

    pg, url, outside, bad = page
    wait_idle(pg)
    map_ready(pg)

    # Upload the three articles together through the sidebar's uploader.
    pg.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(
        [str(DATA / "kharkiv" / name) for name in ARTICLES]
    )
    # Each file is geoparsed in a process of its own that loads its language's models (and
    # spaCy's event reader for English): minutes on a busy machine, so no wait_idle here.
    sidebar = pg.locator("[data-testid='stSidebar']")
    for name in ARTICLES:
        # "already stored" when a rerun (as the other files arrived) cut short the run that
        # stored it: the file must stay all the same.
        added = re.compile(rf"{re.escape(name)}: (1 added|already stored)")
        expect(sidebar.get_by_text(added)).to_be_visible(timeout=240_000)
    wait_idle(pg)
    assert sorted(p.name for p in articles_dir.iterdir()) == sorted(ARTICLES)

    # The header counts the articles geoparsed per language and says where events come from.
    languages = pg.get_by_text(re.compile(r"^Geoparsed: English [\d,]+"))
    expect(languages).to_contain_text(re.compile(r"Russian 1\b.*Ukrainian 1\b"), timeout=30_000)
    expect(languages).to_contain_text("events found in English articles only")

    # A real mouse click where Kharkiv's marker is drawn opens its panel.
    map_ready(pg)
    click_place(pg, KHARKIV)
    wait_idle(pg)
    expect(pg.locator("h3.cm-place")).to_have_text("Kharkiv, UA", timeout=30_000)
    for title, written, language in ARTICLES.values():
        card = pg.locator(".cm-passage").filter(has=pg.locator(".cm-title", has_text=title))
        expect(card).to_have_count(1, timeout=30_000)
        # The quote is the article's own text, the mention marked in its own script.
        expect(card.locator(".cm-quote mark")).to_have_text(written)
        if language is None:
            expect(card.locator(".cm-written")).to_have_count(0)
            expect(card.locator(".cm-lang")).to_have_count(0)
        else:
            expect(card.locator(".cm-written")).to_have_text(f"Kharkiv — written «{written}»")
            expect(card.locator(".cm-lang")).to_have_text(language)

    # The find box takes Ukrainian and Russian names: Enter selects the place.
    box = pg.get_by_role("textbox", name="Find a place")
    for typed, heading in FOUND:
        box.click()
        pg.keyboard.press("Control+A")
        pg.keyboard.type(typed)
        pg.keyboard.press("Enter")
        wait_idle(pg)
        expect(pg.locator("h3.cm-place"), typed).to_have_text(heading, timeout=30_000)
        expect(pg.get_by_text(f"Found for “{typed}”")).to_be_visible()
    expect(map_frame(pg).locator(f"path[data-place='{KHARKIV}']")).to_have_count(1)
    assert not outside, f"requests left the machine: {outside[:5]}"
    assert not bad, bad
