"""Event extraction quality: main-type and multi-label P/R/F1, status and place accuracy.

Gold and predictions are JSONL records `{id, events: [{type, place, status, ...}]}`; events[0]
is the main event and `[]` means none. Scores:
(1) main event type: per passage, gold events[0].type (or "none") against the predicted first
    event's type (or "none"); per-type P/R/F1 over the event types, macro-F1 over the types
    present in gold ("none" is a class of the confusion table but not averaged);
(2) multi-label: per-type P/R/F1 over the set of types per passage;
(3) status and place accuracy on the passages whose main type matches (place: the gold and
    predicted names contain one another, letter case ignored).
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from geo.events import EVENT_TYPES

NONE = "none"


def load_gold(path: Path, split: str = "all") -> list[dict]:
    """Gold records of one split ("dev", "holdout" or "all")."""
    with open(path, encoding="utf-8") as fh:
        recs = [json.loads(line) for line in fh if line.strip()]
    return [r for r in recs if split == "all" or r.get("split", "dev") == split]


def _prf(tp: int, n_pred: int, n_gold: int) -> dict:
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    return {
        "precision": p,
        "recall": r,
        "f1": 2 * p * r / (p + r) if p + r else 0.0,
        "support": n_gold,
    }


def _main(events: list[dict]) -> str:
    return events[0]["type"] if events else NONE


def _place_name(ev: dict) -> str:
    p = ev.get("place")
    if isinstance(p, dict):
        p = p.get("name")
    return (p or "").strip().lower()


def score(gold: list[dict], predictions: dict[str, list[dict]]) -> dict:
    """Metrics of predictions (record id -> events, main first) against gold records."""
    confusion: Counter = Counter()
    multi = {t: [0, 0, 0] for t in EVENT_TYPES}
    status_ok = place_ok = place_n = matched = 0
    errors = []
    for rec in gold:
        g_ev = rec.get("events") or []
        p_ev = predictions.get(str(rec["id"]), [])
        g, p = _main(g_ev), _main(p_ev)
        confusion[(g, p)] += 1
        gs, ps = {e["type"] for e in g_ev}, {e["type"] for e in p_ev}
        for t in EVENT_TYPES:
            multi[t][0] += t in gs and t in ps
            multi[t][1] += t in ps
            multi[t][2] += t in gs
        if g != p:
            errors.append({"id": rec["id"], "gold": g, "predicted": p, "text": rec["text"]})
        if g == p and g != NONE:
            matched += 1
            status_ok += g_ev[0].get("status", "reported") == p_ev[0].get("status")
            gp, pp = _place_name(g_ev[0]), _place_name(p_ev[0])
            if gp:
                place_n += 1
                place_ok += bool(pp) and (gp in pp or pp in gp)
    present = [t for t in EVENT_TYPES if any(g == t for (g, _) in confusion)]
    main = {}
    for t in EVENT_TYPES:
        tp = confusion[(t, t)]
        n_pred = sum(n for (_, p), n in confusion.items() if p == t)
        n_gold = sum(n for (g, _), n in confusion.items() if g == t)
        main[t] = _prf(tp, n_pred, n_gold)
    multi_prf = {t: _prf(*c) for t, c in multi.items()}
    return {
        "passages": len(gold),
        "main": main,
        "main_macro_f1": _mean([main[t]["f1"] for t in present]),
        "main_accuracy": sum(n for (g, p), n in confusion.items() if g == p) / max(1, len(gold)),
        "multi": multi_prf,
        "multi_macro_f1": _mean([multi_prf[t]["f1"] for t in EVENT_TYPES if multi[t][2]]),
        "status_accuracy": status_ok / matched if matched else None,
        "place_accuracy": place_ok / place_n if place_n else None,
        "types_in_gold": present,
        "confusion": {f"{g}->{p}": n for (g, p), n in sorted(confusion.items())},
        "errors": errors,
    }


def _mean(xs: list[float]) -> float:
    return sum(xs) / len(xs) if xs else 0.0


def format_result(res: dict) -> str:
    """Per-type table (main and multi-label), macro-F1, accuracies and the confusion table."""
    lines = [
        f"passages: {res['passages']}",
        f"{'type':<20} {'main P':>7} {'R':>6} {'F1':>6} {'n':>4}   {'multi P':>7} {'R':>6} {'F1':>6}",
    ]
    for t in EVENT_TYPES:
        m, u = res["main"][t], res["multi"][t]
        if not (m["support"] or m["precision"] or u["support"] or u["precision"]):
            continue
        lines.append(
            f"{t:<20} {m['precision']:7.3f} {m['recall']:6.3f} {m['f1']:6.3f} {m['support']:4d}"
            f"   {u['precision']:7.3f} {u['recall']:6.3f} {u['f1']:6.3f}"
        )
    lines.append(
        f"main-type macro-F1 {res['main_macro_f1']:.3f} (over {len(res['types_in_gold'])} types)"
        f"  accuracy {res['main_accuracy']:.3f}   multi-label macro-F1 {res['multi_macro_f1']:.3f}"
    )
    for key, label in (("status_accuracy", "status"), ("place_accuracy", "place")):
        if res[key] is not None:
            lines.append(f"{label} accuracy on matched main types: {res[key]:.3f}")
    lines.append("")
    lines.append(format_confusion(res))
    return "\n".join(lines)


def format_confusion(res: dict) -> str:
    """Gold main type per row, predicted per column (abbreviated), zero cells as dots."""
    pairs = {tuple(k.split("->")): n for k, n in res["confusion"].items()}
    labels = [t for t in (*EVENT_TYPES, NONE) if any(t in k for k in pairs)]
    short = {t: t[:5] for t in labels}
    head = f"{'gold / predicted':<20}" + "".join(f"{short[t]:>6}" for t in labels)
    rows = [head]
    for g in labels:
        cells = "".join(f"{pairs.get((g, p), 0) or '.':>6}" for p in labels)
        rows.append(f"{g:<20}{cells}")
    return "\n".join(rows)


def format_errors(res: dict, top: int = 50) -> str:
    """Passages whose main type is wrong."""
    out = [f"-- wrong main type ({len(res['errors'])}) --"]
    for e in res["errors"][:top]:
        out.append(f"{e['id']}: gold {e['gold']}, predicted {e['predicted']}: {e['text'][:200]}")
    return "\n".join(out)
