"""The Dask path (geo.cluster) on a real LocalCluster: same rows as the local path, a killed
worker, the CLI flags."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
from pathlib import Path

import pytest

from geo.articles import load_file
from geo.cluster import ParserSpec, geoparse_batch, ingest_on_cluster
from geo.errors import GeoError
from geo.models import Article
from geo.pipeline import SAMPLE_DIR, Geoparser, ingest
from geo.store import Query, Store

from .conftest import DATA, SEED

distributed = pytest.importorskip("distributed")

# Columns that hold the time of writing or an insertion-order row id: never equal across runs.
VOLATILE = {"added_at", "done_at", "at", "removed_at", "created_at"}
ROW_IDS = {"mention": "id", "failure": "id", "article": "seq", "event": "id"}  # insertion order


def _lines(name: str, rows: list[int] | range) -> list[str]:
    lines = (SAMPLE_DIR / name).read_text(encoding="utf-8").splitlines()
    return [lines[i] for i in rows]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """~55 sample articles that need real parsing, plus the awkward cases.

    Two articles with the same text under two ids (pgu-71837, pgu-72173: rows 103 and 160),
    one id twice with two texts (a new version), a Russian text (geoparsed like the others) and unreadable records.
    """
    d = tmp_path_factory.mktemp("corpus")
    (d / "kremlin.jsonl").write_text(
        "\n".join(_lines("kremlin_ru.jsonl", range(20))) + "\n", encoding="utf-8"
    )
    (d / "ua.jsonl").write_text(
        "\n".join(_lines("president_gov_ua.jsonl", [*range(14), 103, 160])) + "\n",
        encoding="utf-8",
    )
    (d / "gum.jsonl").write_text(
        "\n".join(_lines("wikinews_gum.jsonl", range(12))) + "\n", encoding="utf-8"
    )
    first = json.loads(_lines("kremlin_ru.jsonl", [40])[0])
    second = dict(first, text=first["text"] + "\n\nUpdated: the talks moved to Minsk.")
    (d / "versions.jsonl").write_text(
        "".join(json.dumps(dict(r, id="versioned")) + "\n" for r in (first, second)),
        encoding="utf-8",
    )
    for name in (SEED.name, "cp1251.txt", "records.jsonl", "empty.txt"):
        shutil.copy(DATA / name, d / name)
    return d


@pytest.fixture(scope="module")
def local_db(corpus, gazetteer, tmp_path_factory) -> tuple[Path, str]:
    """The corpus ingested by the local path in one process: what the cluster must match."""
    path = tmp_path_factory.mktemp("local") / "local.sqlite"
    store = Store(path)
    report = ingest([corpus], store, lambda: Geoparser(gazetteer=gazetteer), workers=1)
    store.close()
    return path, report.summary()


@pytest.fixture(scope="module")
def client(gazetteer):
    """Two worker processes of one thread each, as on this 2-core machine.

    Their default gazetteer is the test index, as `CONFLICT_MAP_GAZETTEER=... dask worker`
    sets it on a worker machine.
    """
    with _local_cluster({"CONFLICT_MAP_GAZETTEER": str(gazetteer.path)}) as cluster:
        with distributed.Client(cluster) as c:
            yield c


def _local_cluster(env: dict[str, str], attempts: int = 3):
    """A two-worker LocalCluster; a start whose worker process died before it connected is
    tried again (seen once on a loaded CI machine), with what the nanny logged as a warning.
    """
    import logging
    import warnings

    class Keep(logging.Handler):
        def __init__(self) -> None:
            super().__init__(logging.INFO)
            self.lines: list[str] = []

        def emit(self, record: logging.LogRecord) -> None:
            self.lines.append(record.getMessage())

    for attempt in range(1, attempts + 1):
        keep = Keep()
        nanny_log = logging.getLogger("distributed.nanny")
        nanny_log.addHandler(keep)
        try:
            return distributed.LocalCluster(
                n_workers=2,
                threads_per_worker=1,
                processes=True,
                dashboard_address=":0",
                env=env,
            )
        except RuntimeError as err:
            if attempt == attempts:
                raise
            said = "; ".join(line for line in keep.lines if "Worker process" in line)
            warnings.warn(f"LocalCluster start {attempt} failed: {err} ({said})", stacklevel=2)
        finally:
            nanny_log.removeHandler(keep)
    raise AssertionError("unreachable")


def dump(path: Path) -> dict[str, list[tuple]]:
    """Every table's rows, sorted, without timestamps and insertion-order row ids."""
    con = sqlite3.connect(path)
    out = {}
    tables = [
        r[0]
        for r in con.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
            " AND name NOT LIKE '%fts%' AND name != 'meta'"
        )
    ]
    for table in tables:
        cols = [
            r[1]
            for r in con.execute(f"PRAGMA table_info({table})")
            if r[1] not in VOLATILE
            and r[1] != ROW_IDS.get(table)
            # geo.events picks a trigger's word class (verb 0.85, noun 0.75) in the order of
            # a set of strings, which differs between processes (PYTHONHASHSEED)
            and (table, r[1]) != ("event", "confidence")
        ]
        quoted = ", ".join(f'"{c}"' for c in cols)
        rows = con.execute(f"SELECT {quoted} FROM {table}").fetchall()
        out[table] = sorted(rows, key=repr)
    con.close()
    return out


