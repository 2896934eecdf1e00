"""Watched feeds: how often each is polled, how the last poll went, the items already seen."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from geo.errors import StoreError
from geo.store.common import _now


@dataclass(frozen=True, slots=True)
class FeedState:
    """A watched feed: how often to poll it and how the last poll went."""

    url: str
    every_s: float
    last_poll: datetime | None  # UTC; None: never polled
    added: int  # articles added from this feed over all polls
    last_error: str | None  # None: the last poll went fine
    etag: str | None
    last_modified: str | None

    def due(self, now: datetime | None = None) -> bool:
        """True when the feed has never been polled or its interval has passed."""
        if self.last_poll is None:
            return True
        return (now or datetime.now(UTC)) >= self.last_poll + timedelta(seconds=self.every_s)


class FeedsMixin:
    """Store's watched feeds."""

    def watch_feed(self, url: str, every_s: float) -> None:
        """Poll `url` every `every_s` seconds (>= 0); watching it again only changes the interval."""
        if not every_s >= 0:
            raise ValueError(f"poll interval must be 0 or more seconds, not {every_s}")
        with self.transaction() as con:
            con.execute(
                "INSERT INTO feed(url, every_s) VALUES (?,?)"
                " ON CONFLICT(url) DO UPDATE SET every_s=excluded.every_s",
                (url, float(every_s)),
            )

    def unwatch_feed(self, url: str) -> None:
        """Stop watching `url` and forget which of its items were seen."""
        with self.transaction() as con:
            con.execute("DELETE FROM feed_seen WHERE feed_url=?", (url,))
            con.execute("DELETE FROM feed WHERE url=?", (url,))

    def feeds(self) -> list[FeedState]:
        """Every watched feed, by URL."""
        rows = self.con().execute(
            "SELECT url, every_s, last_poll, added, last_error, etag, last_modified FROM feed"
            " ORDER BY url"
        )
        return [
            FeedState(u, s, datetime.fromisoformat(lp) if lp else None, n, e, et, lm)
            for u, s, lp, n, e, et, lm in rows
        ]

    def seen(self, feed_url: str, keys: Iterable[str]) -> set[str]:
        """Those of `keys` (item guids or URLs) already marked seen for this feed."""
        keys = list(dict.fromkeys(keys))
        out: set[str] = set()
        con = self.con()
        for i in range(0, len(keys), 500):  # below SQLite's limit on ? parameters
            chunk = keys[i : i + 500]
            rows = con.execute(
                "SELECT key FROM feed_seen WHERE feed_url=?"
                f" AND key IN ({','.join('?' * len(chunk))})",
                [feed_url, *chunk],
            )
            out.update(r[0] for r in rows)
        return out

    def mark_seen(self, feed_url: str, keys: Iterable[str]) -> None:
        """Remember these item keys of a feed, so that later polls skip them."""
        now = _now()
        with self.transaction() as con:
            con.executemany(
                "INSERT INTO feed_seen VALUES (?,?,?) ON CONFLICT DO NOTHING",
                [(feed_url, k, now) for k in dict.fromkeys(keys)],
            )

    def record_poll(
        self,
        url: str,
        added: int,
        error: str | None,
        etag: str | None = None,
        last_modified: str | None = None,
    ) -> None:
        """Note a poll of a watched feed now: `added` more articles; `error` None or "" if it went fine.

        `etag`/`last_modified` (the response's validators, for the next conditional request)
        replace the stored ones when given. Raises StoreError when the feed is not watched.
        """
        with self.transaction() as con:
            cur = con.execute(
                "UPDATE feed SET last_poll=?, added=added+?, last_error=?,"
                " etag=COALESCE(?, etag), last_modified=COALESCE(?, last_modified) WHERE url=?",
                (_now(), added, error or None, etag, last_modified, url),
            )
            if cur.rowcount == 0:
                raise StoreError(f"feed {url} is not watched")
