"""Untrusted text -> safe HTML or Markdown for the dashboard's panels and messages.

Article titles, sources, URLs, texts, failure reasons and record ids come from outside.
Panels are built as HTML (shown with `st.html`, which never reads Markdown), every value
escaped; messages that Streamlit renders as Markdown (errors, captions, toasts) go through
`md_escape`, so neither HTML nor Markdown (links, images, maths, emoji codes) in the text
takes effect.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

from geo import passages, textfilter
from geo.gazetteer import normalize
from geo.language import UNDETERMINED, language_name
from geo.models import Article, Failure, Mention, Place

# Every ASCII punctuation character may be backslash-escaped in CommonMark; escaping them all
# defeats links, images, KaTeX ("\$…"), emoji and colour codes (":red[…]").
_MD_PUNCT = re.compile(r"([!-/:-@\[-`{-~])")
# GFM autolinks ("http://…", "www.…", "name@host.tld") are found in the text *after* escapes
# are resolved, so backslashes do not stop them. An invisible word joiner between ":" and "/",
# between "w" and "." and after "@" breaks every pattern they match (Streamlit's
# mdast-util-gfm-autolink-literal: `https?:\/\/`, `www(?=\.)`, `@[-\w]+`).
_WORD_JOINER = "\u2060"
_AUTOLINK_SEAMS = re.compile(r"(?<=:)(?=/)|(?<=[wW])(?=\.)|(?<=@)")


def no_autolinks(text: str) -> str:
    """`text` looking the same but with no bare URL, www. name or e-mail address that
    Markdown would turn into a live link.
    """
    return _AUTOLINK_SEAMS.sub(_WORD_JOINER, text)


def md_escape(value: object, limit: int = 500) -> str:
    """`value` as one line of literal text for Streamlit Markdown (no markup, no links); cut to
    `limit` characters.
    """
    text = " ".join(str(value).split())
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return _MD_PUNCT.sub(r"\\\1", no_autolinks(text))


def esc(value: object) -> str:
    """HTML-escape a value for element content or a quoted attribute."""
    return html.escape(str(value), quote=True)


def web_link(url: str | None, label_html: str) -> str:
    """`label_html` linked to `url` when it is an http(s) address, else the label alone."""
    if url and is_web_address(url):
        return (
            f'<a href="{esc(url.strip())}" target="_blank" rel="noopener noreferrer nofollow">'
            f"{label_html}</a>"
        )
    return label_html


def search_terms(text: str) -> list[str]:
    """The words or phrases of a "Text contains" filter: comma-separated, any of them
    (bounded as geo.textfilter.parse bounds them).
    """
    return list(textfilter.parse(text).used)


def marked(text: str, needle: str = "") -> str:
    """`text` escaped, with every case-insensitive occurrence of the filter's terms (see
    `search_terms`) in <mark class=cm-hit>.
    """
    terms = search_terms(needle)
    if not terms:
        return esc(text)
    pattern = "|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True))
    out, pos = [], 0
    for m in re.finditer(pattern, text, flags=re.IGNORECASE):
        out.append(esc(text[pos : m.start()]))
        out.append(f'<mark class="cm-hit">{esc(m.group(0))}</mark>')
        pos = m.end()
    out.append(esc(text[pos:]))
    return "".join(out)


def quote_html(text: str, start: int, end: int, highlight: str = "") -> str:
    """The sentence around text[start:end], escaped, the mention in <mark>; the words of
    `highlight` (the text filter) marked too.
    """
    q = passages.quote(text, start, end)
    return (
        ("… " if q.cut_before else "")
        + marked(q.before, highlight)
        + f"<mark>{esc(q.hit)}</mark>"
        + marked(q.after, highlight)
        + (" …" if q.cut_after else "")
    )


def also_published_html(copies: list[tuple[str, str | None, str]], limit: int = 5) -> str:
    """ "also published by …" for a story's other copies: (source, url, title) each."""
    if not copies:
        return ""
    shown = [web_link(url, esc(source or "unknown source")) for source, url, _ in copies[:limit]]
    more = f" and {len(copies) - limit:,} more" if len(copies) > limit else ""
    return f'<div class="cm-also">also published by {", ".join(shown)}{more}</div>'


