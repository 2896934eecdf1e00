"""Mention -> Place: a geopy-compatible gazetteer geocoder and a context-aware ranker.

The geocoder only answers "which places carry this name" (geopy's
`geocode(name, exactly_one=False)`); ranking with the article's context (countries it
mentions, "Kherson, Ukraine", nearby places) lives in `Resolver`.
"""

from __future__ import annotations

import difflib
import json
import logging
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from geopy.exc import GeopyError
from geopy.geocoders.base import DEFAULT_SENTINEL, Geocoder
from geopy.location import Location

from geo import confidence as conf
from geo.errors import ResolveError
from geo.gazetteer import (
    Candidate,
    Gazetteer,
    admin1_shares,
    lies_in,
    normalize,
    region_readings,
)
from geo.models import Article, Mention
from geo.recognize import (
    ADMIN_NOUNS,
    DATELINE,
    EMBEDDED,
    EMBEDDED_HEAD,
    HEADLINE,
    IN_REGION,
    MODIFIER,
    ROUTE,
    UNIT,
    Span,
)
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
_TLD_COUNTRY = {"uk": "GB"}


class GazetteerGeocoder(Geocoder):
    """Offline geopy geocoder over the GeoNames index: every candidate for a name."""

    def __init__(self, gazetteer: Gazetteer) -> None:
        super().__init__(user_agent="conflict-map-offline")
        self.gazetteer = gazetteer

    def geocode(self, query: str, *, exactly_one: bool = True, timeout=DEFAULT_SENTINEL):
        """Locations named `query`, most populous first; None when there is none.

        Each Location's `raw` holds geonameid, kind, country_code, population, admin1,
        primary (name is the main one) and feature.
        """
        cands = self.gazetteer.lookup(query)
        if not cands:
            return None
        locs = [Location(c.place.name, (c.place.lat, c.place.lon), c.as_raw()) for c in cands]
        return locs[0] if exactly_one else locs

    def reverse(self, query, *, exactly_one: bool = True, timeout=DEFAULT_SENTINEL):
        """Not offered offline."""
        raise NotImplementedError("reverse geocoding is not offered by the offline gazetteer")


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(a)))


def _named_admin1(cands: tuple[Candidate, ...]) -> Candidate | None:
    """The admin-1 region a name surely means: its main name, no country and no big city."""
    admins = [c for c in cands if c.place.kind == "admin1" and c.primary]
    if len(admins) != 1 or any(c.place.kind == "country" for c in cands):
        return None
    if any(c.place.kind == "city" and c.population >= 100_000 for c in cands):
        return None
    return admins[0]


def _city_state(best: _Scored, cands: tuple[Candidate, ...], hint: str = "") -> _Scored:
    """A region that is one big city (Moscow, Berlin, St Petersburg) is mapped as the city,
    and so is a region named after a city of a million people in it ("New York", "São
    Paulo"), unless the text calls it a state or province or lists it with others.
    """
    p = best.cand.place
    if p.kind != "admin1":
        return best
    for c in cands:
        if c.place.kind != "city" or c.place.country_code != p.country_code:
            continue
        near = c.population >= 100_000 and haversine_km(c.place.lat, c.place.lon, p.lat, p.lon) < 30
        namesake = (
            c.population >= 1_000_000
            and c.admin1 is not None
            and c.admin1 == best.cand.admin1
            and hint != "admin"
            and not any(w.startswith("listed with") for w in best.why)
        )
        if near or namesake:
            why = [w for w in best.why[1:] if w.startswith(("article mentions", "named with"))]
            if namesake and not near:
                why.append(f"the {p.name} that news means unless it says state or province")
            why = [f"city of {_human_pop(c.population)}", *why]
            return _Scored(c, best.score, why, best.contained, best.terms, best.margin, best.n)
    return best


def _shared_by_countries(cands: tuple[Candidate, ...]) -> bool:
    """True when regions of several countries carry the name ("Saint Andrew" parishes)."""
    return len({c.place.country_code for c in cands if c.place.kind == "admin1"}) > 1


