"""Shared frozen dataclasses: the values every module passes around."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

KINDS = ("country", "admin1", "admin2", "city", "region", "water", "continent", "landmark")


@dataclass(frozen=True, slots=True)
class Article:
    """One article: metadata plus the plain text that mention offsets refer to."""

    id: str
    url: str | None
    title: str
    published: date | None
    source: str
    language: str
    text: str


@dataclass(frozen=True, slots=True)
class Place:
    """A resolved location. `kind` is one of KINDS; geonameid is None for non-GeoNames rows."""

    geonameid: int | None
    name: str
    kind: str
    lat: float
    lon: float
    country_code: str | None

    @property
    def key(self) -> str:
        """Stable identifier used by the store and the map ("gn:703448" or "x:<kind>:<name>")."""
        if self.geonameid is not None:
            return f"gn:{self.geonameid}"
        return f"x:{self.kind}:{self.name}:{self.country_code or ''}"


@dataclass(frozen=True, slots=True)
class Mention:
    """A place name in an article; `text == article.text[start:end]`."""

    article_id: str
    start: int
    end: int
    text: str
    mention_type: str  # "name" or "demonym"
    place: Place | None  # None: recognised, not resolved
    reason: str = ""


@dataclass(frozen=True, slots=True)
class Failure:
    """An input that could not be ingested, and why (shown to the user)."""

    source: str
    reason: str
    origin: str = ""  # the file path or URL it came from; a new ingest of it replaces this

    @property
    def detail(self) -> str:
        """The reason without repeating the source when the reason already names it."""
        prefix = f"{self.source}: "
        return self.reason.removeprefix(prefix)


@dataclass(frozen=True, slots=True)
class Notice:
    """Something the user should know about an input that was still stored.

    E.g. "no readable date: kept as undated" or "12 bytes could not be decoded".
    """

    source: str
    message: str


@dataclass(frozen=True, slots=True)
class PlaceCount:
    """A place with how often the selection mentions it (near-duplicate groups counted once)."""

    place: Place
    mentions: int
    articles: int


@dataclass(frozen=True, slots=True)
class Passage:
    """One mention with its article's metadata and stored text."""

    article: Article
    start: int
    end: int
    mention_type: str
    reason: str
