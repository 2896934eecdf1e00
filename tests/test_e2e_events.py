"""What happened, in a real browser: pick "Shelling", see where it was reported in March
2022, read Kharkiv's shelling passages with their actors, download the events and open them.

The database is the sample plus hand-written March 2022 articles about Kharkiv ingested
through the real pipeline (tests/data/events/, see test_app_events): two reported
shellings, a denial, planned talks and a bombing of 1943.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date

import pytest

from tests import appserver

from .e2e_fixtures import click_place, map_frame, map_ready, pick_option
from .test_app_events import KHARKIV, events_db  # noqa: F401 (fixture)
from .test_e2e import page, set_date_range, wait_idle  # noqa: F401 (fixtures)

pytestmark = pytest.mark.slow


@pytest.fixture
def server(events_db, tmp_path, monkeypatch, gazetteer):  # noqa: F811
    import shutil

    db = tmp_path / "app.sqlite"
    shutil.copy(events_db, db)
    monkeypatch.setenv("CONFLICT_MAP_GAZETTEER", str(gazetteer.path))
    log = (tmp_path / "streamlit.log").open("w")
    proc, url = appserver.start(db, log)
    if not appserver.wait_healthy(url):
        proc.terminate()
        pytest.fail("streamlit did not start:\n" + (tmp_path / "streamlit.log").read_text())
    yield url, db
    proc.terminate()
    proc.wait(timeout=10)
    log.close()
    print((tmp_path / "streamlit.log").read_text()[-3000:])  # shown by pytest on failure


def test_pick_shelling_read_kharkiv_and_download_the_events(page, tmp_path):  # noqa: F811
    from playwright.sync_api import expect

    pg, url, outside, bad = page
    wait_idle(pg)
    map_ready(pg)
    set_date_range(pg, date(2022, 3, 1), date(2022, 3, 31))
    wait_idle(pg)

    sidebar = pg.locator("[data-testid='stSidebar']")
    box = sidebar.locator("[data-testid='stMultiSelect']").filter(has_text="What happened")
    pick_option(pg, box, "shell", re.compile(r"^Shelling \(\d+\)$"))
    wait_idle(pg)
    expect(pg).to_have_url(re.compile(r"[?&]event=shelling(&|$)"), timeout=30_000)

    # The map shows where shelling was reported: the legend says so and Kharkiv is drawn
    # in shelling's colour.
    legend = pg.locator(".cm-event-legend")
    expect(legend).to_contain_text("Shelling")
    expect(legend.locator("[data-legend-type]")).to_have_count(1)
    click_place(pg, KHARKIV)
    wait_idle(pg)
    expect(pg.locator("h3.cm-place")).to_have_text("Kharkiv, UA", timeout=30_000)
    frame = map_frame(pg)
    expect(frame.locator(f"path[data-place='{KHARKIV}']")).to_have_attribute(
        "data-event-type", "shelling"
    )

    # Its shelling passages, each with the chip, the actor and who says so; the denial, the
    # planned talks and the bombing of 1943 are no reported shelling.
    panel = pg.locator(".st-key-passages")
    expect(panel).to_contain_text(
        "Russian forces shelled residential districts of Kharkiv", timeout=30_000
    )
    expect(panel).to_contain_text("Russian artillery shelled the northern districts")
    chips = panel.locator(".cm-chip[data-event-type='shelling']")
    expect(chips.filter(has_text="by Russian forces")).to_have_count(1)
    expect(chips.filter(has_text="by Russian artillery")).to_have_count(1)
    for absent in (
        "The Russian defence ministry denied shelling Kharkiv",
        "delegations will hold talks in Kharkiv",
        "German bombers bombed Kharkiv",
    ):
        expect(panel).not_to_contain_text(absent)

    # The events table, then its CSV, downloaded and opened.
    pg.get_by_role("tab", name="Events table").click()
    wait_idle(pg)
    with pg.expect_download() as got:
        pg.get_by_role("button", name=re.compile(r"^Download events \(CSV")).click()
    path = tmp_path / got.value.suggested_filename
    got.value.save_as(path)
    assert path.name == "conflict_map_events.csv"
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    assert rows and {r["type"] for r in rows} == {"shelling"}
    assert {r["status"] for r in rows} == {"reported"}
    kharkiv = [r for r in rows if r["place"] == "Kharkiv"]
    assert {r["actor"] for r in kharkiv} >= {"Russian forces", "Russian artillery"}
    assert all(r["published"].startswith("2022-03") for r in rows)
    assert all(r["lat"] and r["lon"] and r["confidence"] for r in kharkiv)
    assert not outside, f"requests left the machine: {outside[:5]}"
