"""Poll feeds (or pages) on a schedule and ingest only the items not seen before.

The list of watched feeds, their last poll, items added, last error and the keys of the items
already seen live in the database, so a restarted watcher picks up where it stopped.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass

from geo.errors import ArticleError
from geo.models import Article, Failure

log = logging.getLogger(__name__)

_INTERVAL = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$", re.IGNORECASE)
_UNIT_S = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}
MIN_INTERVAL_S = 60.0  # feeds are polled politely: at most once a minute


def parse_interval(text: str) -> float:
    """Seconds in "15m", "30s", "2h", "1d" or a plain number of seconds.

    Raises ValueError for anything else or an interval under a minute.
    """
    m = _INTERVAL.match(text)
    if not m:
        raise ValueError(f"{text!r} is not an interval like 15m, 2h or 1d")
    seconds = float(m.group(1)) * _UNIT_S[m.group(2).lower()]
    if seconds < MIN_INTERVAL_S:
        raise ValueError(f"{text!r} is too often: poll at most once a minute")
    return seconds


@dataclass(frozen=True, slots=True)
class PollResult:
    """What one poll of one feed did."""

    url: str
    new: int  # items not seen before
    added: int  # articles stored (new or updated)
    failed: list[Failure]
    error: str = ""  # the feed itself could not be read

    def line(self) -> str:
        """One line for the CLI."""
        if self.error:
            return f"{self.url}: {self.error}"
        extra = f", {len(self.failed)} failed" if self.failed else ""
        return f"{self.url}: {self.new} new, {self.added} stored{extra}"


def poll(
    url: str,
    store,
    ingest_items: Callable[[list[Article], str], tuple[int, list[Failure]]],
    fetch: Callable[[str], list[Article | Failure]],
) -> PollResult:
    """Fetch `url` once, ingest its unseen items, record the poll in the store.

    `ingest_items(articles, origin)` stores articles and returns (stored, failures);
    `fetch(url)` returns a feed's entries (or a page's article) and raises ArticleError.
    """
    try:
        items = fetch(url)
    except ArticleError as err:
        store.record_poll(url, 0, str(err))
        return PollResult(url, 0, 0, [], str(err))
    articles = [i for i in items if isinstance(i, Article)]
    failures = [i for i in items if isinstance(i, Failure)]
    seen = store.seen(url, [a.id for a in articles])
    fresh = [a for a in articles if a.id not in seen]
    stored, more_failures = ingest_items(fresh, url) if fresh else (0, [])
    failed_ids = {f.source for f in more_failures}
    store.mark_seen(url, [a.id for a in fresh if a.id not in failed_ids])
    failures.extend(more_failures)
    # Unreadable entries are listed with the poll, not recorded as the feed's error: the feed
    # itself was read, and they come back at every poll until the publisher fixes them.
    store.record_poll(url, stored, "")
    return PollResult(url, len(fresh), stored, failures)


def watch(
    urls: list[str],
    store,
    ingest_items: Callable[[list[Article], str], tuple[int, list[Failure]]],
    fetch: Callable[[str], list[Article | Failure]],
    every_s: float,
    rounds: int | None = None,
    on_poll: Callable[[PollResult], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> int:
    """Poll every URL now and then every `every_s` seconds; `rounds` None runs until stopped.

    Returns the number of articles stored. Each URL is registered as watched in the store.
    """
    for url in urls:
        store.watch_feed(url, every_s)
    total = 0
    n = 0
    while rounds is None or n < rounds:
        started = time.monotonic()
        for url in urls:
            res = poll(url, store, ingest_items, fetch)
            total += res.added
            if on_poll:
                on_poll(res)
        n += 1
        if rounds is not None and n >= rounds:
            break
        sleep(max(0.0, every_s - (time.monotonic() - started)))
    return total
