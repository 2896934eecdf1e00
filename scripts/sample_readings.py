"""Count readings no analyst of this war would make in a geoparse JSONL (the sample's).

    python -m geo geoparse data/sample/kremlin_ru.jsonl > out.jsonl
    python scripts/sample_readings.py out.jsonl [more.jsonl ...]

A reading is (name as written, country code of the place, kind) and is listed below with
the class of error it stands for. It is a review aid for the classes fixed by general rules
in geo/recognize.py and geo/resolve.py, not a list the geoparser consults.
"""

from __future__ import annotations

import json
import sys
from collections import Counter

# (name, country, kind or None for any) -> class
WRONG = {
    ("Federal District", "BR", None): "generic unit name",
    ("Central Region", "UG", None): "generic unit name",
    ("Eastern Region", "UG", None): "generic unit name",
    ("Western Region", "UG", None): "generic unit name",
    ("Far North", "CM", None): "generic unit name",
    ("Gulf", "PG", None): "generic unit name",
    ("Gulf region", "PG", None): "generic unit name",
    ("Valley", "HN", None): "generic unit name",
    ("Independence", "US", None): "holiday",
    ("Victory", None, None): "holiday",
    ("Unity", None, None): "holiday",
    ("Pearl", "US", None): "cut multi-word place",
    ("Harbor", "US", None): "cut multi-word place",
    ("Delta", "NG", None): "virus variant",
    ("Delta", "CA", None): "virus variant",
    ("Omicron", None, None): "virus variant",
    ("Bandera", "US", None): "surname as group",
    ("Proton", "MY", None): "product",
    ("Angara", "TR", None): "product",
    ("Polina", "ES", None): "first name",
    ("Natalia", "US", None): "first name",
    ("Galina", "US", None): "first name",
    ("Yulia", "BG", None): "first name",
    ("Alexandra", "ZA", None): "first name",
    ("Gloria", "BR", None): "first name",
    ("Viktoria", "CA", None): "first name",
    ("Halston", "GB", None): "first name",
    ("Porta", "ES", None): "title of a programme",
    ("Duran", "EC", None): "band name",
}


def main(paths: list[str]) -> int:
    found: Counter = Counter()
    for path in paths:
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                for t in json.loads(line)["toponyms"]:
                    if t.get("lat") is None:
                        continue
                    for (name, cc, kind), why in WRONG.items():
                        if t["name"] == name and (cc is None or t["country"] == cc):
                            if kind is None or t["kind"] == kind:
                                found[(why, name, t["country"])] += 1
    for (why, name, cc), n in sorted(found.items()):
        print(f"{n:4d}  {why:<22} {name} -> {cc}")
    print(f"{sum(found.values())} wrong readings")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
