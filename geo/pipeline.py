"""Ingest: load articles, recognise and resolve places, type events, store the results.

Events (geo.events) are read from the very spaCy Doc the places were recognised in, in every
path (this process, forked workers, a Dask cluster: geo.cluster), and stored with the
article's mentions. Articles read by another language's recogniser (geo.lang) have no Doc
and no event model: they are stored without events.

The geoparser itself (geo.geoparser), the shipped sample's results (geo.precomputed), the
forked workers (geo.workers) and where the data lives (geo.paths) are modules of their own;
this one runs an ingest: it reads the inputs, has what is new parsed, and stores it.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import re
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import AbstractContextManager
from dataclasses import dataclass, field, replace
from itertools import chain, islice
from pathlib import Path

import geo.geoparser  # its GEOPARSER_VERSION is read at each use: a bumped one reaches every reader
from geo import budget, usergazetteer
from geo.articles import file_digest, iter_paths, load_file, text_id
from geo.contract import (
    article_json,  # noqa: F401 - the contract format, as callers import it from here
    event_from_json,
    mention_from_json,
    reindex_events,
    toponym_json,  # noqa: F401 - likewise
)
from geo.errors import ArticleError, GazetteerError, GeoError, ResolveError
from geo.events import Event
from geo.fetch import fetch_url, is_url, without_credentials
from geo.geoparser import (  # noqa: F401 - the geoparser, as callers import it from here
    EVENT_LANGUAGES,
    GEOPARSED_LANGUAGES,
    Geoparser,
    Progress,
    spacy_text,
)
from geo.language import detect
from geo.models import Article, Failure, Mention, Notice
from geo.paths import SAMPLE_DIR, db_path, user_dir  # noqa: F401 - as callers import them from here
from geo.precomputed import (  # noqa: F401 - the shipped results, as callers import them from here
    PRECOMPUTED,
    Precomputed,
    add_precomputed_extras,
    load_precomputed,
    write_precomputed,
)
from geo.resolve import GazetteerGeocoder
from geo.store import REPARSE
from geo.workers import _init_worker, _parse_chunk

CHUNK = 16  # articles per worker task, and spaCy's batch size (larger ones cost memory)
CHUNK_CHARS = 40_000  # fewer articles per task when they are long
CHUNKS_PER_WORKER = 2  # queued per worker, so that none waits while results are stored
MIN_PARALLEL = 2 * CHUNK  # fewer articles than this are parsed in this process
BATCH_SAVES = 200  # articles stored from shipped results per commit (see _batched_save)
BATCH_S = 0.5  # ... or fewer, when they took this long: the write lock is not held longer
MAX_WORKERS = 4  # each worker holds a model and its working memory (~300 MB)


@dataclass(slots=True)
class IngestReport:
    """What an ingest run did."""

    added: int = 0
    updated: int = 0
    skipped: int = 0
    failed: list[Failure] = field(default_factory=list)
    files_unchanged: int = 0
    warnings: list[str] = field(default_factory=list)
    duplicates: int = 0  # stored only as copies of articles with the same text
    removed: int = 0  # articles the user removed earlier: not stored again
    forgotten: int = 0  # articles of files deleted from a scanned folder, dropped
    # Stored without places because not in English: language code -> articles.
    other_languages: dict[str, int] = field(default_factory=dict)

    @property
    def not_english(self) -> int:
        """Articles stored without places because they are in another language."""
        return sum(self.other_languages.values())

    def summary(self) -> str:
        langs = ", ".join(f"{lang} {n}" for lang, n in sorted(self.other_languages.items()))
        return (
            f"{self.added} added, {self.updated} updated, {self.skipped} unchanged, "
            f"{len(self.failed)} failed"
            + (f" ({self.files_unchanged} files unchanged)" if self.files_unchanged else "")
            + (
                f"; {self.duplicates} exact {'copy' if self.duplicates == 1 else 'copies'} of"
                " articles already stored (kept as one)"
                if self.duplicates
                else ""
            )
            + (f"; {self.removed} removed earlier, left out" if self.removed else "")
            + (
                f"; {self.forgotten} from deleted files dropped from the map"
                if self.forgotten
                else ""
            )
            + (
                f"; {self.not_english} not in English, kept without places ({langs})"
                if langs
                else ""
            )
        )


def default_workers() -> int:
    """Geoparsing processes: the cores this process may use, at most MAX_WORKERS."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, MAX_WORKERS))


