"""Ingest: load articles, recognise and resolve places, store the results."""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from geo.articles import fetch_url, iter_paths, load_file, read_bytes, text_id
from geo.errors import ArticleError, GeoError, ResolveError
from geo.gazetteer import Gazetteer
from geo.models import Article, Failure, Mention, Place
from geo.recognize import load_model, recognize
from geo.resolve import Resolver

log = logging.getLogger(__name__)

# Bump on every change to recognition, resolution or gazetteer data: stored articles parsed by
# another version are re-parsed, so improvements reach the map.
GEOPARSER_VERSION = "2026.11.25-12"
PROJECT_ROOT = Path(__file__).resolve().parent.parent
SAMPLE_DIR = PROJECT_ROOT / "data" / "sample"
USER_DIR = PROJECT_ROOT / "data" / "articles"
PRECOMPUTED = SAMPLE_DIR / "geoparsed.jsonl.gz"
DEFAULT_DB = PROJECT_ROOT / "data" / "conflict_map.sqlite"

Progress = Callable[[int, int], None]


def user_dir() -> Path:
    """Where the user's own articles live: $CONFLICT_MAP_ARTICLES, else data/articles/."""
    return Path(os.environ.get("CONFLICT_MAP_ARTICLES") or USER_DIR)


def db_path(cli_value: str | None = None) -> Path:
    """--db beats $CONFLICT_MAP_DB beats data/conflict_map.sqlite."""
    return Path(cli_value or os.environ.get("CONFLICT_MAP_DB") or DEFAULT_DB)


def geocoders_from_env(gazetteer: Gazetteer) -> list:
    """The offline gazetteer, then the online service named by $CONFLICT_MAP_ONLINE, if any.

    $CONFLICT_MAP_ONLINE is "nominatim" or "photon" (unset: offline only);
    $CONFLICT_MAP_ONLINE_DOMAIN and $CONFLICT_MAP_ONLINE_SCHEME point it at another server.
    Answers are cached in data/geocode_cache.sqlite ($CONFLICT_MAP_GEOCODE_CACHE).
    """
    from geo.online import CachedOnlineGeocoder, GeocodeCache
    from geo.resolve import GazetteerGeocoder

    chain = [GazetteerGeocoder(gazetteer)]
    provider = os.environ.get("CONFLICT_MAP_ONLINE", "").strip().lower()
    if provider:
        cache = GeocodeCache(
            Path(
                os.environ.get("CONFLICT_MAP_GEOCODE_CACHE")
                or PROJECT_ROOT / "data" / "geocode_cache.sqlite"
            )
        )
        chain.append(
            CachedOnlineGeocoder(
                provider,
                cache,
                domain=os.environ.get("CONFLICT_MAP_ONLINE_DOMAIN") or None,
                scheme=os.environ.get("CONFLICT_MAP_ONLINE_SCHEME") or None,
            )
        )
    return chain


class Geoparser:
    """spaCy + gazetteer recogniser and context resolver, loaded once and reused."""

    version = GEOPARSER_VERSION

    def __init__(
        self,
        gazetteer: Gazetteer | None = None,
        nlp=None,
        resolver: Resolver | None = None,
        on_progress: Progress | None = None,
    ) -> None:
        self.gazetteer = gazetteer or Gazetteer.open_or_build(on_progress=on_progress)
        self.nlp = nlp or load_model()
        self.resolver = resolver or Resolver(self.gazetteer, geocoders_from_env(self.gazetteer))

    def parse(self, article: Article) -> list[Mention]:
        """Every place mention in the article, resolved where possible."""
        return self._resolve(article, self.nlp(article.text))

    def parse_many(
        self, articles: Iterable[Article], batch_size: int = 16
    ) -> Iterator[tuple[Article, list[Mention]]]:
        """Parse a stream of articles with spaCy's batched pipe (faster than one by one)."""
        articles = iter(articles)
        pairs = ((a.text, a) for a in articles)
        for doc, art in self.nlp.pipe(pairs, as_tuples=True, batch_size=batch_size):
            yield art, self._resolve(art, doc)

    def _resolve(self, article: Article, doc) -> list[Mention]:
        spans = recognize(doc, self.gazetteer)
        return self.resolver.resolve(article, spans)


# -- the contract format ------------------------------------------------------------------
def toponym_json(m: Mention) -> dict:
    """One toponym in the `geo geoparse --format jsonl` contract."""
    p = m.place
    return {
        "start": m.start,
        "end": m.end,
        "name": m.text,
        "lat": p.lat if p else None,
        "lon": p.lon if p else None,
        "country": p.country_code if p else None,
        "kind": p.kind if p else None,
        "geonameid": p.geonameid if p else None,
        "place": p.name if p else None,
        "mention_type": m.mention_type,
        "reason": m.reason,
    }


def article_json(article: Article, mentions: list[Mention]) -> dict:
    """One article in the contract format."""
    return {
        "id": article.id,
        "title": article.title,
        "published": article.published.isoformat() if article.published else None,
        "url": article.url,
        "toponyms": [toponym_json(m) for m in mentions],
    }


def mention_from_json(article_id: str, t: dict) -> Mention:
    place = None
    if t.get("lat") is not None:
        place = Place(t["geonameid"], t["place"], t["kind"], t["lat"], t["lon"], t["country"])
    return Mention(
        article_id, t["start"], t["end"], t["name"], t["mention_type"], place, t.get("reason", "")
    )


