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
"""

from __future__ import annotations

import codecs
import csv
import gzip
import hashlib
import io
import json
import logging
import os
import re
import unicodedata
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import UTC, date, datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path, PurePosixPath
from typing import IO
from urllib.parse import urlparse

from geo.errors import ArticleError
from geo.models import Article, Failure, Notice

log = logging.getLogger(__name__)

MAX_ARTICLE_CHARS = 1_000_000  # one article; longer texts are rejected, not truncated
MAX_FILE_BYTES = 50 * 1024 * 1024  # a file read whole (.json, .html, feed, ...), decompressed
MAX_TEXT_FILE_BYTES = 8 * MAX_ARTICLE_CHARS  # a .txt/.md file is one article
MAX_HTML_BYTES = 10 * 1024 * 1024  # one web page
MAX_FEED_BYTES = 10 * 1024 * 1024  # feedparser needs ~20 s and ~150 MB for that much
MAX_HTML_TAGS = 50_000  # trafilatura needs ~1 s per 10,000 tags
MAX_HTML_ATTRIBUTES = 64  # per tag; lxml is quadratic in them, so the rest are dropped
MAX_RECORD_CHARS = 8 * MAX_ARTICLE_CHARS  # one JSONL line or CSV field, escapes included
MAX_STREAM_BYTES = 4 * 1024**3  # a streamed .jsonl/.csv/.tsv file or member, decompressed
MAX_ARCHIVE_BYTES = 4 * 1024**3  # all members of one .zip together, decompressed
MAX_ZIP_MEMBERS = 100_000  # zipfile holds the whole directory in memory (~0.5 kB a member)
MAX_COMPRESSION_RATIO = 200  # text compresses ~5:1; far beyond that is a zip bomb
RATIO_FLOOR = 1024 * 1024  # the ratio is judged once this much came out; small files may be denser
COMPRESSED_CHUNK = 2 * 1024  # compressed bytes a decompressor gets at a time (see _Counted)
MAX_UPLOAD_BYTES = 200 * 1024 * 1024  # Streamlit's default upload limit
MAX_FAILURES = 10  # per input; the rest are counted in one summary Failure
MAX_NOTICES = 10  # likewise for Notices
SAMPLE_BYTES = 64 * 1024  # encoding detection looks at this much, never at a whole file

ARTICLE_SUFFIXES = {
    ".txt", ".md", ".html", ".htm", ".json", ".jsonl", ".csv", ".tsv", ".rss", ".atom", ".xml"
}  # fmt: skip
SUFFIXES = ARTICLE_SUFFIXES | {".gz", ".zip"}  # `.gz` only as `x.<article suffix>.gz`
FEED_SUFFIXES = {".rss", ".atom", ".xml"}
STREAM_SUFFIXES = {".jsonl", ".csv", ".tsv"}
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

_MONTHS = (
    "jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec|january|february|march|april|june|"
    "july|august|september|october|november|december"
)
_DATE_LINE = re.compile(
    rf"^\s*(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day,?\s+)?(?:"
    rf"(?:{_MONTHS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}"
    rf"|\d{{1,2}}\s+(?:{_MONTHS})\.?,?\s+\d{{4}}"
    rf"|\d{{4}}-\d{{2}}-\d{{2}}(?:[T ][\d:.+Z-]*)?)\s*$",
    re.IGNORECASE,
)
_URL_FOOTER = re.compile(r"^\s*(?:original\s+url|source\s+url|url)\s*:\s*(.*)$", re.IGNORECASE)
# Spans are bounded and cannot cross their own delimiters: otherwise each unclosed `[` or
# `*` scans the rest of the text, and a line of them takes minutes.
_MD_LINK = re.compile(r"\[([^\[\]]{0,1000})\]\((?:[^()\n]|\([^()\n]{0,200}\)){0,2000}\)")
_MD_EMPH = re.compile(
    r"\*\*(?=\S)([^*\n]{1,500}?)(?<=\S)\*\*|__(?=\S)([^_\n]{1,500}?)(?<=\S)__"
    r"|\*(?=\S)([^*\n]{1,500}?)(?<=\S)\*|_(?=\S)([^_\n]{1,500}?)(?<=\S)_"
)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # Unicode category Cc but \t and \n
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_CHAR_REF = re.compile(rb"&#([xX][0-9a-fA-F]{1,8}|[0-9]{1,10});")
# The user name and password of an address: everything before the authority's last "@".
_USERINFO = re.compile(r"^(\s*[A-Za-z][A-Za-z0-9+.-]*:)?//[^/?#]*@")
_REASON_PREFIX = re.compile(r"^(?:\S+: )+")
_NUMBER = re.compile(r"[\d,.]+")
# The attribute part must start with a space or "/": overlapping groups were quadratic.
_HTML_TAG = re.compile(r"<([A-Za-z][^\s/<>]*)((?:[\s/][^<>]*)?)>")
_HTML_ATTR = re.compile(r"""[^\s"'=<>/]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'<>`]+))?""")
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


