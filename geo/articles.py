"""Files, URLs and JSON records -> Article.

Supported: `.txt`/`.md` (a `# Title` line, optional byline, a date line such as
`March 28, 2022`, the body, an optional `Original url:` footer), `.html`/`.htm`
(trafilatura), `.json` (one record or a list) and `.jsonl` (one record per line) with the
fields id, title, published, url, source, text, and RSS/Atom feeds (`.rss`, `.atom`, `.xml`;
feedparser), one article per entry.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import unicodedata
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from urllib.parse import urlparse

from geo.errors import ArticleError, FetchError
from geo.models import Article, Failure

log = logging.getLogger(__name__)

MAX_FILE_BYTES = 50 * 1024 * 1024  # a JSONL corpus file may be large
MAX_ARTICLE_CHARS = 1_000_000  # one article; longer texts are rejected, not truncated
SUFFIXES = {".txt", ".md", ".html", ".htm", ".json", ".jsonl", ".rss", ".atom", ".xml"}
FEED_SUFFIXES = {".rss", ".atom", ".xml"}
TEXT_FIELDS = ("text", "body", "content")
DATE_FIELDS = ("published", "date", "publication_date", "pubdate")

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
_MD_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_MD_EMPH = re.compile(r"(\*\*|__|\*|_)(?=\S)(.+?)(?<=\S)\1")


def parse_date(value: object) -> date | None:
    """A publication date from a string (ISO, 'March 28, 2022', ...); None when empty.

    Raises ArticleError when the value is present but is not a date.
    """
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise ArticleError(f"publication date {value!r} is not text")
    s = value.strip()
    if not s:
        return None
    try:
        return date.fromisoformat(s[:10])
    except ValueError:
        pass
    import dateparser  # slow to import; most dates are ISO

    parsed = dateparser.parse(
        s, languages=["en"], settings={"STRICT_PARSING": True, "PREFER_DAY_OF_MONTH": "first"}
    )
    if parsed is None or not (1800 <= parsed.year <= 2200):
        raise ArticleError(f"unreadable publication date {s[:40]!r}")
    return parsed.date()


def decode(data: bytes, name: str) -> str:
    """Bytes -> text: UTF-8 (with or without BOM), else the detected charset.

    Raises ArticleError for empty, binary or undecodable input.
    """
    if not data.strip():
        raise ArticleError(f"{name}: file is empty")
    if b"\x00" in data[:8192]:
        raise ArticleError(f"{name}: binary file, not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise ArticleError(f"{name}: text is not UTF-8 and its encoding could not be detected")
    log.info("%s decoded as %s", name, best.encoding)
    return str(best)


def clean_text(text: str) -> str:
    """Normalise to NFC, unify line ends, drop control characters (keeps offsets stable after)."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    return "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch) != "Cc").strip()


def _check_size(text: str, name: str) -> None:
    if not text.strip():
        raise ArticleError(f"{name}: article has no text")
    if len(text) > MAX_ARTICLE_CHARS:
        raise ArticleError(
            f"{name}: article too big ({len(text):,} characters, limit {MAX_ARTICLE_CHARS:,})"
        )


