"""Ingest with the geoparsing mapped over a Dask distributed cluster.

This process reads the inputs, skips what is current and stores every result, exactly as
`geo.pipeline.ingest` does (it runs the same `_Ingest`); only the parsing of each batch moves
to the cluster's workers, through the pure function `geoparse_batch`. The store therefore never
leaves this process: workers need the code, the spaCy model and the gazetteer, no database.
"""

from __future__ import annotations

import ctypes
import logging
import os
import threading
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import chain, count
from pathlib import Path
from typing import TYPE_CHECKING
from uuid import uuid4

from distributed import as_completed

from geo.articles import text_id
from geo.errors import GeoError
from geo.fetch import fetch_url
from geo.gazetteer import Gazetteer
from geo.geoparser import GEOPARSER_VERSION, Geoparser, Progress
from geo.models import Article, Failure, Mention
from geo.pipeline import (
    CHUNK,
    CHUNK_CHARS,
    IngestReport,
    _Ingest,
    _Job,
    _run,
    default_workers,
)
from geo.resolve import GazetteerGeocoder, Resolver
from geo.workers import Parsed, parse_batch

if TYPE_CHECKING:
    from distributed import Client

log = logging.getLogger(__name__)

# A batch whose task raised is run again this many times (a worker that died is not counted
# here: the scheduler reschedules its tasks by itself, up to `distributed.scheduler.
# allowed-failures` deaths per task, then the run fails with KilledWorker).
RETRIES = 3
CONNECT_TIMEOUT_S = 30
BATCHES_PER_THREAD = 2  # queued per worker thread: none idles while this process stores


@dataclass(frozen=True, slots=True)
class ParserSpec:
    """What a worker needs to build the very geoparser this process would use.

    `gazetteer` is the index path on the workers (None: each worker's default index,
    $CONFLICT_MAP_GAZETTEER or data/gazetteer.sqlite); `entries` its size as seen here, checked
    by the workers when known, so that a machine with another index cannot mix in other results.
    """

    gazetteer: str | None = None
    version: str = GEOPARSER_VERSION
    entries: int | None = None
    focus: tuple[tuple[str, float], ...] = ()  # the store's corpus focus, (country, weight)


# -- on the workers -------------------------------------------------------------------------
# The geoparser is loaded once per worker process and cached here, keyed by its spec, rather
# than set up by a Dask WorkerPlugin:
# - a plugin stays registered on the scheduler after the ingest and is replayed to every worker
#   that joins later; a shared, long-running cluster serving ingests with other gazetteers or
#   code versions would have to juggle plugin names. The cache is keyed by the spec and holds
#   one geoparser, so a new spec simply replaces it.
# - a plugin's setup runs on the worker's event loop: a multi-second model load there blocks
#   its heartbeats. Here the load runs in a task thread, like any slow task.
# - a worker restarted by its nanny (killed, out of memory) is a new process: its first task
#   loads the model again, with nothing to re-register. The first batch on each worker pays
#   the load (~2 s); a plugin would only move that wait earlier.
# - `geoparse_batch` stays a plain function: callable (and tested) without any cluster.
_cache: dict[ParserSpec, Geoparser] = {}
_cache_lock = threading.Lock()  # a worker with several threads loads the model once
_malloc_trim: Callable[[int], int] | None = None


def worker_geoparser(spec: ParserSpec) -> Geoparser:
    """The geoparser of this process for `spec`, loaded on first use.

    Raises GeoError when this process runs another geoparser version or sees another
    gazetteer, GazetteerError when its index is missing.
    """
    global _malloc_trim
    with _cache_lock:
        gp = _cache.get(spec)
        if gp is not None:
            return gp
        if spec.version != GEOPARSER_VERSION:
            raise GeoError(
                f"this worker runs geoparser {GEOPARSER_VERSION}, the ingest {spec.version}: "
                "install the same Conflict Map version on every machine"
            )
        gaz = Gazetteer(Path(spec.gazetteer) if spec.gazetteer else None)
        if spec.entries is not None and gazetteer_entries(gaz) != spec.entries:
            raise GeoError(
                f"this worker's gazetteer {gaz.path} has {gazetteer_entries(gaz)} entries, the "
                f"ingest's {spec.entries}: build it from the same data (python -m geo gazetteer)"
            )
        # Offline only, whatever this process's environment says: an online geocoder's rate
        # limit and cache must stay in one process (the ingest's, see _geoparse_task).
        gp = Geoparser(gazetteer=gaz, resolver=Resolver(gaz, [GazetteerGeocoder(gaz)]))
        gp.resolver.focus = dict(spec.focus)
        gp.nlp  # noqa: B018 - load the model now, under the lock
        _cache.clear()  # one model per process: a new spec replaces the old one
        _cache[spec] = gp
        try:
            _malloc_trim = ctypes.CDLL(None).malloc_trim  # glibc
        except (OSError, AttributeError):
            _malloc_trim = None
        log.info("geoparser %s loaded in process %d", spec.version, os.getpid())
        return gp


