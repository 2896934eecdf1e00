"""The user's own places: CSV rows -> gazetteer candidates that win over GeoNames.

Facilities (a steel plant, an airfield), villages under GeoNames' population floor and units
GeoNames lacks (Ukraine's post-2020 raions) are added in a CSV with the columns

    name, aliases, lat, lon, kind, country, parent[, population]

`aliases` holds further names separated by `|`; `kind` is a place kind (country, admin1,
admin2, city, region, water, continent, landmark) or a common word for one (village, town,
raion, district, hromada, oblast, facility, plant, base, airport, ...); `country` is an
ISO 3166-1 alpha-2 code; `parent` is the name of the town or region the place lies in
(optional, used to place it in its region). A name found here hides every GeoNames place of
that name. Files in `data/gazetteer/user/` are read by the app and the CLI; the CLI also
takes `--gazetteer-csv FILE`.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from geo.errors import GazetteerError
from geo.models import KINDS, Place

USER_DIR = Path(__file__).resolve().parent.parent / "data" / "gazetteer" / "user"
USER_FEATURE = "user"  # Candidate.feature of the user's places
COLUMNS = ("name", "aliases", "lat", "lon", "kind", "country", "parent")

# Words people use for a kind -> the project's kind.
KIND_WORDS = {
    **{k: k for k in KINDS},
    **dict.fromkeys(
        ("village", "town", "settlement", "hamlet", "suburb", "neighbourhood", "neighborhood"),
        "city",
    ),
    **dict.fromkeys(
        ("raion", "rayon", "district", "county", "hromada", "municipality", "okrug"), "admin2"
    ),
    **dict.fromkeys(("oblast", "province", "state", "krai", "republic"), "admin1"),
    **dict.fromkeys(("river", "lake", "reservoir", "sea", "bay"), "water"),
    **dict.fromkeys(
        (
            "facility", "plant", "factory", "base", "airbase", "airport", "airfield", "port",
            "bridge", "dam", "station", "building", "site", "power plant", "mine", "camp",
        ),
        "landmark",
    ),
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class UserPlace:
    """One row of a user gazetteer."""

    name: str
    aliases: tuple[str, ...]
    place: Place
    parent: str
    population: int
    source: str  # file:line, for messages


def read_csv(text: str, source: str = "user gazetteer") -> list[UserPlace]:
    """Parse a user gazetteer CSV (with a header row).

    Raises GazetteerError naming the file and line of the first bad row (missing column,
    unreadable point, unknown kind).
    """
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = {(h or "").strip().lower() for h in reader.fieldnames or []}
    missing = [c for c in ("name", "lat", "lon") if c not in header]
    if missing:
        raise GazetteerError(f"{source}: missing column(s) {', '.join(missing)}")
    out = []
    for n, raw in enumerate(reader, start=2):
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items() if k}
        where = f"{source}:{n}"
        name = row.get("name", "")
        if not name:
            continue  # a blank line
        try:
            lat, lon = float(row["lat"]), float(row["lon"])
        except ValueError as err:
            raise GazetteerError(f"{where}: unreadable lat/lon for {name!r}") from err
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise GazetteerError(f"{where}: lat/lon out of range for {name!r}")
        word = (row.get("kind") or "landmark").lower()
        kind = KIND_WORDS.get(word)
        if kind is None:
            raise GazetteerError(f"{where}: unknown kind {word!r} for {name!r}")
        cc = (row.get("country") or "").upper() or None
        if cc is not None and (len(cc) != 2 or not cc.isalpha()):
            raise GazetteerError(f"{where}: country must be a two-letter code, not {cc!r}")
        try:
            pop = int(float(row.get("population") or 0))
        except ValueError as err:
            raise GazetteerError(f"{where}: unreadable population for {name!r}") from err
        aliases = tuple(a.strip() for a in (row.get("aliases") or "").split("|") if a.strip())
        place = Place(None, name, kind, round(lat, 6), round(lon, 6), cc)
        out.append(UserPlace(name, aliases, place, row.get("parent", ""), pop, where))
    return out


def read_files(paths: Iterable[Path]) -> list[UserPlace]:
    """Every row of the given CSV files, in order. Raises GazetteerError on a bad file."""
    out: list[UserPlace] = []
    for path in paths:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as err:
            raise GazetteerError(f"cannot read user gazetteer {path}: {err}") from err
        out.extend(read_csv(text, str(path)))
    return out


def user_dir() -> Path:
    """The folder of the user's own gazetteer files: CONFLICT_MAP_USER_PLACES, else
    data/gazetteer/user/."""
    return Path(os.environ.get("CONFLICT_MAP_USER_PLACES") or USER_DIR)


def default_files(folder: Path | None = None) -> list[Path]:
    """The CSV files in the user's folder (`user_dir`; none when it is absent)."""
    folder = user_dir() if folder is None else folder
    return sorted(folder.glob("*.csv")) if folder.is_dir() else []


def names_of(places: Iterable[UserPlace]) -> list[str]:
    """Every name and alias of these places, once each (first spelling kept)."""
    seen: dict[str, str] = {}
    for up in places:
        for n in (up.name, *up.aliases):
            seen.setdefault(n.casefold(), n)
    return list(seen.values())


MAX_FILE_BYTES = 5_000_000  # a user gazetteer file saved from the app


def save_file(name: str, data: bytes, folder: Path | None = None) -> tuple[Path, list[UserPlace]]:
    """Check a user gazetteer CSV and save it in the user's folder under a safe name
    (replacing a file of that name). Returns the path and its places.

    Raises GazetteerError, saving nothing, for a file that is too big, not UTF-8 text,
    or has a bad row (named by line).
    """
    if len(data) > MAX_FILE_BYTES:
        raise GazetteerError(f"{name}: over {MAX_FILE_BYTES // 1_000_000} MB")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise GazetteerError(f"{name}: not UTF-8 text") from err
    stem = re.sub(r"[^\w.-]+", "_", Path(name).stem, flags=re.ASCII).strip("._")[:60] or "places"
    places = read_csv(text, f"{stem}.csv")
    if not places:
        raise GazetteerError(f"{name}: no place rows (a header and rows: name, lat, lon, ...)")
    folder = user_dir() if folder is None else folder
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{stem}.csv"
    tmp = path.with_name(path.name + ".partial")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
    return path, places


def fingerprint(places: Iterable[UserPlace]) -> str:
    """A short hash of the user's places: it changes whenever a row that matters changes."""
    h = hashlib.sha256()
    for up in places:
        p = up.place
        h.update(
            f"{up.name}|{'|'.join(up.aliases)}|{p.lat}|{p.lon}|{p.kind}|{p.country_code}|"
            f"{up.parent}|{up.population}\n".encode()
        )
    return h.hexdigest()[:16]


def admin1_of(up: UserPlace, lookup: Callable[[str], tuple]) -> str | None:
    """The admin-1 code of the region the row's parent names or lies in, when known."""
    if not up.parent or not up.place.country_code:
        return None
    for c in lookup(up.parent):
        if c.place.country_code == up.place.country_code and c.admin1:
            return c.admin1
    return None