def text_id(text: str) -> str:
    """A short content hash, used to recognise the same text under another file name."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def source_from_url(url: str | None) -> str:
    """The site name of a URL ("themoscowtimes.com"), or "" without one."""
    host = urlparse(url or "").hostname or ""
    return host.removeprefix("www.")


def parse_plain(raw: str, article_id: str) -> Article:
    """Parse the seed format (markdown-ish text with title, byline, date, footer)."""
    lines = clean_text(raw).split("\n")
    title = ""
    published = None
    url = None
    byline = ""
    body: list[str] = []
    header_done = False
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
        if published is None and not header_done and _DATE_LINE.match(stripped):
            published = parse_date(stripped)
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
    text = _MD_EMPH.sub(r"\2", _MD_LINK.sub(r"\1", text))
    text = re.sub(r"\n{3,}", "\n\n", text)
    _check_size(text, article_id)
    if not title:
        first = text.split("\n", 1)[0]
        title = first[:100] + ("…" if len(first) > 100 else "")
    site = source_from_url(url)
    agency = byline.rsplit(" for ", 1)[-1] if " for " in byline else ""
    source = f"{site} ({agency})" if site and agency else site or agency or "local file"
    return Article(article_id, url, title, published, source, "en", text)


def parse_html(raw: str, article_id: str, url: str | None = None) -> Article:
    """Extract the main text and metadata of a web page with trafilatura."""
    import trafilatura

    doc = trafilatura.bare_extraction(raw, url=url, with_metadata=True)
    if doc is None or not (doc.text or "").strip():
        raise ArticleError(f"{article_id}: no article text found in the HTML page")
    text = clean_text(doc.text)
    _check_size(text, article_id)
    try:
        published = parse_date(doc.date)
    except ArticleError:
        published = None
    page_url = url or doc.url
    source = doc.sitename or source_from_url(page_url) or "web page"
    title = (doc.title or "").strip() or text.split("\n", 1)[0][:100]
    return Article(article_id, page_url, title, published, source, doc.language or "en", text)


def parse_record(rec: object, default_id: str) -> Article:
    """A JSON object with text (or body/content) and optional id, title, published, url, source."""
    if not isinstance(rec, dict):
        raise ArticleError(f"{default_id}: record is not a JSON object")
    text = next((rec[f] for f in TEXT_FIELDS if isinstance(rec.get(f), str)), None)
    rid = str(rec.get("id") or default_id)
    if text is None:
        raise ArticleError(f"{rid}: record has no 'text' field")
    text = clean_text(text)
    _check_size(text, rid)
    raw_date = next((rec[f] for f in DATE_FIELDS if rec.get(f) not in (None, "")), None)
    published = parse_date(raw_date)
    url = rec.get("url") or rec.get("link") or None
    if url is not None and not isinstance(url, str):
        raise ArticleError(f"{rid}: 'url' is not text")
    title = str(rec.get("title") or rec.get("headline") or "").strip()
    if not title:
        title = text.split("\n", 1)[0][:100]
    source = str(rec.get("source") or source_from_url(url) or "unknown source")
    return Article(rid, url, title, published, source, str(rec.get("language") or "en"), text)


def _html_to_text(markup: str) -> str:
    """Plain text of an HTML fragment (feed summaries), paragraphs kept apart."""
    import html as html_mod

    text = re.sub(r"(?i)<\s*(br|/p|/div|/li|/h\d)\s*/?>", "\n\n", markup)
    text = re.sub(r"<[^>]+>", " ", text)
    text = html_mod.unescape(text)
    text = re.sub(r"[ \t]+", " ", text)
    return re.sub(r"\n\s*\n+", "\n\n", text).strip()


def parse_feed(data: bytes, name: str) -> list[Article | Failure]:
    """Every entry of an RSS/Atom feed as an article (its content or summary as text).

    Raises ArticleError when the data is not a feed at all.
    """
    import feedparser

    feed = feedparser.parse(data)
    if not feed.entries:
        reason = getattr(feed, "bozo_exception", None) or "no entries"
        raise ArticleError(f"{name}: not a readable RSS/Atom feed ({reason})")
    source = (feed.feed.get("title") or "").strip() or name
    out: list[Article | Failure] = []
    for n, entry in enumerate(feed.entries, 1):
        where = f"{name}#{n}"
        try:
            body = ""
            if entry.get("content"):
                body = max((c.get("value", "") for c in entry.content), key=len)
            body = body or entry.get("summary", "")
            text = clean_text(_html_to_text(body))
            _check_size(text, where)
            when = entry.get("published_parsed") or entry.get("updated_parsed")
            published = date(when.tm_year, when.tm_mon, when.tm_mday) if when else None
            url = entry.get("link") or None
            title = _html_to_text(entry.get("title", "")) or text.split("\n", 1)[0][:100]
            aid = str(entry.get("id") or url or where)
            out.append(Article(aid, url, title, published, source, "en", text))
        except ArticleError as err:
            out.append(Failure(where, str(err)))
    return out


def read_bytes(path: Path) -> bytes:
    """Read a file, refusing ones too big to be an article collection."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ArticleError(f"{path.name}: file too big ({size:,} bytes)")
        return path.read_bytes()
    except OSError as err:
        raise ArticleError(f"{path.name}: cannot read ({err.strerror or err})") from err


