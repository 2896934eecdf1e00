"""Optional online geocoders (Nominatim, Photon) behind a SQLite cache and a rate limiter.

Off by default. When turned on, they are asked only for names the offline gazetteer does not
know; each name is asked once (answers, empty ones included, are cached), requests are spaced
to the service's policy, and failures surface as ResolveError instead of looking like
"no match".
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time
from pathlib import Path

from geopy.exc import GeopyError
from geopy.extra.rate_limiter import RateLimiter
from geopy.geocoders import Nominatim, Photon
from geopy.geocoders.base import DEFAULT_SENTINEL, Geocoder
from geopy.location import Location

from geo.errors import ResolveError
from geo.gazetteer import normalize

log = logging.getLogger(__name__)

USER_AGENT = "conflict-map/0.1 (offline-first news geoparser; https://github.com/)"
# Nominatim's usage policy: at most one request per second for the whole application.
MIN_DELAY = {"nominatim": 1.0, "photon": 0.5}
PROVIDERS = tuple(MIN_DELAY)

_KIND_BY_OSM = {
    "country": "country",
    "state": "admin1",
    "province": "admin1",
    "region": "admin1",
    "county": "admin2",
    "district": "admin2",
    "city": "city",
    "town": "city",
    "village": "city",
    "hamlet": "city",
    "suburb": "city",
    "municipality": "city",
    "continent": "continent",
    "sea": "water",
    "bay": "water",
    "strait": "water",
    "river": "water",
    "water": "water",
    "lake": "water",
    "ocean": "water",
}


def _kind(osm_class: str, osm_type: str, addresstype: str = "") -> str:
    for key in (addresstype, osm_type, osm_class):
        if key in _KIND_BY_OSM:
            return _KIND_BY_OSM[key]
    return "landmark"


def to_raw(provider: str, raw: dict) -> dict:
    """A provider's answer -> the raw dict the resolver reads (see GazetteerGeocoder)."""
    if provider == "photon":
        props = raw.get("properties", {})
        name = props.get("name") or ""
        cc = (props.get("countrycode") or "").upper() or None
        kind = _kind(props.get("osm_key", ""), props.get("osm_value", ""), props.get("type", ""))
    else:
        name = raw.get("name") or (raw.get("display_name") or "").split(",")[0]
        cc = ((raw.get("address") or {}).get("country_code") or "").upper() or None
        kind = _kind(raw.get("class", ""), raw.get("type", ""), raw.get("addresstype", ""))
    return {
        "geonameid": None,
        "name": name,
        "kind": kind,
        "country_code": cc,
        "population": 0,
        "admin1": None,
        "primary": True,
        "feature": f"{provider}",
    }


class GeocodeCache:
    """(provider, normalised query) -> list of (lat, lon, raw) in SQLite; empty lists too."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        with self._con() as con:
            con.execute(
                "CREATE TABLE IF NOT EXISTS geocode_cache(provider TEXT, query TEXT, answer TEXT,"
                " at REAL, PRIMARY KEY(provider, query))"
            )

    def _con(self) -> sqlite3.Connection:
        con = getattr(self._local, "con", None)
        if con is None:
            con = sqlite3.connect(self.path, timeout=5.0)
            con.execute("PRAGMA busy_timeout=5000")
            self._local.con = con
        return con

    def get(self, provider: str, query: str) -> list | None:
        row = (
            self._con()
            .execute(
                "SELECT answer FROM geocode_cache WHERE provider=? AND query=?",
                (provider, normalize(query)),
            )
            .fetchone()
        )
        return json.loads(row[0]) if row else None

    def put(self, provider: str, query: str, answer: list) -> None:
        with self._con() as con:
            con.execute(
                "INSERT OR REPLACE INTO geocode_cache VALUES (?,?,?,?)",
                (provider, normalize(query), json.dumps(answer), time.time()),
            )


class CachedOnlineGeocoder(Geocoder):
    """A geopy geocoder that asks an online service through a cache and a rate limiter."""

    def __init__(
        self,
        provider: str,
        cache: GeocodeCache,
        *,
        domain: str | None = None,
        scheme: str | None = None,
        timeout: float = 10.0,
        user_agent: str = USER_AGENT,
        min_delay: float | None = None,
    ) -> None:
        super().__init__(user_agent=user_agent)
        if provider not in PROVIDERS:
            raise ValueError(f"unknown online geocoder {provider!r}; choose one of {PROVIDERS}")
        self.provider = provider
        self.cache = cache
        kwargs = {"user_agent": user_agent, "timeout": timeout}
        if domain:
            kwargs["domain"] = domain
        if scheme:
            kwargs["scheme"] = scheme
        self.inner: Geocoder = Nominatim(**kwargs) if provider == "nominatim" else Photon(**kwargs)
        self._ask = RateLimiter(
            self.inner.geocode,
            min_delay_seconds=MIN_DELAY[provider] if min_delay is None else min_delay,
            max_retries=1,
            error_wait_seconds=2.0,
            swallow_exceptions=False,  # a failure must not look like "no such place"
        )

    def geocode(self, query: str, *, exactly_one: bool = True, timeout=DEFAULT_SENTINEL):
        """Candidates for `query` (cached). Raises ResolveError when the service fails."""
        answer = self.cache.get(self.provider, query)
        if answer is None:
            params = {"exactly_one": False}
            if self.provider == "nominatim":
                params["addressdetails"] = True
            try:
                locs = self._ask(query, **params) or []
            except GeopyError as err:
                raise ResolveError(f"{self.provider} failed for {query!r}: {err}") from err
            answer = [[loc.latitude, loc.longitude, to_raw(self.provider, loc.raw)] for loc in locs]
            self.cache.put(self.provider, query, answer)
        if not answer:
            return None
        out = [Location(raw["name"], (lat, lon), raw) for lat, lon, raw in answer]
        return out[0] if exactly_one else out

    def reverse(self, query, *, exactly_one: bool = True, timeout=DEFAULT_SENTINEL):
        """Not used by the geoparser."""
        raise NotImplementedError
