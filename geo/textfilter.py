"""The "Text contains" filter: comma-separated words or phrases, bounded.

Each term becomes one clause of the map's queries (a full-text match and a substring test),
so their number and length bound the work of every query: 900 two-letter terms took 16.6 s
a query on the sample, and 998 made SQLite give up ("Expression tree is too large").
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_TERMS = 20  # terms of one filter
MAX_TERM_CHARS = 100  # characters of one term


@dataclass(frozen=True, slots=True)
class Terms:
    """A filter split into terms: the ones used and the ones ignored (too many, too long)."""

    used: tuple[str, ...]
    ignored: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        """The used terms as a filter string again."""
        return ", ".join(self.used)

    def message(self, shown: int = 10, chars: int = 30) -> str:
        """Why terms were ignored, listing the first few ("" when none were)."""
        if not self.ignored:
            return ""
        listed = ", ".join(
            f"“{t[:chars]}…”" if len(t) > chars else f"“{t}”" for t in self.ignored[:shown]
        )
        more = f" and {len(self.ignored) - shown:,} more" if len(self.ignored) > shown else ""
        return (
            f"“Text contains” uses at most {MAX_TERMS} words or phrases of up to "
            f"{MAX_TERM_CHARS} characters each; ignored: {listed}{more}."
        )


def split(text: str) -> list[str]:
    """Every comma-separated term of `text`, stripped, empty ones left out (unbounded)."""
    return [t.strip() for t in text.split(",") if t.strip()]


def parse(text: str) -> Terms:
    """The terms of a filter as typed or read from a URL: the first MAX_TERMS of at most
    MAX_TERM_CHARS characters are used, the rest ignored (duplicates count once).
    """
    used: list[str] = []
    ignored: list[str] = []
    seen: set[str] = set()
    for term in split(text):
        if term.lower() in seen:
            continue
        seen.add(term.lower())
        if len(term) > MAX_TERM_CHARS or len(used) >= MAX_TERMS:
            ignored.append(term)
        else:
            used.append(term)
    return Terms(tuple(used), tuple(ignored))


def checked(text: str) -> list[str]:
    """The terms of a query's filter; raises ValueError when they exceed the bounds (the
    app bounds them with `parse` first, so only callers of the API meet it).
    """
    terms = split(text)
    if len(terms) > MAX_TERMS:
        raise ValueError(
            f"the text filter has {len(terms):,} terms; at most {MAX_TERMS} are allowed"
        )
    long = next((t for t in terms if len(t) > MAX_TERM_CHARS), None)
    if long is not None:
        raise ValueError(
            f"a term of the text filter has {len(long):,} characters; at most"
            f" {MAX_TERM_CHARS} are allowed"
        )
    return terms