# -- dates --------------------------------------------------------------------------------
# "March 28, 2022", "Mar 28, 2022", "28 March 2022", "28 Mar 2022" (English month names: the C
# locale's, which Python uses unless a program sets another).
_WRITTEN_DATES = ("%B %d, %Y", "%b %d, %Y", "%B %d %Y", "%d %B %Y", "%d %b %Y", "%b. %d, %Y")


def parse_date(value: object) -> date | None:
    """A publication date from ISO 8601, RFC 822 or written text ('March 28, 2022'); None when empty.

    Time zones are never converted: a timestamp gives the calendar date in its own offset, as
    its writer saw it (`2022-03-01T23:30:00-05:00` and `Tue, 01 Mar 2022 23:30:00 -0500` are
    both March 1, although it was already March 2 in UTC). Raises ArticleError when the value
    is present but is not a date.
    """
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise ArticleError(f"publication date is a {type(value).__name__}, not text")
    s = value.strip()
    if not s:
        return None
    if len(s) > 100:  # no date is that long; dateparser would take seconds on it
        raise ArticleError(f"unreadable publication date {s[:40]!r}…")
    try:
        return date.fromisoformat(s[:10])
    except ValueError:
        pass
    if re.search(r"\d{1,2}\s+[A-Za-z]{3}\w*\s+\d{4}", s):
        try:
            return parsedate_to_datetime(s).date()
        except (TypeError, ValueError, IndexError, OverflowError):
            pass
    for fmt in _WRITTEN_DATES:  # the common English forms, without loading dateparser
        try:
            return datetime.strptime(s, fmt).date()  # noqa: DTZ007 (a date, no time zone)
        except ValueError:
            pass
    import dateparser  # slow to import and to start; most dates are ISO or written above

    try:
        parsed = dateparser.parse(
            s, languages=["en"], settings={"STRICT_PARSING": True, "PREFER_DAY_OF_MONTH": "first"}
        )
    except (ValueError, OverflowError) as err:
        raise ArticleError(f"unreadable publication date {s[:40]!r}") from err
    if parsed is None:
        raise ArticleError(f"unreadable publication date {s[:40]!r}")
    return parsed.date()


def date_warning(day: date) -> str | None:
    """Why a readable publication date is suspicious (before 1900 or after today), or None.

    "Today" is the UTC date plus one day, so that dates written in time zones ahead of UTC
    are not flagged.
    """
    if day.year < 1900:
        return f"publication date {day.isoformat()} is before 1900: kept, please check it"
    if day > datetime.now(UTC).date() + timedelta(days=1):
        return f"publication date {day.isoformat()} is in the future: kept, please check it"
    return None


def _read_date(value: object, notes: list[str]) -> date | None:
    """parse_date, but an unreadable or odd date is a note, not an error."""
    try:
        day = parse_date(value)
    except ArticleError as err:
        notes.append(f"{err}: kept as undated")
        return None
    if day is not None and (warning := date_warning(day)):
        notes.append(warning)
    return day


# -- bytes -> text ------------------------------------------------------------------------
def _bom_or_wide(head: bytes) -> str | None:
    """The codec a BOM names, or UTF-16 guessed from NULs in every other byte."""
    for bom, codec in _BOMS:
        if head.startswith(bom):
            return codec
    sample = head[:4096]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    nul_even, nul_odd = even.count(0), odd.count(0)
    if nul_odd > 0.3 * len(odd) and nul_even <= 0.02 * len(even):
        return "utf-16-le"
    if nul_even > 0.3 * len(even) and nul_odd <= 0.02 * len(odd):
        return "utf-16-be"
    return None