@dataclass(slots=True, eq=False)
class _File:
    """A local input file; marked done once every article read from it is stored."""

    key: str
    sha: str
    open: int = 0  # articles read from it and not yet stored
    loaded: bool = False  # every item has been read
    ok: bool = True  # no failure so far


@dataclass(slots=True, eq=False)
class _Job:
    """An article on its way to the store."""

    article: Article
    origin: str
    file: _File | None = None
    mentions: list[Mention] | None = None  # None: still to be geoparsed
    events: list[Event] | None = None  # with place_index into `mentions`
    refused: str = ""  # why it is stored without places although in English
    signature: bytes | None = None  # MinHash shipped with the precomputed results


def _user_names_pattern() -> re.Pattern | None:
    """A case-insensitive pattern for the names of the user's own places (None: none)."""
    try:
        names = usergazetteer.names_of(usergazetteer.read_files(usergazetteer.default_files()))
    except GazetteerError:
        return None  # the geoparser reports the bad file
    if not names:
        return None
    alts = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alts})(?!\w)", re.IGNORECASE)


def ingest(
    paths: list[Path | str],
    store,
    geoparser: Geoparser | Callable[[], Geoparser],
    on_progress: Progress | None = None,
    precomputed: Mapping[str, list[dict]] | None = None,
    workers: int | None = None,
    columns: Mapping[str, str] | None = None,
    fetch: Callable[[str], list[Article | Failure]] | None = None,
) -> IngestReport:
    """Load every article under `paths` (files, folders, http(s) URLs), geoparse what is new
    or stale, store it.

    `columns` maps article fields to CSV/JSON/JSONL column names (see `load_file`); `fetch`
    downloads one URL (default `geo.fetch.fetch_url`: public http(s) addresses only).

    Inputs are read, parsed and stored as a stream: only a few chunks of articles are in
    memory at once. `geoparser` may be a zero-argument factory so that spaCy is only loaded
    when some article really needs parsing. `workers` processes parse in parallel (None: one
    per core, at most MAX_WORKERS; 1: all in this process); results do not depend on it.
    Articles detected as not English are stored without places. One transaction per
    article: a crash loses at most the articles in flight. Failures are recorded in the
    report and in the store. `on_progress(done, total)`: `total` grows while inputs are read.
    """
    run = _Ingest(store, geoparser, workers, on_progress, precomputed or {})
    run.columns = columns
    run.fetch = fetch or fetch_url
    # Stale articles come last, once everything read from the inputs is stored: those
    # re-read from a file are current by then and are not parsed twice.
    return _run(run, [run.discover(paths), run.discover_stale()])


def ingest_articles(
    articles: Iterable[Article],
    store,
    geoparser: Geoparser | Callable[[], Geoparser],
    origin: str,
    on_progress: Progress | None = None,
    workers: int | None = None,
) -> IngestReport:
    """Geoparse and store articles already in hand (e.g. a watched feed's new items).

    `origin` names where they came from (a feed URL); its earlier failures are replaced.
    """
    run = _Ingest(store, geoparser, workers, on_progress, {})
    run.examined.add(origin)

    def jobs() -> Iterator[_Job]:
        for art in articles:
            yield from run._item(art, origin, None)

    return _run(run, [jobs()])


def _run(run: _Ingest, streams: list[Iterator[_Job]]) -> IngestReport:
    store = run.store
    try:
        for jobs in streams:
            for job in run.geoparse(jobs):
                run.save(job)
    except ResolveError as err:
        # A geocoder failure stops this run: say so, keep what is stored, and leave the
        # unfinished files unmarked so the next run picks up the rest.
        run.report.failed.append(Failure("geocoder", str(err), "geocoder"))
        run.aborted = True
    finally:
        run.close()
    run.progress()
    store.record_failures(run.report.failed, run.examined)
    forget = getattr(store, "forget_missing_files", None)
    if forget is not None and not run.aborted:
        for folder in run.folders:
            run.report.forgotten += forget(folder, run.examined)
    return run.report


