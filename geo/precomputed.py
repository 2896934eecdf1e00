"""The shipped sample's results (places, events, language, MinHash), computed once by
`python -m geo precompute`, so that a first start imports the sample without parsing it."""

from __future__ import annotations

import gzip
import json
import logging
import os
from collections.abc import Iterator, Mapping
from pathlib import Path

import geo.geoparser  # its GEOPARSER_VERSION is read at each use: a bumped one reaches every reader
from geo import dedup
from geo.articles import iter_paths, load_file, text_id
from geo.contract import event_json, toponym_json
from geo.geoparser import Geoparser, Progress
from geo.language import DETECTOR, detect
from geo.models import Article
from geo.paths import PROJECT_ROOT

log = logging.getLogger(__name__)

# Outside data/sample/, so that scanning the sample folder never reads it as articles.
PRECOMPUTED = PROJECT_ROOT / "data" / "precomputed" / "sample.geoparsed.jsonl.gz"


class Precomputed(Mapping[str, list[dict]]):
    """text hash -> toponyms, kept as JSON text until asked for (a tenth of the memory);
    `events(text hash)` the article's events (event_json).

    Records may also carry the text's language and MinHash signature (`extras`), which the
    first import would otherwise compute again; files written without them still load.
    """

    def __init__(
        self, lines: dict[str, str], language: bool = False, minhash: bool = False
    ) -> None:
        self._lines = lines
        self._language = language  # the file's languages are this detector's (DETECTOR)
        self._minhash = minhash  # its signatures are dedup.SIGNATURE_KIND's
        self._last: tuple[str, dict] | None = None

    def _record(self, text_hash: str) -> dict:
        # An article's toponyms, extras and events are asked for one after the other:
        # its line is parsed once.
        if self._last is None or self._last[0] != text_hash:
            self._last = (text_hash, json.loads(self._lines[text_hash]))
        return self._last[1]

    def __getitem__(self, text_hash: str) -> list[dict]:
        return self._record(text_hash)["toponyms"]

    def extras(self, text_hash: str) -> tuple[str | None, bytes | None]:
        """(language, MinHash signature) stored for the text; None for what is not stored."""
        rec = self._record(text_hash)
        lang = rec.get("language") if self._language else None
        sig = rec.get("minhash") if self._minhash else None
        return lang, bytes.fromhex(sig) if sig else None

    def events(self, text_hash: str) -> list[dict]:
        return self._record(text_hash)["events"]

    def __iter__(self) -> Iterator[str]:
        return iter(self._lines)

    def __len__(self) -> int:
        return len(self._lines)


def load_precomputed(path: Path = PRECOMPUTED) -> Precomputed:
    """text hash -> toponyms and events, for the shipped sample parsed by this geoparser
    version. A record without events (written before events were stored) is left out: its
    article is parsed.
    """
    lines: dict[str, str] = {}
    if not path.exists():
        return Precomputed(lines)
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        header = json.loads(fh.readline())
        if header.get("geoparser") != geo.geoparser.GEOPARSER_VERSION:
            log.info("precomputed sample is from geoparser %s; re-parsing", header.get("geoparser"))
            return Precomputed(lines)
        for line in fh:
            rec = json.loads(line)
            if "events" in rec:  # older records without events are parsed again
                lines[rec["text_hash"]] = line
    return Precomputed(
        lines,
        language=header.get("language") == DETECTOR,
        minhash=header.get("minhash") == dedup.SIGNATURE_KIND,
    )


def _precomputed_header() -> str:
    return json.dumps(
        {
            "geoparser": geo.geoparser.GEOPARSER_VERSION,
            "language": DETECTOR,
            "minhash": dedup.SIGNATURE_KIND,
        }
    )


def _extras(text: str) -> dict:
    """What the first import would compute for a text besides its places."""
    sig = dedup.signature(text)
    return {"language": detect(text), "minhash": sig.hex() if sig else None}


def add_precomputed_extras(paths: list[Path], path: Path = PRECOMPUTED) -> int:
    """Add each text's language and MinHash signature to the precomputed file, in place.

    Reads the sample `paths` for the texts; the places are kept as they are (no re-parse).
    Returns the number of records that got them.
    """
    texts = {
        text_id(a.text): a.text
        for p in iter_paths(paths)
        for a in load_file(p)
        if isinstance(a, Article)
    }
    tmp = path.with_name(path.name + ".partial")
    n = 0
    with (
        gzip.open(path, "rt", encoding="utf-8") as src,
        gzip.open(tmp, "wt", encoding="utf-8", compresslevel=9) as out,
    ):
        header = json.loads(src.readline())
        header.update(language=DETECTOR, minhash=dedup.SIGNATURE_KIND)
        out.write(json.dumps(header) + "\n")
        for line in src:
            rec = json.loads(line)
            text = texts.get(rec["text_hash"])
            if text is not None:
                rec.update(_extras(text))
                n += 1
            out.write(json.dumps(rec, ensure_ascii=False) + "\n")
    os.replace(tmp, path)
    return n


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
        fh.write(_precomputed_header() + "\n")
        for art, mentions, events, _ in geoparser.parse_full(articles):
            rec = {
                "text_hash": text_id(art.text),
                "toponyms": [toponym_json(m) for m in mentions],
                "events": [event_json(e, mentions) for e in events],
            }
            rec.update(_extras(art.text))
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
            n += 1
            if on_progress:
                on_progress(n, len(articles))
    os.replace(tmp, out)
    return n