def _named_county(cands: tuple[Candidate, ...]) -> Candidate | None:
    """The county a name surely means: counties of one country only, no larger town."""
    counties = [c for c in cands if c.place.kind == "admin2" and c.primary]
    if not counties or len({c.place.country_code for c in counties}) != 1:
        return None
    top = max(counties, key=lambda c: c.population)
    if any(c.place.kind != "admin2" and c.population >= top.population for c in cands):
        return None
    if any(c.place.kind in {"country", "admin1"} for c in cands):
        return None
    return top


def _dominant_city(cands: tuple[Candidate, ...]) -> Candidate | None:
    """The city a name almost surely means (sole or 5x larger town, >= 50k people)."""
    towns = [c for c in cands if c.place.kind == "city"]
    if not towns:
        return None
    ranked = sorted(towns, key=lambda c: -c.population)
    top = ranked[0]
    if top.population < 50_000:
        return None
    if len(ranked) > 1 and ranked[1].population * 5 > top.population:
        return None
    for c in cands:
        # A region of the same name counts only where it is the city's own (Brazzaville).
        far = haversine_km(c.place.lat, c.place.lon, top.place.lat, top.place.lon) > 50
        if c.place.kind != "city" and far:
            return None
    return top


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
# Towns this close to another of the article's places count as its neighbours (km).
_NEIGHBOUR_KM = 100
# A candidate this far from the chosen one is a rival reading (the scoring distance).
_RIVAL_KM = 161
# Score a corpus-focus country adds at full weight: less than a town ten times larger.
FOCUS_BONUS = 0.8
_CUE_LABELS = {UNIT, ROUTE, DATELINE, HEADLINE, IN_REGION}


@dataclass(slots=True)
class _Evidence:
    """What some names in an article say about its geography."""

    countries: Counter = field(default_factory=Counter)
    admin1s: set = field(default_factory=set)
    anchors: list = field(default_factory=list)  # (name in the article, Candidate)
    anchor_admin1s: set = field(default_factory=set)

    @classmethod
    def merge(cls, parts: Iterable[_Evidence]) -> _Evidence:
        out = cls()
        for ev in parts:
            out.countries.update(ev.countries)
            out.admin1s |= ev.admin1s
            out.anchors.extend(ev.anchors)
            out.anchor_admin1s |= ev.anchor_admin1s
        return out


# ", a village near Chernihiv", ", a suburb of Auckland": where an unknown place lies.
_NEAR_RE = re.compile(
    r"^\s*,\s+(?:a|an|the)\s+(?:[a-z-]+\s+){1,3}?(?:near|outside|of|in)\s+"
    r"((?:[A-Z][\w'’.-]*)(?:\s+[A-Z][\w'’.-]*){0,3})"
)
# "Kherson, Ukraine", and "Fulton County (, ) located in Illinois", "Crawford County in
# Pennsylvania", "Austin, in Scott County": what follows must still be a country or a region
# to count. A region's name may hold particles ("Davao del Sur", "Rio Grande do Sul"); a
# name followed by "said" is a speaker, not a container ("in Paris, Washington said").
_CONTAIN_RE = re.compile(
    r"^(?:\s*,\s*(?:(?:located\s+)?in\s+)?|\s+(?:located\s+)?in\s+)"
    r"((?:[A-Z][\w'’.-]*)(?:\s+(?:(?:de|del|da|do|dos|das|des|di|du|la|le|el)\s+)?[A-Z][\w'’.-]*){0,3})"
    r"(?![\w'’.-]*\s+(?:said|says|told|added|announced|stated|reported)\b)"
)


