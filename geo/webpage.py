"""Web pages (`.html`, `.htm`, fetched pages) -> Article, by trafilatura.

Pages too big or with too many tags are refused and attribute lists trimmed first, so that
no page takes minutes to parse.
"""

from __future__ import annotations

import logging
import re

from geo.article_fields import _article, _check_size, source_from_url
from geo.dates import _read_date
from geo.decoding import _clean, _surrogate_note
from geo.errors import ArticleError
from geo.filekinds import MAX_HTML_BYTES
from geo.models import Article

log = logging.getLogger(__name__)

MAX_HTML_TAGS = 50_000  # trafilatura needs ~1 s per 10,000 tags
MAX_HTML_ATTRIBUTES = 64  # per tag; lxml is quadratic in them, so the rest are dropped
# The attribute part must start with a space or "/": overlapping groups were quadratic.
_HTML_TAG = re.compile(r"<([A-Za-z][^\s/<>]*)((?:[\s/][^<>]*)?)>")
_HTML_ATTR = re.compile(r"""[^\s"'=<>/]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'<>`]+))?""")


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