def _guess_encoding(data: bytes, bad_at: int) -> str:
    """The codec of text that is not valid UTF-8, judged on a sample around the first bad byte.

    Mostly-UTF-8 text with a few bad bytes stays UTF-8 (the bad bytes get replaced); otherwise
    charset_normalizer decides on at most SAMPLE_BYTES, never on the whole file.
    """
    start = max(0, bad_at - 1024)
    sample = data[start : start + SAMPLE_BYTES]
    if start:
        sample = sample[sample.find(b"\n") + 1 :] or sample
    if len(sample) == SAMPLE_BYTES and b"\n" in sample:
        sample = sample[: sample.rfind(b"\n")]  # don't cut a multibyte character
    text = sample.decode("utf-8", errors="replace")
    bad = text.count("\ufffd") - sample.count(b"\xef\xbf\xbd")
    good = sum(1 for ch in text if ord(ch) > 127) - text.count("\ufffd")
    if good > bad:
        return "utf-8"
    from charset_normalizer import from_bytes

    best = from_bytes(sample).best()
    if best is None:
        return "utf-8"
    try:
        return codecs.lookup(best.encoding).name
    except LookupError:
        return "utf-8"


def _decode(data: bytes, name: str) -> tuple[str, int]:
    """(text, number of undecodable bytes replaced by U+FFFD). Raises ArticleError."""
    if not data.strip():
        raise ArticleError(f"{name}: file is empty")
    codec = _bom_or_wide(data[:SAMPLE_BYTES])
    if codec is None:
        if b"\x00" in data[:8192]:
            raise ArticleError(f"{name}: binary file, not text")
        try:
            return data.decode("utf-8"), 0
        except UnicodeDecodeError as err:
            codec = _guess_encoding(data, err.start)
        log.info("%s decoded as %s", name, codec)
    text = data.decode(codec, errors="replace")
    replaced = text.count("\ufffd")
    if codec.replace("_", "-").startswith("utf-8"):
        replaced -= data.count(b"\xef\xbf\xbd")  # already in the file, not our replacement
    if not text.strip():
        raise ArticleError(f"{name}: file is empty")
    head = text[:SAMPLE_BYTES]
    junk = len(_CONTROL.findall(head)) - head.count("\r") + head.count("\ufffd")
    if replaced > 0.3 * len(text) or junk > 0.1 * len(head):
        raise ArticleError(f"{name}: binary or undecodable file, not text")
    return text, replaced


def decode(data: bytes, name: str) -> str:
    """Bytes -> text: a BOM's codec, UTF-8, else the charset detected on a sample.

    Bytes that do not decode become U+FFFD. Raises ArticleError for empty, binary or mostly
    undecodable input.
    """
    return _decode(data, name)[0]


def _replaced_note(replaced: int, chars: int) -> str:
    share = f"{replaced / max(chars, 1):.1%}".replace("0.0%", "<0.1%")
    return f"{replaced:,} undecodable byte(s) replaced with U+FFFD ({share} of the text)"


def _surrogate_note(count: int) -> str:
    return f"{count:,} invalid character(s) (lone surrogates such as \\ud800) replaced with U+FFFD"


# -- text cleaning ------------------------------------------------------------------------
def _clean(text: str) -> tuple[str, int]:
    """clean_text, and how many lone surrogates it replaced."""
    text, bad = _SURROGATE.subn("\ufffd", text)
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    return _CONTROL.sub("", text).strip(), bad


def clean_text(text: str) -> str:
    """Normalise to NFC, unify line ends, drop control characters (keeps offsets stable after).

    Lone surrogates (from JSON escapes such as `\\ud800`) become U+FFFD, so the text always
    encodes as UTF-8.
    """
    return _clean(text)[0]


def _field(value: str, limit: int = 1000) -> str:
    """A one-line metadata string: no surrogates, control characters or runs of whitespace."""
    value = _CONTROL.sub(" ", _SURROGATE.sub("\ufffd", value[: limit * 2]))
    value = " ".join(value.split())
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _check_size(text: str, name: str) -> None:
    if not text.strip():
        raise ArticleError(f"{name}: article has no text")
    if len(text) > MAX_ARTICLE_CHARS:
        raise ArticleError(
            f"{name}: article too big ({len(text):,} characters, limit {MAX_ARTICLE_CHARS:,})"
        )


def _first_line(text: str, ellipsis: bool = False) -> str:
    first = text[:1000].split("\n", 1)[0]
    return first[:100] + ("…" if ellipsis and len(first) > 100 else "")