class Resolver:
    """Ranks candidates for each recognised span with the article's own context."""

    def __init__(
        self,
        gazetteer: Gazetteer,
        geocoders: Sequence[Geocoder] = (),
        focus: dict[str, float] | None = None,
    ) -> None:
        self.gazetteer = gazetteer
        # Corpus focus: country code -> weight (0-1], a prior between close candidates
        # ("Odessa" is Odesa in a corpus about Ukraine unless the article places it elsewhere).
        # See geo.focus.focus_from_mentions for a corpus summary that makes one.
        self.focus: dict[str, float] = dict(focus or {})
        self.geocoders: list[Geocoder] = list(geocoders) or [GazetteerGeocoder(gazetteer)]
        self.warnings: list[str] = []  # geocoder failures survived by falling back
        self.weights: dict[str, float] = WEIGHTS  # term -> weight (scripts/fit_weights.py)
        # For fitting weights: (article id, span, [(terms, candidate)] of its final ranking).
        self.record: list[tuple[str, Span, list]] | None = None
        # For fitting the confidence model: (article id, start, end, features) per mention.
        self.features_log: list[tuple[str, int, int, dict]] | None = None

    def drain_warnings(self) -> list[str]:
        """Return and forget the warnings collected so far."""
        out, self.warnings = self.warnings, []
        return out

    def candidates(self, name: str) -> tuple[Candidate, ...]:
        """Candidates from the first geocoder that knows `name`.

        Raises ResolveError when a geocoder fails (timeout, refused) and no later one answers.
        """
        failure: Exception | None = None
        for geocoder in self.geocoders:
            try:
                locs = geocoder.geocode(name, exactly_one=False)
            except (GeopyError, ResolveError, OSError) as err:
                log.warning("geocoder %s failed for %r: %s", type(geocoder).__name__, name, err)
                failure = err
                continue
            if locs:
                return tuple(
                    Candidate.from_raw(loc.raw, loc.latitude, loc.longitude) for loc in locs
                )
        if failure is not None:
            raise ResolveError(f"geocoding {name!r} failed: {failure}") from failure
        # No geocoder knows it as written: another romanisation may be in the gazetteer
        # ("Zaporozhye" for Zaporizhzhia, "Kharkov" for Kharkiv).
        if len(name.split()) <= 3:
            return self.gazetteer.lookup_variant(name)
        return ()

    def resolve(self, article: Article, spans: list[Span]) -> list[Mention]:
        """Pick one place per span (None when nothing fits); same name -> same place."""
        cand_by_name: dict[str, tuple[Candidate, ...]] = {}
        failed: dict[str, str] = {}
        for sp in spans:
            if sp.text in cand_by_name:
                continue
            if sp.mention_type == "demonym":
                cand_by_name[sp.text] = sp.candidates
                continue
            if sp.note and not sp.candidates:
                cand_by_name[sp.text] = ()  # "the Oka river": not the town of Oka
                failed[sp.text] = sp.note or "no gazetteer entry"
                continue
            try:
                cand_by_name[sp.text] = sp.candidates or self.candidates(sp.text)
            except ResolveError as err:
                # Fall back to "unresolved" for this name: the article is still stored.
                log.warning("%s", err)
                self.warnings.append(str(err))
                failed[sp.text] = f"geocoder failed: {err}"
                cand_by_name[sp.text] = ()

        # Context: countries named or implied, regions named, and cities the article surely
        # means. Each name's own contribution is kept apart: a name is no evidence for itself
        # ("Mexico" must not vote for Mexico City, "Oregon" not for the town of Oregon).
        evidence: dict[str, _Evidence] = {}
        for sp in spans:
            cands = cand_by_name.get(sp.text, ())
            if not cands or _generic_name(sp.text):
                continue  # "Central Region" is evidence for no country: whose region?
            ev = evidence.setdefault(sp.text, _Evidence())
            top = cands[0]
            if top.place.kind == "country" and (sp.mention_type == "demonym" or top.primary):
                ev.countries[top.place.country_code] += 1
            elif (adm := _named_admin1(cands)) is not None:
                top = adm
                ev.admin1s.add((top.place.country_code, top.admin1 or ""))
                ev.countries[top.place.country_code] += 0.5
            elif (county := _named_county(cands)) is not None:
                ev.countries[county.place.country_code] += 0.5  # Cornwall: somewhere in GB
            anchor = _dominant_city(cands)
            if anchor is None and sp.label == DATELINE:
                # The dateline says where the story was filed: its biggest town is the prior.
                towns = [c for c in cands if c.place.kind == "city"]
                anchor = max(towns, key=lambda c: c.population) if towns else None
                if anchor is not None:
                    ev.countries[anchor.place.country_code] += 1.0
            if anchor is not None:
                ev.anchors.append((sp.text, anchor))
                ev.countries[anchor.place.country_code] += 0.5
                if anchor.admin1:
                    ev.anchor_admin1s.add((anchor.place.country_code, anchor.admin1))
        host = urlparse(article.url or "").hostname or ""
        tld = host.rsplit(".", 1)[-1].lower() if "." in host else ""
        tld_country = _TLD_COUNTRY.get(tld, tld.upper()) if len(tld) == 2 else None
        home = self.source_home(article)
        focus = self.focus

        hints: dict[str, str] = {}
        for sp in spans:
            if sp.kind_hint and sp.mention_type == "name":
                hints.setdefault(sp.text, sp.kind_hint)

        chosen: dict[str, _Scored | None] = {}
        last_terms: dict[str, list] = {}
        context_for: dict[str, _Evidence] = {}
        by_containment: set[str] = set()
        dropped: set[str] = set()

        def pick(
            sp: Span,
            bias: tuple[str, str | None] | None = None,
            ctx: _Evidence | None = None,
        ) -> _Scored | None:
            cands = cand_by_name.get(sp.text, ())
            if not cands:
                return None
            if sp.text not in context_for:
                context_for[sp.text] = _Evidence.merge(
                    ev for name, ev in evidence.items() if name != sp.text
                )
            contained = self._containment(sp.context_after, cands)
            if contained and _sibling(cands, contained, _listing(sp.context_after)):
                contained = None  # "Mexico, China, Japan" and "Georgia, Oklahoma" are lists
            ctx = ctx or context_for[sp.text]
            flags, hint = _Flags.of(cands), hints.get(sp.text, "")
            scored = [
                self._score(
                    c, ctx, contained, tld_country, flags, hint, bias, home, self.weights, focus
                )
                for c in cands
            ]
            if self.record is not None:
                last_terms[sp.text] = [(s.terms, s.cand) for s in scored]
            best = max(scored, key=lambda s: s.score)
            bp = best.cand.place
            rivals = [
                s.score
                for s in scored
                if haversine_km(bp.lat, bp.lon, s.cand.place.lat, s.cand.place.lon) >= _RIVAL_KM
            ]
            best.margin = best.score - max(rivals) if rivals else None
            best.n = len(cands)
            return best

        for sp in spans:
            if sp.text in chosen and not _CONTAIN_RE.match(sp.context_after):
                continue
            best = pick(sp)
            if best is None:
                chosen.setdefault(sp.text, None)
            elif best.contained:  # "Kherson, Ukraine" decides for every "Kherson"
                chosen[sp.text] = best
                by_containment.add(sp.text)
            elif sp.text not in chosen:
                chosen[sp.text] = best

        # Names listed together are alike: "Virginia, Washington and Wyoming" are states,
        # "Mexico, China, Japan" countries. A member follows the kind its partners took.
        for sp, partners in _lists(article.text, spans):
            if sp.text in by_containment or chosen.get(sp.text) is None:
                continue
            picks = [chosen.get(p.text) for p in partners if p.text != sp.text]
            kinds = Counter((p.cand.place.kind, p.cand.place.country_code) for p in picks if p)
            if not kinds:
                continue
            (kind, cc), n = kinds.most_common(1)[0]
            if kind not in {"admin1", "country"} or n * 3 < len(picks) * 2:
                continue  # no clear two-thirds majority
            best = pick(sp, (kind, cc if kind == "admin1" else None))
            if best is not None:
                chosen[sp.text] = best

        # Coherence: a name several towns carry is read again next to the towns and counties
        # the article's other names were given ("Perth" near Dundee and Stirling).
        # First every plausible reading of the other names counts (so that three Scottish
        # towns can find each other although each alone would go abroad), then, to settle
        # and to give truthful reasons, only the readings the other names were given.
        first_span: dict[str, Span] = {}
        for sp in spans:
            first_span.setdefault(sp.text, sp)
        readings = {
            n: [
                c
                for c in cands
                if c.place.kind == "admin2" or c.place.kind == "city" and c.population >= 5_000
            ][:5]
            for n, cands in cand_by_name.items()
            if n in chosen
            and first_span[n].mention_type == "name"
            # A name read as a country or region lends no towns: "Armenia" puts no one near
            # Armenia, Colombia.
            and (chosen[n] is None or chosen[n].cand.place.kind in {"city", "admin2"})
        }
        for sweep in ("readings", "picks"):
            if sweep == "readings":
                others = [(n, c) for n, cs in readings.items() for c in cs]
            else:
                others = [
                    (n, p.cand)
                    for n, p in chosen.items()
                    if p is not None and p.cand.place.kind in {"city", "admin2"}
                ]
            for name, prev in list(chosen.items()):
                if prev is None or name in by_containment or name not in context_for:
                    continue
                if any(w.startswith("listed with") for w in prev.why):
                    continue
                if sum(c.place.kind in {"city", "admin2"} for c in cand_by_name[name]) < 2:
                    continue
                base = context_for[name]
                known = {n for n, _ in base.anchors}
                extra = [(n, c) for n, c in others if n != name and n not in known]
                if not extra:
                    continue
                ctx = _Evidence(
                    base.countries, base.admin1s, base.anchors + extra, base.anchor_admin1s
                )
                best = pick(first_span[name], ctx=ctx)
                if best is not None:
                    chosen[name] = best

        # A name only the gazetteer vouches for must fit the article's geography: "Nord" (in
        # "Nord Stream") is no region of Burkina Faso in an article that never mentions it.
        supported = {sp.text for sp in spans if not sp.weak or sp.mention_type == "demonym"}
        # Inside a longer name a county needs its region named too ("Nord Stream" in an
        # article that mentions France is still no French department).
        embedded = {sp.text for sp in spans if sp.label in {EMBEDDED, EMBEDDED_HEAD, MODIFIER}}
        # ... or lie next to towns the tagger or their size vouch for: "travelling to
        # Cirencester from Gloucester and Cheltenham" (the article need not name England).
        vouched = [
            (name, pick.cand.place)
            for name, pick in chosen.items()
            if pick is not None
            and pick.cand.place.kind == "city"
            and (name in supported or pick.cand.population >= 100_000)  # never doubtful
        ]
        for name, pick in list(chosen.items()):
            if pick is None or name in supported or pick.cand.feature == USER_FEATURE:
                continue
            p = pick.cand.place
            neighbours = [
                other
                for other, place in vouched
                if other != name
                and p.kind in {"city", "admin2"}  # "Hall County" beside Gainesville, Ga.
                and place.country_code == p.country_code
                and haversine_km(place.lat, place.lon, p.lat, p.lon) < _NEIGHBOUR_KM
            ]
            if neighbours:
                if not any(w.startswith("near other places") for w in pick.why):
                    pick.why.append(
                        f"near other places in the article: {', '.join(neighbours[:3])}"
                    )
                continue
            p, cands = pick.cand.place, cand_by_name[name]
            doubtful = (
                p.kind == "admin2"  # "Nord" (in "Nord Stream") is no French department here
                or pick.cand.feature == "former"
                or (p.kind == "city" and pick.cand.population < 100_000)
                # "Monster" (a Dutch town's own name) is not an alternate one of Münster.
                or (p.kind == "city" and not pick.cand.primary and _Flags.of(cands).primary_city)
                or (p.kind == "admin1" and " " not in name and not name.isupper())
                or (p.kind == "admin1" and _shared_by_countries(cand_by_name[name]))
            )
            if not doubtful or not p.country_code:
                continue
            ctx = context_for[name]
            # ... unless written with its unit word: "the Hall County Sheriff's Office".
            unsure_county = (
                p.kind == "admin2"
                and name in embedded
                and name.rsplit(" ", 1)[-1].lower() not in ADMIN_NOUNS
            )
            # A corpus about this country vouches for its towns ("in Bakhmut" in a corpus
            # about Ukraine), as the article naming the country would.
            in_focus = focus.get(p.country_code, 0.0) >= 0.5
            unplaced = ctx.countries.get(p.country_code, 0) <= 0 and not in_focus
            if (
                unsure_county and (p.country_code, pick.cand.admin1 or "") not in ctx.admin1s
            ) or unplaced:
                del chosen[name]
                dropped.add(name)
        # A name made of generic words only ("Federal District", "Central Region", "Far
        # North", "the Gulf") means the unit of that name in the speaker's own country:
        # a foreign one only where the article mentions that country.
        for name, pick in list(chosen.items()):
            if pick is None or name in by_containment or not _generic_name(name):
                continue
            p = pick.cand.place
            if p.kind not in {"admin1", "admin2", "city"} or not p.country_code:
                continue
            if context_for.get(name, _Evidence()).countries.get(p.country_code, 0) <= 0:
                del chosen[name]
                dropped.add(name)

        # "Buffalo, New York": a region named right after a town of its own is the region,
        # whatever big city shares its name (unless the town lies in that city: "Brooklyn").
        for prev, cur in zip(spans, spans[1:], strict=False):
            town, region = chosen.get(prev.text), chosen.get(cur.text)
            if town is None or region is None or article.text[prev.end : cur.start] != ", ":
                continue
            t = town.cand
            if t.place.kind != "city" or cur.text in by_containment:
                continue
            units = [
                c
                for c in cand_by_name[cur.text]
                if c.place.kind == "admin1"
                and (c.place.country_code, c.admin1) == (t.place.country_code, t.admin1)
            ]
            if not units:
                continue
            big = [
                c
                for c in cand_by_name[cur.text]
                if c.place.kind == "city" and c.population >= 1_000_000
            ]
            if any(
                haversine_km(c.place.lat, c.place.lon, t.place.lat, t.place.lon) < 30 for c in big
            ):
                continue
            why = [f"named after a town in it: {prev.text}"]
            chosen[cur.text] = _Scored(
                units[0], region.score, [units[0].place.kind, *why], True, region.terms
            )
            hints[cur.text] = "admin"
        for name, pick in chosen.items():
            if pick is not None:
                chosen[name] = _city_state(pick, cand_by_name[name], hints.get(name, ""))

        # A place no gazetteer has is mapped at the town or region the text puts it in
        # ("Greenlane, Auckland", "Cellardyke in Fife", "Yahidne, a village near Chernihiv").
        for sp in spans:
            if sp.text in chosen and chosen[sp.text] is not None or sp.text in dropped:
                continue  # resolved, or a doubtful name dropped on purpose
            if sp.mention_type != "name" or sp.note:
                continue
            m = _CONTAIN_RE.match(sp.context_after) or _NEAR_RE.match(sp.context_after)
            if not m:
                continue
            # "X in Y" puts X in a town or a county; a whole state takes "X, Y".
            kinds = {"city", "admin2", "admin1"} if "," in m.group(0) else {"city", "admin2"}
            words = m.group(1).split()
            for n in range(len(words), 0, -1):
                where = " ".join(words[:n]).rstrip(",.")
                host = chosen.get(where)
                if host is not None and host.cand.place.kind in kinds:
                    why = f"no gazetteer entry: mapped at {where}, where the text puts it"
                    chosen[sp.text] = _Scored(host.cand, 0.0, [why], terms={"mapped_at": 1.0})
                    break

        uses = Counter(sp.text for sp in spans)
        mentions = []
        for sp in spans:
            if sp.text in dropped and not sp.note:
                continue
            pick = chosen.get(sp.text)
            sure = None
            if pick is not None:
                feats = _features(pick, sp, uses[sp.text], sp.text in by_containment)
                sure = round(conf.probability(feats), 3)
                if self.features_log is not None:
                    self.features_log.append((article.id, sp.start, sp.end, feats))
            place = pick.cand.place if pick else None
            reason = "; ".join(pick.why) if pick else failed.get(sp.text, "no gazetteer entry")
            if sp.note and place is None:
                reason = f"{sp.note}; its namesake towns do not fit the article"
            elif sp.note and place.kind == "city":
                reason = f"{sp.note}: mapped at its namesake town; {reason}"
            mentions.append(
                Mention(article.id, sp.start, sp.end, sp.text, sp.mention_type, place, reason, sure)
            )
        if self.record is not None:
            for sp in spans:
                if sp.text in last_terms and sp.text not in dropped:
                    self.record.append((article.id, sp, last_terms[sp.text]))
        return mentions

    def source_home(self, article: Article) -> Candidate | None:
        """The place a source is at home in, when its name or web address says so.

        "The Dundee Courier", "tulsaworld.com", "timesofoman.com": a town that dominates its
        name, a region or a country. None when nothing, or nothing unambiguous, is found.
        """
        tried: list[str] = []
        for run in re.findall(r"[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)*", article.source or ""):
            words = run.split()[:6]
            subs = [words[i:j] for i in range(len(words)) for j in range(i + 1, len(words) + 1)]
            tried += [" ".join(w) for w in sorted(subs, key=len, reverse=True)]
        host = (urlparse(article.url or "").hostname or "").lower()
        labels = [x for x in host.split(".")[:-1] if x not in _HOST_NOISE]
        if labels:
            label = re.sub(r"[^a-z]", "", labels[0])
            # Longest first: "bostonglobe" -> "boston", "timesofoman" -> "oman".
            parts = [label[:i] for i in range(len(label), 4, -1)]
            parts += [label[i:] for i in range(1, len(label) - 3)]
            tried += sorted((x.capitalize() for x in parts), key=len, reverse=True)
        for name in tried:
            home = _unambiguous_home(self.gazetteer.lookup(name))
            if home is not None:
                return home
        return None

    def _containment(
        self, after: str, cands: tuple[Candidate, ...] = ()
    ) -> tuple[str, str | None] | None:
        """("UA", None) for ", Ukraine"; ("US", "IL") for ", Ill."; None when absent.

        Of a name's readings the one holding one of `cands` wins: "Blakely, Georgia" is the
        US state, which has a Blakely, not the country.
        """
        m = _CONTAIN_RE.match(after)
        if not m:
            return None
        words = m.group(1).split()
        for n in range(len(words), 0, -1):
            name = " ".join(words[:n]).rstrip(",")
            found = self.gazetteer.lookup(name)
            if not found and name.endswith("."):
                found = self.gazetteer.lookup(name[:-1])  # the sentence's full stop
            readings = region_readings(found)
            # A county or province names the region it lies in: "Santa Maria, Davao del Sur".
            counties = [c for c in found if c.place.kind == "admin2" and c.admin1 and c.primary]
            if len(counties) == 1:  # not "Scott County": there are a dozen
                readings.append((counties[0].place.country_code, counties[0].admin1))
            for region in readings:
                if any(lies_in(t, region, {"city", "admin2"}) for t in cands):
                    return region
            if readings and m.group(0).lstrip().startswith(","):
                return readings[0]  # "X in Y" places X in Y only where Y holds an X
        return None

    @staticmethod
    def _score(
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
            n = (
                0
                if p.country_code in flags.named_countries
                else ctx.countries.get(p.country_code, 0)
            )
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
_HOST_NOISE = {"www", "m", "amp", "mobile", "edition", "en", "news", "www2", "eu", "uk", "us"}


def _unambiguous_home(cands: tuple[Candidate, ...]) -> Candidate | None:
    """A source's home among a name's candidates: its country, its only region, or a town
    that dominates the name (and 20,000 people) with no region of the same name."""
    primary = [c for c in cands if c.primary]
    countries = [c for c in primary if c.place.kind == "country"]
    if countries:
        return countries[0]
    admins = [c for c in primary if c.place.kind == "admin1"]
    town = _dominant_city(cands)
    if admins:
        big_town = any(c.place.kind == "city" and c.population >= 100_000 for c in cands)
        return admins[0] if len(admins) == 1 and not big_town else None  # not "washingtonpost"
    if town is not None and town.primary and town.population >= 20_000:
        return town
    return None


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


_LIST_GOES_ON = re.compile(r"^\s*,\s*[A-Z][\w'’.-]*(?:\s+[A-Z][\w'’.-]*)*(?:,|\s+and|\s+or)\s")


def _listing(after: str) -> bool:
    """True when ", Y" is followed by more names: "Niger, Nigeria and Togo"."""
    return bool(_LIST_GOES_ON.match(after))


def _sibling(
    cands: tuple[Candidate, ...], contained: tuple[str, str | None], listing: bool = False
) -> bool:
    """True when "X, Y" lists two peers rather than placing X in Y.

    A country's own name is never inside another place ("Mexico, China, Japan"), nor is a
    state in a state of the same country ("Georgia, Oklahoma, Pennsylvania"). "Georgia,
    USA" is the state; "Niger, Nigeria and Togo", where the list goes on, are countries.
    """
    cc, admin1 = contained
    if (
        not admin1
        and not listing
        and any(c.place.kind == "admin1" and c.place.country_code == cc for c in cands)
    ):
        return False  # "Georgia, USA": the state in its country
    for c in cands:
        if not c.primary:
            continue
        if c.place.kind in {"country", "continent"} and c.place.country_code != cc:
            return True
        if admin1 and c.place.kind == "admin1" and c.place.country_code == cc:
            return True
    return False


_LIST_SEPARATORS = {",", ", and", "and", "or", ", or", "/", "&"}


def _lists(text: str, spans: list[Span]) -> list[tuple[Span, list[Span]]]:
    """Each name span in an enumeration ("A, B and C") with all the enumeration's members."""
    names = [sp for sp in spans if sp.mention_type == "name"]
    groups: list[list[Span]] = []
    for prev, cur in zip(names, names[1:], strict=False):
        sep = " ".join(text[prev.end : cur.start].split())
        if sep in _LIST_SEPARATORS:
            if groups and groups[-1][-1] is prev:
                groups[-1].append(cur)
            else:
                groups.append([prev, cur])
    return [(sp, group) for group in groups for sp in group]


# Words that say where or what, not which: a name made only of them is generic.
_GENERIC_WORDS = {
    "north", "south", "east", "west", "northern", "southern", "eastern", "western", "central",
    "northeast", "northwest", "southeast", "southwest", "northeastern", "northwestern",
    "southeastern", "southwestern", "north-east", "north-west", "south-east", "south-west",
    "far", "near", "middle", "upper", "lower", "inner", "outer", "greater", "federal",
    "capital", "national", "economic", "special", "autonomous", "administrative", "region",
    "district", "province", "territory", "state", "gulf", "valley", "coast", "highlands",
    "lowlands", "islands", "island", "mountains", "lakes", "bay", "county", "city", "the",
    "frontier", "interior", "plateau", "delta", "borderlands", "steppe",
}  # fmt: skip


def _generic_name(name: str) -> bool:
    """True for a name of generic words only: "Federal District", "Central Region", "Gulf"."""
    words = re.findall(r"[\w-]+", name.lower())
    return bool(words) and all(w in _GENERIC_WORDS for w in words)


def _features(pick: _Scored, sp: Span, uses: int, by_containment: bool) -> dict[str, float]:
    """What the confidence model reads about one choice (see geo.confidence.FEATURES)."""
    c, t = pick.cand, pick.terms
    kind = c.place.kind
    town = kind in {"city", "admin2"} or kind == "landmark"
    return {
        "bias": 1.0,
        "margin": min(pick.margin, 8.0) / 8.0 if pick.margin is not None else 0.0,
        "no_rival": 1.0 if pick.margin is None else 0.0,
        "log_candidates": math.log10(max(1, pick.n)),
        "weak": 1.0 if sp.weak and sp.mention_type == "name" else 0.0,
        "demonym": 1.0 if sp.mention_type == "demonym" else 0.0,
        "country": 1.0 if kind in {"country", "continent"} else 0.0,
        "admin1": 1.0 if kind == "admin1" else 0.0,
        "region_water": 1.0 if kind in {"region", "water"} else 0.0,
        "town_size": math.log10(c.population + 10) / 7 if town else 0.0,
        "alternate": 0.0 if c.primary else 1.0,
        "contained": 1.0 if pick.contained or by_containment else 0.0,
        "country_mentioned": 1.0 if "country_mentioned" in t or "region_mentioned" in t else 0.0,
        "near_other_places": 1.0 if "near_other_places" in t else 0.0,
        "mapped_at": 1.0 if "mapped_at" in t or sp.note else 0.0,
        "cue_label": 1.0 if sp.label in _CUE_LABELS else 0.0,
        "log_mentions": math.log10(max(1, uses)),
        "user": 1.0 if c.feature == "user" else 0.0,
    }
