"""spaCy under bounds: guarded text, and a time and memory budget for each article's parse.

An article over its budget is not parsed: the caller stores it without places and records
why. The budget is enforced by SIGALRM, which only the main thread of a process receives (the
CLI, an ingest worker, the app's geoparsing process); elsewhere texts are still guarded but
not timed.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from itertools import islice
from typing import TYPE_CHECKING, TypeVar

from geo.errors import BudgetError
from geo.textguard import guard

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

log = logging.getLogger(__name__)

T = TypeVar("T")

# Prose parses at about 0.2 ms per character on one busy core: the budget leaves room for a
# loaded machine, so that a 1,000,000-character article still gets over 8 minutes.
BASE_S = 20.0
PER_CHAR_S = 0.0005
MEMORY_MB = 2048  # growth of this process's resident memory while one batch is parsed
CHECK_EVERY_S = 0.25


def time_budget(chars: int) -> float:
    """Seconds an article of `chars` characters may take to parse."""
    return BASE_S + PER_CHAR_S * chars


def _rss_mb() -> float:
    try:
        with open("/proc/self/statm", "rb") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError, IndexError):  # not on Linux
        return 0.0


def enforceable() -> bool:
    """True where a budget can interrupt a parse: the main thread, on a system with SIGALRM."""
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


@contextmanager
def limits(seconds: float, memory_mb: float | None = None) -> Iterator[None]:
    """Raise BudgetError in the block once it has run `seconds` or grown resident memory by
    `memory_mb` MB (None: MEMORY_MB). Does nothing outside the main thread (see `enforceable`).
    """
    memory_mb = MEMORY_MB if memory_mb is None else memory_mb
    if not enforceable():
        yield
        return
    start = time.monotonic()
    base = _rss_mb()

    def check(signum, frame) -> None:
        if time.monotonic() - start >= seconds:
            raise BudgetError(f"took more than {seconds:.0f} s to geoparse; kept without places")
        if base and _rss_mb() - base > memory_mb:
            raise BudgetError(
                f"needed more than {memory_mb:,.0f} MB to geoparse; kept without places"
            )

    tick = min(CHECK_EVERY_S, max(seconds, 0.001))
    previous = signal.signal(signal.SIGALRM, check)
    signal.setitimer(signal.ITIMER_REAL, tick, tick)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def pipe(
    nlp: Language, items: Iterable[tuple[str, T]], batch_size: int = 16
) -> Iterator[tuple[Doc | None, T, str]]:
    """(doc, context, "") per (text, context), in order; (None, context, reason) for a text
    refused by the guard or over its budget.

    Each doc is made from the guarded copy of the text (`geo.textguard`): same length, so
    offsets hold, but hostile stretches are spaces in `doc.text`. A batch is parsed at once
    within the sum of its articles' budgets; when that runs out, its articles are parsed one
    by one, each within its own, so that only the slow one goes without places.
    """
    items = iter(items)
    while batch := list(islice(items, max(1, batch_size))):
        guarded = [guard(text) for text, _ in batch]
        todo = [(g.text, ctx) for g, (_, ctx) in zip(guarded, batch, strict=True) if not g.refused]
        docs: dict[int, Doc | None] = {}
        reasons: dict[int, str] = {}
        try:
            with limits(sum(time_budget(len(t)) for t, _ in todo)):
                parsed = list(nlp.pipe([t for t, _ in todo], batch_size=len(todo) or 1))
        except BudgetError:
            parsed = None
        n = 0
        for i, g in enumerate(guarded):
            if g.refused:
                docs[i], reasons[i] = None, g.refused
                continue
            if parsed is not None:
                docs[i] = parsed[n]
            else:
                try:
                    with limits(time_budget(len(g.text))):
                        docs[i] = nlp(g.text)
                except BudgetError as err:
                    log.warning("article over its geoparsing budget: %s", err)
                    docs[i], reasons[i] = None, str(err)
            n += 1
        for i, (_, ctx) in enumerate(batch):
            yield docs[i], ctx, reasons.get(i, "")