class _Ingest:
    """One ingest run: reads inputs, has what needs it parsed, stores, marks files done."""

    def __init__(
        self,
        store,
        geoparser: Geoparser | Callable[[], Geoparser],
        workers: int | None,
        on_progress: Progress | None,
        precomputed: Mapping[str, list[dict]],
    ) -> None:
        self.store = store
        self.geoparser = geoparser
        self.workers = default_workers() if workers is None else max(1, workers)
        self.on_progress = on_progress
        # The corpus focus kept with the store is every parse's prior; the shipped results
        # were made without one, so a store with a focus parses everything itself.
        self.focus: dict[str, float] = store.focus() if hasattr(store, "focus") else {}
        self.precomputed = {} if self.focus else precomputed
        self.version = geo.geoparser.GEOPARSER_VERSION
        self.report = IngestReport()
        self.examined: set[str] = {"geocoder"}
        self.total = 0
        self.done = 0
        self.aborted = False
        self.pool: ProcessPoolExecutor | None = None
        self.columns: Mapping[str, str] | None = None
        self.claimed: dict[str, tuple[str, str]] = {}  # id -> (origin, text hash) read this run
        self.fetch: Callable[[str], list[Article | Failure]] = fetch_url
        self.folders: list[Path] = []  # folders scanned whole: a file gone from one is dropped
        self._batch: AbstractContextManager | None = None  # open batch of saves (_batched_save)
        self._batch_saves = 0
        self._batch_t0 = 0.0
        # The shipped results were made without the user's own places: a text naming one
        # of them is parsed.
        self.user_names = _user_names_pattern() if self.precomputed else None

    def progress(self) -> None:
        if self.on_progress and self.total:
            self.on_progress(self.done, self.total)

    # -- reading ---------------------------------------------------------------------------
    def discover(self, paths: list[Path | str]) -> Iterator[_Job]:
        """Read the inputs lazily; store at once what needs no parse, yield the rest."""
        urls = [str(p) for p in paths if is_url(str(p))]
        for url in urls:
            # The password of a URL is used to fetch it; it is never shown or stored.
            shown = without_credentials(url)
            self.examined.add(shown)
            try:
                items = self.fetch(url)
            except ArticleError as err:
                self.report.failed.append(Failure(shown, str(err), shown))
                continue
            for item in items:
                yield from self._item(item, shown, None)
        local = [Path(p) for p in paths if not is_url(str(p))]
        self.folders = [p for p in local if p.is_dir()]
        for path in iter_paths(local):
            key = str(path.resolve())
            self.examined.add(key)
            try:
                sha = file_digest(path)
            except ArticleError as err:
                self.report.failed.append(Failure(path.name, str(err), key))
                continue
            if self.store.file_is_current(key, sha, self.version):
                self.report.files_unchanged += 1
                continue
            file = _File(key, sha)
            for item in load_file(path, self.columns):
                yield from self._item(item, key, file)
            file.loaded = True
            self._finish(file)

    def discover_stale(self) -> Iterator[_Job]:
        """Stored articles parsed by another geoparser version."""
        for art in self.store.stale_articles(self.version):
            yield from self._queue(art, REPARSE, None)

    def _item(
        self, item: Article | Failure | Notice, origin: str, file: _File | None
    ) -> Iterator[_Job]:
        if isinstance(item, Failure):
            self.report.failed.append(replace(item, origin=origin))
            if file is not None:
                file.ok = False
        elif isinstance(item, Notice):
            self.report.warnings.append(f"{item.source}: {item.message}")
        else:
            if file is not None:
                item = self._own_id(item, origin)
            if self.store.is_current(item, self.version):
                self.report.skipped += 1
            else:
                yield from self._queue(item, origin, file)

    def _own_id(self, art: Article, origin: str) -> Article:
        """`art` under an id of its own when another file's article, with another text, has its id.

        Ids made from file names ("report", "export-3") repeat across folders: a second
        "report.txt" must not overwrite the first. The new id ends in a hash of the text, so a
        rerun finds it again. A file's own article keeps its id, and a new text updates it.
        """
        # Articles read in this run may not be stored yet: they count as stored.
        stored = self.claimed.get(art.id) or self.store.origin_of(art.id)
        if stored is None:
            self.claimed[art.id] = (origin, text_id(art.text))
            return art
        stored_origin, stored_hash = stored
        th = text_id(art.text)
        if stored_origin == origin or stored_hash == th or not os.path.isabs(stored_origin):
            return art
        own = replace(art, id=f"{art.id}~{th[:8]}")
        self.claimed[own.id] = (origin, th)
        return own

    def _queue(self, art: Article, origin: str, file: _File | None) -> Iterator[_Job]:
        job = _Job(art, origin, file)
        th = text_id(art.text)
        topos = self.precomputed.get(th)
        if topos is not None and self.user_names is not None:
            if self.user_names.search(art.title + "\n" + art.text):
                topos = None
        if topos is not None:
            # The shipped results carry the language and signature: not computed again.
            lang, job.signature = (
                self.precomputed.extras(th) if isinstance(self.precomputed, Precomputed)
                else (None, None)
            )  # fmt: skip
            english = _set_language(job, lang or detect(art.text))
            job.mentions = [mention_from_json(art.id, t) for t in topos] if english else []
            events = getattr(self.precomputed, "events", None)
            if events is not None and job.article.language in EVENT_LANGUAGES:
                job.events = [event_from_json(e, job.mentions) for e in events(th)]
        elif self._stored_copy(art):
            job.mentions = []  # the store only records the copy
        if file is not None:
            file.open += 1
        self.total += 1
        if job.mentions is not None:
            self._batched_save(job)
        else:
            self._end_batch()  # the lock is not held while articles are parsed
            self.progress()
            yield job

    def _batched_save(self, job: _Job) -> None:
        """Save a job that needs no parse (shipped results, copies) inside a batch of such
        saves: one commit per BATCH_SAVES articles or BATCH_S seconds, not one each (on the
        sample's first import the commits were a third of the time). A crash loses at most
        the open batch, which the next run stores again."""
        if self._batch is None:
            self._batch = self.store.batch()
            self._batch.__enter__()
            self._batch_saves, self._batch_t0 = 0, time.monotonic()
        self.save(job)
        self._batch_saves += 1
        if self._batch_saves >= BATCH_SAVES or time.monotonic() - self._batch_t0 > BATCH_S:
            self._end_batch()

    def _end_batch(self) -> None:
        if self._batch is not None:
            batch, self._batch = self._batch, None
            batch.__exit__(None, None, None)

    def _stored_copy(self, art: Article) -> bool:
        """True when the store keeps this text under another id and saves this one as a copy."""
        duplicate_of = getattr(self.store, "duplicate_of", None)
        return duplicate_of is not None and duplicate_of(art) is not None

    # -- storing ---------------------------------------------------------------------------
    def save(self, job: _Job) -> None:
        """Store one article and its mentions (one transaction); mark its file when done."""
        lang = job.article.language
        if lang not in GEOPARSED_LANGUAGES:
            self.report.other_languages[lang] = self.report.other_languages.get(lang, 0) + 1
        if job.refused:
            # Stored (without places) all the same: the reason is listed with the failures.
            self.report.failed.append(Failure(job.article.id, job.refused, job.origin))
        try:
            res = self.store.save(
                job.article,
                job.mentions or [],
                self.version,
                job.origin,
                signature=job.signature,
                events=job.events or [],
            )
        except GeoError as err:
            self.report.failed.append(Failure(job.article.id, str(err), job.origin))
            if job.file is not None:
                job.file.ok = False
        else:
            if res.status == "added":
                self.report.added += 1
            elif res.status == "updated":
                self.report.updated += 1
                if getattr(res, "text_changed", False):
                    # Say which stored text was replaced: nothing is overwritten silently.
                    self.report.warnings.append(
                        f"{res.replaced or res.article_id}: text replaced by a new version"
                        f" from {job.origin}"
                    )
            elif res.status == "duplicate":
                self.report.duplicates += 1
            elif res.status == "removed":
                self.report.removed += 1
            else:
                self.report.skipped += 1
        self.done += 1
        self.progress()
        if job.file is not None:
            job.file.open -= 1
            self._finish(job.file)

    def _finish(self, file: _File) -> None:
        if file.loaded and not file.open and file.ok and not self.aborted:
            self.store.mark_file(file.key, file.sha, self.version)

    # -- parsing ---------------------------------------------------------------------------
    def _parser(self) -> Geoparser:
        if not isinstance(self.geoparser, Geoparser):
            self.geoparser = self.geoparser()
        self.geoparser.resolver.focus = dict(self.focus)
        return self.geoparser

    def geoparse(self, jobs: Iterator[_Job]) -> Iterator[_Job]:
        """Fill in each job's mentions, in order; the geoparser is only made for a first job."""
        head = list(islice(jobs, MIN_PARALLEL))
        if not head:
            return
        gp = self._parser()
        jobs = chain(head, jobs)
        try:
            if self.pool is not None or (
                self.workers > 1
                and len(head) == MIN_PARALLEL
                and "fork" in mp.get_all_start_methods()
            ):
                yield from self._parallel(gp, jobs)
            else:
                pairs = ((spacy_text(job.article), job) for job in self._english(jobs))
                for doc, job, reason in budget.pipe(gp.nlp, pairs, CHUNK):
                    job.mentions = [] if doc is None else gp._resolve(job.article, doc)
                    job.events = gp._events(job.article, doc, job.mentions)
                    job.refused = reason
                    yield job
        finally:
            self.report.warnings.extend(gp.resolver.drain_warnings())

    def _english(self, jobs: Iterator[_Job]) -> Iterator[_Job]:
        """The jobs in a language the geoparser reads; the others are stored right away."""
        for job in jobs:
            if _set_language(job, detect(job.article.text)):
                yield job
            else:
                job.mentions = []
                self.save(job)

    def _parallel(self, gp: Geoparser, jobs: Iterator[_Job]) -> Iterator[_Job]:
        """Parse chunks in forked workers while this process reads and stores.

        With an online geocoder the workers only recognise: resolution stays here, in one
        process, so that the service's rate limit and cache hold.
        """
        offline = all(isinstance(g, GazetteerGeocoder) for g in gp.resolver.geocoders)
        if self.pool is None:
            # Forked workers inherit the geoparser (and whatever it has loaded): nothing is
            # pickled, not even the initializer's argument.
            self.pool = ProcessPoolExecutor(
                self.workers,
                mp.get_context("fork"),
                initializer=_init_worker,
                initargs=(gp, os.getpid(), threading.current_thread() is threading.main_thread()),
            )
            # The first task forks the workers: before this process loads the language
            # model, which they do not need.
            self.pool.submit(os.getpid)
        in_flight: deque[tuple[list[_Job], Future]] = deque()
        for chunk in _chunks(self._english(jobs)):
            task = self.pool.submit(_parse_chunk, [j.article for j in chunk], offline)
            in_flight.append((chunk, task))
            # Enough queued to keep every worker busy while the oldest chunk is stored.
            if len(in_flight) > self.workers * CHUNKS_PER_WORKER:
                yield from self._collect(gp, *in_flight.popleft(), offline)
        while in_flight:
            yield from self._collect(gp, *in_flight.popleft(), offline)

    def _collect(
        self, gp: Geoparser, chunk: list[_Job], task: Future, offline: bool
    ) -> Iterator[_Job]:
        results, reasons, warnings, events = task.result()
        self.report.warnings.extend(warnings)
        for job, res, reason, evs in zip(chunk, results, reasons, events, strict=True):
            job.mentions = res if offline or reason else gp.resolver.resolve(job.article, res)
            job.events = evs if job.mentions is res else reindex_events(evs, res, job.mentions)
            job.refused = reason
            yield job

    def close(self) -> None:
        """Commit the open batch of saves; stop the workers (chunks still queued are dropped)."""
        self._end_batch()
        if self.pool is not None:
            self.pool.shutdown(wait=False, cancel_futures=True)
            self.pool = None


def _set_language(job: _Job, lang: str) -> bool:
    """Record the detected language on the job's article; True when it is to be geoparsed."""
    if job.article.language != lang:
        job.article = replace(job.article, language=lang)
    return lang in GEOPARSED_LANGUAGES


def _chunks(jobs: Iterator[_Job]) -> Iterator[list[_Job]]:
    """Groups of up to CHUNK jobs, fewer when their texts would pass CHUNK_CHARS.

    spaCy's memory grows with the characters in a batch.
    """
    chunk: list[_Job] = []
    chars = 0
    for job in jobs:
        if chunk and (len(chunk) == CHUNK or chars + len(job.article.text) > CHUNK_CHARS):
            yield chunk
            chunk, chars = [], 0
        chunk.append(job)
        chars += len(job.article.text)
    if chunk:
        yield chunk
