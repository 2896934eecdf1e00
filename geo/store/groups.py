"""Near-duplicate groups: an article's MinHash bands, and its place in the group of its
closest earlier near-duplicate (geo.dedup). How a group counts: see geo.store.queries.
"""

from __future__ import annotations

import sqlite3

from geo import dedup


def _join_group(con: sqlite3.Connection, aid: str, sig: bytes | None) -> str | None:
    """Store an article's signature and bands and put it into the group of its closest earlier
    near-duplicate; returns that group's first article, or None.
    """
    con.execute("DELETE FROM article_band WHERE article_id=?", (aid,))
    head = None
    if sig is not None:
        keys = dedup.band_keys(sig)
        rows = con.execute(
            "SELECT DISTINCT a.id, a.minhash, a.dup_of, a.rowid FROM article_band b"
            " JOIN article a ON a.id = b.article_id"
            f" WHERE b.key IN ({','.join('?' * len(keys))}) AND b.article_id != ?",
            [*keys, aid],
        ).fetchall()
        best: tuple[float, int] | None = None
        for cid, csig, cdup, rowid in rows:
            score = dedup.similarity(sig, csig)
            if score >= dedup.NEAR_DUP_THRESHOLD and (best is None or (-score, rowid) < best):
                best = (-score, rowid)
                head = cdup or cid
        con.executemany("INSERT INTO article_band VALUES (?,?)", [(k, aid) for k in keys])
    con.execute("UPDATE article SET minhash=?, dup_of=? WHERE id=?", (sig, head, aid))
    return head


def _leave_group(con: sqlite3.Connection, aid: str) -> None:
    """Take an article out of its group; if it was the group's first, the next one leads."""
    members = [
        r[0] for r in con.execute("SELECT id FROM article WHERE dup_of=? ORDER BY rowid", (aid,))
    ]
    if members:
        con.execute("UPDATE article SET dup_of=NULL WHERE id=?", (members[0],))
        con.execute("UPDATE article SET dup_of=? WHERE dup_of=?", (members[0], aid))
    con.execute("UPDATE article SET dup_of=NULL WHERE id=?", (aid,))
