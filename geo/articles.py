"""Files, URLs and JSON records -> Article.

Supported: `.txt`/`.md` (a `# Title` line, optional byline, a date line such as
`March 28, 2022`, the body, an optional `Original url:` footer), `.html`/`.htm`
(trafilatura), `.json` (one record or a list), `.jsonl` (one record per line) and `.csv`/`.tsv`
(a header row, one record per row) with the fields id, title, published, url, source, text,
language, RSS/Atom feeds (`.rss`, `.atom`, `.xml`; feedparser), one article per entry, any of
these gzipped (`x.jsonl.gz`), and `.zip` archives of them.

No input stops a batch: each bad record becomes a Failure (at most MAX_FAILURES per input, then
one summary), and what was stored with a caveat (undecodable bytes replaced, odd or unreadable
date) is followed by a Notice. Sizes are checked before decoding; `.jsonl`, `.csv` and `.tsv`
are streamed record by record, so only one record at a time is held in memory.

The formats' parsers (geo.plaintext, geo.webpage, geo.records, geo.record_files,
geo.feed_entries), decoding (geo.decoding), dates (geo.dates), file kinds (geo.filekinds) and
the guards on compressed inputs (geo.archives) live in modules of their own; this one picks
the reader for each input and caps what comes back.
"""

from __future__ import annotations

import gzip
import hashlib
import re
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path, PurePosixPath
from typing import IO

from geo.archives import _READ_ERRORS, COMPRESSED_CHUNK, _Budget, _Counted, _Meter, _zip_directory
from geo.article_fields import MAX_ARTICLE_CHARS, text_id, without_credentials
from geo.dates import date_warning, parse_date
from geo.decoding import _SURROGATE, SAMPLE_BYTES, _bom_or_wide, _decode, _replaced_note, decode
from geo.errors import ArticleError
from geo.feed_entries import iter_feed
from geo.filekinds import (
    ARTICLE_SUFFIXES,
    FEED_SUFFIXES,
    STREAM_SUFFIXES,
    _kind,
    _stem,
    _whole_limit,
    iter_paths,
    unsupported,
)
from geo.models import Article, Failure, Notice
from geo.plaintext import _plain
from geo.record_files import _csv_records, _json, _json_records, _jsonl_records
from geo.records import check_columns, parse_columns, parse_record
from geo.uploads import save_upload
from geo.webpage import _html

# Imported from here by the rest of the project: the loader's public face.
__all__ = [
    "ARTICLE_SUFFIXES",
    "MAX_ARTICLE_CHARS",
    "MAX_FAILURES",
    "MAX_NOTICES",
    "date_warning",
    "decode",
    "file_digest",
    "iter_paths",
    "load_file",
    "parse_columns",
    "parse_date",
    "parse_record",
    "save_upload",
    "text_id",
    "without_credentials",
]

MAX_STREAM_BYTES = 4 * 1024**3  # a streamed .jsonl/.csv/.tsv file or member, decompressed
MAX_ARCHIVE_BYTES = 4 * 1024**3  # all members of one .zip together, decompressed
MAX_ZIP_MEMBERS = 100_000  # zipfile holds the whole directory in memory (~0.5 kB a member)
MAX_FAILURES = 10  # per input; the rest are counted in one summary Failure
MAX_NOTICES = 10  # likewise for Notices
_REASON_PREFIX = re.compile(r"^(?:\S+: )+")
_NUMBER = re.compile(r"[\d,.]+")


def _read_limited(stream: IO[bytes], name: str, limit: int) -> bytes:
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise ArticleError(f"{name}: file too big (over {limit:,} bytes)")
    return data


def _load_stream(
    opener: Callable[[], IO[bytes]], name: str, suffix: str, columns: Mapping[str, str]
) -> Iterator[Article | Failure | Notice]:
    """Every item of one input whose bytes `opener` gives; never raises."""
    stem = _stem(name)
    try:
        with opener() as stream:
            if suffix == ".jsonl":
                yield from _jsonl_records(stream, name, stem, columns)
            elif suffix in {".csv", ".tsv"}:
                yield from _csv_records(stream, name, stem, columns, suffix == ".tsv")
            else:
                # No local name for the bytes: _load_data drops them once decoded.
                yield from _load_data(
                    _read_limited(stream, name, _whole_limit(suffix)), name, suffix, stem, columns
                )
    except ArticleError as err:
        yield Failure(name, str(err))
    except _READ_ERRORS as err:
        yield Failure(name, f"{name}: cannot read ({getattr(err, 'strerror', None) or err})")


