"""Time from `streamlit run app.py` to markers on the map, cold (empty database) and warm.

usage: python bench/startup.py   (needs Debian's chromium; prints a table, then one JSON line)
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests import appserver  # noqa: E402


def time_to_map(db: Path) -> float:
    from playwright.sync_api import sync_playwright

    t0 = time.perf_counter()
    proc, url = appserver.start(db)
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path="/usr/bin/chromium",
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
            )
            page = browser.new_page()
            while True:
                try:
                    page.goto(url)
                    break
                except Exception:  # noqa: BLE001 - server not up yet
                    time.sleep(0.2)
            frame = page.frame_locator('iframe[title="streamlit_folium.st_folium"]')
            frame.locator("path[data-place]").first.wait_for(state="attached", timeout=600_000)
            elapsed = time.perf_counter() - t0
            browser.close()
    finally:
        proc.terminate()
        proc.wait()
    return elapsed


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "startup.sqlite"
        cold = time_to_map(db)
        warm = time_to_map(db)
    print(f"{'cold start (empty database)':32s} {cold:6.1f} s")
    print(f"{'warm start (database built)':32s} {warm:6.1f} s")
    print(json.dumps({"cold_start_s": round(cold, 1), "warm_start_s": round(warm, 1)}))


if __name__ == "__main__":
    main()
