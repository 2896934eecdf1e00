"""Geoparsing quality: recognition P/R/F1 and end-to-end Acc@161 against annotated corpora.

Definitions follow the development sets' reference scorer: overlap matching is one-to-one
(largest overlap first, then nearest start), end-to-end accuracy counts every gold toponym
with coordinates (misses are wrong), and GeoNames-annotated corpora are restricted to
toponyms marked `geocoding_gold` (or having a GeoNames id).
"""

from __future__ import annotations

import json
import statistics
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from geo.resolve import haversine_km

ACC_KM = 161.0


def _match(gold: list[dict], pred: list[dict], mode: str) -> list[tuple[int, int]]:
    """One-to-one (gold index, prediction index) pairs; mode "exact" or "overlap"."""
    pairs = []
    if mode == "exact":
        by_span: dict[tuple[int, int], list[int]] = {}
        for j, p in enumerate(pred):
            by_span.setdefault((p["start"], p["end"]), []).append(j)
        for i, g in enumerate(gold):
            hits = by_span.get((g["start"], g["end"]))
            if hits:
                pairs.append((i, hits.pop(0)))
        return pairs
    used: set[int] = set()
    for i, g in enumerate(gold):
        best, best_key = None, None
        for j, p in enumerate(pred):
            if j in used:
                continue
            ov = min(g["end"], p["end"]) - max(g["start"], p["start"])
            if ov <= 0:
                continue
            key = (ov, -abs(g["start"] - p["start"]))
            if best_key is None or key > best_key:
                best, best_key = j, key
        if best is not None:
            used.add(best)
            pairs.append((i, best))
    return pairs


def _has_point(t: dict) -> bool:
    return t.get("lat") is not None and t.get("lon") is not None


def _prf(tp: int, n_pred: int, n_gold: int) -> dict:
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    return {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0}


@dataclass
class Errors:
    """Most frequent error classes, for `--errors`."""

    missed: Counter = field(default_factory=Counter)
    false_places: Counter = field(default_factory=Counter)
    wrong_pick: Counter = field(default_factory=Counter)


def score(
    gold_articles: list[dict], predictions: dict[str, list[dict]], subset: str = "auto"
) -> tuple[dict, Errors]:
    """Metrics for predictions (article id -> toponyms) against gold articles."""
    if subset == "auto":
        has_flag = any("geocoding_gold" in t for a in gold_articles for t in a["toponyms"])
        subset = "geonames" if has_flag else "coords"
    counts = {"exact": [0, 0, 0], "overlap": [0, 0, 0]}
    correct = total = 0
    dists: list[float] = []
    errors = Errors()
    for art in gold_articles:
        gold = art["toponyms"]
        pred = predictions.get(art["id"], [])
        for mode, c in counts.items():
            pairs = _match(gold, pred, mode)
            c[0] += len(pairs)
            c[1] += len(pred)
            c[2] += len(gold)
            if mode == "overlap":
                matched_pred = {j for _, j in pairs}
                for j, p in enumerate(pred):
                    if j not in matched_pred:
                        errors.false_places[p["name"]] += 1
        geo = [
            g
            for g in gold
            if _has_point(g)
            and (subset != "geonames" or g.get("geocoding_gold", g.get("geonameid") is not None))
        ]
        total += len(geo)
        matched = dict(_match(geo, pred, "overlap"))
        for i, g in enumerate(geo):
            j = matched.get(i)
            if j is None:
                errors.missed[g["name"]] += 1
                continue
            p = pred[j]
            if not _has_point(p):
                errors.missed[g["name"]] += 1
                continue
            d = haversine_km(g["lat"], g["lon"], p["lat"], p["lon"])
            dists.append(d)
            if d < ACC_KM:
                correct += 1
            else:
                why = p.get("reason") or ""
                errors.wrong_pick[f"{g['name']} -> {p.get('place') or p['name']} ({why})"] += 1
    result = {
        "articles": len(gold_articles),
        "subset": subset,
        "recognition": {
            m: {**_prf(*c), "tp": c[0], "n_pred": c[1], "n_gold": c[2]} for m, c in counts.items()
        },
        "e2e_acc161": correct / total if total else None,
        "n_gold_geo": total,
        "mean_km": statistics.fmean(dists) if dists else None,
        "median_km": statistics.median(dists) if dists else None,
        "n_resolved_matched": len(dists),
    }
    return result, errors


