"""One JSON/CSV record (a mapping of fields) -> Article, and the column mappings that say
which of its keys hold which field."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping

from geo.article_fields import MAX_ARTICLE_CHARS, _article, _check_size, _field, source_from_url
from geo.dates import _read_date
from geo.decoding import _clean, _surrogate_note
from geo.errors import ArticleError
from geo.models import Article, Failure, Notice

FIELDS = ("id", "title", "published", "url", "source", "text", "language")
TEXT_FIELDS = ("text", "body", "content")
DATE_FIELDS = ("published", "date", "publication_date", "pubdate")
DEFAULT_KEYS: dict[str, tuple[str, ...]] = {
    "id": ("id",),
    "title": ("title", "headline"),
    "published": DATE_FIELDS,
    "url": ("url", "link"),
    "source": ("source",),
    "text": TEXT_FIELDS,
    "language": ("language",),
}


def _scalar(value: object) -> str | None:
    """A JSON/CSV value as text; None for missing values, lists and objects."""
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return str(value)
        except ValueError:  # an int beyond Python's digit limit
            return None
    return None


def _lookup(rec: Mapping[str, object], field: str, columns: Mapping[str, str]) -> object:
    if field in columns:
        return rec.get(columns[field])
    keys = DEFAULT_KEYS[field]
    if field == "text":
        return next((rec[k] for k in keys if isinstance(rec.get(k), str) and rec[k].strip()), None)
    return next((rec[k] for k in keys if rec.get(k) not in (None, "")), None)


def _record(rec: object, default_id: str, columns: Mapping[str, str]) -> tuple[Article, list[str]]:
    if not isinstance(rec, dict):
        raise ArticleError(f"{default_id}: record is not a JSON object")
    rid = _scalar(rec.get("id") if "id" not in columns else rec.get(columns["id"])) or default_id
    raw_text = _lookup(rec, "text", columns)
    if raw_text is None or raw_text == "":
        shown = rid if rid is default_id else _field(rid, 80)
        raise ArticleError(f"{shown}: record has no {columns.get('text', 'text')!r} field")
    if not isinstance(raw_text, str):
        raise ArticleError(f"{_field(rid, 80)}: the text is a {type(raw_text).__name__}, not text")
    if len(raw_text) > 2 * MAX_ARTICLE_CHARS:  # clearly too big: don't normalise it first
        _check_size(raw_text, _field(rid, 80))
    text, bad = _clean(raw_text)
    _check_size(text, _field(rid, 80))
    notes = [_surrogate_note(bad)] if bad else []
    published = _read_date(_lookup(rec, "published", columns), notes)
    url = _scalar(_lookup(rec, "url", columns))
    title = _scalar(_lookup(rec, "title", columns)) or ""
    source = _scalar(_lookup(rec, "source", columns)) or source_from_url(url) or "unknown source"
    language = _scalar(_lookup(rec, "language", columns)) or "en"
    return _article(rid, url, title, published, source, language, text), notes


def parse_record(rec: object, default_id: str, columns: Mapping[str, str] | None = None) -> Article:
    """A record with text (or body/content) and optional id, title, published, url, source.

    `columns` maps our field names to the record's keys (`{"text": "body"}`); unmapped fields
    use the default keys. An unreadable date leaves the article undated. Raises ArticleError.
    """
    return _record(rec, default_id, check_columns(columns))[0]


def parse_columns(pairs: list[str]) -> dict[str, str]:
    """["text=body", "published=date"] (or one "text=body, published=date") as a mapping.

    Raises ArticleError naming a malformed pair or an unknown field.
    """
    out: dict[str, str] = {}
    for pair in (p.strip() for item in pairs for p in item.split(",")):
        if not pair:
            continue
        field, sep, name = pair.partition("=")
        if not sep or not field.strip() or not name.strip():
            raise ArticleError(f"column mapping {pair!r}: write FIELD=COLUMN, e.g. text=body")
        out[field.strip()] = name.strip()
    return check_columns(out)


def check_columns(columns: Mapping[str, str] | None) -> dict[str, str]:
    """A column mapping (field -> the input's column name) checked against FIELDS.

    Raises ArticleError naming unknown fields.
    """
    if not columns:
        return {}
    unknown = sorted(str(k) for k in columns if k not in FIELDS)
    if unknown:
        raise ArticleError(
            f"unknown field(s) in column mapping: {', '.join(unknown)} (known: {', '.join(FIELDS)})"
        )
    bad = sorted(k for k, v in columns.items() if not isinstance(v, str) or not v.strip())
    if bad:
        raise ArticleError(f"column mapping: no column name given for {', '.join(bad)}")
    return {k: v.strip() for k, v in columns.items()}


def _record_items(
    rec: object, default_id: str, where: str, columns: Mapping[str, str], notes: Iterable[str] = ()
) -> Iterator[Article | Failure | Notice]:
    try:
        art, more = _record(rec, default_id, columns)
    except ArticleError as err:
        yield Failure(where, str(err))
        return
    yield art
    for note in (*notes, *more):
        yield Notice(where, note)
