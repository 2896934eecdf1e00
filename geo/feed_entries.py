"""RSS/Atom feeds -> one Article per entry (its content or summary as text), by feedparser."""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterator
from datetime import date

from geo.article_fields import _article, _check_size
from geo.dates import date_warning, parse_date
from geo.decoding import _clean, _surrogate_note
from geo.errors import ArticleError
from geo.models import Article, Failure, Notice

log = logging.getLogger(__name__)

_CHAR_REF = re.compile(rb"&#([xX][0-9a-fA-F]{1,8}|[0-9]{1,10});")


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