def _article(
    aid: str,
    url: str | None,
    title: str,
    published: date | None,
    source: str,
    language: str,
    text: str,
) -> Article:
    """An Article whose metadata strings are single clean lines that encode as UTF-8."""
    url = _field(without_credentials(url), 4000) if url else None
    return Article(
        _field(aid, 500) or text_id(text),
        url or None,
        _field(title) or _first_line(text),
        published,
        _field(source, 200),
        _field(language, 20) or "en",
        text,
    )


def text_id(text: str) -> str:
    """A short content hash, used to recognise the same text under another file name."""
    return hashlib.sha256(text.encode("utf-8", errors="replace")).hexdigest()[:16]


def without_credentials(url: str) -> str:
    """The URL with its user name and password (if any) removed: the form shown and stored.

    Never fails: text that is not a URL comes back unchanged.
    """
    m = _USERINFO.match(url)
    return url if m is None else (m.group(1) or "") + "//" + url[m.end() :]


def source_from_url(url: str | None) -> str:
    """The site name of a URL ("themoscowtimes.com"), or "" without one."""
    try:
        host = urlparse(url or "").hostname or ""
    except ValueError:  # e.g. an unbalanced "[" in the host part
        return ""
    return host.removeprefix("www.")


# -- one article ----------------------------------------------------------------------------
def _plain(raw: str, article_id: str) -> tuple[Article, list[str]]:
    lines, bad = _clean(raw)
    lines = lines.split("\n")
    notes = [_surrogate_note(bad)] if bad else []
    title = ""
    published = None
    url = None
    byline = ""
    body: list[str] = []
    header_done = False
    date_seen = False
    for i, line in enumerate(lines):
        stripped = line.strip()
        if not title and not body and stripped.startswith("#"):
            title = stripped.lstrip("#").strip()
            continue
        if not header_done and not stripped:
            continue  # blank lines between title, byline and date
        if not header_done and re.match(r"^by\s+\S", stripped, re.IGNORECASE):
            byline = _MD_LINK.sub(r"\1", stripped[3:]).strip()
            continue
        if not date_seen and not header_done and _DATE_LINE.match(stripped):
            date_seen = True
            published = _read_date(stripped, notes)
            continue
        m = _URL_FOOTER.match(stripped)
        if m:
            rest = m.group(1).strip() or next((x.strip() for x in lines[i + 1 :] if x.strip()), "")
            url = rest.strip("<> ") or None
            break
        if stripped:
            header_done = True
        body.append(line)
    text = "\n".join(body).strip()
    if len(text) > 2 * MAX_ARTICLE_CHARS:  # clearly too big: refuse before the markdown pass
        _check_size(text, article_id)
    text = _MD_EMPH.sub(_emphasised, _MD_LINK.sub(r"\1", text))
    text = re.sub(r"\n{3,}", "\n\n", text)
    _check_size(text, article_id)
    site = source_from_url(url)
    agency = byline.rsplit(" for ", 1)[-1] if " for " in byline else ""
    source = f"{site} ({agency})" if site and agency else site or agency or "local file"
    title = title or _first_line(text, ellipsis=True)
    return _article(article_id, url, title, published, source, "en", text), notes


def _emphasised(m: re.Match[str]) -> str:
    return next(g for g in m.groups() if g is not None)


def parse_plain(raw: str, article_id: str) -> Article:
    """Parse the seed format (markdown-ish text with title, byline, date, footer)."""
    return _plain(raw, article_id)[0]


def _tame_html(raw: str, name: str) -> str:
    """The page with at most MAX_HTML_ATTRIBUTES attributes per tag.

    Raises ArticleError for pages over MAX_HTML_BYTES characters or MAX_HTML_TAGS tags, whose
    parsing would take minutes.
    """
    if len(raw) > MAX_HTML_BYTES:
        raise ArticleError(f"{name}: web page too big ({len(raw):,} characters)")
    tags = raw.count("<")
    if tags > MAX_HTML_TAGS:
        tags = sum(1 for _ in _HTML_TAG.finditer(raw))
        if tags > MAX_HTML_TAGS:
            raise ArticleError(
                f"{name}: web page too complex ({tags:,} tags, limit {MAX_HTML_TAGS:,})"
            )
    dropped = 0

    def trim(m: re.Match[str]) -> str:
        nonlocal dropped
        attrs = m.group(2)
        if len(attrs) < 2 * MAX_HTML_ATTRIBUTES:
            return m.group(0)
        found = _HTML_ATTR.findall(attrs)
        if len(found) <= MAX_HTML_ATTRIBUTES:
            return m.group(0)
        dropped += len(found) - MAX_HTML_ATTRIBUTES
        return f"<{m.group(1)} {' '.join(found[:MAX_HTML_ATTRIBUTES])}>"

    out = _HTML_TAG.sub(trim, raw)
    if dropped:
        log.info("%s: dropped %d HTML attributes", name, dropped)
    return out


