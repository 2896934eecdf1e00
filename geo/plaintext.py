"""Plain-text and markdown articles (`.txt`, `.md`) -> Article.

The seed format: a `# Title` line, an optional byline, a date line such as `March 28, 2022`,
the body, and an optional `Original url:` footer. Markdown links and emphasis are reduced to
their text.
"""

from __future__ import annotations

import re

from geo.article_fields import (
    MAX_ARTICLE_CHARS,
    _article,
    _check_size,
    _first_line,
    source_from_url,
)
from geo.dates import _read_date
from geo.decoding import _clean, _surrogate_note
from geo.models import Article

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
