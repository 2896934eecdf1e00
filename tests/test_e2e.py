"""End to end: the real app in `streamlit run`, driven in Debian's headless Chromium, offline."""

from __future__ import annotations

import re
import shutil
import urllib.request
from datetime import date
from pathlib import Path

import pytest

from . import appserver
from .conftest import DATA

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = ROOT / "tests" / "artifacts"


@pytest.fixture
def server(app_db, tmp_path):
    log = (tmp_path / "streamlit.log").open("w")
    proc, url = appserver.start(app_db, log)
    if not appserver.wait_healthy(url):
        proc.terminate()
        pytest.fail("streamlit did not start:\n" + (tmp_path / "streamlit.log").read_text())
    yield url, app_db
    proc.terminate()
    proc.wait(timeout=10)
    log.close()
    print((tmp_path / "streamlit.log").read_text()[-3000:])  # shown by pytest on failure


@pytest.fixture
def page(server):
    if not Path(CHROMIUM).exists():
        pytest.fail(
            "Debian's chromium is needed for the browser tests: apt-get install -y chromium"
        )
    from playwright.sync_api import sync_playwright

    url, _ = server
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        pg = browser.new_page(viewport={"width": 1500, "height": 1000})
        outside: list[str] = []
        bad: list[str] = []

        def only_local(route):
            if route.request.url.startswith(
                ("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:", "about:")
            ):
                route.continue_()
            else:
                outside.append(route.request.url)
                route.abort()

        pg.route("**/*", only_local)
        pg.on("response", lambda r: bad.append(f"{r.status} {r.url}") if r.status >= 400 else None)
        pg.goto(url)
        yield pg, url, outside, bad
        ARTIFACTS.mkdir(exist_ok=True)
        pg.screenshot(path=str(ARTIFACTS / "dashboard.png"), full_page=True)
        browser.close()


def wait_idle(pg):
    from playwright.sync_api import expect

    pg.wait_for_timeout(400)
    expect(pg.locator("[data-testid='stApp'][data-test-script-state='notRunning']")).to_be_attached(
        timeout=60_000
    )


def set_date_range(pg, start: date, end: date) -> None:
    """Type into the date-range field's segments the way a keyboard user does.

    The end date goes first and the start date is typed day, month, year, so that no
    intermediate value is an empty or reversed range.
    """
    for which, d in (("end", end), ("start", start)):
        for part, value in (
            ("day", f"{d.day:02d}"),
            ("month", f"{d.month:02d}"),
            ("year", f"{d.year}"),
        ):
            seg = pg.get_by_role("spinbutton", name=f"{part}, Date range {which} date")
            seg.click()
            pg.keyboard.type(value)
    pg.keyboard.press("Enter")
    pg.keyboard.press("Escape")


def test_static_assets_have_script_mime_types(server):
    url, _ = server
    resp = urllib.request.urlopen(f"{url}/app/static/vendor/leaflet/leaflet.js")
    assert "javascript" in resp.headers["Content-Type"]


