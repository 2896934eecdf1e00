"""An Article from parsed parts: its id, one-line metadata fields, source and the size
check on its text, shared by every input format."""

from __future__ import annotations

import hashlib
import re
from datetime import date
from urllib.parse import urlparse

from geo.decoding import _CONTROL, _SURROGATE
from geo.errors import ArticleError
from geo.models import Article

MAX_ARTICLE_CHARS = 1_000_000  # one article; longer texts are rejected, not truncated
# The user name and password of an address: everything before the authority's last "@".
_USERINFO = re.compile(r"^(\s*[A-Za-z][A-Za-z0-9+.-]*:)?//[^/?#]*@")


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
