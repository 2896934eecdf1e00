"""The real dashboard on a PostgreSQL + PostGIS database (a throwaway server, tests/pgserver.py):
two app instances, one analyst each, share it. Mouse clicks and typing only; what was stored is
read back from the database."""

from __future__ import annotations

import re
from contextlib import contextmanager
from pathlib import Path

import pytest

from geo.store import Query, Store

from . import appserver
from .e2e_fixtures import click_place
from .test_e2e import ARTIFACTS, page, wait_idle  # noqa: F401 (fixtures)
from .test_e2e_corrections import remove_source


@contextmanager
def app_on(db: str, log_path: Path):
    """The real app on `db` for the block; its log is printed afterwards (shown on failure)."""
    with log_path.open("w") as log:
        proc, url = appserver.start(db, log)
        try:
            if not appserver.wait_healthy(url):
                pytest.fail("streamlit did not start:\n" + log_path.read_text())
            yield url
        finally:
            proc.terminate()
            proc.wait(timeout=10)
    print(log_path.read_text()[-3000:])


@pytest.fixture
def server(pg_sample_url, tmp_path, monkeypatch, gazetteer):
    """The app on a PostgreSQL database holding the bundled sample (copied by geo migrate)."""
    pg_url = pg_sample_url
    monkeypatch.setenv("CONFLICT_MAP_GAZETTEER", str(gazetteer.path))
    with app_on(pg_url, tmp_path / "streamlit.log") as url:
        yield url, pg_url


def test_two_app_instances_share_one_postgres_database(page, server, tmp_path):  # noqa: F811
    from playwright.sync_api import expect

    pg, url, outside, bad = page
    _, db = server
    store = Store(db)
    wait_idle(pg)
    # Analyst A clicks Mariupol on the map and reads its passages, then walks to a place
    # nearby (PostGIS finds them) from the panel.
    click_place(pg, "gn:701822")
    wait_idle(pg)
    expect(pg.locator("h3.cm-place")).to_have_text("Mariupol, UA", timeout=30_000)
    expect(pg.locator(".cm-quote mark", has_text="Mariupol").first).to_be_visible(timeout=30_000)
    near = store.places_near("gn:701822", 50, Query(start=None, end=None))
    assert near, "the sample names places around Mariupol"
    pg.get_by_text(re.compile(r"^Nearby in the selection: \d+ places? within 50 km")).click()
    first = pg.get_by_role("button", name=re.compile(r" — \d+ km, \d+ mentions?$")).first
    name = first.inner_text().split(" — ")[0]
    first.click()
    wait_idle(pg)
    expect(pg.locator("h3.cm-place")).to_contain_text(name, timeout=30_000)
    ARTIFACTS.mkdir(exist_ok=True)
    pg.screenshot(path=str(ARTIFACTS / "postgres_nearby.png"))

    # Analyst B, in another app instance on the same database, removes the Wikinews source.
    with app_on(db, tmp_path / "second.log") as url_b:
        b = pg.context.browser.new_page(viewport={"width": 1500, "height": 1000})
        b.goto(url_b)
        wait_idle(b)
        articles = store.counts()["articles"]
        wiki = [s for s, _ in store.sources() if "Wikinews" in s]
        n_wiki = dict(store.sources())[wiki[0]]
        remove_source(b, wiki[0], "Wikinews")
        assert store.counts()["articles"] == articles - n_wiki
        b.close()

    # Analyst A's next look shows the corpus without them.
    pg.reload()
    wait_idle(pg)
    expect(
        pg.get_by_text(re.compile(rf"Whole corpus: {articles - n_wiki:,} articles"))
    ).to_be_visible(timeout=30_000)
    assert not outside, outside
    assert not bad, bad
