"""Fit the confidence model (geo/confidence.py) on annotated corpora and report calibration.

    python scripts/fit_confidence.py GOLD.jsonl [GOLD.jsonl ...] [--write] [--cache FILE]

Each resolved mention the geoparser makes on the corpora is labelled right (it overlaps a
scored gold toponym and lies within 161 km of it) or wrong (too far, or no gold toponym:
a false place; demonyms with no gold toponym are left out, as not every corpus annotates
them). A logistic regression on the resolver's features (geo.confidence.FEATURES; numpy
Newton steps with a small ridge) maps them to the chance of being right. The calibration
table is computed out of fold: 5 folds by article, the corpora pooled. `--write` stores
the weights fitted on everything in data/gazetteer/confidence.json. `--cache` keeps the
labelled features, so that a second run skips the geoparsing.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from geo import confidence as conf  # noqa: E402
from geo.evaluate import BANDS, labelled_predictions, load_jsonl  # noqa: E402

RIDGE = 1.0


def collect(gold_paths: list[Path]) -> list[dict]:
    """One row per judged mention: corpus, article, features, right."""
    from geo.models import Article
    from geo.pipeline import Geoparser, article_json

    gp = Geoparser()
    rows = []
    for path in gold_paths:
        gold = load_jsonl(path)
        arts = [
            Article(str(g["id"]), g.get("url"), g.get("title") or "", None, "", "en", g["text"])
            for g in gold
        ]
        preds: dict[str, list[dict]] = {}
        log: list = []
        gp.resolver.features_log = log
        for art, mentions in gp.parse_many(arts):
            rec = article_json(art, mentions)
            preds[art.id] = rec["toponyms"]
        feats = {(a, s, e): f for a, s, e, f in log}
        for aid, toponyms in preds.items():
            for t in toponyms:
                t["features"] = feats.get((aid, t["start"], t["end"]))
        gp.resolver.features_log = None
        for aid, p, right in labelled_predictions(gold, preds):
            if p.get("features") is not None:
                rows.append(
                    {"corpus": path.stem, "article": aid, "x": p["features"], "y": int(right)}
                )
        print(f"{path.stem}: {sum(r['corpus'] == path.stem for r in rows)} judged mentions")
    return rows


def fit(x: np.ndarray, y: np.ndarray, ridge: float = RIDGE) -> np.ndarray:
    """Logistic regression weights by Newton's method; the bias (column 0) is not shrunk."""
    w = np.zeros(x.shape[1])
    penalty = np.full(x.shape[1], ridge)
    penalty[0] = 0.0
    for _ in range(50):
        p = 1.0 / (1.0 + np.exp(-np.clip(x @ w, -30, 30)))
        grad = x.T @ (p - y) + penalty * w
        hess = (x * (p * (1 - p))[:, None]).T @ x + np.diag(penalty + 1e-9)
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return w


def fold_of(article: str, folds: int) -> int:
    return int(hashlib.sha1(article.encode()).hexdigest(), 16) % folds


def table(prob: np.ndarray, y: np.ndarray) -> list[tuple[str, int, float, float]]:
    out = []
    for lo, hi in BANDS:
        mask = (prob >= lo) & (prob < hi)
        n = int(mask.sum())
        out.append(
            (
                f"{lo:.1f}-{min(hi, 1.0):.1f}",
                n,
                float(prob[mask].mean()) if n else float("nan"),
                float(y[mask].mean()) if n else float("nan"),
            )
        )
    return out


def show(title: str, rows: list[tuple[str, int, float, float]]) -> None:
    print(f"\n{title}\nconfidence  mentions  mean conf  right (<161 km)")
    for band, n, mean, right in rows:
        print(f"{band:<10}  {n:>8}  {mean:>9.3f}  {right:>15.3f}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("gold", nargs="+", type=Path)
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--cache", type=Path, help="labelled features (read if present, else written)")
    ap.add_argument("--write", action="store_true", help="write data/gazetteer/confidence.json")
    args = ap.parse_args()

    if args.cache and args.cache.exists():
        rows = [json.loads(line) for line in args.cache.read_text().splitlines() if line]
    else:
        rows = collect(args.gold)
        if args.cache:
            args.cache.write_text("".join(json.dumps(r) + "\n" for r in rows))
    x = np.array([conf.vector(r["x"]) for r in rows])
    y = np.array([r["y"] for r in rows], dtype=float)
    corpus = np.array([r["corpus"] for r in rows])
    folds = np.array([fold_of(f"{r['corpus']}/{r['article']}", args.folds) for r in rows])

    oof = np.zeros(len(rows))
    for k in range(args.folds):
        test = folds == k
        w = fit(x[~test], y[~test])
        oof[test] = 1.0 / (1.0 + np.exp(-np.clip(x[test] @ w, -30, 30)))
    hand = np.array([conf.probability(r["x"], conf._DEFAULT) for r in rows])
    show("hand-set model, all corpora", table(hand, y))
    show(f"{args.folds}-fold CV by article, all corpora", table(oof, y))
    for name in sorted(set(corpus)):
        m = corpus == name
        show(f"{args.folds}-fold CV by article, {name}", table(oof[m], y[m]))
    brier = lambda p: float(np.mean((p - y) ** 2))  # noqa: E731
    print(f"\nBrier score: hand-set {brier(hand):.4f}, fitted (out of fold) {brier(oof):.4f}")

    w = fit(x, y)
    weights = {name: round(float(v), 4) for name, v in zip(conf.FEATURES, w, strict=True)}
    for k, name in enumerate(conf.FEATURES):
        if not x[:, k].any():  # never seen (the user's own places): keep the hand-set weight
            weights[name] = conf._DEFAULT[name]
    print("weights:", json.dumps(weights))
    if args.write:
        out = {
            "about": "geo/confidence.py model, fitted by scripts/fit_confidence.py",
            "fitted_on": [p.name for p in args.gold],
            "mentions": len(rows),
            "ridge": RIDGE,
            "weights": weights,
        }
        conf.MODEL_FILE.write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {conf.MODEL_FILE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
