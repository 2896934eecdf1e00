"""Fit the candidate ranker's term weights on the development corpora; report CV and full fit.

The resolver scores each candidate place as a weighted sum of general terms (town size,
kind, alternate name, country mentioned, region mentioned, named with its country, near
the article's other places, called a town or a unit, the source's home, listed with
alike names, ...; see `geo.resolve_score.score_candidate`). No term names a place. This
script learns one weight per term by conditional logistic regression (a softmax over each
mention's candidates; the positive candidates are those within 161 km of the gold point),
with an L2 pull towards the hand-set weights (1.0), in numpy.

Every reported number is end to end (`geo.evaluate.score`, Acc@161 over all scored gold
toponyms): hand-set weights; k-fold cross-validation, where each article is resolved with
weights fitted on the other folds' articles (both corpora pooled, folds by article); and
the full fit (fitted and scored on all articles, optimistic). With --write the full-fit
weights go to data/gazetteer/ranker_weights.json, which the resolver loads at start.

    python scripts/fit_weights.py                       # report only
    python scripts/fit_weights.py --folds 5 --write     # and ship the full-fit weights
    python scripts/fit_weights.py --corpora ../shared/geoparsing_eval

Recognition runs once (the weights only change resolution). Terms are recorded from a
hand-set run, so a term that depends on other names' picks (near other places) is the one
the hand-set ranking saw: an approximation the end-to-end CV numbers account for.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from geo.evaluate import load_jsonl, score  # noqa: E402
from geo.gazetteer import Gazetteer  # noqa: E402
from geo.models import Article  # noqa: E402
from geo.pipeline import toponym_json  # noqa: E402
from geo.recognize import load_model, recognize  # noqa: E402
from geo.resolve import WEIGHTS_FILE, Resolver, haversine_km  # noqa: E402

CORPORA = ("gwn.jsonl", "geovirus.jsonl")
ACC_KM = 161.0


def prepare(path: Path, nlp, gazetteer: Gazetteer) -> list[tuple[dict, Article, list]]:
    """(gold article, Article, recognised spans) for every article of a corpus."""
    gold = load_jsonl(path)
    arts = [
        Article(str(g["id"]), g.get("url"), g.get("title") or "", None, "", "en", g["text"])
        for g in gold
    ]
    docs = nlp.pipe([a.text for a in arts], batch_size=16)
    return [(g, a, recognize(d, gazetteer)) for g, a, d in zip(gold, arts, docs, strict=True)]


def resolve_all(items, gazetteer, weights: dict[str, float], record: list | None = None):
    """Predictions (article id -> toponyms) with the given weights."""
    resolver = Resolver(gazetteer)
    resolver.weights = weights
    resolver.record = record
    return {a.id: [toponym_json(m) for m in resolver.resolve(a, spans)] for _, a, spans in items}


def _scored_gold(g: dict) -> list[dict]:
    return [
        t
        for t in g["toponyms"]
        if t.get("lat") is not None and t.get("geocoding_gold", True) is not False
    ]


def samples(items, record) -> list[tuple[str, list[dict], list[bool]]]:
    """(article id, candidates' terms, within-161-km labels) for mentions with a choice."""
    gold_by_id = {a.id: _scored_gold(g) for g, a, _ in items}
    out, seen = [], set()
    for aid, sp, ranking in record:
        if aid not in gold_by_id or (aid, sp.start) in seen:
            continue
        seen.add((aid, sp.start))
        overlaps = [(min(t["end"], sp.end) - max(t["start"], sp.start), t) for t in gold_by_id[aid]]
        overlaps = [(ov, t) for ov, t in overlaps if ov > 0]
        if not overlaps or len(ranking) < 2:
            continue
        t = max(overlaps, key=lambda x: x[0])[1]
        labels = [
            haversine_km(c.place.lat, c.place.lon, t["lat"], t["lon"]) < ACC_KM for _, c in ranking
        ]
        if any(labels) and not all(labels):
            out.append((aid, [terms for terms, _ in ranking], labels))
    return out


def fit(train, names: list[str], l2: float, iters: int = 400, lr: float = 0.1) -> np.ndarray:
    """Conditional-logit weights (one per term), pulled towards 1.0 by `l2`."""
    rows, ys, counts = [], [], []
    for _, terms, labels in train:
        for t, y in zip(terms, labels, strict=True):
            rows.append([t.get(n, 0.0) for n in names])
            ys.append(1.0 if y else 0.0)
        counts.append(len(terms))
    x = np.array(rows)
    y = np.array(ys)
    counts_a = np.array(counts)
    starts = np.concatenate([[0], np.cumsum(counts_a)[:-1]])
    m = len(counts)
    w = np.ones(len(names))
    # Adam: the terms differ in scale (log population ~5, flags ~1).
    mom, vel = np.zeros_like(w), np.zeros_like(w)
    for step in range(1, iters + 1):
        s = x @ w
        s = s - np.repeat(np.maximum.reduceat(s, starts), counts_a)
        e = np.exp(s)
        z = np.repeat(np.add.reduceat(e, starts), counts_a)
        zp = np.repeat(np.add.reduceat(e * y, starts), counts_a)
        grad = x.T @ (e / z - e * y / zp) / m + l2 * (w - 1.0)
        mom = 0.9 * mom + 0.1 * grad
        vel = 0.999 * vel + 0.001 * grad**2
        w -= lr * (mom / (1 - 0.9**step)) / (np.sqrt(vel / (1 - 0.999**step)) + 1e-8)
    return w


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpora", type=Path, default=ROOT.parent / "shared" / "geoparsing_eval")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--l2", type=float, default=0.05)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--write", action="store_true", help=f"write the full fit to {WEIGHTS_FILE}")
    args = ap.parse_args()

    t0 = time.time()
    gazetteer = Gazetteer.open_or_build()
    nlp = load_model()
    corpora = {name: prepare(args.corpora / name, nlp, gazetteer) for name in CORPORA}
    print(f"recognised {sum(map(len, corpora.values()))} articles in {time.time() - t0:.0f} s")

    def acc(name: str, preds: dict) -> tuple[float, float]:
        gold = [g for g, _, _ in corpora[name]]
        res, _ = score(gold, preds)
        return res["e2e_acc161"], res["recognition"]["overlap"]["f1"]

    # Hand-set weights (all 1), recording every mention's final ranking.
    record: list = []
    hand = {n: resolve_all(items, gazetteer, {}, record) for n, items in corpora.items()}
    all_items = [it for items in corpora.values() for it in items]
    data = samples(all_items, record)
    names = sorted({k for _, terms, _ in data for t in terms for k in t})
    print(f"{len(data)} mentions with a choice, {len(names)} terms")

    ids = sorted({a.id for _, a, _ in all_items})
    random.Random(args.seed).shuffle(ids)
    fold_of = {aid: i % args.folds for i, aid in enumerate(ids)}
    cv: dict[str, dict] = {n: {} for n in corpora}
    fold_weights = []
    for k in range(args.folds):
        w = fit([d for d in data if fold_of[d[0]] != k], names, args.l2)
        weights = dict(zip(names, map(float, w), strict=True))
        fold_weights.append(weights)
        for n, items in corpora.items():
            held = [it for it in items if fold_of[it[1].id] == k]
            cv[n].update(resolve_all(held, gazetteer, weights))
    w_full = fit(data, names, args.l2)
    full_weights = dict(zip(names, map(float, w_full), strict=True))
    full = {n: resolve_all(items, gazetteer, full_weights) for n, items in corpora.items()}

    report: dict[str, dict] = {}
    print(f"\n{'corpus':<16}{'hand-set':>10}{f'{args.folds}-fold CV':>12}{'full fit':>10}")
    for n in corpora:
        h, c, f = acc(n, hand[n]), acc(n, cv[n]), acc(n, full[n])
        report[n] = {"hand_set": h[0], "cv": c[0], "full_fit": f[0], "overlap_f1": h[1]}
        print(f"{n:<16}{h[0]:>10.3f}{c[0]:>12.3f}{f[0]:>10.3f}")
    spread = {
        n: [
            round(min(fw[n] for fw in fold_weights), 3),
            round(max(fw[n] for fw in fold_weights), 3),
        ]
        for n in names
    }
    print("\nterm weights (full fit; range over folds)")
    for n in names:
        print(f"  {n:<26}{full_weights[n]:>7.3f}  [{spread[n][0]}, {spread[n][1]}]")
    if args.write:
        WEIGHTS_FILE.write_text(
            json.dumps(
                {
                    "about": "Ranker term weights; written by scripts/fit_weights.py",
                    "fitted_on": list(CORPORA),
                    "folds": args.folds,
                    "l2": args.l2,
                    "acc161": report,
                    "weights": {n: round(v, 4) for n, v in full_weights.items()},
                },
                indent=1,
            )
            + "\n",
            encoding="utf-8",
        )
        print(f"wrote {WEIGHTS_FILE}")
    print(json.dumps({"acc161": report, "seconds": round(time.time() - t0)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