def geoparse_batch(articles: list[Article], spec: ParserSpec | None = None) -> list[list[Mention]]:
    """Every place mention of each article, resolved offline; one list per article, in order.

    Pure: the result depends only on the articles and the spec (gazetteer, version, focus). An
    article whose text the guard refuses has none (see `geo.budget.pipe`).
    """
    gp = worker_geoparser(spec or ParserSpec())
    return [m for _, m, _ in gp.parse_guarded(articles, max(1, len(articles)))]


def _geoparse_task(articles: list[Article], spec: ParserSpec, resolve: bool) -> Parsed:
    """One batch on a worker: mentions per article (spans when not `resolve`), why an
    article has none ("" when parsed), warnings, then events per article.

    Same shape as geo.workers._parse_chunk, so that _Ingest._collect takes either.
    """
    out = parse_batch(worker_geoparser(spec), articles, resolve)
    if _malloc_trim is not None:
        _malloc_trim(0)  # glibc keeps a long batch's memory otherwise
    return out


# -- in the ingesting process -------------------------------------------------------------
def gazetteer_entries(gaz: Gazetteer) -> int | None:
    """The number of entries the index says it holds (None: not recorded)."""
    row = gaz._con().execute("SELECT value FROM meta WHERE key='entries'").fetchone()
    return int(row[0]) if row else None


class _ClusterIngest(_Ingest):
    """An ingest run whose batches are parsed by a Dask cluster's workers."""

    def __init__(
        self,
        store,
        geoparser: Callable[[], Geoparser],
        client: Client,
        spec: ParserSpec,
        online: bool,
        batch: int,
        max_in_flight: int | None,
        on_progress: Progress | None,
        precomputed: Mapping[str, list[dict]],
    ) -> None:
        super().__init__(store, geoparser, 1, on_progress, precomputed)
        self.client = client
        self.spec = spec
        self.online = online
        self.batch = max(1, batch)
        self.max_in_flight = max_in_flight
        self.run_id = uuid4().hex[:12]  # task keys unique across runs on a shared scheduler
        self.futures: dict = {}  # Future -> its batch of jobs, sent and not yet stored
        self.claimed_keys: set[tuple[str, str]] = set()  # ids and texts of jobs in flight
        self.held: deque[_Job] = deque()  # jobs waiting for one in flight with their id/text
        self.ready: deque[_Job] = deque()  # held jobs free to go, before any new input
        self.input: Iterator[_Job] = iter(())

    # Batches complete in any order, but two articles with the same id (a new version) or the
    # same text (a copy) must be stored in the order they were read, as the local path does:
    # the later one waits until the earlier is stored. Everything else goes out at once.
    @staticmethod
    def _keys(job: _Job) -> tuple[tuple[str, str], tuple[str, str]]:
        return ("id", job.article.id), ("text", text_id(job.article.text))

    def _claim(self, job: _Job) -> bool:
        keys = self._keys(job)
        if any(k in self.claimed_keys for k in keys):
            return False
        self.claimed_keys.update(keys)
        return True

    def _next_job(self) -> _Job | None:
        while True:
            if self.ready:
                return self.ready.popleft()
            job = next(self.input, None)
            if job is None or self._claim(job):
                return job
            self.held.append(job)

    def _next_batch(self) -> list[_Job]:
        """Up to `batch` jobs, fewer when their texts would pass CHUNK_CHARS (spaCy memory)."""
        batch: list[_Job] = []
        chars = 0
        while len(batch) < self.batch:
            job = self._next_job()
            if job is None:
                break
            if batch and chars + len(job.article.text) > CHUNK_CHARS:
                self.ready.appendleft(job)  # claimed already: first of the next batch
                break
            batch.append(job)
            chars += len(job.article.text)
        return batch

    def _release(self, batch: list[_Job]) -> Iterator[_Job]:
        """Free the ids and texts of a stored batch; yield held jobs that now need no parse."""
        for job in batch:
            self.claimed_keys.difference_update(self._keys(job))
        waiting, self.held = self.held, deque()
        for job in waiting:
            if not self._claim(job):
                self.held.append(job)
            elif self._stored_copy(job.article):
                job.mentions = []  # the store only records the copy, as after a parse
                yield job
                self.claimed_keys.difference_update(self._keys(job))
            else:
                self.ready.append(job)

    def _limit(self) -> int:
        """Batches in flight: enough to keep every worker thread busy, and no more (memory)."""
        if self.max_in_flight:
            return self.max_in_flight
        threads = sum(self.client.nthreads().values())
        return max(2, threads * BATCHES_PER_THREAD)

    def _submit(self, done: as_completed, keys: count) -> bool:
        batch = self._next_batch()
        if not batch:
            return False
        fut = self.client.submit(
            _geoparse_task,
            [j.article for j in batch],
            self.spec,
            not self.online,
            key=f"geoparse-{self.run_id}-{next(keys)}",
            retries=RETRIES,
        )
        self.futures[fut] = batch
        done.add(fut)
        return True

    def geoparse(self, jobs: Iterator[_Job]) -> Iterator[_Job]:
        """Fill in each job's mentions, in the order the batches complete."""
        first = next(jobs, None)
        if first is None:
            return
        # With an online geocoder the workers only recognise: resolution stays here, in one
        # process, so that the service's rate limit and cache hold (as in the local path).
        gp = self._parser() if self.online else None
        self.input = self._english(chain([first], jobs))
        done = as_completed()
        keys = count()
        try:
            while True:
                # Read ahead while the workers parse: the next batches are queued before
                # the one that came back is stored.
                limit = self._limit()
                while len(self.futures) < limit and self._submit(done, keys):
                    pass
                if not self.futures:
                    break
                fut = next(done)
                batch = self.futures.pop(fut)
                yield from self._collect(gp, batch, fut, not self.online)
                fut.release()
                yield from self._release(batch)
        finally:
            if gp is not None:
                self.report.warnings.extend(gp.resolver.drain_warnings())

    def close(self) -> None:
        """Cancel the batches still in flight (an aborted or failed run); commit the saves
        already made."""
        if self.futures:
            self.client.cancel(list(self.futures))
            self.futures.clear()
        super().close()


