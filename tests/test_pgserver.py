"""The throwaway PostgreSQL + PostGIS server the storage tests run against (tests/pgserver.py)."""

from __future__ import annotations

import os
import pwd
import socket
import time
from pathlib import Path

import pytest

from .pgserver import PostgresServer, PostgresStartError, available

if os.environ.get("CI"):
    import psycopg  # CI must run these tests: a missing psycopg is an error, not a skip
else:
    psycopg = pytest.importorskip("psycopg")

_dbs_seen: list[str] = []  # databases handed out by pg_url, across the parametrized runs


def _need_server() -> None:
    """Skip (fail in CI) like the pg_server fixture, for tests that start their own server."""
    reason = available()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL tests cannot run in CI: {reason}", pytrace=False)
        pytest.skip(reason)


def _uid_of(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("Uid:"):
            return int(line.split()[2])  # real, effective, saved, fs: the effective one
    raise AssertionError(f"no Uid line for pid {pid}")


def test_server_answers(pg_server):
    with psycopg.connect(pg_server.url) as conn:
        user, version, listen = conn.execute(
            "SELECT current_user, current_setting('server_version_num')::int,"
            " current_setting('listen_addresses')"
        ).fetchone()
    assert user == "conflict_map"
    assert version >= 150000
    assert listen == "127.0.0.1"


def test_throwaway_settings(pg_server):
    with psycopg.connect(pg_server.url) as conn:
        rows = dict(
            conn.execute(
                "SELECT name, setting FROM pg_settings WHERE name IN ('fsync',"
                " 'synchronous_commit', 'full_page_writes', 'max_connections', 'server_encoding')"
            ).fetchall()
        )
    assert rows == {
        "fsync": "off",
        "synchronous_commit": "off",
        "full_page_writes": "off",
        "max_connections": "100",
        "server_encoding": "UTF8",
    }


def test_postgis_distance_kyiv_kharkiv(pg_url):
    with psycopg.connect(pg_url) as conn:
        metres = conn.execute(
            "SELECT ST_Distance(ST_SetSRID(ST_MakePoint(%s, %s), 4326)::geography,"
            " ST_SetSRID(ST_MakePoint(%s, %s), 4326)::geography)",
            (30.52, 50.45, 36.23, 49.99),  # (lon, lat): Kyiv, Kharkiv
        ).fetchone()[0]
    assert 405_000 < metres < 415_000


@pytest.mark.parametrize("run", [1, 2])
def test_each_test_gets_a_fresh_database(pg_server, pg_url, run):
    name = pg_url.rsplit("/", 1)[1]
    with psycopg.connect(pg_url) as conn:
        # Fails if another run's table is still here: the database must be new.
        conn.execute("CREATE TABLE marker (run int)")
        conn.execute("INSERT INTO marker VALUES (%s)", (run,))
        assert conn.execute("SELECT array_agg(run) FROM marker").fetchone()[0] == [run]
    with psycopg.connect(pg_server.url) as conn:
        existing = {r[0] for r in conn.execute("SELECT datname FROM pg_database").fetchall()}
    assert name in existing
    assert not existing & set(_dbs_seen), "an earlier test's database was not dropped"
    _dbs_seen.append(name)


def test_two_databases_are_isolated(pg_server, pg_url):
    other = pg_server.new_database()
    try:
        with psycopg.connect(pg_url) as a, psycopg.connect(other) as b:
            a.execute("CREATE TABLE places (name text)")
            a.execute("INSERT INTO places VALUES ('Kyiv')")
            a.commit()
            b.execute("CREATE TABLE places (name text)")  # same name, no clash
            b.commit()
            assert a.execute("SELECT count(*) FROM places").fetchone()[0] == 1
            assert b.execute("SELECT count(*) FROM places").fetchone()[0] == 0
            assert b.execute("SELECT postgis_lib_version()").fetchone()[0].startswith("3.")
    finally:
        pg_server.drop_database(other.rsplit("/", 1)[1])


def test_server_does_not_run_as_root(pg_server):
    with psycopg.connect(pg_server.url) as conn:
        data_dir, backend = conn.execute(
            "SELECT current_setting('data_directory'), pg_backend_pid()"
        ).fetchone()
        backend_uid = _uid_of(backend)  # while connected: the backend ends with the connection
    postmaster = int((Path(data_dir) / "postmaster.pid").read_text().split()[0])
    expected = pwd.getpwnam(pg_server.user).pw_uid
    assert expected != 0 and pg_server.user != "root"
    assert Path(data_dir).stat().st_uid == expected
    assert backend_uid == expected
    assert _uid_of(postmaster) == expected
    if os.geteuid() != 0:
        assert expected == os.geteuid()  # not root: the server runs as us, no switching


def test_start_and_stop_leave_nothing_behind():
    _need_server()
    started = time.perf_counter()
    server = PostgresServer().start()
    start_s = time.perf_counter() - started
    try:
        times = []
        for _ in range(5):
            started = time.perf_counter()
            url = server.new_database()
            times.append(time.perf_counter() - started)
        with psycopg.connect(url) as conn:
            assert conn.execute("SELECT 1").fetchone() == (1,)
        port, directory = server.port, server.dir
        assert directory.is_dir()
    finally:
        server.stop()
    print(
        f"\nPostgreSQL start (initdb, pg_ctl start, PostGIS template): {start_s:.2f} s;"
        f" new_database: {min(times) * 1000:.0f}-{max(times) * 1000:.0f} ms"
        f" (first {times[0] * 1000:.0f} ms)"
    )
    assert not directory.exists()
    with pytest.raises(ConnectionRefusedError), socket.socket() as s:
        s.settimeout(5)
        s.connect(("127.0.0.1", port))
    server.stop()  # a second stop (e.g. the atexit one) is harmless


def test_failed_start_reports_the_server_log():
    _need_server()
    server = PostgresServer(settings={"shared_buffers": "'lots'"})
    with pytest.raises(PostgresStartError) as err:
        server.start()
    assert "tail of" in str(err.value)
    assert "shared_buffers" in str(err.value)  # the log line that says what was wrong
    assert server.dir is None


def test_available_here():
    # This machine and CI install postgresql-15 and postgresql-15-postgis-3 (.ci/run).
    if os.environ.get("CI"):
        assert available() is None
    elif available() is not None:
        pytest.skip(available())
