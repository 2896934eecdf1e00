"""Take the README's screenshots from the real app, so that they stay true.

Builds a database from the bundled sample in a temporary folder, starts the dashboard with
`streamlit run`, drives it in headless Chromium the way a user does (typing a place name,
clicking "Correct…", "Read article", the tables' and the review list's tabs), and writes PNG files to
docs/screenshots/: at 1400x900 and, for the landing page and a found place, at 1024x700
(`*-1024.png`). Run from the project root:

    python scripts/screenshots.py [--chromium /usr/bin/chromium]
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from geo.pipeline import SAMPLE_DIR, Geoparser, ingest, load_precomputed  # noqa: E402
from geo.store import Store  # noqa: E402
from tests import appserver  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
VIEWPORT = {"width": 1400, "height": 900}
SMALL = {"width": 1024, "height": 700}


def idle(pg) -> None:
    pg.wait_for_timeout(500)
    pg.locator("[data-testid='stApp'][data-test-script-state='notRunning']").wait_for(
        timeout=120_000
    )
    # The map's outlines and its first marker or badge are drawn.
    frame = pg.frame_locator('iframe[title="streamlit_folium.st_folium"]')
    frame.locator("#map_div[data-basemap='loaded']").wait_for(state="attached", timeout=120_000)
    frame.locator("path[data-place], [data-places]").first.wait_for(
        state="attached", timeout=120_000
    )
    pg.wait_for_timeout(1200)  # map tiles, clusters and charts settle


def find(pg, name: str) -> None:
    """Type a name into the find box and press Enter, as a user does."""
    pg.get_by_role("textbox", name="Find a place").click()
    pg.keyboard.type(name)
    pg.keyboard.press("Enter")
    idle(pg)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--chromium", default="/usr/bin/chromium")
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "sample.sqlite"
        store = Store(db)
        ingest([SAMPLE_DIR], store, Geoparser, precomputed=load_precomputed())
        store.close()
        log = (Path(tmp) / "streamlit.log").open("w")
        proc, url = appserver.start(db, log)
        try:
            if not appserver.wait_healthy(url):
                print((Path(tmp) / "streamlit.log").read_text(), file=sys.stderr)
                return 1
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=args.chromium, args=["--no-sandbox"])
                pg = browser.new_page(viewport=VIEWPORT)
                pg.goto(url)
                idle(pg)
                pg.screenshot(path=str(OUT / "landing.png"))
                # Find a place by name: the panel shows its passages.
                find(pg, "Mariupol")
                pg.screenshot(path=str(OUT / "place.png"))
                # Correcting a passage.
                pg.get_by_role("button", name="Correct…").first.click()
                idle(pg)
                pg.screenshot(path=str(OUT / "correct.png"))
                pg.keyboard.press("Escape")
                idle(pg)
                # The article reader.
                pg.get_by_role("button", name="Read article").first.click()
                idle(pg)
                pg.screenshot(path=str(OUT / "reader.png"))
                # The tables under the map.
                pg.get_by_role("tab", name="Places table").click()
                idle(pg)
                pg.get_by_role("tab", name="Places table").scroll_into_view_if_needed()
                pg.mouse.wheel(0, 250)
                pg.wait_for_timeout(600)
                pg.screenshot(path=str(OUT / "tables.png"))
                # The review list: the doubtful places, to confirm or move.
                pg.get_by_role("tab", name=re.compile(r"^Review \(")).click()
                idle(pg)
                pg.get_by_role("tab", name=re.compile(r"^Review \(")).scroll_into_view_if_needed()
                pg.mouse.wheel(0, 250)
                pg.wait_for_timeout(600)
                pg.screenshot(path=str(OUT / "review.png"))
                # A smaller window: the map still fills it, the panel beside it.
                small = browser.new_page(viewport=SMALL)
                small.goto(url)
                idle(small)
                small.screenshot(path=str(OUT / "landing-1024.png"))
                find(small, "Kharkov")  # an old spelling finds Kharkiv
                small.screenshot(path=str(OUT / "place-1024.png"))
                small.get_by_role("tab", name=re.compile(r"^Review \(")).click()
                idle(small)
                small.get_by_role(
                    "tab", name=re.compile(r"^Review \(")
                ).scroll_into_view_if_needed()
                small.wait_for_timeout(600)
                small.screenshot(path=str(OUT / "review-1024.png"))
                browser.close()
        finally:
            proc.terminate()
            proc.wait(timeout=20)
            log.close()
    for p in sorted(OUT.glob("*.png")):
        print(f"{p.relative_to(ROOT)}: {p.stat().st_size:,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
