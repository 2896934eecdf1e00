"""The forked processes of a parallel ingest: each holds a geoparser, parses the chunks it is
sent, and ends with the ingest that forked it."""

from __future__ import annotations

import ctypes
import logging
import os
import signal
import threading

from geo import budget
from geo.events import Event
from geo.geoparser import Geoparser, spacy_text
from geo.models import Article, Mention
from geo.recognize import Span

log = logging.getLogger(__name__)

# The geoparser of this process when it is a pool worker (set by _init_worker).
_worker_geoparser: Geoparser | None = None


# glibc keeps the memory of a long article's batch after it is freed; handing it back after
# each chunk keeps an idle worker small.
_malloc_trim = None


PR_SET_PDEATHSIG = 1  # prctl(2): the signal this process gets when its parent dies
PARENT_CHECK_S = 1.0


def _die_with_parent(parent: int, by_main_thread: bool) -> None:
    """End this worker when the ingest that forked it ends, even by SIGKILL.

    A worker left behind holds ~200 MB and the database open. Linux sends the parent-death
    signal when the forking *thread* ends, so it is only asked for when that is the main
    thread; a thread that watches the parent's pid covers the rest and other systems.
    """
    if by_main_thread:
        try:
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):  # not on Linux: the watching thread alone
            log.debug("no parent-death signal on this system")

    def watch() -> None:
        while os.getppid() == parent:
            threading.Event().wait(PARENT_CHECK_S)
        os._exit(1)

    if os.getppid() != parent:  # died before the signal was asked for
        os._exit(1)
    threading.Thread(target=watch, daemon=True, name="parent-watch").start()


def _init_worker(gp: Geoparser, parent: int, by_main_thread: bool) -> None:
    global _malloc_trim, _worker_geoparser
    _die_with_parent(parent, by_main_thread)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    _worker_geoparser = gp
    # An SQLite connection must not be used across fork(): this process opens its own.
    for gaz in {id(g): g for g in (gp.gazetteer, gp.resolver.gazetteer)}.values():
        gaz._local = threading.local()
    try:
        _malloc_trim = ctypes.CDLL(None).malloc_trim  # glibc
    except (OSError, AttributeError):
        _malloc_trim = None
    gp.nlp  # noqa: B018 - load the model now, in every worker at once


Parsed = tuple[list[list[Mention]] | list[list[Span]], list[str], list[str], list[list[Event]]]


def _parse_chunk(articles: list[Article], resolve: bool) -> Parsed:
    """Geoparse a chunk in a worker: mentions per article, why an article has none although
    in English ("" when parsed), the resolver's warnings, then events per article.

    With `resolve` False the mentions are recognised spans, still to be resolved, and the
    events' place_index indexes those spans.
    """
    out = parse_batch(_worker_geoparser, articles, resolve)
    if _malloc_trim is not None:
        _malloc_trim(0)
    return out


def parse_batch(gp: Geoparser, articles: list[Article], resolve: bool) -> Parsed:
    """What a worker returns for a batch (see _parse_chunk); geo.cluster's workers too."""
    out: list = []
    reasons: list[str] = []
    events: list[list[Event]] = []
    pairs = ((spacy_text(a), a) for a in articles)
    for doc, art, reason in budget.pipe(gp.nlp, pairs, max(1, len(articles))):
        if doc is None:
            out.append([])
            events.append([])
        elif resolve:
            mentions = gp._resolve(art, doc)
            out.append(mentions)
            events.append(gp._events(art, doc, mentions))
        else:
            spans = gp._recognise(art, doc)
            out.append(spans)
            unresolved = [
                Mention(art.id, s.start, s.end, s.text, s.mention_type, None) for s in spans
            ]
            events.append(gp._events(art, doc, unresolved))
        reasons.append(reason)
    return out, reasons, gp.resolver.drain_warnings(), events