def _html(raw: str, article_id: str, url: str | None = None) -> tuple[Article, list[str]]:
    import trafilatura

    raw = _tame_html(raw, article_id)
    try:
        doc = trafilatura.bare_extraction(raw, url=url, with_metadata=True)
    except (ValueError, RecursionError) as err:
        raise ArticleError(f"{article_id}: unreadable HTML page ({err})") from err
    if doc is None or not (doc.text or "").strip():
        raise ArticleError(f"{article_id}: no article text found in the HTML page")
    text, bad = _clean(doc.text)
    _check_size(text, article_id)
    notes = [_surrogate_note(bad)] if bad else []
    published = _read_date(doc.date, notes)
    page_url = url or doc.url
    source = doc.sitename or source_from_url(page_url) or "web page"
    art = _article(
        article_id, page_url, doc.title or "", published, source, doc.language or "en", text
    )
    return art, notes


def parse_html(raw: str, article_id: str, url: str | None = None) -> Article:
    """Extract the main text and metadata of a web page with trafilatura.

    Raises ArticleError for pages without text and pages too big or complex to parse quickly.
    """
    return _html(raw, article_id, url)[0]


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


# -- feeds ----------------------------------------------------------------------------------
def _html_to_text(markup: str) -> str:
    """Plain text of an HTML fragment (feed summaries), paragraphs kept apart."""
    import html as html_mod

    text = re.sub(r"(?i)<\s*(br|/p|/div|/li|/h\d)\s*/?>", "\n\n", markup)
    text = re.sub(r"<[^<>]*>", " ", text)
    text = html_mod.unescape(text)
    text = re.sub(r"[ \t]+", " ", text)
    return re.sub(r"\n\s*\n+", "\n\n", text).strip()


def _str(value: object) -> str:
    return value if isinstance(value, str) else ""


def _fix_char_ref(m: re.Match[bytes]) -> bytes:
    """A character reference to a surrogate, NUL or beyond Unicode becomes U+FFFD."""
    ref = m.group(1)
    code = int(ref[1:], 16) if ref[:1] in b"xX" else int(ref)
    if code == 0 or 0xD800 <= code <= 0xDFFF or code > 0x10FFFF:
        return b"&#xFFFD;"
    return m.group(0)


def iter_feed(data: bytes, name: str) -> Iterator[Article | Failure | Notice]:
    """Every entry of an RSS/Atom feed as an article (its content or summary as text).

    A Notice follows the article it concerns (e.g. an unreadable date). Raises ArticleError
    when the data is not a feed at all.
    """
    import feedparser

    # A stream, never bytes: feedparser opens bytes that look like a file name as that file.
    try:
        feed = feedparser.parse(io.BytesIO(_CHAR_REF.sub(_fix_char_ref, data)))
    except (UnicodeError, ValueError, OverflowError) as err:  # its loose parser's own bugs
        raise ArticleError(
            f"{name}: not a readable RSS/Atom feed ({err.__class__.__name__})"
        ) from err
    if not feed.entries:
        reason = getattr(feed, "bozo_exception", None) or "no entries"
        raise ArticleError(f"{name}: not a readable RSS/Atom feed ({str(reason)[:200]})")
    source = _str(feed.feed.get("title")).strip() or name
    for n, entry in enumerate(feed.entries, 1):
        where = f"{name}#{n}"
        try:
            body = ""
            contents = entry.get("content")
            if isinstance(contents, list):
                body = max(
                    (_str(c.get("value")) for c in contents if isinstance(c, dict)),
                    key=len,
                    default="",
                )
            body = body or _str(entry.get("summary"))
            text, bad = _clean(_html_to_text(body))
            _check_size(text, where)
            notes = [_surrogate_note(bad)] if bad else []
            # dict.get: feedparser's own get maps "updated" to "published" with a warning
            raw_date = _str(dict.get(entry, "published")) or _str(dict.get(entry, "updated"))
            published = None
            if raw_date:
                try:
                    published = parse_date(raw_date)
                except ArticleError:
                    when = dict.get(entry, "published_parsed") or dict.get(entry, "updated_parsed")
                    if when:  # feedparser read it (in UTC)
                        published = date(when.tm_year, when.tm_mon, when.tm_mday)
                    else:
                        notes.append(
                            f"unreadable publication date {raw_date[:40]!r}: kept as undated"
                        )
                if published is not None and (warning := date_warning(published)):
                    notes.append(warning)
            url = _str(entry.get("link")) or None
            title = _html_to_text(_str(entry.get("title")))
            aid = _str(entry.get("id")) or url or where
            yield _article(aid, url, title, published, source, "en", text)
            for note in notes:
                yield Notice(where, note)
        except ArticleError as err:
            yield Failure(where, str(err))


