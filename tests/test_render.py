"""Untrusted text for Streamlit Markdown: literal, and never a live link."""

import re

import pytest

from geo import render

# The patterns Streamlit's Markdown renderer (mdast-util-gfm-autolink-literal, in the frontend
# bundle) runs over text nodes, i.e. after backslash escapes are resolved. JavaScript's \w is
# ASCII-only, hence re.ASCII. The "previous character" checks are left out: stricter.
_GFM_URL = re.compile(r"(https?://|www(?=\.))([-.\w]+)([^ \t\r\n]*)", re.IGNORECASE | re.ASCII)
_GFM_EMAIL = re.compile(r"([-.\w+]+)@([-\w]+(?:\.[-\w]+)+)", re.ASCII)
_MD_UNESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")


def gfm_autolinks(markdown: str) -> list[str]:
    """What Streamlit would turn into links in `markdown` without any Markdown syntax: bare
    URLs, www. names and e-mail addresses.
    """
    text = _MD_UNESCAPE.sub(r"\1", markdown)
    return [m.group(0) for m in _GFM_URL.finditer(text)] + [
        m.group(0) for m in _GFM_EMAIL.finditer(text)
    ]


HOSTILE = [
    "see http://evil.example/x now",
    "HTTPS://EVIL.EXAMPLE/Y",
    "www.evil.example",
    "WwW.evil.example/path",
    "write to tips@evil.example",
    "mailto:tips@evil.example",
    "<https://evil.example/angle>",
    "[text](https://evil.example/md)",
    "![img](http://evil.example/i.png)",
    "a.http://evil.example and (www.evil.example)",
]


@pytest.mark.parametrize("value", HOSTILE)
def test_md_escape_leaves_no_bare_link(value):
    assert gfm_autolinks(value), "the pattern itself is a link"  # the check can see it
    assert gfm_autolinks(render.md_escape(value)) == []


@pytest.mark.parametrize("value", HOSTILE)
def test_md_escape_reads_the_same(value):
    """Only invisible characters are added: the reader sees the text as written."""
    shown = _MD_UNESCAPE.sub(r"\1", render.md_escape(value)).replace("\u2060", "")
    assert shown == value


def test_no_autolinks_keeps_ordinary_text():
    text = "Kyiv, 10:30 — Wire/AFP: shelling (www is not a host) in Lviv."
    assert render.no_autolinks(text) == text


def test_place_heading_names_kinds_in_plain_words():
    from geo.models import Place
    from geo.render import place_heading_html

    head = place_heading_html(Place(709716, "Donetsk Oblast", "admin1", 48.0, 37.8, "UA"), 1, 1)
    assert "province or oblast · 1 passage in 1 article" in head and "admin1" not in head
