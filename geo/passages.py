"""Quotes around a mention: the sentence that holds it, with a little context."""

from __future__ import annotations

import re
from dataclasses import dataclass

# A sentence ends at . ! ? (optionally followed by a closing quote/bracket) before whitespace
# and a capital, digit or quote; or at a paragraph break. Abbreviations like "U.S." followed by
# a capitalised name are rare enough in this role to accept a short sentence now and then.
_BOUNDARY = re.compile(r"(?<=[.!?])[\"'”’)\]]*\s+(?=[\"'“‘(\[]?[A-Z0-9])|\n\s*\n")
_ABBREV = re.compile(r"\b(?:[A-Z]\.|Mr|Mrs|Ms|Dr|St|Gen|Col|Sen|Rep|Gov|Lt|Sgt|No|vs|U\.S)\.?$")
CONTEXT_CHARS = 160


@dataclass(frozen=True, slots=True)
class Quote:
    """`before + hit + after` is the passage; `hit` is exactly the mention's text."""

    before: str
    hit: str
    after: str
    cut_before: bool  # text was cut before the passage (show an ellipsis)
    cut_after: bool


def sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """Character range of the sentence holding text[start:end]."""
    s = 0
    e = len(text)
    for m in _BOUNDARY.finditer(text):
        if m.end() <= start:
            if not _ABBREV.search(text[max(0, m.start() - 4) : m.start()]):
                s = m.end()
        elif m.start() >= end:
            if not _ABBREV.search(text[max(0, m.start() - 4) : m.start()]):
                e = m.start()
                break
    return s, e


def quote(text: str, start: int, end: int, context: int = CONTEXT_CHARS) -> Quote:
    """The sentence around a mention, widened by up to `context` characters each side."""
    if not (0 <= start < end <= len(text)):
        raise ValueError(f"mention offsets {start}:{end} outside a text of {len(text)} chars")
    s, e = sentence_bounds(text, start, end)
    if len(text[s:e]) < 200:
        # Short sentence: borrow the tail of the previous one and the head of the next one.
        s = _word_cut(text, max(0, s - context // 2), forward=True) if s > 0 else 0
        e = _word_cut(text, min(len(text), e + context // 2), forward=False)
    else:
        s = max(s, _word_cut(text, start - 2 * context, forward=True))
        e = min(e, _word_cut(text, end + 2 * context, forward=False))
    s = min(s, start)
    e = max(e, end)
    return Quote(
        before=text[s:start].lstrip(),
        hit=text[start:end],
        after=text[end:e].rstrip(),
        cut_before=s > 0,
        cut_after=e < len(text),
    )


def _word_cut(text: str, pos: int, forward: bool) -> int:
    """Move `pos` to the nearest word boundary so quotes do not start mid-word."""
    pos = max(0, min(len(text), pos))
    if forward:
        while 0 < pos < len(text) and not text[pos - 1].isspace():
            pos += 1
    else:
        while 0 < pos < len(text) and not text[pos].isspace():
            pos -= 1
    return pos