def parse_feed(data: bytes, name: str) -> list[Article | Failure]:
    """Every entry of an RSS/Atom feed as an article (its content or summary as text).

    Notices are logged; iter_feed yields them. Raises ArticleError when the data is not a feed.
    """
    out: list[Article | Failure] = []
    for item in iter_feed(data, name):
        if isinstance(item, Notice):
            log.info("%s: %s", item.source, item.message)
        else:
            out.append(item)
    return out


# -- streams and archives ---------------------------------------------------------------------
class _Counted:
    """A binary file that counts the bytes read from it (seek and tell pass through).

    While `chunk` is set, one read returns at most that many bytes: a decompressor reading
    from it then consumes its input in small steps, so the bytes it gave out per byte taken
    in are known after a few kilobytes, long before a bomb has expanded far.
    """

    def __init__(self, raw: IO[bytes], chunk: int | None = None) -> None:
        self._raw = raw
        self.chunk = chunk
        self.count = 0
        self.name = getattr(raw, "name", None)

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return self._raw.seekable()

    def read(self, size: int | None = -1) -> bytes:
        if size is None or size < 0:
            if self.chunk is None:
                data = self._raw.read()
                self.count += len(data)
                return data
            return b"".join(iter(lambda: self.read(self.chunk), b""))
        if self.chunk is not None:
            size = min(size, self.chunk)
        data = self._raw.read(size)
        self.count += len(data)
        return data

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        return self._raw.seek(offset, whence)

    def tell(self) -> int:
        return self._raw.tell()

    def close(self) -> None:
        self._raw.close()

    def __enter__(self) -> _Counted:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _Budget:
    """What one archive may still expand to, shared by its members.

    `compressed()` gives the archive's bytes read so far (its directory not counted).
    """

    def __init__(self, limit: int, compressed: Callable[[], int]) -> None:
        self.left = limit
        self.out = 0
        self.compressed = compressed
        self.refused = False


class _Meter(io.RawIOBase):
    """A binary stream that stops with ArticleError past `limit` bytes or a bomb-like ratio.

    `compressed()` gives the compressed bytes consumed so far (None: not compressed); the
    ratio of the bytes given out to those is checked at every read once RATIO_FLOOR bytes
    came out, so a bomb is refused after about a megabyte whatever its total size, while
    small files with a high ratio are fine.
    """

    def __init__(
        self,
        inner: IO[bytes],
        name: str,
        limit: int,
        compressed: Callable[[], int] | None = None,
        budget: _Budget | None = None,
        also_close: IO[bytes] | _Counted | None = None,
    ) -> None:
        super().__init__()
        self._also_close = also_close
        self._inner = inner
        self._name = name
        self._limit = limit
        self._compressed = compressed
        self._budget = budget
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buf: bytearray | memoryview) -> int:  # type: ignore[override]
        data = self._inner.read(len(buf))
        n = len(data)
        buf[:n] = data
        self.count += n
        if self.count > self._limit:
            raise ArticleError(
                f"{self._name}: more than {self._limit:,} bytes of data; not read further"
            )
        if self._compressed is not None and self.count > RATIO_FLOOR:
            if self.count > MAX_COMPRESSION_RATIO * max(1, self._compressed()):
                raise ArticleError(
                    f"{self._name}: compressed more than {MAX_COMPRESSION_RATIO}:1, "
                    "refused as a likely zip bomb"
                )
        budget = self._budget
        if budget is not None:
            budget.left -= n
            budget.out += n
            if budget.left < 0:
                raise ArticleError(
                    f"{self._name}: the archive holds more than {MAX_ARCHIVE_BYTES:,} bytes "
                    "of data; not read further"
                )
            if budget.out > RATIO_FLOOR and budget.out > MAX_COMPRESSION_RATIO * max(
                1, budget.compressed()
            ):
                budget.refused = True
                raise ArticleError(
                    f"{self._name}: the archive's members are compressed more than "
                    f"{MAX_COMPRESSION_RATIO}:1 together, refused as a likely zip bomb; "
                    "the rest of the archive was not read"
                )
        return n

    def close(self) -> None:
        self._inner.close()
        if self._also_close is not None:
            self._also_close.close()
        super().close()