def assert_same_rows(a: Path, b: Path, articles: int = 50, mentions: int = 300) -> None:
    da, db = dump(a), dump(b)
    assert da.keys() == db.keys()
    for table in da:
        assert da[table] == db[table], f"table {table} differs"
    assert len(da["article"]) > articles and len(da["mention"]) > mentions
    assert da["event"], "no events stored"


def test_geoparse_batch_is_a_plain_function(gazetteer, geoparser):
    arts = [a for a in load_file(SEED) if isinstance(a, Article)]
    assert geoparse_batch(arts, ParserSpec(str(gazetteer.path))) == [geoparser.parse(arts[0])]


def test_cluster_stores_exactly_what_the_local_path_stores(
    corpus, local_db, client, gazetteer, tmp_path
):
    local_path, local_summary = local_db
    store = Store(tmp_path / "cluster.sqlite")
    progress = []
    # No precomputed results: every article is parsed on the workers.
    report = ingest_on_cluster(
        [corpus],
        store,
        client,
        on_progress=lambda d, t: progress.append((d, t)),
        gazetteer=gazetteer.path,
    )
    store.close()
    assert report.summary() == local_summary
    assert report.duplicates == 1 and report.updated == 1 and report.not_english == 0
    assert progress[-1][0] == progress[-1][1]
    assert_same_rows(local_path, tmp_path / "cluster.sqlite")

    store = Store(tmp_path / "cluster.sqlite")
    again = ingest_on_cluster([corpus], store, client, gazetteer=gazetteer.path)
    store.close()
    assert again.added == again.updated == 0
    # Every file read whole and stored is marked done; the one with bad records is not.
    assert again.files_unchanged == len(list(corpus.iterdir())) - 2  # records, empty


def test_a_killed_worker_changes_nothing(corpus, local_db, client, gazetteer, tmp_path):
    before = client.run(os.getpid)
    killed: list[int] = []

    def kill_once(done: int, total: int) -> None:
        # Some results are in and stored, others are still being parsed: kill a worker.
        if not killed and done >= 8:
            pid = before[sorted(before)[0]]
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)

    store = Store(tmp_path / "killed.sqlite")
    report = ingest_on_cluster(
        [corpus],
        store,
        client,
        on_progress=kill_once,
        gazetteer=gazetteer.path,
        batch=4,  # many small batches: the killed worker holds some of them
    )
    store.close()
    assert killed
    assert report.summary() == local_db[1]
    assert_same_rows(local_db[0], tmp_path / "killed.sqlite")
    client.wait_for_workers(2, timeout=60)  # its nanny started a new one
    assert killed[0] not in client.run(os.getpid).values()


def test_online_geocoder_answers_in_the_ingesting_process_only(
    client, gazetteer, tmp_path, monkeypatch
):
    """With an online geocoder the workers only recognise; this process resolves, as locally."""
    from . import test_online

    monkeypatch.setattr(test_online, "KNOWN", {"Zzyzxgrad"})  # the service knows it
    service = test_online.FakeService()
    monkeypatch.setenv("CONFLICT_MAP_ONLINE", "nominatim")
    monkeypatch.setenv("CONFLICT_MAP_ONLINE_DOMAIN", service.domain)
    monkeypatch.setenv("CONFLICT_MAP_ONLINE_SCHEME", "http")
    corpus = tmp_path / "news.jsonl"
    texts = [
        "Shelling hit the village of Zzyzxgrad near Kyiv on Monday, residents said.",
        "Power returned to the village of Zzyzxgrad and to Kharkiv on Tuesday.",
        "Talks in Istanbul ended without agreement, officials in Kyiv said.",
    ]
    corpus.write_text(
        "".join(json.dumps({"id": f"n{i}", "text": t}) + "\n" for i, t in enumerate(texts)),
        encoding="utf-8",
    )
    asked = {}
    try:
        for name in ("local", "cluster"):
            monkeypatch.setenv("CONFLICT_MAP_GEOCODE_CACHE", str(tmp_path / f"{name}.cache"))
            before = len(service.requests)
            store = Store(tmp_path / f"{name}.sqlite")
            if name == "local":
                ingest([corpus], store, lambda: Geoparser(gazetteer=gazetteer), workers=1)
            else:
                ingest_on_cluster([corpus], store, client, gazetteer=gazetteer.path)
            store.close()
            asked[name] = [q["q"][0] for _, q, _ in service.requests[before:]]
    finally:
        service.server.shutdown()
    assert asked["local"] == asked["cluster"] == ["Zzyzxgrad"]  # once: the answer is cached
    assert_same_rows(tmp_path / "local.sqlite", tmp_path / "cluster.sqlite", 2, 4)
    store = Store(tmp_path / "cluster.sqlite")
    zz = [m for m in store.mentions_of("n0") if m.text == "Zzyzxgrad"]
    assert zz and zz[0].place is not None and zz[0].place.country_code == "UA"
    store.close()


