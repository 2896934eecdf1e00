"""How sure the map is of each place, and the review queue of the places most worth a look.

Each resolved mention keeps the resolver's calibrated confidence (geo.confidence: the chance
that its place lies within 161 km of the right point). A place is *doubtful* when its
selected mentions average below DOUBTFUL; it is *trusted* when a user confirmed it (the
`verification` table, keyed like `place`, so a confirmation survives re-ingest and new
geoparser versions) or corrected every one of its mentions. Mentions without a confidence
(parsed before confidences were stored, or added by a user) count as sure.

The queue holds the places of the selection that are not trusted and look wrong for some
reason (`ReviewRow.why`: a low confidence, far from the corpus's geography, a small namesake,
a first name), ordered by how many mentions a wrong reading would misplace: the sum over
their mentions of (1 - confidence), each counted at least REVIEW_FLOOR doubtful.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from geo.models import Place

if TYPE_CHECKING:
    from geo.store.queries import Query

DOUBTFUL = 0.6  # a place whose mentions average below this is drawn hollow (calibrated: 0.5-0.7
# gave 63 % right on the development corpora, below 0.5 35 %)
REVIEW_FLOOR = 0.5  # a flagged place's mentions count at least this doubtful in the queue
FEW_MENTIONS = 3  # "far from the corpus's places" is asked only of places mentioned this little
# The corpus's geography: the countries that hold MAIN_SHARE of its mentions, most first
# (at most MAIN_COUNTRIES of them).
MAIN_COUNTRIES = 8
MAIN_SHARE = 0.85
SMALL_TOWN = 10_000  # a town below this many people chosen for a name is a small namesake

TRUSTED = (
    "(m.correction IS NOT NULL OR m.added = 1"
    " OR m.place_key IN (SELECT place_key FROM verification))"
)


@dataclass(frozen=True, slots=True)
class ReviewRow:
    """A place of the review queue."""

    place: Place
    mentions: int
    confidence: float  # mean over the mentions that have one
    doubt: float  # mentions a wrong reading would misplace (the queue's order)
    names: tuple[str, ...]  # the written forms, most frequent first
    reason: str  # why the resolver chose the place (its most frequent reason)
    why: tuple[str, ...] = field(default=())  # what makes it worth a look, in plain words


class ReviewMixin:
    """Store's confidences and confirmations."""

    def doubtful_places(self, q: Query) -> dict[str, float]:
        """Place key -> mean confidence, for the selection's places that are doubtful
        (below DOUBTFUL) and not trusted.
        """
        where, args = self._where(replace(q, hide_doubtful=False))
        rows = self.con().execute(
            f"SELECT p.key, AVG(m.confidence) {self._BASE} WHERE {where}"
            f" AND m.confidence IS NOT NULL AND NOT {TRUSTED}"
            " GROUP BY p.key HAVING AVG(m.confidence) < ?",
            [*args, DOUBTFUL],
        )
        return {k: float(c) for k, c in rows}

    def review_queue(
        self,
        q: Query,
        first_names: frozenset[str] = frozenset(),
        limit: int = 50,
        namesakes: Callable[[str], list[int]] | None = None,
    ) -> list[ReviewRow]:
        """The selection's untrusted places most worth a look, most misplaced mentions
        first. `first_names`: lower-case given names (a place written like one is flagged).
        `namesakes(name)`: the populations of the gazetteer's places carrying a name (0 when
        unknown); a place whose written names each belong to it alone is left out unless
        written like a first name (the reading can only be wrong if it is no place at all),
        and a small town is flagged only when a namesake ten times its size exists. "Hide
        doubtful readings" does not apply: these are what it hides.
        """
        where, args = self._where(replace(q, hide_doubtful=False))
        con = self.con()
        per_country = con.execute(
            f"SELECT p.country, COUNT(*) {self._BASE} WHERE {where} AND p.country IS NOT NULL"
            " GROUP BY p.country ORDER BY COUNT(*) DESC, p.country",
            args,
        ).fetchall()
        total = sum(n for _, n in per_country)
        main: list[str] = []
        held = 0
        for cc, n in per_country[:MAIN_COUNTRIES]:
            if held >= MAIN_SHARE * total:
                break
            main.append(cc)
            held += n
        rows = con.execute(
            f"SELECT p.key, p.geonameid, p.name, p.kind, p.lat, p.lon, p.country, m.text,"
            f" m.reason, m.confidence {self._BASE} WHERE {where} AND NOT {TRUSTED}"
            " ORDER BY p.key",
            args,
        ).fetchall()
        per: dict[str, list] = {}
        for key, gid, name, kind, lat, lon, cc, text, reason, conf in rows:
            per.setdefault(key, [Place(gid, name, kind, lat, lon, cc), []])[1].append(
                (text, reason, conf)
            )
        out = []
        for place, ms in per.values():
            names = tuple(n for n, _ in Counter(t for t, _, _ in ms).most_common(5))
            sizes = (
                (lambda ns=names: [p for n in ns[:3] for p in namesakes(n)]) if namesakes else None
            )
            why = _flags(place, ms, main, first_names, sizes)
            confs = [c for _, _, c in ms if c is not None]
            mean = sum(confs) / len(confs) if confs else 1.0
            if mean < DOUBTFUL:
                why = (f"low confidence ({mean:.2f})", *why)
            if not why:
                continue  # a sure place, however often mentioned
            if namesakes is not None and not any("first name" in w for w in why):
                if all(len(namesakes(n)) <= 1 for n in names[:3]):
                    continue  # no other place carries its names: nothing to choose between
            doubt = sum(max(1.0 - (1.0 if c is None else c), REVIEW_FLOOR) for _, _, c in ms)
            reason = Counter(r for _, r, _ in ms).most_common(1)[0][0]
            out.append(ReviewRow(place, len(ms), mean, doubt, names, reason, why))
        out.sort(key=lambda r: (-r.doubt, r.confidence, r.place.name, r.place.key))
        return out[:limit]

    def confirm_place(self, place: Place, author: str = "") -> None:
        """Mark `place` right wherever the geoparser chose it (until `unconfirm_place`)."""
        with self.transaction() as con:
            con.execute(
                "INSERT INTO verification(place_key, name, author, created_at) VALUES (?,?,?,?)"
                " ON CONFLICT(place_key) DO NOTHING",
                (place.key, place.name, author, datetime.now(UTC).isoformat(timespec="seconds")),
            )
            self._bump(con)

    def unconfirm_place(self, key: str) -> None:
        with self.transaction() as con:
            con.execute("DELETE FROM verification WHERE place_key = ?", (key,))
            self._bump(con)

    def confirmed_places(self) -> dict[str, str]:
        """Place key -> name of every place a user confirmed."""
        return dict(self.con().execute("SELECT place_key, name FROM verification"))


def _flags(
    place: Place,
    ms: list[tuple],
    main: list[str],
    first_names: frozenset[str],
    sizes: Callable[[], list[int]] | None = None,
) -> tuple[str, ...]:
    """Plain-words reasons, besides a low confidence, why a place's reading may be wrong."""
    why = []
    if place.kind not in ("country", "continent") and len(ms) <= FEW_MENTIONS and main:
        if place.country_code not in main:
            why.append("far from the corpus's other places")
    reasons = " ".join(r for _, r, _ in ms)
    size = _town_size(reasons)
    if (
        size is not None
        and size < SMALL_TOWN
        and (sizes is None or any(n >= 10 * max(size, 1) for n in sizes()))
    ):
        why.append(f"a small town ({size:,} people) was chosen for the name")
    if first_names and any(t.lower() in first_names for t, _, _ in ms):
        why.append("the name is also a first name")
    return tuple(why)


def _town_size(reasons: str) -> int | None:
    """The population in a resolver reason such as "city of 24k" or "city of 1.4M"."""
    m = re.search(r"city of ([\d.]+)([kM]?)\b", reasons)
    if not m:
        return None
    n = float(m.group(1)) * {"k": 1e3, "M": 1e6, "": 1.0}[m.group(2)]
    return int(n)
