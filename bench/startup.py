"""Time from `streamlit run app.py` to markers on the map, cold (empty database) and warm.

Also the CPU seconds the app's server process used until then: on a busy machine the wall
time mostly measures the other jobs, the CPU time does not.

usage: python bench/startup.py [--fresh-gazetteer]
       (needs Debian's chromium; prints a table, then one JSON line)

--fresh-gazetteer: start without a gazetteer index (as on a fresh clone), so the cold start
also builds it.
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


def server_cpu_s(pid: int) -> float:
    """User + system CPU seconds of the process and its children so far."""
    import psutil

    procs = [psutil.Process(pid)]
    procs += procs[0].children(recursive=True)
    total = 0.0
    for p in procs:
        try:
            t = p.cpu_times()
        except psutil.Error:
            continue
        total += t.user + t.system
    return total


def time_to_map(db: Path) -> tuple[float, float]:
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
            cpu = server_cpu_s(proc.pid)
            browser.close()
    finally:
        proc.terminate()
        proc.wait()
    return elapsed, cpu


def main() -> None:
    import os

    fresh = "--fresh-gazetteer" in sys.argv[1:]
    with tempfile.TemporaryDirectory() as tmp:
        if fresh:
            os.environ["CONFLICT_MAP_GAZETTEER"] = str(Path(tmp) / "gazetteer.sqlite")
        db = Path(tmp) / "startup.sqlite"
        cold, cold_cpu = time_to_map(db)
        warm, warm_cpu = time_to_map(db)
    load = os.getloadavg()[0]
    print(f"{'':32s} {'wall':>7s} {'server CPU':>11s}")
    first = "cold start (no database, no index)" if fresh else "cold start (empty database)"
    print(f"{first:32s} {cold:6.1f}s {cold_cpu:10.1f}s")
    print(f"{'warm start (database built)':32s} {warm:6.1f}s {warm_cpu:10.1f}s")
    print(f"load average at the end: {load:.1f} (2 cores: above 2, the wall times wait on others)")
    print(
        json.dumps(
            {"cold_start_s": round(cold, 1), "warm_start_s": round(warm, 1),
             "cold_server_cpu_s": round(cold_cpu, 1), "warm_server_cpu_s": round(warm_cpu, 1),
             "load_avg": round(load, 1), "fresh_gazetteer": fresh}
        )
    )  # fmt: skip


if __name__ == "__main__":
    main()