def test_click_marker_read_quote_then_narrow_dates(page):
    from playwright.sync_api import expect

    from .e2e_fixtures import (
        click_place,
        map_frame,
        map_ready,
        one_map,
        places_on_map,
        reveal_place,
    )

    pg, url, outside, bad = page
    wait_idle(pg)
    # The offline base map loaded and places are drawn (as markers or in cluster badges),
    # with no request leaving the machine.
    map_ready(pg)
    frame = map_frame(pg)
    assert places_on_map(pg) > 100

    # Mouse-click the Mariupol marker (through the clusters holding it, at each one's centre)
    # and find a quote about Mariupol in the side panel.
    click_place(pg, "gn:701822")
    wait_idle(pg)
    expect(pg.locator("h3.cm-place")).to_have_text("Mariupol, UA", timeout=30_000)
    quotes = pg.locator(".cm-quote mark", has_text="Mariupol")
    expect(quotes.first).to_be_visible(timeout=30_000)
    expect(pg.locator(".cm-passage")).to_have_count(20)  # the first page, newest first

    # Another marker switches the panel: back to the whole selection, then down to Kyiv.
    one_map(pg)  # the rerun has finished replacing the map
    frame.get_by_role("button", name="Fit to selection").click()
    # The selected place stays drawn on its own at the wide view, not folded into a badge.
    expect(frame.locator("path[data-place='gn:701822']")).to_have_count(1)
    point = reveal_place(pg, "gn:703448")
    pg.mouse.move(*point)  # hovering shows the name and the counts
    expect(frame.locator(".leaflet-tooltip")).to_contain_text(
        re.compile(r"Kyiv \(UA\) · city · \d+ mentions in \d+ articles"), timeout=30_000
    )
    pg.mouse.click(*point)
    wait_idle(pg)
    expect(pg.locator("h3.cm-place")).to_have_text("Kyiv, UA", timeout=30_000)

    # Narrow the date range: fewer places, fewer passages, all within the range.
    places_line = pg.get_by_text(re.compile(r"^[\d,]+ places$"))
    places_before = places_line.inner_text()
    meta = pg.locator("h3.cm-place + .cm-meta")

    def passages_total() -> int:
        return int(re.search(r"([\d,]+) passages?", meta.inner_text()).group(1).replace(",", ""))

    before = passages_total()
    set_date_range(pg, date(2022, 3, 1), date(2022, 3, 7))
    wait_idle(pg)
    expect(places_line).not_to_have_text(places_before, timeout=30_000)
    after = passages_total()
    assert 0 < after < before
    assert 0 < pg.locator(".cm-quote").count() <= min(after, 20)
    assert "from=2022-03-01" in pg.url
    assert not outside, f"requests left the machine: {outside[:5]}"
    assert not bad, bad


@pytest.fixture
def beacon():
    """A local server that counts every request: anything the page fetches from it is a leak."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    hits: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            hits.append(self.path)
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args) -> None:
            pass

    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{srv.server_address[1]}", hits
    srv.shutdown()


@pytest.fixture
def hostile(app_db, geoparser, beacon, tmp_path):
    """Script, HTML and Markdown payloads and bare links in every field of stored articles, a
    failure and a user's correction."""
    import json

    from geo.models import Correction
    from geo.pipeline import ingest
    from geo.store import Store

    b, _ = beacon
    records = [
        {
            "id": "hostile-1",
            "title": f"{BARE_LINKS} <script>fetch('{b}/title-script')</script><img "
            f"src='{b}/title-img' onerror=alert(1)> ${{alert(2)}} `tick` in Kyiv\n\n"
            f"![x]({b}/title-md.png)",
            "source": f"{BARE_LINKS} <img src={b}/source-img onerror=alert(3)>\n\n"
            f"[live]({b}/source-link) $a$",
            "url": "javascript:alert(4)",
            "published": "2022-04-03",
            "text": f"Shelling hit Kyiv today. <script>alert(5)</script> ${{fetch('{b}/tpl')}} "
            f"`x` <img src={b}/text-img onerror=alert(6)>\n\n![b]({b}/text-md.png) Kyiv again "
            f"{BARE_LINKS} {b}/text-bare",
        },
        {
            "id": "hostile-2",
            "title": "Quoted link in Kyiv",
            "source": "Wire",
            "url": f'{b}/a" onmouseover="alert(7)',
            "published": "2022-04-03",
            "text": f"Kyiv was quiet. `${{fetch('{b}/tick')}}` and <svg onload=alert(8)>.",
        },
        {"id": f"<img src={b}/fail-img onerror=alert(9)>![f]({b}/fail-md.png)", "title": "x"},
    ]
    path = tmp_path / "hostile.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in records))
    store = Store(app_db)
    report = ingest([path], store, geoparser)
    # A user's reason in the sidebar's corrections list, next to the source it applies to.
    store.add_correction(
        Correction("place", "source", "Kyiv", store.place("gn:703448"), "hostile-1",
                   records[0]["source"], note=f"why: {BARE_LINKS} [l]({b}/note-link)")
    )  # fmt: skip
    store.close()
    assert report.added == 2 and len(report.failed) == 1
    return b


