"""Article text -> the copy the NLP pipeline may read: bounded runs of symbols and tokens.

spaCy's tokenizer is quadratic in a run of punctuation ("<<<<…", "((((…") and in a long
token that it keeps splitting ("a<a<a<…"): 20 KB of "<" takes minutes. Prose has neither
(the longest symbol run in the sample and the evaluation corpora is 7 characters, the longest
token 62). The copy has the same length as the text, so the offsets of what is found in it
are offsets into the stored text: hostile stretches become spaces, which spaCy reads in
linear time. Text that is mostly symbols is refused instead of parsed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_SYMBOL_RUN = 16  # longer runs of punctuation and symbols keep their first KEPT_OF_RUN
KEPT_OF_RUN = 3  # "...", "---" and "***" still read as themselves
MAX_TOKEN_CHARS = 400  # longer tokens (no whitespace) become spaces: no place name is one
# Letters and digits among the characters that are not whitespace; prose has over 90 %.
MIN_ALNUM_SHARE = 0.5
MOSTLY_SYMBOLS = "mostly symbols; kept without places"

# A symbol is what is neither a word character nor whitespace, and "_" (a word character
# that the tokenizer splits like punctuation). The look-behinds anchor each match at the
# start of its run or token, so that every character is scanned a bounded number of times.
_SYMBOL_RUN = re.compile(rf"(?<![^\w\s])(?<!_)(?:[^\w\s]|_){{{MAX_SYMBOL_RUN + 1},}}")
_LONG_TOKEN = re.compile(rf"(?<!\S)\S{{{MAX_TOKEN_CHARS + 1},}}")
_SPACE = re.compile(r"\s+")
_NOT_ALNUM = re.compile(r"[\W_]+")


@dataclass(frozen=True, slots=True)
class Guarded:
    """The text to hand the NLP pipeline, or why none is handed."""

    text: str  # same length as the input; "" when refused
    refused: str = ""  # the reason, "" when the text may be parsed
    changed: int = 0  # characters replaced by spaces


def alnum_share(text: str) -> float:
    """Letters and digits among the characters that are not whitespace (1.0 for none)."""
    visible = len(_SPACE.sub("", text))
    if not visible:
        return 1.0
    return len(_NOT_ALNUM.sub("", text)) / visible


def guard(text: str) -> Guarded:
    """A same-length copy of `text` that spaCy parses in time linear in its length.

    Runs of more than MAX_SYMBOL_RUN punctuation marks or symbols keep their first
    KEPT_OF_RUN characters, tokens of more than MAX_TOKEN_CHARS characters become spaces;
    the rest is unchanged, so character offsets into the copy are offsets into `text`.
    Text whose share of letters and digits is under MIN_ALNUM_SHARE is refused
    (`refused` says so and `text` is "").
    """
    if alnum_share(text) < MIN_ALNUM_SHARE:
        return Guarded("", MOSTLY_SYMBOLS, len(text))
    changed = 0

    def blank_run(m: re.Match) -> str:
        nonlocal changed
        n = len(m.group())
        changed += n - KEPT_OF_RUN
        return m.group()[:KEPT_OF_RUN] + " " * (n - KEPT_OF_RUN)

    def blank(m: re.Match) -> str:
        nonlocal changed
        n = len(m.group())
        changed += n
        return " " * n

    out = _SYMBOL_RUN.sub(blank_run, text)
    out = _LONG_TOKEN.sub(blank, out)
    return Guarded(out, "", changed)
