"""Mention -> Place: a geopy-compatible gazetteer geocoder and a context-aware ranker.

The geocoder only answers "which places carry this name" (geopy's
`geocode(name, exactly_one=False)`); ranking with the article's context (countries it
mentions, "Kherson, Ukraine", nearby places) lives in `Resolver`.
"""

from __future__ import annotations

import logging
import math
import re
from collections import Counter
from collections.abc import Sequence
from urllib.parse import urlparse

from geopy.exc import GeopyError
from geopy.geocoders.base import DEFAULT_SENTINEL, Geocoder
from geopy.location import Location

from geo import confidence as conf
from geo.errors import ResolveError
from geo.gazetteer import Candidate, Gazetteer, lies_in, region_readings
from geo.great_circle import haversine_km
from geo.models import Article, Mention
from geo.recognize_spans import (
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
from geo.recognize_words import ADMIN_NOUNS
from geo.resolve_evidence import (
    _CONTAIN_RE,
    _HOST_NOISE,
    _NEAR_RE,
    _dominant_city,
    _Evidence,
    _generic_name,
    _listing,
    _lists,
    _named_admin1,
    _named_county,
    _shared_by_countries,
    _sibling,
    _unambiguous_home,
)
from geo.resolve_score import WEIGHTS, _Flags, _human_pop, _Scored, score_candidate
from geo.resolve_score import WEIGHTS_FILE as WEIGHTS_FILE
from geo.resolve_score import load_weights as load_weights
from geo.usergazetteer import USER_FEATURE

log = logging.getLogger(__name__)

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


# Towns this close to another of the article's places count as its neighbours (km).
_NEIGHBOUR_KM = 100
# A candidate this far from the chosen one is a rival reading (the scoring distance).
_RIVAL_KM = 161

_CUE_LABELS = {UNIT, ROUTE, DATELINE, HEADLINE, IN_REGION}


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
                score_candidate(
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
