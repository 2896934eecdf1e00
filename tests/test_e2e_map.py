"""The map in a real browser: mouse clicks reach the right place; the view stays put.

Runs the app with `streamlit run` in Debian's headless Chromium with every non-local request
blocked (fixtures from test_e2e). Clicks are `page.mouse.click` at the centre of what is drawn;
the view is read from the map's `data-zoom`/`data-center` attributes.
"""

from __future__ import annotations

import html
import re
from datetime import date

import pytest

from geo import mapview
from geo.store import Query

from .e2e_fixtures import (
    click_place,
    default_counts,
    degrees_per_pixel,
    heading_text,
    inside,
    map_frame,
    map_ready,
    settle,
    top_drawn,
    view,
)
from .test_e2e import page, server, set_date_range, wait_idle  # noqa: F401 (fixtures)

pytestmark = pytest.mark.slow

MARCH_WEEK = (date(2022, 3, 1), date(2022, 3, 7))


def assert_same_view(got: tuple[int, float, float], want: tuple[int, float, float]) -> None:
    """Same zoom, and centres less than two screen pixels apart."""
    tol = 2 * degrees_per_pixel(want[0])
    assert got[0] == want[0], f"zoom {got[0]}, expected {want[0]}"
    assert abs(got[1] - want[1]) < tol and abs(got[2] - want[2]) < tol, (got, want)


def zoom_in(pg, times: int) -> None:
    """Press the map's + control like a user; waits for each zoom to finish."""
    from playwright.sync_api import expect

    frame = map_frame(pg)
    for _ in range(times):
        before = view(pg)[0]
        frame.locator(".leaflet-control-zoom-in").click()
        expect(frame.locator("#map_div")).to_have_attribute("data-zoom", str(before + 1))
        settle(pg)


def test_top_places_open_with_a_mouse_click_at_their_centre(page, server):  # noqa: F811
    """(a) From the landing view, each of the ten busiest drawn places opens with clicks.

    Clicks land on the centre of the place's marker, or of the cluster holding it until the
    marker shows. Small neighbours must not take the click (Kyiv once opened Lypky).
    """
    from playwright.sync_api import expect

    pg, url, outside, bad = page
    _, db = server
    top = top_drawn(db)
    assert len(top) == 10
    assert not {pc.place.kind for pc in top} & mapview.NOT_DRAWN_KINDS
    landing = mapview.view_for(default_counts(db))
    for pc in top:
        pg.goto(url)
        wait_idle(pg)
        map_ready(pg)
        assert_same_view(view(pg), (landing[1], *landing[0]))
        click_place(pg, pc.place.key)
        wait_idle(pg)
        expect(pg.locator("h3.cm-place"), f"clicked {pc.place.key}").to_have_text(
            heading_text(pc), timeout=30_000
        )
    assert not outside, f"requests left the machine: {outside[:5]}"
    assert not bad, bad


def test_view_is_kept_across_a_marker_click_and_a_filter_change(page, server):  # noqa: F811
    """(b) Zoom in with +, click a marker, change the dates: centre and zoom stay."""
    from playwright.sync_api import expect

    pg, url, outside, bad = page
    _, db = server
    wait_idle(pg)
    map_ready(pg)
    landing = view(pg)
    zoom_in(pg, 2)
    zoomed = view(pg)
    assert zoomed[0] == landing[0] + 2

    # Click, with the mouse, a place drawn as a marker in the middle part of the map.
    frame = map_frame(pg)
    markers = frame.locator("path[data-place]")
    box = frame.locator("#map_div").bounding_box()
    key, point = None, None
    for i in range(markers.count()):
        b = markers.nth(i).bounding_box()
        c = (b["x"] + b["width"] / 2, b["y"] + b["height"] / 2)
        if inside(c, box, margin=min(box["width"], box["height"]) / 4):
            key, point = markers.nth(i).get_attribute("data-place"), c
            break
    assert key, "no marker drawn in the middle part of the map"
    pc = next(c for c in default_counts(db) if c.place.key == html.unescape(key))
    pg.mouse.click(*point)
    wait_idle(pg)
    expect(pg.locator("h3.cm-place")).to_have_text(heading_text(pc), timeout=30_000)
    assert_same_view(view(pg), zoomed)

    # A filter change reruns the app with other markers; the view does not move.
    set_date_range(pg, *MARCH_WEEK)
    wait_idle(pg)
    n_week = len(default_counts(db, Query(start=MARCH_WEEK[0], end=MARCH_WEEK[1])))
    expect(pg.get_by_text(f"{n_week:,} places", exact=True)).to_be_visible()
    assert "from=2022-03-01" in pg.url
    map_ready(pg)
    settle(pg)
    assert_same_view(view(pg), zoomed)
    assert not outside, f"requests left the machine: {outside[:5]}"
    assert not bad, bad


def test_fit_to_selection_reframes(page, server):  # noqa: F811
    """(c) The map's "Fit to selection" button frames the current selection, every time."""
    from playwright.sync_api import expect

    pg, url, outside, bad = page
    _, db = server
    wait_idle(pg)
    map_ready(pg)
    zoom_in(pg, 1)
    set_date_range(pg, *MARCH_WEEK)
    wait_idle(pg)
    map_ready(pg)
    center, zoom = mapview.view_for(
        default_counts(db, Query(start=MARCH_WEEK[0], end=MARCH_WEEK[1]))
    )
    for _ in range(2):
        while view(pg)[0] <= zoom:  # away from the framing
            zoom_in(pg, 1)
        map_frame(pg).get_by_role("button", name="Fit to selection").click()
        settle(pg)
        assert_same_view(view(pg), (zoom, *center))

    # Countries are not drawn as markers; their pill under the map opens them, view unchanged.
    framed = view(pg)
    pg.get_by_role("radio", name=re.compile(r"^Ukraine \([\d,]+\)$")).click()
    wait_idle(pg)
    expect(pg.locator("h3.cm-place")).to_have_text("Ukraine", timeout=30_000)
    assert_same_view(view(pg), framed)
    assert not outside, f"requests left the machine: {outside[:5]}"
    assert not bad, bad
