"""A real `python -m geo ingest`, killed with SIGKILL mid-run, leaves a sound database."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from geo.store import Store

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "sample"
N_RECORDS = 240
MAX_CHARS = 1500


def make_corpus(path: Path) -> int:
    """Sample records under new ids with shortened, slightly changed texts; returns how many.

    The changed texts keep the shipped precomputed results from applying: spaCy really runs.
    """
    sources = [
        [json.loads(line) for line in (SAMPLE / name).read_text("utf-8").splitlines() if line]
        for name in ("kremlin_ru.jsonl", "president_gov_ua.jsonl", "wikinews_gum.jsonl")
    ]
    kremlin, president, wikinews = sources
    both = [r for pair in zip(kremlin, president, strict=False) for r in pair]
    records = (wikinews + both)[:N_RECORDS]
    with path.open("w", encoding="utf-8") as fh:
        for i, rec in enumerate(records):
            text = (
                rec["text"][:MAX_CHARS].rsplit("\n", 1)[0]
                if len(rec["text"]) > MAX_CHARS
                else rec["text"]
            )
            rec = {**rec, "id": f"crash-{i}", "text": f"{text}\n\n(Edition {i}.)"}
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    return len(records)


def ingest_cmd(corpus: Path, db: Path) -> list[str]:
    return [sys.executable, "-m", "geo", "ingest", str(corpus), "--db", str(db)]


def run_ingest(corpus: Path, db: Path, env: dict[str, str]) -> str:
    done = subprocess.run(
        ingest_cmd(corpus, db), cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def stored_articles(db: Path) -> int:
    """Articles committed so far, read without writing (0 while the file is being created)."""
    if not db.exists():
        return 0
    try:
        con = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True, timeout=5)
        try:
            return con.execute("SELECT COUNT(*) FROM article").fetchone()[0]
        finally:
            con.close()
    except sqlite3.OperationalError:  # no table yet
        return 0


def snapshot(store: Store) -> dict[str, tuple]:
    """Every stored article with its full mention set."""
    ids = [r[0] for r in store.con().execute("SELECT id FROM article")]
    return {aid: (store.article(aid), tuple(store.mentions_of(aid))) for aid in ids}


def test_sigkill_mid_ingest_keeps_the_database_sound(tmp_path, gazetteer):
    corpus = tmp_path / "corpus.jsonl"
    total = make_corpus(corpus)
    env = {**os.environ, "CONFLICT_MAP_GAZETTEER": str(gazetteer.path)}
    env.pop("CONFLICT_MAP_DB", None)

    reference = tmp_path / "reference.sqlite"
    run_ingest(corpus, reference, env)
    expected = snapshot(Store(reference))
    assert len(expected) == total

    db = tmp_path / "crashed.sqlite"
    # A session of its own, so that the kill reaches the ingest's worker processes too.
    proc = subprocess.Popen(
        ingest_cmd(corpus, db),
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 300
        while stored_articles(db) < 20:
            assert proc.poll() is None, "ingest ended before it could be killed"
            assert time.monotonic() < deadline, "ingest stored nothing"
            time.sleep(0.05)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    assert proc.returncode == -signal.SIGKILL

    con = sqlite3.connect(db)
    assert con.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    assert con.execute("PRAGMA foreign_key_check").fetchall() == []
    con.close()
    store = Store(db)
    partial = snapshot(store)
    assert 20 <= len(partial) < total
    for aid, stored in partial.items():
        assert stored == expected[aid], aid  # no article stored with part of its mentions
    store.close()

    run_ingest(corpus, db, env)  # the next run completes the rest
    store = Store(db)
    assert snapshot(store) == expected
    before = (store.revision(), store.counts())
    store.close()

    run_ingest(corpus, db, env)  # and the one after adds nothing
    store = Store(db)
    assert (store.revision(), store.counts()) == before
    assert store.con().execute("PRAGMA integrity_check").fetchall() == [("ok",)]


def _children(pid: int) -> list[int]:
    """Live (not zombie) processes whose parent is `pid`."""
    out = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        state, ppid = stat.rsplit(")", 1)[1].split()[:2]
        if int(ppid) == pid and state != "Z":
            out.append(int(entry.name))
    return out


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def test_workers_die_with_a_killed_ingest(tmp_path, gazetteer):
    if not Path("/proc").is_dir():
        pytest.skip("needs /proc")
    corpus = tmp_path / "corpus.jsonl"
    make_corpus(corpus)
    env = {**os.environ, "CONFLICT_MAP_GAZETTEER": str(gazetteer.path)}
    env.pop("CONFLICT_MAP_DB", None)
    proc = subprocess.Popen(
        [*ingest_cmd(corpus, tmp_path / "db.sqlite"), "--workers", "2"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    workers: list[int] = []
    try:
        deadline = time.monotonic() + 120
        while len(workers) < 2:
            assert proc.poll() is None, "ingest ended before its workers started"
            assert time.monotonic() < deadline, "no workers started"
            time.sleep(0.1)
            workers = _children(proc.pid)
        time.sleep(1.0)  # the workers are loading the model
        proc.kill()  # the ingest alone, not its process group
        proc.wait()
        deadline = time.monotonic() + 10
        while any(_alive(w) for w in workers) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert [w for w in workers if _alive(w)] == []
    finally:
        proc.kill()
        for w in workers:
            if _alive(w):
                os.kill(w, signal.SIGKILL)
