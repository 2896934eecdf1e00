"""Browser helpers for the map: find, click and read it the way a mouse user does.

Everything here reads the page's DOM and moves the real mouse; nothing calls Leaflet. The
map container's `data-zoom` and `data-center` attributes (set by mapview.ViewKeeper) show
the current view; each place marker carries `data-place`, and each cluster badge lists its
places in `data-places` ("|key|key|…|"). Country areas carry `data-area` (the country's place
key), map labels `data-label` (the name); `drawn_at` asks the map's document which element
the mouse would hit at a point (`document.elementFromPoint`), as a user's click would.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

from geo import mapview
from geo.models import PlaceCount
from geo.store import Query, Store

MAP_IFRAME = 'iframe[title="streamlit_folium.st_folium"]'


def default_counts(db: Path, query: Query | None = None) -> list[PlaceCount]:
    """Place counts for `query`, by default the app's landing query (the core date span)."""
    store = Store(db)
    try:
        if query is None:
            start, end = store.core_dates()
            query = Query(start=start, end=end)
        return store.place_counts(query)
    finally:
        store.close()


def map_frame(pg):
    return pg.frame_locator(MAP_IFRAME)


def map_ready(pg, timeout: float = 60_000) -> None:
    """Wait until the base map and at least one marker or cluster are drawn, map in view."""
    from playwright.sync_api import expect

    one_map(pg)
    frame = map_frame(pg)
    expect(frame.locator("#map_div[data-basemap='loaded']")).to_have_count(1, timeout=timeout)
    expect(frame.locator("path[data-place], [data-places]").first).to_be_attached(timeout=timeout)
    pg.locator(MAP_IFRAME).scroll_into_view_if_needed()


def one_map(pg) -> None:
    """Wait until the page shows one map (a rerun may briefly hold the old and the new)."""
    from playwright.sync_api import expect

    expect(pg.locator(MAP_IFRAME)).to_have_count(1, timeout=30_000)


def view(pg) -> tuple[int, float, float]:
    """The map's (zoom, centre latitude, centre longitude), as the page shows it."""
    from playwright.sync_api import expect

    one_map(pg)
    el = map_frame(pg).locator("#map_div")
    expect(el).to_have_attribute("data-center", re.compile(r"^-?[\d.]+,-?[\d.]+$"))
    lat, lon = (float(v) for v in el.get_attribute("data-center").split(","))
    return int(el.get_attribute("data-zoom")), lat, lon


def degrees_per_pixel(zoom: int) -> float:
    """Longitude degrees one screen pixel spans at `zoom` (256 px tiles)."""
    return 360.0 / (256 * 2**zoom)


def centre(locator) -> tuple[float, float]:
    """Page coordinates of the middle of the element's box, once it stops moving."""
    last = None
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        box = locator.bounding_box()
        here = (round(box["x"] + box["width"] / 2, 1), round(box["y"] + box["height"] / 2, 1))
        if here == last:
            return here
        last = here
        time.sleep(0.2)
    raise AssertionError(f"{locator} kept moving")


def map_box(pg) -> dict:
    return map_frame(pg).locator("#map_div").bounding_box()


def inside(point: tuple[float, float], box: dict, margin: float = 4) -> bool:
    x, y = point
    return (
        box["x"] + margin < x < box["x"] + box["width"] - margin
        and box["y"] + margin < y < box["y"] + box["height"] - margin
    )


def settle(pg) -> None:
    """Wait for zoom and cluster animations to end."""
    from playwright.sync_api import expect

    frame = map_frame(pg)
    pg.wait_for_timeout(350)
    expect(frame.locator(".leaflet-cluster-anim, .leaflet-zoom-anim")).to_have_count(
        0, timeout=10_000
    )
    pg.wait_for_timeout(200)


def reveal_place(pg, key: str, max_clicks: int = 20) -> tuple[float, float]:
    """Mouse-click the clusters holding the place until its marker shows; returns its centre.

    Every click lands at the visible centre of a badge. Fails if the place is neither drawn
    nor in a drawn cluster inside the map's view.
    """
    one_map(pg)
    frame = map_frame(pg)
    for _ in range(max_clicks):
        settle(pg)
        box = map_box(pg)
        marker = frame.locator(f"path[data-place='{key}']")
        if marker.count():
            point = centre(marker)
            assert inside(point, box), f"{key} is drawn outside the map's view at {point}"
            return point
        cluster = frame.locator(f"[data-places*='|{key}|']")
        assert cluster.count() == 1, f"{key}: {cluster.count()} clusters hold it, none drawn"
        point = centre(cluster)
        assert inside(point, box), f"the cluster holding {key} is outside the view at {point}"
        pg.mouse.click(*point)
    raise AssertionError(f"{key}: still clustered after {max_clicks} clicks")


def click_place(pg, key: str) -> None:
    """Reveal the place's marker (see `reveal_place`) and mouse-click its centre."""
    pg.mouse.click(*reveal_place(pg, key))


def places_on_map(pg) -> int:
    """How many places the map draws: markers plus the places inside cluster badges."""
    frame = map_frame(pg)
    badges = frame.locator("[data-places]")
    in_badges = sum(
        len(badges.nth(i).get_attribute("data-places").strip("|").split("|"))
        for i in range(badges.count())
    )
    return frame.locator("path[data-place]").count() + in_badges


def heading_text(pc: PlaceCount) -> str:
    """The side panel's heading for this place (see render.place_heading_html)."""
    p = pc.place
    return p.name + (f", {p.country_code}" if p.country_code and p.kind != "country" else "")


