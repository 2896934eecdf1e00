"""Two real `python -m geo ingest` processes writing one database at once lose nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from geo.store import Store

from .test_crash import ROOT, make_corpus


def test_two_ingests_at_once_store_everything(tmp_path, gazetteer):
    whole = tmp_path / "whole.jsonl"
    make_corpus(whole)
    lines = whole.read_text("utf-8").splitlines()[:80]
    halves = []
    for n, part in enumerate((lines[0::2], lines[1::2])):
        path = tmp_path / f"part{n}.jsonl"
        path.write_text("\n".join(part) + "\n", "utf-8")
        halves.append(path)
    db = tmp_path / "shared.sqlite"
    env = {**os.environ, "CONFLICT_MAP_GAZETTEER": str(gazetteer.path)}
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "geo", "ingest", str(p), "--db", str(db), "--workers", "1"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for p in halves
    ]
    outs = [p.communicate(timeout=600) for p in procs]
    for p, (out, err) in zip(procs, outs, strict=True):
        assert p.returncode == 0, out + err
        assert "locked" not in out + err and "failed: " not in out
    store = Store(db)
    ids = {json.loads(line)["id"] for line in lines}
    stored = {r[0] for r in store.con().execute("SELECT id FROM article")}
    assert stored == ids
    assert store.con().execute("PRAGMA integrity_check").fetchone()[0] == "ok"
