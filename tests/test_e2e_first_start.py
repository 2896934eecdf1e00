"""A first start without a gazetteer index, as on a fresh clone: the map is drawn from the
sample's shipped results, and the index the Review tab needs is built in a process of its own
a moment later; the tab fills in when it is ready."""

from __future__ import annotations

import fcntl
import re
import shutil
from pathlib import Path

import pytest

from .e2e_fixtures import map_ready
from .test_e2e import page, server, wait_idle  # noqa: F401 (fixtures)

pytestmark = pytest.mark.slow


@pytest.fixture
def build_lock(tmp_path):
    """The lock of the index's builds, held by the test until it lets the build go: however
    slow the machine, the page is seen before the index exists."""
    folder = tmp_path / "index"
    folder.mkdir()
    with open(folder / "gazetteer.sqlite.lock", "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        yield fh
        fcntl.flock(fh, fcntl.LOCK_UN)


@pytest.fixture
def app_db(sample_db, tmp_path, monkeypatch, build_lock) -> Path:
    """The sample database, and a gazetteer index path where no index exists yet."""
    path = tmp_path / "app.sqlite"
    shutil.copy(sample_db, path)
    monkeypatch.setenv("CONFLICT_MAP_DB", str(path))
    monkeypatch.setenv("CONFLICT_MAP_GAZETTEER", str(tmp_path / "index" / "gazetteer.sqlite"))
    return path


def test_map_first_then_the_index_for_the_review(page, server, tmp_path, build_lock):  # noqa: F811
    from playwright.sync_api import expect

    pg, *_ = page
    index = tmp_path / "index" / "gazetteer.sqlite"
    map_ready(pg)  # drawn while no index exists (its build waits for the lock)
    assert not index.exists()
    # Until the index is ready the tab has no count and says why.
    tab = pg.get_by_role("tab", name=re.compile(r"^Review"))
    expect(tab).to_have_text("Review")
    tab.click()
    expect(pg.get_by_text(re.compile(r"^Building the gazetteer index \(once"))).to_be_visible()
    fcntl.flock(build_lock, fcntl.LOCK_UN)  # let the build go
    # Built a moment later, without a click: the page reruns and the list appears in the
    # tab the user has open.
    counted = pg.get_by_role("tab", name=re.compile(r"^Review \(\d+"))
    expect(counted).to_be_visible(timeout=120_000)
    assert index.exists() and not index.with_suffix(".building").exists()
    wait_idle(pg)
    expect(counted).to_have_attribute("aria-selected", "true")
    expect(pg.locator("[class*='st-key-review_row_']:visible strong").first).to_be_visible(
        timeout=30_000
    )
