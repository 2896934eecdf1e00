"""Per-candidate scoring: the ranker's weighted terms, the weights learned for them
(scripts/fit_weights.py), and the facts about a name's candidate list they read."""

from __future__ import annotations

import difflib
import json
import logging
import math
from dataclasses import dataclass, field
from pathlib import Path

from geo.gazetteer import Candidate, admin1_shares, normalize
from geo.great_circle import haversine_km
from geo.resolve_evidence import _Evidence
from geo.usergazetteer import USER_FEATURE

log = logging.getLogger(__name__)

KIND_BASE = {"country": 10.0, "continent": 9.0, "water": 7.5, "region": 7.0, "admin1": 6.0}
ADMIN1_SHARE_BONUS = 0.0  # a unit counts like a town of its average size
# Candidate ranking is a weighted sum of terms (town size, country mentioned, near other
# places, ...). Each term's hand-set value is scaled by a weight learned on the development
# corpora by scripts/fit_weights.py (conditional logistic regression, article-level k-fold
# cross-validation); a missing file or term means weight 1, the hand-set ranking.
WEIGHTS_FILE = Path(__file__).resolve().parent.parent / "data" / "gazetteer" / "ranker_weights.json"


def load_weights(path: Path = WEIGHTS_FILE) -> dict[str, float]:
    """Term name -> weight from the shipped weights file; {} (all 1) when it is absent."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as err:
        log.warning("ignoring unreadable ranker weights %s: %s", path, err)
        return {}
    return {str(k): float(v) for k, v in data.get("weights", {}).items()}


WEIGHTS: dict[str, float] = load_weights()


def _human_pop(n: int) -> str:
    if n >= 1_000_000:
        return f"{n / 1_000_000:.1f}M"
    if n >= 1_000:
        return f"{n // 1000}k"
    return str(n)


@dataclass(slots=True)
class _Scored:
    cand: Candidate
    score: float
    why: list[str]
    contained: bool = False  # chosen with the help of "X, Country" right after the name
    terms: dict = field(default_factory=dict)  # the score's terms before weighting
    margin: float | None = None  # over the best candidate > 161 km away; None: no such one
    n: int = 1  # candidates the name had


_HIGH_KINDS = {"country", "continent", "admin1"}
# A town this big is "famous": its small namesakes need more than their country named.
FAMOUS_TOWN = 100_000
FAMOUS_RIVAL_SHARE = 0.2

# Score a corpus-focus country adds at full weight: less than a town ten times larger.
FOCUS_BONUS = 0.8


def score_candidate(
    c: Candidate,
    ctx: _Evidence,
    contained: tuple[str, str | None] | None,
    tld_country: str | None,
    flags: _Flags,
    hint: str = "",
    bias: tuple[str, str | None] | None = None,
    home: Candidate | None = None,
    weights: dict[str, float] | None = None,
    focus: dict[str, float] | None = None,
) -> _Scored:
    """Score one of a name's candidates: a weighted sum of terms, each with its reason."""
    p = c.place
    why: list[str] = []
    t: dict[str, float] = {}  # the score's terms, each weighted by WEIGHTS
    if c.feature == USER_FEATURE:
        # The user's own place hides every other of its name: only the reason matters.
        return _Scored(c, 0.0, [f"your own gazetteer ({p.kind})"], False, t)
    if p.kind == "city":
        t["town_size"] = math.log10(c.population + 10)
        why.append(f"city of {_human_pop(c.population)}")
        if c.feature == "capital":
            t["capital"] = 1.0
            why.append("national capital")
    elif p.kind == "admin2" or c.feature == "former":
        # A county counts by its towns' people, a little below a town of that size.
        t["county_size"] = math.log10(c.population + 10) - 0.5
        unit = "former region" if c.feature == "former" else "county/district"
        why.append(f"{unit} of {_human_pop(c.population)}")
    else:
        base = KIND_BASE.get(p.kind, 5.0)
        if p.kind == "admin1" and p.country_code:
            # A unit counts at most like a town of its country's average unit size.
            share = admin1_shares().get(p.country_code)
            if share:
                base = min(base, math.log10(share) + ADMIN1_SHARE_BONUS)
        t["kind_" + p.kind] = base
        why.append(p.kind)
    if not c.primary:
        if p.kind != "city":
            t["alternate_name"] = -1.5
        else:
            # Another town carrying the name as its main name weighs against this one,
            # unless this one is five times larger and the name is a spelling of its own
            # ("Odessa": Odesa, not Odessa, Texas; but "Garden City" is no Singapore).
            rival = flags.primary_city and (
                flags.primary_city_pop * 5 > c.population or not _same_name(flags.name, p.name)
            )
            t["alternate_name"] = -2.0 if rival else -0.5
        if flags.named_high:
            # "Mexico" is the country's own name and only an alternate one of Mexico City.
            t["alternate_of_a_region"] = -3.0
    if p.country_code and p.kind != "country":
        # Evidence for Mexico cannot tell the country "Mexico" from its state "México".
        n = 0 if p.country_code in flags.named_countries else ctx.countries.get(p.country_code, 0)
        if n:
            # Same-country evidence separates namesakes (Paris, Texas in a US story) but
            # must not lift a hamlet over a sea or a region of the same name.
            size = 1.0
            if p.kind == "city" and flags.rival_high:
                size = min(1.0, math.log10(c.population + 10) / 5)
            elif p.kind == "city" and flags.top_city_pop > 10 * c.population:
                # ... nor a village over a famous namesake ten times its size (Brussels,
                # Illinois, in a story that also mentions the United States).
                size = math.log10(c.population + 10) / math.log10(flags.top_city_pop + 10)
            # A region, sea or country of that name, or a famous town, is meant unless
            # the text places this town: its state, its neighbours or "X, State" must say
            # so ("the Normandy format" is not Normandy, Missouri; Geneva in a story
            # about President Biden is still in Switzerland).
            overshadowed = p.kind == "city" and (
                flags.rival_high
                and c.population < FAMOUS_TOWN
                or flags.top_city_pop >= FAMOUS_TOWN
                and flags.top_city_pop > 5 * c.population
            )
            if overshadowed and not _localised(c, ctx, contained):
                size = min(size, FAMOUS_RIVAL_SHARE)
            t["country_mentioned"] = (2.0 + min(n, 5) * 0.4) * size
            why.append(f"article mentions {p.country_code}")
        if (p.country_code, c.admin1 or "") in ctx.admin1s and p.kind in {"city", "admin2"}:
            t["region_mentioned"] = 2.0  # "Monroe County" in a story about Michigan
            why.append("its region is mentioned")
        if tld_country == p.country_code:
            t["web_domain_country"] = 0.5
    if p.kind == "country" and flags.rival_country and ctx.countries.get(p.country_code, 0):
        t["country_of_named_places"] = 2.0  # "Congo" in an article about Brazzaville
        why.append("article mentions its places")
    in_container = bool(contained and p.country_code == contained[0])
    if in_container:
        t["named_with_country"] = 6.0
        if contained[1] and c.admin1 == contained[1]:
            t["named_with_region"] = 3.0
        why.append("named with its country/region")
    if p.kind == "admin1" and (p.country_code, c.admin1 or "") in ctx.anchor_admin1s:
        t["contains_named_city"] = 3.0
        why.append("a city in it is mentioned")
    if ctx.anchors and p.kind in {"city", "admin2"}:
        near: list[str] = []
        for name, a in ctx.anchors:
            d = haversine_km(p.lat, p.lon, a.place.lat, a.place.lon)
            if 1 <= d < 150 and name not in near:
                near.append(name)  # under 1 km the anchor is this very place
        if near:
            t["near_other_places"] = 1.0 + 0.5 * min(len(near) - 1, 2)
            why.append(f"near other places in the article: {', '.join(near[:3])}")
    if hint == "admin" and p.kind in _ADMIN_KINDS:
        t["called_a_unit"] = 3.0
        why.append("called a state/province/county")
    elif hint == "city" and p.kind == "city":
        t["called_a_town"] = 2.0
        why.append("called a town or city")
    if home is not None and p.kind != "country" and p.country_code == home.place.country_code:
        # A local paper's town, state and country are a prior for its namesakes.
        h = home.place
        if h.kind == "country":
            t["source_home"] = 0.75
            why.append(f"the source is from {h.name}")
        elif p.kind in {"city", "admin2"} and haversine_km(p.lat, p.lon, h.lat, h.lon) < 150:
            t["source_home"] = 1.5
            why.append(f"near the source's home, {h.name}")
        elif home.admin1 and c.admin1 == home.admin1:
            t["source_home"] = 1.0
            why.append(f"in the source's home region ({h.name})")
        else:
            t["source_home"] = 0.5
            why.append(f"in the source's country ({h.name})")
    if focus and p.country_code in focus and p.kind != "country":
        # The corpus's own geography: small, so it only settles otherwise close calls.
        t["corpus_focus"] = FOCUS_BONUS * focus[p.country_code]
        why.append(f"in the corpus's focus ({p.country_code})")
    if bias and p.kind == bias[0] and (bias[1] is None or p.country_code == bias[1]):
        t["listed_with_alike"] = 4.0
        why.append("listed with others like it")
    w = WEIGHTS if weights is None else weights
    score = sum(w.get(k, 1.0) * v for k, v in t.items())
    return _Scored(c, score, why, in_container, t)