# Bare addresses that GitHub-flavoured Markdown turns into links without any markup.
BARE_LINKS = "http://evil.example/bare www.evil.example tips@evil.example"


def shown(where) -> str:
    """The text of `where` as the reader sees it (without invisible word joiners)."""
    return where.inner_text().replace("\u2060", "")


def stray_links(where, beacon_url: str, allowed: tuple[str, ...] = ()) -> list[str]:
    """The links in `where` (a page, frame or locator) that point at a payload's address:
    anything but `allowed` (the article's own http(s) link) is text that became a link.
    """
    hrefs = where.locator("a[href]").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    payload = ("evil.example", beacon_url.split("//", 1)[1], "mailto:", "javascript:")
    return [h for h in hrefs if h not in allowed and any(p in h.lower() for p in payload)]


def test_hostile_text_runs_nothing_and_fetches_nothing(articles_dir, hostile, page, beacon, app_db):
    from playwright.sync_api import expect

    pg, url, outside, bad = page
    _, hits = beacon
    dialogs: list[str] = []
    pg.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    # Open a copied link to Kyiv on that day: the panel lists both hostile passages.
    pg.goto(f"{url}/?place=gn:703448&from=2022-04-03&to=2022-04-03")
    wait_idle(pg)
    expect(pg.get_by_role("heading", name="Kyiv")).to_be_visible(timeout=60_000)
    cards = pg.locator(".cm-passage")
    from datetime import date as _date

    from geo.store import Query as _Query
    from geo.store import Store as _Store

    day = _Query(start=_date(2022, 4, 3), end=_date(2022, 4, 3))
    on_day = [p.article.id for p in _Store(app_db).passages("gn:703448", day)]
    assert {"hostile-1", "hostile-2"} <= set(on_day)  # both hostile articles are listed
    expect(cards).to_have_count(len(on_day), timeout=30_000)
    expect(cards.first).to_contain_text("<script>fetch(")  # shown as text
    # The failure list names the bad record literally.
    pg.get_by_text("could not be read").click()
    expect(pg.locator(".cm-failures")).to_contain_text("![f](")
    # Hover the markers around Kyiv with the mouse: tooltips are plain text too.
    frame = pg.frame_locator('iframe[title="streamlit_folium.st_folium"]')
    kyiv = frame.locator("path[data-place='gn:703448']")
    expect(kyiv).to_be_attached(timeout=30_000)
    kyiv.scroll_into_view_if_needed()  # the open failure list pushes the map down
    box = kyiv.bounding_box()
    pg.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    expect(frame.locator(".leaflet-tooltip")).to_contain_text("Kyiv", timeout=30_000)
    assert frame.locator(".leaflet-tooltip img, .leaflet-tooltip script").count() == 0
    pg.wait_for_timeout(1500)  # give any injected script or image time to fire
    assert pg.locator(".cm-passage img, .cm-passage script, .cm-passage svg").count() == 0
    assert pg.locator("a[href^='javascript'], a[onmouseover]").count() == 0
    b = hostile
    own = (f'{b}/a" onmouseover="alert(7)',)  # hostile-2's own link: the one link allowed
    assert stray_links(frame, b) == []  # the tooltip
    assert stray_links(pg, b, own) == []  # the panel, the failure list, the tables
    # The corrections list in the sidebar: the user's reason and the source stay text.
    sidebar = pg.locator("[data-testid='stSidebar']")
    sidebar.get_by_text("Corrections (1 active)").click()
    expect(sidebar.get_by_text("why:", exact=False)).to_be_visible()
    assert "why: http://evil.example/bare" in shown(sidebar)
    assert stray_links(sidebar, b) == []
    # The correction dialog: the mention, the place, the reason and the scope options.
    pg.locator(".st-key-passages [class*='st-key-fix_hostile-1_'] button").first.click()
    dlg = pg.get_by_role("dialog")
    expect(dlg.get_by_text("in every article of", exact=False)).to_be_visible(timeout=30_000)
    assert "in every article of http://evil.example/bare www.evil.example" in shown(dlg)
    assert stray_links(dlg, b) == []
    pg.keyboard.press("Escape")
    expect(dlg).to_be_hidden()
    # An upload error quoting the file's name.
    pg.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(
        {"name": "www.evil.example tips@evil.example.txt", "mimeType": "text/plain", "buffer": b""}
    )
    wait_idle(pg)
    expect(sidebar.get_by_text("nothing could be read", exact=False).first).to_be_visible(
        timeout=60_000
    )
    assert stray_links(sidebar, b) == []
    # The article reader, then "Showing the places of one article: <title>".
    pg.locator(".st-key-passages [class*='st-key-read_hostile-1_'] button").first.click()
    expect(pg.locator(".cm-reader")).to_contain_text("tips@evil.example", timeout=30_000)
    assert stray_links(pg, b, own) == []
    pg.locator(".st-key-reader_only button").click()
    line = pg.get_by_text("Showing the places of one article", exact=False)
    expect(line).to_be_visible(timeout=30_000)
    wait_idle(pg)
    assert f"article: {BARE_LINKS}" in shown(line)
    assert stray_links(pg, b, own) == []
    assert pg.locator("img[src*='evil'], img[src*='127.0.0.1']").count() == 0
    assert not dialogs, dialogs
    assert not hits, f"the page fetched from the beacon: {hits}"
    assert not outside, outside