def top_drawn(db: Path, n: int = 10) -> list[PlaceCount]:
    """The `n` most mentioned places the landing view draws as markers."""
    return mapview.drawn(default_counts(db))[:n]


def map_document(pg):
    """The map iframe's Frame, for reading its DOM (what is drawn where); never calls Leaflet."""
    one_map(pg)
    return pg.locator(MAP_IFRAME).element_handle().content_frame()


def drawn_at(pg, point: tuple[float, float], attr: str) -> str | None:
    """The `attr` of the topmost element the mouse would hit at page `point`, if any."""
    iframe = pg.locator(MAP_IFRAME).bounding_box()
    return map_document(pg).evaluate(
        """([x, y, attr]) => {
            const el = document.elementFromPoint(x, y);
            return el ? el.getAttribute(attr) : null;
        }""",
        [point[0] - iframe["x"], point[1] - iframe["y"], attr],
    )


def markers_hit_at_centre(pg) -> list[tuple[str, tuple[float, float]]]:
    """(key, page centre) of every place marker that the mouse would hit at its centre
    (not under a control, a badge or another marker), read in one pass over the map's DOM.
    """
    settle(pg)
    iframe = pg.locator(MAP_IFRAME).bounding_box()
    found = map_document(pg).evaluate(
        """() => Array.from(document.querySelectorAll("path[data-place]")).map(el => {
            const r = el.getBoundingClientRect();
            const x = r.left + r.width / 2, y = r.top + r.height / 2;
            const hit = document.elementFromPoint(x, y);
            const key = el.getAttribute("data-place");
            return hit && hit.getAttribute("data-place") === key ? [key, x, y] : null;
        }).filter(Boolean)"""
    )
    return [(k, (round(iframe["x"] + x, 1), round(iframe["y"] + y, 1))) for k, x, y in found]


def visible_point_of(pg, selector: str, attr: str, value: str, grid: int = 15):
    """A page point where the element matching `selector` is the topmost thing drawn.

    Tries a grid over the element's box, nearest the box's centre first; None if nothing
    else covers every point (e.g. markers and badges cover a small country).
    """
    box = map_frame(pg).locator(selector).bounding_box()
    mbox = map_box(pg)
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    points = [
        (box["x"] + box["width"] * (i + 0.5) / grid, box["y"] + box["height"] * (j + 0.5) / grid)
        for i in range(grid)
        for j in range(grid)
    ]
    points.sort(key=lambda p: (p[0] - cx) ** 2 + (p[1] - cy) ** 2)
    for p in points:
        if inside(p, mbox, margin=30) and drawn_at(pg, p, attr) == value:
            return p
    return None


def drag_map(pg, start: tuple[float, float], end: tuple[float, float]) -> None:
    """Pan the map with the mouse: press at `start`, move to `end` in steps, rest, release.

    The rest before releasing stops Leaflet's inertia from carrying the map further.
    """
    pg.mouse.move(*start)
    pg.mouse.down()
    pg.mouse.move(*end, steps=12)
    pg.wait_for_timeout(300)
    pg.mouse.up()
    settle(pg)


def pick_option(pg, box, typed: str, name, attempts: int = 3) -> None:
    """Open a select box, type to narrow its list and click the option called `name`.

    A click that lands while the app is still redrawing can leave the list closed, or close
    it before the option is clicked: then the list is closed and opened again (at most
    `attempts` times), as a person would.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import expect

    option = pg.get_by_role("option", name=name)
    for _ in range(attempts):
        box.locator("input").click()
        pg.keyboard.press("Control+A")
        pg.keyboard.type(typed)
        try:
            expect(option).to_be_visible(timeout=10_000)
            # A rerun can close the list between seeing the option and clicking it.
            option.click(timeout=10_000)
        except (AssertionError, PlaywrightTimeout):
            pg.keyboard.press("Escape")
            pg.wait_for_timeout(1_000)
            continue
        return
    raise AssertionError(f"no option {name!r} after typing {typed!r} {attempts} times")


def page_scroll(pg) -> int:
    """How far the page is scrolled (px): the document or Streamlit's main scrolling box."""
    return pg.evaluate(
        """() => Math.max(...[document.scrollingElement,
            document.querySelector("[data-testid='stMain']"),
            document.querySelector("[data-testid='stAppViewContainer']")]
            .filter(Boolean).map((el) => el.scrollTop))"""
    )


def labels_on_marks(pg) -> tuple[int, list[str]]:
    """How many map names are drawn, and which of them cover a marker or a cluster badge.

    Compares the boxes the browser drew (each name's text, each marker's circle, each
    badge); a name overlapping one by more than half a pixel is listed with what it covers.
    """
    settle(pg)
    return map_document(pg).evaluate(
        """() => {
            const box = (el) => el.getBoundingClientRect();
            const marks = Array.from(document.querySelectorAll("path[data-place], [data-places]"))
                .map(el => [el.getAttribute("data-place") || el.textContent, box(el)])
                .filter(([, r]) => r.width && r.height);
            const names = Array.from(document.querySelectorAll(".cm-label[data-label] span"));
            const bad = [];
            for (const el of names) {
                const a = box(el);
                for (const [what, b] of marks) {
                    const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
                    const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
                    if (w > 0.5 && h > 0.5) {
                        bad.push(el.parentElement.getAttribute("data-label") + " on " + what);
                    }
                }
            }
            return [names.length, bad];
        }"""
    )