_READ_ERRORS = (OSError, EOFError, zlib.error, zipfile.BadZipFile, NotImplementedError)


def _stream_codec(head: bytes, name: str) -> str:
    """The codec of a stream, judged on its first SAMPLE_BYTES. Raises ArticleError."""
    if not head.strip():
        return "utf-8-sig"  # blank so far; the reader says whether anything follows
    codec = _bom_or_wide(head)
    if codec:
        return codec
    if b"\x00" in head[:8192]:
        raise ArticleError(f"{name}: binary file, not text")
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError as err:
        return _guess_encoding(head, err.start)
    return "utf-8-sig"


def _text_stream(binary: IO[bytes], name: str, newline: str | None) -> IO[str]:
    """Decode a binary stream lazily; undecodable bytes become lone surrogates (or U+FFFD).

    Callers count the surrogates per record and replace them with U+FFFD.
    """
    buffered = io.BufferedReader(binary, buffer_size=SAMPLE_BYTES)  # type: ignore[arg-type]
    codec = _stream_codec(buffered.peek(SAMPLE_BYTES)[:SAMPLE_BYTES], name)
    errors = (
        "replace" if codec.startswith("utf-16") or codec.startswith("utf-32") else "surrogateescape"
    )
    return io.TextIOWrapper(buffered, encoding=codec, errors=errors, newline=newline)


def _undecodable(text: str) -> tuple[str, int]:
    return _SURROGATE.subn("\ufffd", text)


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


def _kind(name: str) -> tuple[str, str] | None:
    """(article suffix, compression: "", ".gz" or ".zip") of a file name, or None if unsupported."""
    suffix = PurePosixPath(name).suffix.lower()
    if suffix == ".zip":
        return "", ".zip"
    if suffix == ".gz":
        inner = PurePosixPath(name[:-3]).suffix.lower()
        return (inner, ".gz") if inner in ARTICLE_SUFFIXES else None
    return (suffix, "") if suffix in ARTICLE_SUFFIXES else None


def _stem(name: str) -> str:
    base = PurePosixPath(name).name
    if base.lower().endswith(".gz"):
        base = base[:-3]
    return PurePosixPath(base).stem or base


def _whole_limit(suffix: str) -> int:
    if suffix in {".txt", ".md"}:
        return MAX_TEXT_FILE_BYTES
    if suffix in {".html", ".htm"}:
        return MAX_HTML_BYTES
    if suffix in FEED_SUFFIXES:
        return MAX_FEED_BYTES
    return MAX_FILE_BYTES


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


def _zip_directory(path: Path) -> tuple[int, int] | None:
    """(members, directory bytes) a zip's end record declares; None without one."""
    with open(path, "rb") as fh:
        fh.seek(0, os.SEEK_END)
        fh.seek(max(0, fh.tell() - 65_557))  # the end record and its longest comment
        tail = fh.read()
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or at + 22 > len(tail):
        return None
    count = int.from_bytes(tail[at + 10 : at + 12], "little")
    size = int.from_bytes(tail[at + 12 : at + 16], "little")
    at64 = tail.rfind(b"PK\x06\x06", 0, at)
    if at64 >= 0 and at64 + 48 <= len(tail):  # zip64: the real figures are in its own record
        count = int.from_bytes(tail[at64 + 32 : at64 + 40], "little")
        size = int.from_bytes(tail[at64 + 40 : at64 + 48], "little")
    return count, size


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