@pytest.fixture
def articles_dir(tmp_path, monkeypatch):
    """The app's articles folder, in tmp_path (set before the server starts)."""
    folder = tmp_path / "articles"
    folder.mkdir()
    monkeypatch.setenv("CONFLICT_MAP_ARTICLES", str(folder))
    return folder


def test_upload_keeps_good_files_and_explains_bad_ones(articles_dir, page, tmp_path):
    from playwright.sync_api import expect

    pg, url, outside, bad = page
    wait_idle(pg)
    uploader = pg.locator("[data-testid='stFileUploaderDropzoneInput']")
    pdf = tmp_path / "statement.pdf"
    pdf.write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n")
    uploader.set_input_files([str(DATA / "page.html"), str(DATA / "binary.txt"), str(pdf)])
    wait_idle(pg)
    sidebar = pg.locator("[data-testid='stSidebar']")
    expect(sidebar.get_by_text("binary.txt: binary file, not text")).to_be_visible(timeout=60_000)
    expect(
        sidebar.get_by_text(
            "statement.pdf: This PDF is not supported: save the article as text (.txt) or as a "
            "web page (.html)"
        )
    ).to_be_visible()
    # "already stored" when a rerun (the other files arriving) cut short the run that stored it.
    added = re.compile(r"page\.html: (1 added|already stored)")
    expect(sidebar.get_by_text(added)).to_be_visible(timeout=60_000)
    assert sorted(p.name for p in articles_dir.iterdir()) == ["page.html"]
    # The new article is on the map at once: its place is listed among the top places' data.
    pg.goto(f"{url}/?place=gn:706483&q=evacuation+buses+left")
    wait_idle(pg)
    expect(pg.locator(".cm-quote mark", has_text="Kharkiv").first).to_be_visible(timeout=30_000)
    assert not outside, outside