def _load_data(
    data: bytes, name: str, suffix: str, stem: str, columns: Mapping[str, str]
) -> Iterator[Article | Failure | Notice]:
    """Every item of a whole-file input. Raises ArticleError when the file as a whole fails."""
    if suffix in FEED_SUFFIXES:
        if not data.strip():
            raise ArticleError(f"{name}: file is empty")
        if _bom_or_wide(data[:SAMPLE_BYTES]) is None and b"\x00" in data[:8192]:
            raise ArticleError(f"{name}: binary file, not text")
        yield from iter_feed(data, name)
        return
    raw, replaced = _decode(data, name)
    del data
    note = _replaced_note(replaced, len(raw)) if replaced else None
    if suffix == ".json":
        if note:
            yield Notice(name, note)
        try:
            parsed = _json(raw, where_lines=True)
        except ArticleError as err:
            yield Failure(name, f"{name}: {err}")
            return
        del raw
        yield from _json_records(parsed, name, stem, columns)
        return
    if suffix in {".html", ".htm"}:
        art, notes = _html(raw, stem)
    else:
        art, notes = _plain(raw, stem)
    yield art
    for n in [note, *notes] if note else notes:
        yield Notice(name, n)


def _reason_key(item: Failure | Notice) -> tuple[str, str]:
    """(grouping key, example) of a failure reason or notice, without source names or numbers."""
    text = item.reason if isinstance(item, Failure) else item.message
    text = _REASON_PREFIX.sub("", text, count=1)
    return _NUMBER.sub("#", text), text


def _capped(
    items: Iterable[Article | Failure | Notice], name: str
) -> Iterator[Article | Failure | Notice]:
    """Pass items through, but at most MAX_FAILURES failures and MAX_NOTICES notices, then a summary."""
    shown = {Failure: 0, Notice: 0}
    rest: dict[type, Counter[str]] = {Failure: Counter(), Notice: Counter()}
    example: dict[str, str] = {}
    for item in items:
        kind = type(item)
        if kind is Article:
            yield item
            continue
        limit = MAX_FAILURES if kind is Failure else MAX_NOTICES
        if shown[kind] < limit:
            shown[kind] += 1
            yield item
            continue
        key, text = _reason_key(item)
        rest[kind][key] += 1
        example.setdefault(key, text)
    if rest[Failure]:
        key, _ = rest[Failure].most_common(1)[0]
        yield Failure(
            name,
            f"{name}: … and {rest[Failure].total():,} more records failed "
            f"(most common reason: {example[key]})",
        )
    if rest[Notice]:
        key, _ = rest[Notice].most_common(1)[0]
        yield Notice(
            name, f"… and {rest[Notice].total():,} more notices (most common: {example[key]})"
        )


def _load_zip(
    path: Path, name: str, columns: Mapping[str, str]
) -> Iterator[Article | Failure | Notice]:
    try:
        # Checked before zipfile reads the whole directory into memory.
        directory = _zip_directory(path)
        if directory and (directory[0] > MAX_ZIP_MEMBERS or directory[1] > 200 * MAX_ZIP_MEMBERS):
            yield Failure(
                name,
                f"{name}: too many members in the zip archive ({directory[0]:,}, "
                f"limit {MAX_ZIP_MEMBERS:,})",
            )
            return
        raw = _Counted(open(path, "rb"))  # noqa: SIM115 (closed with the archive below)
    except _READ_ERRORS as err:
        yield Failure(name, f"{name}: cannot read ({getattr(err, 'strerror', None) or err})")
        return
    try:
        archive = zipfile.ZipFile(raw)  # type: ignore[arg-type]
    except (*_READ_ERRORS, ValueError) as err:
        raw.close()
        yield Failure(name, f"{name}: not a readable zip archive ({err})")
        return
    directory_bytes = raw.count
    budget = _Budget(MAX_ARCHIVE_BYTES, lambda: raw.count - directory_bytes)
    skipped: Counter[str] = Counter()
    found = 0
    with raw, archive:
        for info in archive.infolist():
            parts = PurePosixPath(info.filename).parts
            if info.is_dir() or not parts:
                continue
            if any(p.startswith(".") or p == "__MACOSX" for p in parts):
                continue
            base = parts[-1]
            if base.upper().startswith(("README", "LICENSE")):
                continue
            kind = _kind(base)
            if kind is None or kind[1] == ".zip":
                skipped[PurePosixPath(base).suffix.lower() or "(none)"] += 1
                continue
            found += 1
            where = f"{name}/{info.filename}"
            if info.flag_bits & 0x1:
                yield Failure(where, f"{where}: encrypted, cannot be read")
                continue
            suffix, comp = kind
            limit = MAX_STREAM_BYTES if suffix in STREAM_SUFFIXES else _whole_limit(suffix)
            if comp == "" and info.file_size > limit:
                yield Failure(where, f"{where}: file too big ({info.file_size:,} bytes)")
                continue

            def opener(
                info: zipfile.ZipInfo = info,
                where: str = where,
                comp: str = comp,
                limit: int = limit,
            ) -> IO[bytes]:
                start = raw.count
                raw.chunk = None  # the member's header is read whole
                member = archive.open(info)
                raw.chunk = COMPRESSED_CHUNK

                def taken() -> int:
                    return raw.count - start

                if comp == ".gz":
                    inner = gzip.GzipFile(fileobj=_Counted(member, COMPRESSED_CHUNK))  # type: ignore[arg-type]
                    return _Meter(inner, where, limit, taken, budget, member)  # type: ignore[return-value]
                return _Meter(member, where, limit, taken, budget)  # type: ignore[return-value]

            yield from _capped(_load_stream(opener, where, suffix, columns), where)
            if budget.left < 0 or budget.refused:
                return
    if skipped:
        kinds = ", ".join(f"{n} {s}" for s, n in sorted(skipped.items()))
        yield Notice(name, f"skipped members of unsupported types ({kinds})")
    if not found:
        yield Failure(name, f"{name}: no supported article files in the zip archive")


