"""A recognised place-name span (Span) and the labels that say what made it a place."""

from __future__ import annotations

from dataclasses import dataclass, field

from geo.gazetteer import Candidate

PLACE_LABELS = {"GPE", "LOC", "FAC"}

# Labels under which a capitalised word is not a place however the gazetteer reads it.
NOT_PLACE_LABELS = {"DATE", "TIME", "PERCENT", "MONEY", "QUANTITY", "ORDINAL", "CARDINAL"}

# Labels the small model often puts on places ("Calcutta" as PRODUCT): weak evidence either way.
WEAK_LABELS = {"ORG", "NORP", "PRODUCT", "WORK_OF_ART", "EVENT", "LAW", "LANGUAGE"}

EMBEDDED = "embedded"  # a name that modifies a longer one ("Moscow" in "Moscow Times")
EMBEDDED_HEAD = "embedded-head"  # a name that ends a longer one ("Union" in "Soviet Union")

LISTED = "listed"  # a name listed with places ("Moonbi, Parkes and Wyong")
MODIFIER = "modifier"  # a name before a capitalised word it names ("Kyiv Post")

UNIT = "unit"  # label of "X region", "Kharkivska oblast": the words make it a place
ROUTE = "route"  # label of a member of "A – B – C" (an evacuation route, a list)
DATELINE = "dateline"  # label of "MOSCOW —", "KYIV, March 3 (Reuters) –"
HEADLINE = "headline"  # label of a prominent place written in capitals ("RUSSIA SHELLS KYIV")

IN_REGION = "in-region"  # label of "X, Region" where the region holds a town called X
SHARED = "shared"  # label of "Central" in "Central and South America": the name is shared


@dataclass(slots=True)
class Span:
    """A recognised place-name span before resolution."""

    start: int
    end: int
    text: str
    mention_type: str  # "name" | "demonym"
    label: str  # spaCy label that supported it, or "" for gazetteer-only
    candidates: tuple[Candidate, ...] = field(default_factory=tuple)
    context_after: str = ""  # raw text right after the span (for "Kherson, Ukraine")
    kind_hint: str = ""  # "admin" ("Washington state"), "city" ("the city of X") or ""
    note: str = ""  # said first in the reason ("seat of the Bakhmut district")

    @property
    def weak(self) -> bool:
        """Found by the gazetteer alone, without NER or the words around calling it a place."""
        return self.label not in PLACE_LABELS and self.label not in {
            UNIT,
            ROUTE,
            DATELINE,
            HEADLINE,
            SHARED,
            IN_REGION,
        }