def read_bytes(path: Path) -> bytes:
    """Read a file, refusing ones too big to be an article collection."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ArticleError(f"{path.name}: file too big ({size:,} bytes)")
        return path.read_bytes()
    except OSError as err:
        raise ArticleError(f"{path.name}: cannot read ({err.strerror or err})") from err


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


def iter_paths(paths: list[Path]) -> list[Path]:
    """Expand folders into the supported files below them (also `x.jsonl.gz`, `x.zip`), sorted.

    Hidden files and folders and README/LICENSE files are skipped.
    """
    out: list[Path] = []
    for p in paths:
        p = Path(p)
        if p.is_dir():
            out.extend(
                sorted(
                    f
                    for f in p.rglob("*")
                    if f.is_file()
                    and _kind(f.name) is not None
                    and not any(part.startswith(".") for part in f.relative_to(p).parts)
                    and not f.name.upper().startswith(("README", "LICENSE"))
                )
            )
        else:
            out.append(p)
    return out


def _split_name(name: str) -> tuple[str, str]:
    """("x", ".jsonl.gz") for "x.jsonl.gz"; ("x", ".txt") for "x.txt"."""
    suffix = PurePosixPath(name).suffix
    if suffix.lower() == ".gz":
        suffix = PurePosixPath(name[:-3]).suffix + suffix
    return name[: len(name) - len(suffix)], suffix


_DOCUMENTS = {
    ".pdf": "This PDF is not supported",
    ".doc": "Word documents are not supported",
    ".docx": "Word documents are not supported",
    ".odt": "OpenDocument files are not supported",
    ".rtf": "RTF files are not supported",
    ".pages": "Pages documents are not supported",
    ".epub": "E-books are not supported",
}
_PICTURES = {".png", ".jpg", ".jpeg", ".gif", ".webp", ".tif", ".tiff", ".heic", ".bmp", ".svg"}


def unsupported(suffix: str) -> str:
    """Why a file of this type is not read, in plain words, with what to do instead."""
    last = suffix[suffix.rfind(".") :] if "." in suffix else suffix
    if last in _DOCUMENTS:
        return f"{_DOCUMENTS[last]}: save the article as text (.txt) or as a web page (.html)"
    if last in _PICTURES:
        return "a picture holds no article text: save the article as text (.txt) or HTML"
    known = " ".join(sorted(SUFFIXES))
    return f"unsupported file type {suffix or '(none)'}: use one of {known}"


def save_upload(folder: Path, name: str, data: bytes) -> Path:
    """Store an uploaded file in `folder` under a safe, unused name; returns its path.

    Raises ArticleError for oversized files (checked first), unsupported types and archives
    that are not what their name says; nothing is kept then.
    """
    if len(data) > MAX_UPLOAD_BYTES:
        raise ArticleError(
            f"{Path(name).name[:100]}: file too big ({len(data):,} bytes, "
            f"limit {MAX_UPLOAD_BYTES:,})"
        )
    safe = re.sub(r"[^\w.\- ]", "_", Path(name).name).strip(" .") or "upload.txt"
    kind = _kind(safe)
    if kind is None:
        suffix = "".join(PurePosixPath(safe.lower()).suffixes[-2:])
        raise ArticleError(f"{safe}: {unsupported(suffix)}")
    suffix, comp = kind
    if comp == "" and suffix not in STREAM_SUFFIXES and len(data) > _whole_limit(suffix):
        raise ArticleError(f"{safe}: file too big ({len(data):,} bytes)")
    if comp == ".zip" and not zipfile.is_zipfile(io.BytesIO(data)):
        raise ArticleError(f"{safe}: not a zip archive")
    if comp == ".gz" and not data.startswith(b"\x1f\x8b"):
        raise ArticleError(f"{safe}: not a gzip file")
    stem, suffixes = _split_name(safe)
    stem = stem[:100]  # file systems refuse names over 255 bytes
    if stem.upper().startswith(("README", "LICENSE")):
        stem = f"upload-{stem}"  # folder scans skip README/LICENSE files; this one is an article
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{stem}{suffixes}"
    n = 1
    while target.exists():
        if target.is_file() and target.stat().st_size == len(data) and target.read_bytes() == data:
            return target  # the same file again
        target = folder / f"{stem}-{n}{suffixes}"
        n += 1
    part = folder / f".{target.name}.part"  # hidden: a rescan never picks it up
    try:
        part.write_bytes(data)
        os.replace(part, target)
    except OSError as err:
        part.unlink(missing_ok=True)
        raise ArticleError(f"{safe}: could not be saved ({err.strerror or err})") from err
    return target