def file_digest(path: Path) -> str:
    """The SHA-256 of a file, read in chunks (streamed inputs may be gigabytes).

    Raises ArticleError when it cannot be read.
    """
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as fh:
            while chunk := fh.read(1024 * 1024):
                digest.update(chunk)
    except OSError as err:
        raise ArticleError(f"{Path(path).name}: cannot read ({err.strerror or err})") from err
    return digest.hexdigest()


def load_file(
    path: Path, columns: Mapping[str, str] | None = None
) -> Iterator[Article | Failure | Notice]:
    """Every article in a file; a bad record yields a Failure and the rest go on.

    `columns` maps fields (FIELDS) to the column or key names of a CSV/JSON/JSONL input. A
    Notice follows the Article it concerns (its `source` names the file or record); at most
    MAX_FAILURES failures and MAX_NOTICES notices per file, then one summary of each. Never
    raises for bad input.
    """
    path = Path(path)
    name = _SURROGATE.sub("\ufffd", path.name)  # a file name that is not UTF-8 can't be stored
    yield from _capped(_load_path(path, name, columns), name)


def _load_path(
    path: Path, name: str, columns: Mapping[str, str] | None
) -> Iterator[Article | Failure | Notice]:
    """The items of one file (not a generator itself: one layer less per record)."""
    try:
        cols = check_columns(columns)
    except ArticleError as err:
        return iter([Failure(name, f"{name}: {err}")])
    kind = _kind(name)
    if kind is None:
        suffix = path.suffix.lower()
        if suffix == ".gz":
            suffix = "".join(path.suffixes[-2:]).lower()
        return iter([Failure(name, unsupported(suffix))])
    suffix, comp = kind
    try:
        size = path.stat().st_size
    except OSError as err:
        return iter([Failure(name, f"{name}: cannot read ({err.strerror or err})")])
    if comp == ".zip":
        return _load_zip(path, name, cols)
    limit = MAX_STREAM_BYTES if suffix in STREAM_SUFFIXES else _whole_limit(suffix)
    if comp == "":
        if size > limit:
            what = " for one article" if suffix in {".txt", ".md", ".html", ".htm"} else ""
            return iter(
                [Failure(name, f"{name}: file too big{what} ({size:,} bytes, limit {limit:,})")]
            )

        def opener() -> IO[bytes]:
            return open(path, "rb")
    else:

        def opener() -> IO[bytes]:
            raw = _Counted(open(path, "rb"), COMPRESSED_CHUNK)  # noqa: SIM115 (the meter closes it)
            try:
                inner = gzip.GzipFile(fileobj=raw)  # type: ignore[arg-type]
            except BaseException:
                raw.close()
                raise
            return _Meter(inner, name, limit, lambda: raw.count, also_close=raw)  # type: ignore[return-value]

    return _load_stream(opener, name, suffix, cols)