def load_jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def format_result(res: dict) -> str:
    """A short readable report."""
    r = res["recognition"]
    lines = [
        f"articles: {res['articles']}  scored toponyms: {res['n_gold_geo']} (subset={res['subset']})",
        "recognition exact   P={precision:.3f} R={recall:.3f} F1={f1:.3f}".format(**r["exact"]),
        "recognition overlap P={precision:.3f} R={recall:.3f} F1={f1:.3f}".format(**r["overlap"]),
    ]
    if res["e2e_acc161"] is not None:
        lines.append(f"end-to-end Acc@161  {res['e2e_acc161']:.3f}")
    else:
        lines.append("end-to-end Acc@161  n/a (the corpus has no coordinates)")
    if res["mean_km"] is not None:
        lines.append(
            f"error over {res['n_resolved_matched']} matched: mean {res['mean_km']:.0f} km,"
            f" median {res['median_km']:.1f} km"
        )
    if "seconds_per_article" in res:
        lines.append(
            f"time: {res['seconds_per_article'] * 1000:.0f} ms/article"
            f" ({res['articles_per_second']:.1f} articles/s)"
        )
    return "\n".join(lines)


def format_errors(errors: Errors, top: int = 25) -> str:
    def block(title: str, c: Counter) -> Iterable[str]:
        yield f"-- {title} ({sum(c.values())}) --"
        for k, n in c.most_common(top):
            yield f"{n:5d}  {k}"

    return "\n".join(
        [
            *block("missed (no resolved overlapping span)", errors.missed),
            *block("false places (span matches no gold toponym)", errors.false_places),
            *block("wrong picks (> 161 km)", errors.wrong_pick),
        ]
    )


# Confidence bands of the calibration table: [low, high).
BANDS = ((0.0, 0.5), (0.5, 0.7), (0.7, 0.8), (0.8, 0.9), (0.9, 1.0001))


def labelled_predictions(
    gold_articles: list[dict], predictions: dict[str, list[dict]], subset: str = "auto"
) -> list[tuple[str, dict, bool]]:
    """(article id, resolved prediction, right?) for every resolved prediction that can be
    judged: right means it overlaps a scored gold toponym and lies within 161 km of it.

    A prediction overlapping no gold toponym is a false place (wrong), except a demonym
    (not every corpus annotates them); one overlapping an unscored gold toponym is skipped.
    """
    if subset == "auto":
        has_flag = any("geocoding_gold" in t for a in gold_articles for t in a["toponyms"])
        subset = "geonames" if has_flag else "coords"
    out = []
    for art in gold_articles:
        gold = art["toponyms"]
        pred = predictions.get(art["id"], [])
        matched = {j: i for i, j in _match(gold, pred, "overlap")}
        for j, p in enumerate(pred):
            if not _has_point(p):
                continue
            i = matched.get(j)
            if i is None:
                if p.get("mention_type") != "demonym":
                    out.append((art["id"], p, False))
                continue
            g = gold[i]
            scored = _has_point(g) and (
                subset != "geonames" or g.get("geocoding_gold", g.get("geonameid") is not None)
            )
            if scored:
                right = haversine_km(g["lat"], g["lon"], p["lat"], p["lon"]) < ACC_KM
                out.append((art["id"], p, right))
    return out


def calibration(
    gold_articles: list[dict], predictions: dict[str, list[dict]], subset: str = "auto"
) -> list[dict]:
    """Per confidence band: how many resolved predictions, and the share that are right."""
    rows = []
    judged = [
        (p["confidence"], right)
        for _, p, right in labelled_predictions(gold_articles, predictions, subset)
        if p.get("confidence") is not None
    ]
    for lo, hi in BANDS:
        inside = [(c, r) for c, r in judged if lo <= c < hi]
        n = len(inside)
        rows.append(
            {
                "band": f"{lo:.1f}-{min(hi, 1.0):.1f}",
                "n": n,
                "mean_confidence": statistics.fmean(c for c, _ in inside) if n else None,
                "right": sum(r for _, r in inside) / n if n else None,
            }
        )
    return rows


def format_calibration(rows: list[dict]) -> str:
    """The calibration table as text."""
    lines = ["confidence  mentions  mean conf  right (<161 km)"]
    for r in rows:
        mean = f"{r['mean_confidence']:.3f}" if r["n"] else "-"
        right = f"{r['right']:.3f}" if r["n"] else "-"
        lines.append(f"{r['band']:<10}  {r['n']:>8}  {mean:>9}  {right:>15}")
    return "\n".join(lines)
