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

from geo.articles import without_credentials
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
    The feed is known to the store (and the result) by its URL without user name and
    password: those are only used to fetch it.
    """
    key = without_credentials(url)
    try:
        items = fetch(url)
    except ArticleError as err:
        store.record_poll(key, 0, str(err))
        return PollResult(key, 0, 0, [], str(err))
    articles = [i for i in items if isinstance(i, Article)]
    failures = [i for i in items if isinstance(i, Failure)]
    seen = store.seen(key, [a.id for a in articles])
    fresh = [a for a in articles if a.id not in seen]
    stored, more_failures = ingest_items(fresh, key) if fresh else (0, [])
    failed_ids = {f.source for f in more_failures}
    store.mark_seen(key, [a.id for a in fresh if a.id not in failed_ids])
    failures.extend(more_failures)
    # Unreadable entries are listed with the poll, not recorded as the feed's error: the feed
    # itself was read, and they come back at every poll until the publisher fixes them.
    store.record_poll(key, stored, "")
    return PollResult(key, len(fresh), stored, failures)


def check_address(url: str) -> None:
    """Raise ArticleError unless `url` is an http(s) address with a host name."""
    from geo.fetch import is_web_address  # not at import time: geo.fetch loads ssl and http

    if not is_web_address(url):
        shown = without_credentials(url.strip())[:80]
        raise ArticleError(f"{shown}: only http and https addresses can be watched")


def add_feed(
    url: str,
    store,
    ingest_items: Callable[[list[Article], str], tuple[int, list[Failure]]],
    fetch: Callable[[str], list[Article | Failure]],
    every_s: float,
    refused: Callable[[str], str | None] | None = None,
) -> PollResult:
    """Watch `url` from now on and poll it once; an address that may never be fetched (one
    that points to this machine or a private network, unless allowed) is not stored.

    `refused(url)` says why an address may not be fetched, or None (default:
    geo.fetch.refusal under the default policy). Raises ArticleError for an address that is
    not http(s); nothing is stored then.
    """
    check_address(url)
    key = without_credentials(url)
    if refused is None:
        from geo.fetch import refusal as refused
    why = refused(url)
    if why:
        return PollResult(key, 0, 0, [], f"{why}; not added to the watched feeds")
    store.watch_feed(key, every_s)
    return poll(url, store, ingest_items, fetch)


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

    Returns the number of articles stored. Each URL is registered as watched in the store
    unless its address is refused (see add_feed). Raises ArticleError, before any poll, when
    a URL is not an http(s) address.
    """
    for url in urls:
        check_address(url)  # all of them, before anything is stored
    watched = {f.url for f in store.feeds()}
    for key in {without_credentials(url) for url in urls} & watched:
        store.watch_feed(key, every_s)  # only the interval changes
    total = 0
    n = 0
    while rounds is None or n < rounds:
        started = time.monotonic()
        for url in urls:
            if without_credentials(url) in watched:
                res = poll(url, store, ingest_items, fetch)
            else:
                res = add_feed(url, store, ingest_items, fetch, every_s)
                if any(f.url == res.url for f in store.feeds()):
                    watched.add(res.url)
            total += res.added
            if on_poll:
                on_poll(res)
        n += 1
        if rounds is not None and n >= rounds:
            break
        sleep(max(0.0, every_s - (time.monotonic() - started)))
    return total
