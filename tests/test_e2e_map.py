"""The map in a real browser: mouse clicks reach the right place; the view stays put.

Runs the app with `streamlit run` in Debian's headless Chromium with every non-local request
blocked (fixtures from test_e2e). Clicks are `page.mouse.click` at the centre of what is drawn;
the view is read from the map's `data-zoom`/`data-center` attributes.
"""

from __future__ import annotations

import html
import re
from datetime import date
from pathlib import Path

import pytest

from geo import mapview
from geo.store import Query

from .e2e_fixtures import (
    MAP_IFRAME,
    centre,
    click_place,
    default_counts,
    degrees_per_pixel,
    drag_map,
    drawn_at,
    heading_text,
    inside,
    map_box,
    map_frame,
    map_ready,
    markers_hit_at_centre,
    settle,
    top_drawn,
    view,
    visible_point_of,
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
    """(a) From the landing view, each of the ten busiest drawn places opens with clicks
    ("Fit to selection" brings the view back between them).

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
    wait_idle(pg)
    map_ready(pg)
    for k, pc in enumerate(top):
        if k:  # close the panel (no place selected), then back to the landing view with
            # the map's own button (a click on a badge zoomed in)
            pg.locator(".st-key-deselect").get_by_role("button", name="Close").click()
            wait_idle(pg)
            expect(pg.locator("h3.cm-place")).to_have_count(0, timeout=30_000)
        if view(pg)[0] != landing[1]:
            map_frame(pg).get_by_role("button", name="Fit to selection").click()
            settle(pg)
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


UKRAINE_KEY = "gn:690791"
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"


def test_country_area_click_selects_the_country_and_markers_stay_on_top(page, server):  # noqa: F811
    """(d) Countries are shaded areas under the markers; a mouse click on one selects it.

    A click where Ukraine's area is the topmost thing drawn opens Ukraine's passages; a
    click on Kyiv's marker, which lies inside that area, still opens Kyiv. The areas'
    checkbox in the map hides them, and the choice outlives a rerun.
    """
    from playwright.sync_api import expect

    pg, url, outside, bad = page
    _, db = server
    wait_idle(pg)
    map_ready(pg)
    frame = map_frame(pg)
    area = f"path[data-area='{UKRAINE_KEY}']"
    expect(frame.locator(area)).to_have_count(1, timeout=30_000)
    assert "Ukraine" in frame.locator(area).get_attribute("aria-label")
    point = visible_point_of(pg, area, "data-area", UKRAINE_KEY)
    assert point, "no point of Ukraine's area is free of markers, badges and labels"
    pg.mouse.click(*point)
    wait_idle(pg)
    expect(pg.locator("h3.cm-place")).to_have_text("Ukraine", timeout=30_000)
    assert f"place={UKRAINE_KEY.replace(':', '%3A')}" in pg.url or f"place={UKRAINE_KEY}" in pg.url

    # Kyiv's marker is drawn above Ukraine's area: a click at its centre selects Kyiv.
    kyiv = next(pc for pc in default_counts(db) if pc.place.name == "Kyiv")
    map_ready(pg)
    click_place(pg, kyiv.place.key)
    wait_idle(pg)
    expect(pg.locator("h3.cm-place")).to_have_text(heading_text(kyiv), timeout=30_000)

    # The map's checkbox hides the areas; the choice is kept when the app reruns.
    map_ready(pg)
    box = frame.get_by_role("checkbox", name="Countries shaded by mentions")
    expect(box).to_be_checked()
    box.click()
    expect(frame.locator("#map_div")).to_have_attribute("data-areas", "off")
    expect(frame.locator(area)).to_be_hidden()
    set_date_range(pg, *MARCH_WEEK)
    wait_idle(pg)
    map_ready(pg)
    expect(frame.locator("#map_div")).to_have_attribute("data-areas", "off")
    expect(frame.get_by_role("checkbox", name="Countries shaded by mentions")).not_to_be_checked()
    assert not outside, f"requests left the machine: {outside[:5]}"
    assert not bad, bad


def test_labels_follow_the_zoom(page, server):  # noqa: F811
    """(e) Country names show at the landing view; big cities from zoom 5, no tiles needed.

    Also saves screenshots of the landing view and of Ukraine close up in tests/artifacts/.
    """
    from playwright.sync_api import expect

    pg, url, outside, bad = page
    wait_idle(pg)
    map_ready(pg)
    frame = map_frame(pg)
    assert view(pg)[0] <= 4
    # A country drawn as one of the biggest markers is named once, beside its marker.
    for name in ("Russia", "Ukraine", "Turkey"):
        expect(frame.locator(f".cm-label[data-label='{name}']")).to_have_count(1)
    expect(frame.locator(".cm-label-city[data-label='Kharkiv']")).to_have_count(0)
    # Labels never take a click: the pane under the markers ignores the mouse.
    label = frame.locator(".cm-label-country[data-label='Turkey']")
    assert drawn_at(pg, centre(label), "data-label") is None
    ARTIFACTS.mkdir(exist_ok=True)
    pg.locator(MAP_IFRAME).screenshot(path=str(ARTIFACTS / "map_landing.png"))
    while view(pg)[0] < 5:
        zoom_in(pg, 1)
    # Big cities are named from zoom 5 (beside their marker when they are one, and only
    # where the name covers no marker or badge: around Kyiv and Kharkiv badges crowd).
    expect(frame.locator(".cm-label-city, .cm-label-place").nth(5)).to_be_attached()
    # Closer to Kyiv: the mouse wheel zooms around the pointer.
    kyiv = "gn:703448"
    pg.mouse.move(*centre(frame.locator(f"path[data-place='{kyiv}'], [data-places*='|{kyiv}|']")))
    pg.mouse.wheel(0, -200)
    settle(pg)
    pg.wait_for_timeout(500)
    assert view(pg)[0] >= 6
    expect(frame.locator(".cm-label-city").first).to_be_attached()
    pg.locator(MAP_IFRAME).screenshot(path=str(ARTIFACTS / "map_ukraine.png"))
    assert not outside, f"requests left the machine: {outside[:5]}"
    assert not bad, bad


def test_tooltips_stay_inside_the_map(page, server):  # noqa: F811
    """(f) A marker dragged to the map's top or bottom edge shows its whole tooltip."""
    from playwright.sync_api import expect

    pg, url, outside, bad = page
    wait_idle(pg)
    map_ready(pg)
    frame = map_frame(pg)
    box = map_box(pg)
    mid_x = box["x"] + box["width"] / 2
    for target in ((mid_x, box["y"] + 5), (mid_x + 20, box["y"] + box["height"] - 5)):
        start, key = None, None
        paths = frame.locator("path[data-place]")
        for i in range(paths.count()):
            c, k = centre(paths.nth(i)), paths.nth(i).get_attribute("data-place")
            # A marker in the middle part of the map, not under the map's controls.
            if inside(c, box, margin=80) and drawn_at(pg, c, "data-place") == k:
                start, key = c, k
                break
        assert key, "no marker in the middle of the map"
        drag_map(pg, start, target)
        here = centre(frame.locator(f"path[data-place='{key}']"))
        assert abs(here[1] - target[1]) < 3, (here, target)
        pg.mouse.move(here[0] + 1, here[1])
        pg.mouse.move(*here)
        tip = frame.locator(".leaflet-tooltip").last
        expect(tip).to_be_visible()
        t = tip.bounding_box()
        assert box["x"] <= t["x"] and t["x"] + t["width"] <= box["x"] + box["width"], (t, box)
        assert box["y"] <= t["y"] and t["y"] + t["height"] <= box["y"] + box["height"], (t, box)
        pg.mouse.move(box["x"] + box["width"] - 60, box["y"] + box["height"] / 2)
        settle(pg)
    assert not outside, f"requests left the machine: {outside[:5]}"
    assert not bad, bad


def test_a_reopened_link_frames_the_dense_core(page, server):  # noqa: F811
    """(6) A link reopened for April 2022 opens on Ukraine (it once centred on North America
    with Ukraine cut off), and Kyiv and Mariupol are inside the view."""
    pg, url, outside, bad = page
    _, db = server
    pg.goto(f"{url}/?from=2022-04-01&to=2022-04-30")
    wait_idle(pg)
    map_ready(pg)
    settle(pg)
    zoom, lat, lon = view(pg)
    assert 44 < lat < 53 and 22 < lon < 41, (lat, lon)
    assert zoom >= 4
    want = mapview.view_for(
        default_counts(db, Query(start=date(2022, 4, 1), end=date(2022, 4, 30)))
    )
    assert_same_view((zoom, lat, lon), (want[1], *want[0]))
    box = map_box(pg)
    for key in ("gn:703448", "gn:701822"):  # Kyiv, Mariupol: drawn or in a badge, in view
        frame = map_frame(pg)
        marker = frame.locator(f"path[data-place='{key}'], [data-places*='|{key}|']").first
        assert inside(centre(marker), box), key
    assert not outside, outside


def test_first_click_on_a_partly_visible_map_selects_without_scrolling(page, server):  # noqa: F811
    """The map's first click used to scroll the page (Leaflet focused the map for the
    keyboard), so the marker moved away under the pointer and nothing was selected."""
    from playwright.sync_api import expect

    pg, url, outside, bad = page
    pg.set_viewport_size({"width": 1500, "height": 760})
    pg.goto(url)
    wait_idle(pg)
    map_ready(pg)
    settle(pg)
    # The map fills the window; scrolled down to the legends under it, the map is cut at the
    # top of the window.
    pg.evaluate("document.querySelector('[data-testid=stMain]').scrollTo(0, 300)")
    pg.wait_for_timeout(300)
    frame = map_frame(pg)
    fold = pg.evaluate("window.innerHeight")
    markers = frame.locator("path[data-place]")
    target = None
    for i in range(markers.count()):
        x, y = centre(markers.nth(i))
        key = markers.nth(i).get_attribute("data-place")
        if (
            20 < y < fold - 20
            and inside((x, y), map_box(pg))
            and drawn_at(pg, (x, y), "data-place") == key
        ):
            target = (key, (x, y))
            break
    assert target, "no marker drawn above the fold"
    assert map_box(pg)["y"] < 0  # the map is cut by the window's top
    before = pg.evaluate(
        "window.scrollY + document.querySelector('[data-testid=stMain]').scrollTop"
    )
    pg.mouse.click(*target[1])
    wait_idle(pg)
    pg.screenshot(path=str(ARTIFACTS / "first_click.png"))
    after = pg.evaluate("window.scrollY + document.querySelector('[data-testid=stMain]').scrollTop")
    assert after == before
    pg.screenshot(path=str(ARTIFACTS / "first_click.png"))
    expect(pg.locator("h3.cm-place")).to_be_visible(timeout=30_000)
    assert not outside, outside


@pytest.mark.parametrize(
    ("width", "height", "min_width", "min_height"), [(1400, 900, 650, 550), (1024, 700, 450, 380)]
)
def test_map_fills_the_window_and_a_first_click_keeps_the_page(
    page,  # noqa: F811
    server,  # noqa: F811
    width,
    height,
    min_width,
    min_height,
):
    """A fresh session: the map starts high and is big; the first marker click moves nothing.

    The click lands where the marker is drawn; afterwards the page is scrolled as before,
    the map is where it was and the selected place's name is inside the window.
    """
    from playwright.sync_api import expect

    from .e2e_fixtures import page_scroll, reveal_place

    pg, url, outside, bad = page
    _, db = server
    pg.set_viewport_size({"width": width, "height": height})
    pg.goto(url)
    wait_idle(pg)
    frame = map_frame(pg)
    expect(frame.locator("#map_div[data-basemap='loaded']")).to_have_count(1, timeout=60_000)
    scroll = page_scroll(pg)
    box = pg.locator(MAP_IFRAME).bounding_box()
    assert scroll == 0
    assert box["y"] <= 250, box
    assert box["width"] >= min_width, box
    assert min(box["y"] + box["height"], height) - box["y"] >= min_height, box
    pc = top_drawn(db)[1]
    point = reveal_place(pg, pc.place.key)
    assert page_scroll(pg) == scroll, "revealing the marker moved the page"
    pg.mouse.click(*point)
    wait_idle(pg)
    heading = pg.locator("h3.cm-place")
    expect(heading).to_have_text(heading_text(pc), timeout=30_000)
    pg.wait_for_timeout(1_000)  # anything that would scroll has happened
    assert page_scroll(pg) == scroll, "the first click scrolled the page"
    after = pg.locator(MAP_IFRAME).bounding_box()
    assert abs(after["y"] - box["y"]) < 1 and abs(after["height"] - box["height"]) < 1
    hb = heading.bounding_box()
    assert 0 <= hb["y"] and hb["y"] + hb["height"] <= height, f"name out of view: {hb}"
    assert not outside and not bad, (outside[:5], bad)


def test_first_click_near_the_corner_at_zoom_6_keeps_the_view(page, server):  # noqa: F811
    """Zoomed in to 6, the session's first click on a marker near a corner of the map keeps
    the zoom, the centre and the page (it once took the map out to zoom 5)."""
    from playwright.sync_api import expect

    from .e2e_fixtures import page_scroll

    pg, url, outside, bad = page
    pg.set_viewport_size({"width": 1400, "height": 900})
    pg.goto(url)
    wait_idle(pg)
    map_ready(pg)
    zoom_in(pg, 6 - view(pg)[0])
    before = view(pg)
    scroll = page_scroll(pg)
    box = map_box(pg)
    best = None
    for key, point in markers_hit_at_centre(pg):  # under no control or other marker
        if not inside(point, box, margin=8):
            continue
        edge = min(point[0] - box["x"], box["x"] + box["width"] - point[0]) + min(
            point[1] - box["y"], box["y"] + box["height"] - point[1]
        )
        if best is None or edge < best[0]:
            best = (edge, point, key)
    assert best, "no marker drawn on its own in the view"
    pg.mouse.click(*best[1])
    wait_idle(pg)
    expect(pg.locator("h3.cm-place")).to_be_visible(timeout=30_000)
    pg.wait_for_timeout(1_000)
    assert_same_view(view(pg), before)
    assert page_scroll(pg) == scroll
    assert not outside and not bad, (outside[:5], bad)


@pytest.mark.parametrize(("width", "height"), [(1400, 900), (1024, 700)])
def test_names_are_not_written_over_markers_or_badges(page, server, width, height):  # noqa: F811
    """At the landing view (and, at 1400x900, zoomed in to 6) no map name covers a marker or
    a badge: "Kyiv" was written over the badge beside Kyiv's. The busiest places keep their
    names (in bold, beside their marker or badge)."""
    from playwright.sync_api import expect

    from .e2e_fixtures import labels_on_marks

    pg, url, outside, bad = page
    pg.set_viewport_size({"width": width, "height": height})
    pg.goto(url)
    wait_idle(pg)
    map_ready(pg)
    frame = map_frame(pg)
    expect(frame.locator(".cm-label-place").first).to_be_attached()
    n, over = labels_on_marks(pg)
    assert n >= 10 and frame.locator(".cm-label-place").count() >= 3, n
    assert not over, over
    if width == 1400:
        zoom_in(pg, 6 - view(pg)[0])
        n, over = labels_on_marks(pg)
        assert n >= 10, n
        assert not over, over
    assert not outside and not bad, (outside[:5], bad)


def test_a_marker_where_the_fit_button_was_takes_the_click(page, server):  # noqa: F811
    """The "Fit to selection" button was a wide box in the map's top right corner: a marker
    drawn under it could not be clicked (the click framed the selection instead). Now it is
    a square under + and -: a marker dragged to where the button was opens its place, and
    the button still frames the selection.
    """
    from playwright.sync_api import expect

    pg, url, outside, bad = page
    _, db = server
    pg.set_viewport_size({"width": 1400, "height": 900})
    pg.goto(url)
    wait_idle(pg)
    map_ready(pg)
    frame = map_frame(pg)
    box = map_box(pg)
    # Where the old button was drawn: 10 px from the top right corner, 120 x 30 px.
    target = (box["x"] + box["width"] - 70, box["y"] + 25)
    start, key = None, None
    for k, point in markers_hit_at_centre(pg):
        if inside(point, box, margin=120):
            start, key = point, k
            break
    assert key, "no marker drawn on its own in the middle of the map"
    drag_map(pg, start, target)
    wait_idle(pg)
    settle(pg)
    here = centre(frame.locator(f"path[data-place='{key}']"))
    assert abs(here[0] - target[0]) < 3 and abs(here[1] - target[1]) < 3, (here, target)
    assert drawn_at(pg, here, "data-place") == key, "something is drawn over the marker"
    pc = next(c for c in default_counts(db) if c.place.key == html.unescape(key))
    pg.mouse.click(*here)
    wait_idle(pg)
    expect(pg.locator("h3.cm-place")).to_have_text(heading_text(pc), timeout=30_000)

    # The button sits under + and - (a small square) and still frames the selection.
    fit = frame.get_by_role("button", name="Fit to selection")
    b = fit.bounding_box()
    zoom_out = frame.locator(".leaflet-control-zoom-out").bounding_box()
    assert b["width"] <= 40 and b["height"] <= 40, b
    assert abs(b["x"] - zoom_out["x"]) < 2 and b["y"] > zoom_out["y"], (b, zoom_out)
    center, zoom = mapview.view_for(default_counts(db))
    fit.click()
    settle(pg)
    assert_same_view(view(pg), (zoom, *center))
    assert not outside and not bad, (outside[:5], bad)