def test_cli_cluster_flag(tmp_path, gazetteer, monkeypatch, capsys):
    from geo.__main__ import main

    monkeypatch.setenv("CONFLICT_MAP_GAZETTEER", str(gazetteer.path))
    db = tmp_path / "cli.sqlite"
    args = [str(SEED), str(DATA / "records.jsonl"), str(DATA / "empty.txt"), "--db", str(db)]
    assert main(["ingest", *args, "--cluster", "2"]) == 0
    out = capsys.readouterr().out
    assert "3 added, 0 updated, 0 unchanged, 3 failed" in out
    assert "  failed: empty.txt: file is empty" in out
    store = Store(db)
    assert {m.text for m in store.mentions_of("000_fa1a19d97a69d7e0")} >= {"Mariupol"}
    store.close()


def test_cli_scheduler_flag_uses_a_running_cluster(client, gazetteer, monkeypatch, tmp_path):
    from geo.__main__ import main

    monkeypatch.setenv("CONFLICT_MAP_GAZETTEER", str(gazetteer.path))
    db = tmp_path / "sched.sqlite"
    address = client.scheduler.address
    assert main(["ingest", str(SEED), "--db", str(db), "--scheduler", address]) == 0
    store = Store(db)
    assert store.counts()["articles"] == 1 and store.mentions_of("000_fa1a19d97a69d7e0")
    store.close()
    assert client.status == "running"  # the CLI's own client left the cluster as it was


def test_workers_with_another_gazetteer_are_refused(client, gazetteer):
    """Results from a machine with another index would differ: the batch fails instead."""
    other = ParserSpec(str(gazetteer.path), entries=1)
    with pytest.raises(GeoError, match="entries"):
        client.submit(geoparse_batch, [], other, pure=False).result()


def test_cli_cluster_flags_are_checked(capsys):
    from geo.__main__ import main

    assert main(["ingest", str(SEED), "--cluster", "2", "--workers", "2"]) == 2
    assert "--workers" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["ingest", str(SEED), "--cluster", "2", "--scheduler", "tcp://127.0.0.1:1"])


def test_cli_unreachable_scheduler_is_one_line(tmp_path, gazetteer, monkeypatch, capsys):
    from geo import cluster
    from geo.__main__ import main

    monkeypatch.setenv("CONFLICT_MAP_GAZETTEER", str(gazetteer.path))
    monkeypatch.setattr(cluster, "CONNECT_TIMEOUT_S", 2)
    db = str(tmp_path / "x.sqlite")
    assert main(["ingest", str(SEED), "--db", db, "--scheduler", "tcp://127.0.0.1:9"]) == 2
    assert "cannot reach the Dask scheduler at tcp://127.0.0.1:9" in capsys.readouterr().err


def test_cluster_into_postgres_stores_what_the_local_path_stores(
    corpus, local_db, client, gazetteer, pg_url
):
    """The Dask path writing to a PostgreSQL database gives what one process gives in SQLite."""
    local_path, local_summary = local_db
    store = Store(pg_url)
    report = ingest_on_cluster([corpus], store, client, gazetteer=gazetteer.path)
    assert report.summary() == local_summary
    local = Store(local_path)
    assert store.counts() == local.counts()
    assert store.place_counts(Query()) == local.place_counts(Query())
    ids = [r[0] for r in local.con().execute("SELECT id FROM article ORDER BY id")]
    assert ids == [r[0] for r in store.con().execute("SELECT id FROM article ORDER BY id")]
    for aid in ids:
        assert store.mentions_of(aid) == local.mentions_of(aid), aid
        assert store.article(aid) == local.article(aid)