def _localised(
    c: Candidate, ctx: _Evidence, contained: tuple[str, str | None] | None = None
) -> bool:
    """True when the article names the candidate's region or a place near it, or writes
    "X, Y" with Y its country or region."""
    p = c.place
    if contained and contained[0] == p.country_code and contained[1] in {None, c.admin1}:
        return True
    if (p.country_code, c.admin1 or "") in ctx.admin1s | ctx.anchor_admin1s:
        return True
    return any(
        1 <= haversine_km(p.lat, p.lon, a.place.lat, a.place.lon) < 150 for _, a in ctx.anchors
    )


_ADMIN_KINDS = {"admin1", "admin2"}


@dataclass(frozen=True, slots=True)
class _Flags:
    """Facts about a name's whole candidate list that shape each candidate's score."""

    named_high: bool  # some country/continent/admin1 carries it as its main name
    primary_city: bool  # some city carries it as its main name
    primary_city_pop: int  # the largest such city's population
    rival_high: bool  # some candidate is not a city
    rival_country: bool  # the name is shared by two countries ("Congo")
    named_countries: frozenset[str]  # countries carrying the name as their main name
    name: str  # the main name of the most populous town that carries it as such
    top_city_pop: int  # the most populous town carrying the name in any way

    @classmethod
    def of(cls, cands: tuple[Candidate, ...]) -> _Flags:
        towns = [c for c in cands if c.primary and c.place.kind == "city"]
        return cls(
            any(c.primary and c.place.kind in _HIGH_KINDS for c in cands),
            any(c.primary and c.place.kind == "city" for c in cands),
            max((c.population for c in cands if c.primary and c.place.kind == "city"), default=0),
            any(c.place.kind != "city" for c in cands),
            len({c.place.country_code for c in cands if c.place.kind == "country"}) > 1,
            frozenset(
                c.place.country_code for c in cands if c.place.kind == "country" and c.primary
            ),
            max(towns, key=lambda c: c.population).place.name if towns else "",
            max((c.population for c in cands if c.place.kind == "city"), default=0),
        )


def _same_name(a: str, b: str) -> bool:
    """True when two names are spellings of one name ("Odessa", "Odesa"), not a nickname."""
    x, y = normalize(a), normalize(b)
    return bool(x and y) and difflib.SequenceMatcher(None, x, y).ratio() >= 0.7
