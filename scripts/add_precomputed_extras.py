"""Add the language and the MinHash signature of every text to the shipped sample results.

The first start imports the sample from data/precomputed/sample.geoparsed.jsonl.gz; with
these two fields stored it no longer detects each text's language or computes its
near-duplicate signature. The places are kept as they are (no re-parse; `python -m geo
precompute` writes all of it after a geoparser change). Run from the project root:

    python scripts/add_precomputed_extras.py
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from geo.pipeline import PRECOMPUTED, SAMPLE_DIR, add_precomputed_extras  # noqa: E402


def main() -> int:
    n = add_precomputed_extras([SAMPLE_DIR])
    print(f"{PRECOMPUTED.relative_to(ROOT)}: language and signature added to {n:,} records")
    return 0


if __name__ == "__main__":
    sys.exit(main())