def correction_html(note: str, geoparser_place: str | None, reason: str) -> str:
    """The mark on a corrected passage: the user's reason next to the geoparser's."""
    user = f"corrected by a user{': ' + esc(note) if note else ''}"
    machine = ""
    if geoparser_place:
        why = f" ({esc(reason)})" if reason else ""
        machine = f" · the geoparser had chosen {esc(geoparser_place)}{why}"
    elif not reason:
        machine = " · added by hand (the geoparser had missed it)"
    return f'<div class="cm-corrected">✔ {user}{machine}</div>'


def written_html(written: str, place_name: str) -> str:
    """ "Kharkiv — written «Харкові»": the form in the text beside the place's English name;
    empty when they are the same name (case, accents and hyphens aside).
    """
    if not place_name or normalize(written) == normalize(place_name):
        return ""
    return (
        f'<div class="cm-written">{esc(place_name)} — written '
        f'<span class="cm-form">«{esc(written)}»</span></div>'
    )


def passage_html(
    article: Article,
    start: int,
    end: int,
    copies: list[tuple[str, str | None, str]] = (),
    highlight: str = "",
    correction: str | None = None,
    place_name: str = "",
) -> str:
    """One passage card: source, date, language when not English, linked title, the form
    written in the text when it is not `place_name`, the quote in the article's own script
    (with the text filter's words marked), the story's other copies, and `correction`
    (correction_html) when corrected.
    """
    when = article.published.isoformat() if article.published else "undated"
    lang = (
        f' · <span class="cm-lang" title="{esc(article.language)}">'
        f"{esc(language_name(article.language))}</span>"
        if article.language not in ("en", UNDETERMINED, "")
        else ""
    )
    return (
        '<div class="cm-passage"><div class="cm-meta"><span class="cm-source">'
        f"{esc(article.source)}</span> · {when}{lang}</div>"
        f'<div class="cm-title">{web_link(article.url, esc(article.title))}</div>'
        f"{written_html(article.text[start:end], place_name)}"
        f'<blockquote class="cm-quote">{quote_html(article.text, start, end, highlight)}'
        f"</blockquote>{correction or ''}{also_published_html(list(copies))}</div>"
    )


def corpus_languages_md(
    languages: Iterable[tuple[str, int]],
    geoparsed: Iterable[str],
    with_events: Iterable[str],
    limit: int = 6,
) -> str:
    """corpus_languages_text, Markdown-escaped."""
    return md_escape(corpus_languages_text(languages, geoparsed, with_events, limit), 1000)


def corpus_languages_text(
    languages: Iterable[tuple[str, int]],
    geoparsed: Iterable[str],
    with_events: Iterable[str],
    limit: int = 6,
) -> str:
    """The header's language line, as plain text: articles geoparsed per language,
    the languages kept without places, and which languages events are read from.

    `languages` is (code, articles) most first (`Store.languages`); `geoparsed` and
    `with_events` are language codes. Every geoparsed language is named, with 0 when the
    corpus has none; "und" (too short to tell) is counted apart.
    """
    counts = dict(languages)
    geoparsed = set(geoparsed)
    named = sorted(
        (c for c in geoparsed if c != UNDETERMINED), key=lambda c: (c != "en", language_name(c))
    )
    parts = [f"{language_name(c)} {counts.get(c, 0):,}" for c in named]
    line = "Geoparsed: " + ", ".join(parts)
    if counts.get(UNDETERMINED) and UNDETERMINED in geoparsed:
        line += f" (+{counts[UNDETERMINED]:,} too short to tell, read as English)"
    kept = [(c, n) for c, n in counts.items() if c not in geoparsed]
    if kept:
        shown = ", ".join(f"{language_name(c)} {n:,}" for c, n in kept[:limit])
        more = f" and {len(kept) - limit:,} more languages" if len(kept) > limit else ""
        line += f" · kept without places: {shown}{more}"
    event_langs = sorted(language_name(c) for c in set(with_events) if c != UNDETERMINED)
    line += f" · events found in {' and '.join(event_langs)} articles only"
    return line


