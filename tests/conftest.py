"""Shared fixtures: a real SQLite file, the real spaCy model, a gazetteer built from data/."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import settings

from geo.gazetteer import Gazetteer, build_index
from geo.store import Store

# Property tests check answers, not speed (timing belongs in bench/): no per-example
# deadline, which a loaded machine would miss on a first, cold example.
settings.register_profile("conflict_map", deadline=None)
settings.load_profile("conflict_map")

# (done, total) as the session's gazetteer build reported them (see test_gazetteer).
BUILD_PROGRESS: list[tuple[int, int]] = []
DATA = Path(__file__).parent / "data"
SEED = DATA / "000_fa1a19d97a69d7e0.txt"


@pytest.fixture(scope="session")
def gazetteer(tmp_path_factory) -> Gazetteer:
    """The full index, built once per test run from the project's own data files."""
    path = tmp_path_factory.mktemp("gaz") / "gazetteer.sqlite"
    BUILD_PROGRESS.clear()
    build_index(path, on_progress=lambda done, total: BUILD_PROGRESS.append((done, total)))
    return Gazetteer(path, user_csv=[])  # the user's own places never change the tests


@pytest.fixture(scope="session")
def nlp():
    from geo.recognize import load_model

    return load_model()


@pytest.fixture(scope="session")
def geoparser(gazetteer, nlp):
    from geo.pipeline import Geoparser

    return Geoparser(gazetteer=gazetteer, nlp=nlp)


@pytest.fixture
def tmp_store(tmp_path) -> Store:
    store = Store(tmp_path / "test.sqlite")
    yield store
    store.close()


@pytest.fixture(scope="session")
def sample_db(tmp_path_factory, gazetteer) -> Path:
    """A database holding the bundled sample, ingested the way the app does on first start."""
    from geo.pipeline import SAMPLE_DIR, Geoparser, ingest, load_precomputed

    path = tmp_path_factory.mktemp("sample") / "sample.sqlite"
    store = Store(path)
    ingest(
        [SAMPLE_DIR], store, lambda: Geoparser(gazetteer=gazetteer), precomputed=load_precomputed()
    )
    store.close()
    return path


@pytest.fixture
def app_db(sample_db, tmp_path, monkeypatch, gazetteer) -> Path:
    """A private copy of the sample database, wired to the app through the environment."""
    import shutil

    path = tmp_path / "app.sqlite"
    shutil.copy(sample_db, path)
    monkeypatch.setenv("CONFLICT_MAP_DB", str(path))
    monkeypatch.setenv("CONFLICT_MAP_GAZETTEER", str(gazetteer.path))
    return path


@pytest.fixture(scope="session")
def pg_server():
    """One throwaway PostgreSQL + PostGIS server (tests/pgserver.py) for the whole run.

    Skipped when PostgreSQL or PostGIS is not installed; in CI (`CI` set) that is a failure.
    """
    import os

    from .pgserver import PostgresServer, available

    reason = available()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL tests cannot run in CI: {reason}", pytrace=False)
        pytest.skip(reason)
    with PostgresServer() as server:
        yield server


@pytest.fixture
def pg_url(pg_server) -> str:
    """A fresh database with PostGIS for this test only; dropped afterwards."""
    from urllib.parse import unquote, urlsplit

    url = pg_server.new_database()
    yield url
    pg_server.drop_database(unquote(urlsplit(url).path.lstrip("/")))


@pytest.fixture(scope="session")
def pg_sample_template(pg_server, sample_db) -> str:
    """A PostgreSQL database holding the bundled sample (copied once by geo migrate), to
    copy from: `pg_sample_url`."""
    from geo.migrate import migrate

    url = pg_server.new_database("cm_sample_template")
    source, target = Store(sample_db), Store(url)
    try:
        migrate(source, target)
    finally:
        source.close()
        target.close()
    return "cm_sample_template"


@pytest.fixture
def pg_sample_url(pg_server, pg_sample_template) -> str:
    """A fresh PostgreSQL database holding the bundled sample, for this test only."""
    from urllib.parse import unquote, urlsplit

    url = pg_server.new_database(template=pg_sample_template)
    yield url
    pg_server.drop_database(unquote(urlsplit(url).path.lstrip("/")))


@pytest.fixture(autouse=True)
def _own_user_places(monkeypatch, tmp_path_factory):
    """The user's own gazetteer folder is a fresh one per test: never the project's."""
    monkeypatch.setenv("CONFLICT_MAP_USER_PLACES", str(tmp_path_factory.mktemp("user_places")))


@pytest.fixture(autouse=True)
def _no_allowed_private_hosts(monkeypatch):
    """`geo ingest --allow-private` sets CONFLICT_MAP_ALLOW_PRIVATE for its process; a test
    that runs the CLI in-process must not leave it to the tests after it.
    """
    monkeypatch.setenv("CONFLICT_MAP_ALLOW_PRIVATE", "")  # records the variable's own state
    monkeypatch.delenv("CONFLICT_MAP_ALLOW_PRIVATE")


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the groups
def pytest_collection_modifyitems(config, items):
    """With pytest-xdist (`-n 2 --dist loadgroup`, see pyproject.toml) the browser tests run
    one after another on one worker while the other worker runs the rest: two Chromiums and
    two app servers at once all along would make the timing of both flaky on 2 cores.
    """
    for item in items:
        if item.module.__name__.rsplit(".", 1)[-1].startswith("test_e2e"):
            # Three long browser tests go to the other worker, which ends its own tests
            # about as much earlier: the two finish together (measured with
            # `pytest -v --durations=0`: the browser group held 995 s of 1,794).
            alone = item.name in (
                "test_every_named_sample_error_can_be_fixed",
                "test_three_languages_on_one_marker_and_cyrillic_in_the_find_box",
                "test_top_places_open_with_a_mouse_click_at_their_centre",
            )
            item.add_marker(pytest.mark.xdist_group("browser-long" if alone else "browser"))