def load_file(path: Path) -> Iterator[Article | Failure]:
    """Every article in a file; a bad record yields a Failure and the rest go on."""
    path = Path(path)
    name = path.name
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        yield Failure(name, f"unsupported file type {suffix or '(none)'}")
        return
    try:
        data = read_bytes(path)
        if suffix in FEED_SUFFIXES:
            decode(data, name)  # empty and binary files fail the same way as elsewhere
            yield from parse_feed(data, name)
            return
        raw = decode(data, name)
    except ArticleError as err:
        yield Failure(name, str(err))
        return
    stem = path.stem
    if suffix == ".jsonl":
        for n, line in enumerate(raw.split("\n"), 1):
            if not line.strip():
                continue
            where = f"{name}:{n}"
            try:
                yield parse_record(json.loads(line), f"{stem}-{n}")
            except json.JSONDecodeError as err:
                yield Failure(where, f"malformed JSON ({err.msg})")
            except ArticleError as err:
                yield Failure(where, str(err))
        return
    try:
        if suffix == ".json":
            try:
                data = json.loads(raw)
            except json.JSONDecodeError as err:
                yield Failure(name, f"malformed JSON ({err.msg} at line {err.lineno})")
                return
            records = data if isinstance(data, list) else [data]
            for n, rec in enumerate(records, 1):
                rid = stem if len(records) == 1 else f"{stem}-{n}"
                try:
                    yield parse_record(rec, rid)
                except ArticleError as err:
                    yield Failure(f"{name}[{n}]" if len(records) > 1 else name, str(err))
        elif suffix in {".html", ".htm"}:
            yield parse_html(raw, stem)
        else:
            yield parse_plain(raw, stem)
    except ArticleError as err:
        yield Failure(name, str(err))


def iter_paths(paths: list[Path]) -> list[Path]:
    """Expand folders into the supported files below them, sorted."""
    out: list[Path] = []
    for p in paths:
        p = Path(p)
        if p.is_dir():
            out.extend(
                sorted(
                    f
                    for f in p.rglob("*")
                    if f.is_file()
                    and f.suffix.lower() in SUFFIXES
                    and not f.name.startswith(".")
                    and not f.name.upper().startswith(("README", "LICENSE"))
                )
            )
        else:
            out.append(p)
    return out


def _download(url: str, timeout: float) -> tuple[bytes, str]:
    """(body, content type) of an http(s) URL. Raises FetchError when unreachable."""
    if urlparse(url).scheme not in {"http", "https"}:
        raise FetchError(f"{url}: only http(s) URLs can be fetched")
    req = urllib.request.Request(url, headers={"User-Agent": "conflict-map/0.1"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            data = resp.read(MAX_FILE_BYTES + 1)
            ctype = resp.headers.get("Content-Type", "")
    except (urllib.error.URLError, TimeoutError, OSError) as err:
        reason = getattr(err, "reason", err)
        raise FetchError(f"{url}: could not download ({reason})") from err
    if len(data) > MAX_FILE_BYTES:
        raise FetchError(f"{url}: page too big")
    return data, ctype


def fetch_url(url: str, timeout: float = 20.0) -> list[Article | Failure]:
    """A feed URL gives its entries; any other URL the one article on its page.

    Raises FetchError when the URL cannot be downloaded, ArticleError when it holds no article.
    """
    data, ctype = _download(url, timeout)
    head = data[:512].lstrip().lower()
    if any(k in ctype for k in ("xml", "rss", "atom")) or head.startswith(
        (b"<?xml", b"<rss", b"<feed")
    ):
        return parse_feed(data, url)
    return [parse_html(decode(data, url), text_id(url), url=url)]


def save_upload(folder: Path, name: str, data: bytes) -> Path:
    """Store an uploaded file in `folder` under a safe, unused name; returns its path.

    Raises ArticleError for unsupported types or oversized files.
    """
    safe = re.sub(r"[^\w.\- ]", "_", Path(name).name).strip(" .") or "upload.txt"
    suffix = Path(safe).suffix.lower()
    if suffix not in SUFFIXES:
        raise ArticleError(f"{safe}: unsupported file type {suffix or '(none)'}")
    if len(data) > MAX_FILE_BYTES:
        raise ArticleError(f"{safe}: file too big ({len(data):,} bytes)")
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / safe
    n = 1
    while target.exists():
        if target.read_bytes() == data:
            return target  # the same file again
        target = folder / f"{Path(safe).stem}-{n}{suffix}"
        n += 1
    target.write_bytes(data)
    return target