def load_precomputed(path: Path = PRECOMPUTED) -> dict[str, list[dict]]:
    """text hash -> toponyms, for the shipped sample parsed by this geoparser version."""
    if not path.exists():
        return {}
    out: dict[str, list[dict]] = {}
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        header = json.loads(fh.readline())
        if header.get("geoparser") != GEOPARSER_VERSION:
            log.info("precomputed sample is from geoparser %s; re-parsing", header.get("geoparser"))
            return {}
        for line in fh:
            rec = json.loads(line)
            out[rec["text_hash"]] = rec["toponyms"]
    return out


def write_precomputed(
    geoparser: Geoparser,
    paths: list[Path],
    out: Path = PRECOMPUTED,
    on_progress: Progress | None = None,
) -> int:
    """Parse the sample files and write their results for a fast first start; returns count."""
    articles = [a for p in iter_paths(paths) for a in load_file(p) if isinstance(a, Article)]
    n = 0
    tmp = out.with_name(out.name + ".partial")  # an interrupted run leaves the old file intact
    with gzip.open(tmp, "wt", encoding="utf-8", compresslevel=9) as fh:
        fh.write(json.dumps({"geoparser": GEOPARSER_VERSION}) + "\n")
        for art, mentions in geoparser.parse_many(articles):
            rec = {"text_hash": text_id(art.text), "toponyms": [toponym_json(m) for m in mentions]}
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
            n += 1
            if on_progress:
                on_progress(n, len(articles))
    os.replace(tmp, out)
    return n


# -- ingest -------------------------------------------------------------------------------
@dataclass(slots=True)
class IngestReport:
    """What an ingest run did."""

    added: int = 0
    updated: int = 0
    skipped: int = 0
    failed: list[Failure] = field(default_factory=list)
    files_unchanged: int = 0
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"{self.added} added, {self.updated} updated, {self.skipped} unchanged, "
            f"{len(self.failed)} failed"
            + (f" ({self.files_unchanged} files unchanged)" if self.files_unchanged else "")
        )


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def ingest(
    paths: list[Path | str],
    store,
    geoparser: Geoparser | Callable[[], Geoparser],
    on_progress: Progress | None = None,
    precomputed: dict[str, list[dict]] | None = None,
) -> IngestReport:
    """Load every article under `paths` (files, folders, http(s) URLs), geoparse what is new
    or stale, store it.

    `geoparser` may be a zero-argument factory so that spaCy is only loaded when some
    article really needs parsing. One transaction per article: a crash loses at most the
    article in flight. Failures are recorded in the report and in the store.
    """
    report = IngestReport()
    version = GEOPARSER_VERSION
    pending: list[tuple[Article, str]] = []
    files: list[tuple[str, str]] = []
    urls = [str(p) for p in paths if str(p).startswith(("http://", "https://"))]
    examined: set[str] = {"geocoder", *urls}
    for url in urls:
        try:
            items = fetch_url(url)
        except ArticleError as err:
            report.failed.append(Failure(url, str(err), url))
            continue
        for item in items:
            if isinstance(item, Failure):
                report.failed.append(replace(item, origin=url))
            elif store.is_current(item, version):
                report.skipped += 1
            else:
                pending.append((item, url))
    local = [Path(p) for p in paths if str(p) not in urls]
    for path in iter_paths(local):
        key = str(Path(path).resolve())
        examined.add(key)
        try:
            sha = _sha(read_bytes(Path(path)))
        except ArticleError as err:
            report.failed.append(Failure(Path(path).name, str(err), key))
            continue
        if store.file_is_current(key, sha, version):
            report.files_unchanged += 1
            continue
        file_failed = False
        for item in load_file(Path(path)):
            if isinstance(item, Failure):
                report.failed.append(replace(item, origin=key))
                file_failed = True
            elif store.is_current(item, version):
                report.skipped += 1
            else:
                pending.append((item, key))
        if not file_failed:
            files.append((key, sha))
    queued = {text_id(a.text) for a, _ in pending}
    for art in store.stale_articles(version):
        if text_id(art.text) not in queued:
            pending.append((art, "re-parse"))

    total = len(pending)
    done = 0
    if on_progress:
        on_progress(0, total)
    precomputed = precomputed or {}
    need_parse = []
    for art, origin in pending:
        topos = precomputed.get(text_id(art.text))
        if topos is None:
            need_parse.append((art, origin))
            continue
        mentions = [mention_from_json(art.id, t) for t in topos]
        _save(store, art, mentions, origin, report)
        done += 1
        if on_progress:
            on_progress(done, total)
    if need_parse:
        gp = geoparser if isinstance(geoparser, Geoparser) else geoparser()
        origin_of = {id(a): o for a, o in need_parse}
        stream = gp.parse_many(a for a, _ in need_parse)
        while True:
            try:
                art, mentions = next(stream)
            except StopIteration:
                break
            except ResolveError as err:
                # A geocoder failure stops this batch: say so, keep what is stored, and leave
                # the files unmarked so the next run picks up the rest.
                report.failed.append(Failure("geocoder", str(err), "geocoder"))
                files.clear()
                break
            _save(store, art, mentions, origin_of[id(art)], report)
            done += 1
            if on_progress:
                on_progress(done, total)
        report.warnings.extend(gp.resolver.drain_warnings())
    for key, sha in files:
        store.mark_file(key, sha, version)
    store.record_failures(report.failed, examined)
    return report


def _save(store, art: Article, mentions: list[Mention], origin: str, report: IngestReport) -> None:
    try:
        res = store.save(art, mentions, GEOPARSER_VERSION, origin)
    except GeoError as err:
        report.failed.append(Failure(art.id, str(err), origin))
        return
    if res.status == "added":
        report.added += 1
    elif res.status == "updated":
        report.updated += 1
    else:
        report.skipped += 1
