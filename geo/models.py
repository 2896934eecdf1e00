"""Shared frozen dataclasses: the values every module passes around."""

from __future__ import annotations

from dataclasses import dataclass, field
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
    # How sure the resolver is of `place`: the estimated chance (0-1) that it lies within
    # 161 km of the right point, calibrated on the development corpora (geo/confidence.py).
    # None when unresolved or parsed before confidences existed. Not part of equality.
    confidence: float | None = field(default=None, compare=False)


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
    reason: str  # why the geoparser chose its place
    correction_id: int | None = None  # the user's correction that set this mention's place
    correction_note: str = ""  # the user's reason for it
    geoparser_place: str | None = None  # when corrected: the geoparser's own choice (name)


@dataclass(frozen=True, slots=True)
class EventRow:
    """One stored event (see geo.events) with its article and place, as the map, the panel,
    the tables and the exports show it.

    start/end are the trigger's character offsets into article.text; passage_start and
    passage_end the sentence that says it. `place` is where it happened (None: the text
    names no place for it); `place_basis` says how that was found ("sentence", "previous
    sentence", "article"). status: reported, denied, negated, planned, hypothetical or
    historical; only reported events are counted on the map by default.
    """

    id: int
    article: Article
    type: str
    status: str
    start: int
    end: int
    passage_start: int
    passage_end: int
    place: Place | None
    actor: str = ""
    target: str = ""
    confidence: float = 0.0
    source: str = ""  # who says so, for a quoted claim ("Kyiv" in "Kyiv says Russia shelled…")
    place_basis: str = ""
    correction_id: int | None = None  # the user's correction that set this event's type
    correction_note: str = ""
    geoparser_type: str | None = None  # when corrected: the type the event typer gave


CORRECTION_ACTIONS = ("place", "not_place", "add", "event_type", "not_event")
# From the narrowest scope to the widest; a narrower correction wins over a wider one.
CORRECTION_SCOPES = ("mention", "article", "source", "everywhere")


@dataclass(frozen=True, slots=True)
class Correction:
    """A user's fix of the geoparser's output.

    action: "place" (this name means `place`), "not_place" (this name is no place here) or
    "add" (a name the geoparser missed means `place`). scope: "mention" (the occurrence at
    start:end of article_id), "article" (every occurrence of `name` in article_id), "source"
    (in every article of `source`) or "everywhere" (a rule over the whole corpus, new
    articles included). `name` is the words as written; "place"/"not_place" match the
    mentions with that text in any letter case, "add" finds the words as written.
    """

    action: str
    scope: str
    name: str
    place: Place | None = None
    article_id: str | None = None
    source: str | None = None
    start: int | None = None
    end: int | None = None
    note: str = ""  # the user's reason
    author: str = ""
    created_at: str = ""  # ISO 8601, UTC
    old_place: str | None = None  # the place the mention had when corrected (its name)
    uid: str = ""  # stable identity, shared by export and import
    id: int | None = None  # row id in the store
    undone_at: str | None = None
    orphaned: bool = False  # it matched nothing the last time it was applied
    # "event_type": the event whose trigger is `name` (start:end for one event) is of this
    # type; "not_event": it is no event. Same scopes as the place corrections.
    event_type: str | None = None

    def describe(self) -> str:
        """One line for the history list ("Odessa → Odesa (UA), in this article")."""
        what = {
            "place": f"{self.name!r} → {_place_label(self.place)}",
            "not_place": f"{self.name!r} is not a place",
            "add": f"added {self.name!r} → {_place_label(self.place)}",
            "event_type": f"event {self.name!r} → {self.event_type}",
            "not_event": f"{self.name!r} is not an event",
        }[self.action]
        where = {
            "mention": "this mention only",
            "article": "in one article",
            "source": f"in every article of {self.source}",
            "everywhere": "everywhere",
        }[self.scope]
        return f"{what}, {where}"


def _place_label(place: Place | None) -> str:
    if place is None:
        return "?"
    return f"{place.name} ({place.country_code})" if place.country_code else place.name