def ingest_on_cluster(
    paths: list[Path | str],
    store,
    client: Client,
    on_progress: Progress | None = None,
    precomputed: Mapping[str, list[dict]] | None = None,
    columns: Mapping[str, str] | None = None,
    batch: int = CHUNK,
    *,
    gazetteer: Path | str | None = None,
    fetch: Callable[[str], list[Article | Failure]] | None = None,
    max_in_flight: int | None = None,
) -> IngestReport:
    """`geo.pipeline.ingest` with the parsing done by the workers of a Dask `client`.

    Stores the same rows as a local ingest. This process reads the inputs (streamed), skips
    what is current, sends batches of up to `batch` articles to the workers (at most
    `max_in_flight` at once, default two per worker thread) and stores each article as its
    batch comes back (one transaction per article), in whatever order batches complete. A
    batch whose worker dies is run again elsewhere; nothing is stored twice.

    `gazetteer` is the index path as the workers see it (None: each worker's default; give it
    when the workers share this machine's files). Workers never use an online geocoder: with
    $CONFLICT_MAP_ONLINE set they only recognise and this process resolves, as locally.
    """
    online = bool(os.environ.get("CONFLICT_MAP_ONLINE", "").strip())
    gaz_path = str(Path(gazetteer).resolve()) if gazetteer is not None else None
    entries = None
    try:
        entries = gazetteer_entries(Gazetteer(Path(gaz_path) if gaz_path else None))
    except GeoError as err:  # no index here (the workers have theirs): nothing to compare
        log.info("no gazetteer in this process (%s); the workers' are not checked", err)
    focus = tuple(sorted(store.focus().items())) if hasattr(store, "focus") else ()
    spec = ParserSpec(gaz_path, GEOPARSER_VERSION, entries, focus)

    def client_parser() -> Geoparser:  # only made with an online geocoder
        return Geoparser(gazetteer=Gazetteer(Path(gaz_path) if gaz_path else None))

    run = _ClusterIngest(
        store,
        client_parser,
        client,
        spec,
        online,
        batch,
        max_in_flight,
        on_progress,
        precomputed or {},
    )
    run.columns = columns
    run.fetch = fetch or fetch_url
    return _run(run, [run.discover(paths), run.discover_stale()])


@contextmanager
def dask_client(scheduler: str | None = None, n_workers: int | None = None) -> Iterator[Client]:
    """A client of the scheduler at `scheduler` (tcp://host:8786), else of a LocalCluster.

    The LocalCluster runs `n_workers` processes (default: one per core) of one thread each:
    spaCy holds the GIL, so threads would not parse in parallel. Raises GeoError when the
    scheduler cannot be reached.
    """
    from distributed import Client, LocalCluster

    if scheduler:
        try:
            client = Client(scheduler, timeout=CONNECT_TIMEOUT_S)
        except (OSError, TimeoutError) as err:
            raise GeoError(
                f"cannot reach the Dask scheduler at {scheduler} ({err}); start one with "
                "`dask scheduler` and workers with `dask worker tcp://HOST:8786`"
            ) from err
        with client:
            yield client
        return
    n = n_workers or default_workers()
    with (
        LocalCluster(
            n_workers=n, threads_per_worker=1, processes=True, dashboard_address=":0"
        ) as cluster,
        Client(cluster) as client,
    ):
        yield client