# The gazetteer's kinds as a reader names them.
KIND_NAMES = {"admin1": "province or oblast", "admin2": "district"}


def kind_name(kind: str) -> str:
    """A place kind in plain words ("admin1" -> "province or oblast")."""
    return KIND_NAMES.get(kind, kind)


def place_heading_html(place: Place, passages_n: int, articles_n: int) -> str:
    """The panel heading: name, country, kind and counts."""
    where = f", {place.country_code}" if place.country_code and place.kind != "country" else ""
    s_p = "s" if passages_n != 1 else ""
    s_a = "s" if articles_n != 1 else ""
    return (
        f'<h3 class="cm-place">{esc(place.name)}{esc(where)}</h3>'
        f'<div class="cm-meta">{esc(kind_name(place.kind))} · {passages_n:,} passage{s_p} '
        f"in {articles_n:,} article{s_a}</div>"
    )


def failures_html(failures: Iterable[Failure]) -> str:
    """The failed-inputs list: one line per input, source in bold."""
    items = "".join(f"<li><b>{esc(f.source)}</b>: {esc(f.detail)}</li>" for f in failures)
    return f'<ul class="cm-failures">{items}</ul>'


def is_web_address(text: str) -> bool:
    """True for an http(s) URL with a host name; paths and other schemes are not."""
    from geo.fetch import is_web_address as check  # one definition, shared with ingest

    return check(text)


def feeds_html(feeds: Iterable) -> str:
    """The watched-feeds table: address, interval, last poll, articles added, last error.

    `feeds` are `store.FeedState` rows.
    """
    rows = []
    for f in feeds:
        every = f"{f.every_s / 60:g} min" if f.every_s < 3600 else f"{f.every_s / 3600:g} h"
        last = f.last_poll.strftime("%Y-%m-%d %H:%M UTC") if f.last_poll else "never"
        status = esc(f.last_error) if f.last_error else "ok"
        rows.append(
            f"<tr><td>{web_link(f.url, esc(f.url))}</td><td>{every}</td><td>{last}</td>"
            f"<td>{f.added:,}</td><td>{status}</td></tr>"
        )
    return (
        '<table class="cm-feeds"><thead><tr><th>feed</th><th>every</th><th>last poll</th>'
        "<th>added</th><th>last error</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>"
    )


READER_CHARS = 200_000  # characters of an article the reader shows


def article_html(
    article: Article, mentions: Iterable[Mention], selected: str | None = None, highlight: str = ""
) -> str:
    """The article reader: metadata, linked title, and the text with every mention marked
    (a place: highlighted, its name on hover; recognised but not placed: underlined). The
    mentions of `selected` (a place key) are marked more strongly.
    """
    when = article.published.isoformat() if article.published else "undated"
    text = article.text[:READER_CHARS]
    out, pos = [], 0
    for m in sorted(mentions, key=lambda m: m.start):
        if m.start < pos or m.end > len(text):
            continue
        out.append(marked(text[pos : m.start], highlight))
        if m.place is None:
            out.append(f'<u class="cm-unplaced" title="not placed">{esc(m.text)}</u>')
        else:
            p = m.place
            label = f"{p.name}, {p.country_code}" if p.country_code else p.name
            cls = "cm-here" if selected and p.key == selected else "cm-place"
            out.append(f'<mark class="{cls}" title="{esc(label)}">{esc(m.text)}</mark>')
        pos = m.end
    out.append(marked(text[pos:], highlight))
    cut = (
        f'<p class="cm-meta">… the text goes on for {len(article.text) - READER_CHARS:,} more '
        "characters</p>"
        if len(article.text) > READER_CHARS
        else ""
    )
    return (
        '<div class="cm-reader"><div class="cm-meta"><span class="cm-source">'
        f"{esc(article.source)}</span> · {when} · id {esc(article.id)}</div>"
        f'<div class="cm-title">{web_link(article.url, esc(article.title))}</div>'
        f'<div class="cm-text">{"".join(out)}</div>{cut}</div>'
    )
