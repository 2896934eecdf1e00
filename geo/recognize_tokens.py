"""Per-token facts read from a spaCy Doc once, and the longest gazetteer name in a token run."""

from __future__ import annotations

import re

from geo.gazetteer import Gazetteer
from geo.recognize_words import CONNECTORS

# "d'Ivoire", "l'Aquila": an elided article glued to a capitalised word.
_ELIDED = re.compile(r"^[dl]['’]\w")


def _name_token(tok) -> bool:
    """A token that may sit at either end of a multi-word place name."""
    return tok.text[:1].isupper() or bool(_ELIDED.match(tok.text)) and tok.text[2:3].isupper()


class _TokenTable:
    """Per-token facts `_longest_known` asks for again and again, read from the Doc once."""

    __slots__ = ("text", "words", "starts", "name", "joinable", "lower")

    def __init__(self, doc) -> None:
        self.text: str = doc.text
        # One pass: every `for t in doc` makes a Python object per token.
        self.words: list[str] = []
        self.starts: list[int] = []
        self.lower: list[str] = []
        for t in doc:
            self.words.append(t.text)
            self.starts.append(t.idx)
            self.lower.append(t.lower_)
        self.name: list[bool] = [
            w[:1].isupper() or bool(_ELIDED.match(w)) and w[2:3].isupper() for w in self.words
        ]
        self.joinable: list[bool] = [
            n or w in CONNECTORS for n, w in zip(self.name, self.lower, strict=True)
        ]

    def span_text(self, s: int, e: int) -> str:
        """doc[s:e].text: the tokens with the spaces between them."""
        return self.text[self.starts[s] : self.starts[e - 1] + len(self.words[e - 1])]


def _longest_known(
    doc,
    start: int,
    end: int,
    gazetteer: Gazetteer,
    anchor: bool = False,
    table: _TokenTable | None = None,
):
    """Longest token run inside [start, end) whose text is a gazetteer name.

    With anchor=True the run must begin at `start` (gazetteer scan); otherwise any
    sub-run of the entity may match, longest first. `table`: the doc's, when already made.
    """
    t = table or _TokenTable(doc)
    starts = [start] if anchor else range(start, end)
    best = None
    for s in starts:
        first = t.words[s][:1]
        if not first.isupper() and not first.isdigit():
            continue
        for e in range(end, s, -1):
            if not t.name[e - 1] and t.words[e - 1] not in {".", ")"}:
                continue
            if not all(t.joinable[s:e]):
                continue
            span_text = t.span_text(s, e)
            if len(span_text) < 2:
                continue
            cands = gazetteer.lookup(span_text)
            if cands:
                if best is None or (e - s) > (best[1] - best[0]):
                    best = (s, e, cands)
                break
        if anchor:
            break
    return best