def test_upload_an_export_with_its_column_names(articles_dir, page):
    from playwright.sync_api import expect

    pg, url, outside, bad = page
    wait_idle(pg)
    box = pg.get_by_role("textbox", name="Columns of CSV/JSON exports")
    box.fill("id=story_id, title=headline, published=pub_date, url=link, source=outlet, "
             "text=story_text")  # fmt: skip
    box.press("Enter")
    wait_idle(pg)
    pg.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(
        str(DATA / "export_columns.csv")
    )
    wait_idle(pg)
    sidebar = pg.locator("[data-testid='stSidebar']")
    expect(sidebar.get_by_text(re.compile(r"export_columns\.csv: \d+ added"))).to_be_visible(
        timeout=60_000
    )
    assert (articles_dir / "export_columns.csv").exists()
    assert not outside, outside


@pytest.fixture
def new_article(articles_dir):
    """An article the sample does not hold, in the articles folder before the app starts:
    the app's first run imports it and says so in a toast."""
    (articles_dir / "shelling.txt").write_text(
        "# Shelling reported near Kharkiv\n\nMay 3, 2022\n\nShelling was reported near Kharkiv"
        " and Izium on Tuesday, officials in Kyiv said. Residents of Chuhuiv left for Poltava.\n",
        encoding="utf-8",
    )
    return articles_dir


def covered_by_toast(pg, toast: dict) -> list[str]:
    """What the toast's box covers on the page: the timeline's chart, a button, a field, the
    map, the title or the corpus line (the page's top strip holds none of them)."""
    return pg.evaluate(
        """(t) => {
            const sel = "[data-testid='stMain'] :is(button, input, iframe, h1, " +
                "[data-testid='stVegaLiteChart'], [data-testid='stCaptionContainer'])";
            const out = [];
            for (const el of document.querySelectorAll(sel)) {
                const r = el.getBoundingClientRect();
                if (!r.width || !r.height) continue;
                if (r.left < t.x + t.width && t.x < r.right &&
                    r.top < t.y + t.height && t.y < r.bottom) {
                    out.push(el.tagName + " " + (el.getAttribute("data-testid") ||
                        el.getAttribute("aria-label") || el.textContent.trim().slice(0, 30)));
                }
            }
            return out;
        }""",
        toast,
    )


def test_toasts_do_not_cover_the_timeline(new_article, page):
    """The import toast ("Articles: 1 added, …") and the find box's "No place …" toast lie in
    the page's empty top strip, clear of the timeline (chart, range buttons, Play) and of
    every other control, at 1400x900 and at 1024x700. They used to cover the timeline."""
    from playwright.sync_api import expect

    pg, url, outside, bad = page
    pg.set_viewport_size({"width": 1400, "height": 900})
    toast = pg.locator("[data-testid='stToast']").first
    expect(toast).to_contain_text("Articles: 1 added", timeout=120_000)
    box = toast.bounding_box()
    wait_idle(pg)
    expect(pg.get_by_role("button", name="Play")).to_be_visible(timeout=60_000)
    expect(pg.locator("[data-testid='stVegaLiteChart']").first).to_be_visible()
    assert box["y"] >= 0 and box["height"] >= 16, box
    assert covered_by_toast(pg, box) == []
    for width, height in ((1400, 900), (1024, 700)):
        pg.set_viewport_size({"width": width, "height": height})
        expect(toast).to_have_count(0, timeout=30_000)  # the previous one has gone
        wait_idle(pg)
        find = pg.get_by_role("textbox", name="Find a place")
        find.click()
        pg.keyboard.press("Control+A")
        pg.keyboard.type(f"Qwertyuiopville {width}")
        pg.keyboard.press("Enter")
        # A new text each time: the box reruns the app only when its text changes.
        expect(toast).to_contain_text("No place in the selection", timeout=30_000)
        box = toast.bounding_box()
        wait_idle(pg)
        assert box["y"] >= 0 and box["height"] >= 16, box
        assert covered_by_toast(pg, box) == [], (width, box)
    assert not outside, outside
