"""JSON, JSONL and CSV/TSV inputs -> their records, each as an Article or a Failure.

`.jsonl`, `.csv` and `.tsv` are read as streams, one record at a time and at most
MAX_RECORD_CHARS each; a `.json` file is parsed whole.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator, Mapping
from typing import IO

from geo.article_fields import MAX_ARTICLE_CHARS
from geo.decoding import SAMPLE_BYTES, _replaced_note, _text_stream, _undecodable
from geo.errors import ArticleError
from geo.models import Article, Failure, Notice
from geo.records import _record_items

MAX_RECORD_CHARS = 8 * MAX_ARTICLE_CHARS  # one JSONL line or CSV field, escapes included


def _jsonl_records(
    binary: IO[bytes], name: str, stem: str, columns: Mapping[str, str]
) -> Iterator[Article | Failure | Notice]:
    fh = _text_stream(binary, name, None)
    n = 0
    blank = True
    while True:
        line = fh.readline(MAX_RECORD_CHARS + 1)
        if not line:
            if blank:
                raise ArticleError(f"{name}: file is empty")
            return
        n += 1
        where = f"{name}:{n}"
        if len(line) > MAX_RECORD_CHARS and not line.endswith("\n"):
            while (rest := fh.readline(SAMPLE_BYTES)) and not rest.endswith("\n"):
                pass
            yield Failure(where, f"{where}: record too big (over {MAX_RECORD_CHARS:,} characters)")
            continue
        if not line.strip():
            continue
        blank = False
        line, bad = _undecodable(line)
        try:
            rec = _json(line)
        except ArticleError as err:
            yield Failure(where, f"{where}: {err}")
            continue
        notes = [_replaced_note(bad, len(line))] if bad else []
        yield from _record_items(rec, f"{stem}-{n}", where, columns, notes)


def _csv_records(
    binary: IO[bytes], name: str, stem: str, columns: Mapping[str, str], tab: bool
) -> Iterator[Article | Failure | Notice]:
    fh = _text_stream(binary, name, "")
    # Whether the record being read has an odd number of quotes so far, i.e. is inside a
    # quoted field: after a field too big, its remaining lines are skipped up to the one that
    # closes the quotes, so the next record is read from its own start.
    inside = [False]

    def lines() -> Iterator[str]:
        while line := fh.readline(MAX_RECORD_CHARS + 1):
            if len(line) > MAX_RECORD_CHARS and not line.endswith(("\n", "\r")):
                raise ArticleError(
                    f"{name}: a line is longer than {MAX_RECORD_CHARS:,} characters; "
                    "the rest of the file was not read"
                )
            if line.count('"') % 2:
                inside[0] = not inside[0]
            yield line

    source = lines()
    first = next(source, "")
    while first and not first.strip():
        first = next(source, "")
    if not first.strip():
        raise ArticleError(f"{name}: file is empty (no header row)")
    delimiter = "\t" if tab else (";" if first.count(";") > first.count(",") else ",")
    csv.field_size_limit(max(csv.field_size_limit(), MAX_RECORD_CHARS))
    try:
        header = next(csv.reader([first], delimiter=delimiter), [])
    except csv.Error as err:
        raise ArticleError(f"{name}: unreadable header row ({err})") from err
    header = [_undecodable(h)[0].strip().lower() for h in header]
    cols = {k: v.lower() for k, v in columns.items()}
    reader = csv.reader(source, delimiter=delimiter)
    n = 1
    while True:
        inside[0] = False  # a record starts
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as err:
            n += 1
            if "field limit" in str(err):
                while inside[0] and next(source, None) is not None:
                    pass  # the rest of the oversized quoted field, and of its record
                yield Failure(
                    f"{name}:{n}",
                    f"{name}:{n}: record too big (a field over {MAX_RECORD_CHARS:,} characters)",
                )
                continue
            yield Failure(f"{name}:{n}", f"{name}:{n}: malformed CSV row ({err})")
            continue
        n += 1
        where = f"{name}:{n}"
        if not any(cell.strip() for cell in row):
            continue
        bad = 0
        cells = []
        for cell in row:
            cell, k = _undecodable(cell)
            cells.append(cell)
            bad += k
        rec = dict(zip(header, cells, strict=False))
        notes = [_replaced_note(bad, sum(map(len, cells)))] if bad else []
        yield from _record_items(rec, f"{stem}-{n - 1}", where, cols, notes)


def _json(text: str, where_lines: bool = False) -> object:
    """json.loads that raises only ArticleError (also for deep nesting and huge numbers)."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        at = f" at line {err.lineno}" if where_lines else ""
        raise ArticleError(f"malformed JSON ({err.msg}{at})") from err
    except RecursionError as err:
        raise ArticleError("malformed JSON (nested too deeply)") from err
    except ValueError as err:  # an integer beyond Python's digit limit (4,300 by default)
        raise ArticleError("unreadable JSON (a number with too many digits)") from err


def _json_records(
    data: object, name: str, stem: str, columns: Mapping[str, str]
) -> Iterator[Article | Failure | Notice]:
    if isinstance(data, dict):
        yield from _record_items(data, stem, name, columns)
        return
    if not isinstance(data, list):
        yield Failure(name, f"{name}: neither a JSON object nor a list of objects")
        return
    if not data:
        yield Failure(name, f"{name}: an empty JSON list")
        return
    for n in range(len(data)):
        rec, data[n] = data[n], None  # free each record once read
        where = name if len(data) == 1 else f"{name}[{n + 1}]"
        rid = stem if len(data) == 1 else f"{stem}-{n + 1}"
        yield from _record_items(rec, rid, where, columns)
