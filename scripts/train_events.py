"""Train the main-event classifier of geo/event_model.py and write data/events/model.json.

usage: python scripts/train_events.py [GOLD.jsonl ...] [--out data/events/model.json]
       [--report] [--folds 5]

Gold files default to data/events/{sample,world,world2}.jsonl (those present). The model is
trained on every passage of their `dev` splits; holdout passages are only scored. With
--report it also prints, per file and split, main-type P/R/F1 of the rules alone, the
classifier alone and the two combined: out of fold on dev (GroupKFold by article, or by
passage where there is no article id; the thresholds are chosen on these out-of-fold
predictions) and, for the final model, on the holdouts. It then checks that the run-time
prediction (plain Python, geo.event_model) equals scikit-learn's on every passage.

Needs scikit-learn (training only; the dashboard reads the JSON). Deterministic: the same
gold files give the same model file.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.feature_selection import chi2
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold
from sklearn.preprocessing import normalize

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from geo.event_eval import format_confusion, score  # noqa: E402
from geo.event_model import (  # noqa: E402
    BLOCKS,
    NONE,
    Model,
    Thresholds,
    char_features,
    choose_main,
    rule_features,
    word_features,
)
from geo.events import EVENT_TYPES, _Context, _main_first, _rule_events, cue_classes  # noqa: E402
from geo.recognize import load_model  # noqa: E402

DATA = ROOT / "data" / "events"
DEFAULT_GOLD = ("sample.jsonl", "world.jsonl", "world2.jsonl")
CLASSES = (*EVENT_TYPES, NONE)
# Features kept per block (chi-square against the main type), the rules block's weight
# relative to the text blocks, the regularisation, and the decimals stored per weight.
KEEP = {"words": 1500, "chars": 1500}
RULES_SCALE = 1.0
C = 3.0
CLASS_WEIGHT = "balanced"
USE_CUES = True
DECIMALS = 3
GRID = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.01)


class Passages:
    """Gold passages with their text, label, group and the rules' output."""

    def __init__(self, files: list[Path]) -> None:
        self.recs: list[dict] = []
        self.file: list[str] = []
        for f in files:
            with open(f, encoding="utf-8") as fh:
                for line in fh:
                    if line.strip():
                        self.recs.append(json.loads(line))
                        self.file.append(f.stem)
        nlp = load_model()
        self.rule_events, self.cues = [], []
        for doc in nlp.pipe([r["text"] for r in self.recs], batch_size=32):
            self.rule_events.append(_main_first(_rule_events(_Context(doc, (), None))))
            self.cues.append(cue_classes(doc.sents))
        self.text = [r["text"] for r in self.recs]
        self.y = np.array([(r["events"][0]["type"] if r["events"] else NONE) for r in self.recs])
        self.split = np.array([r.get("split", "dev") for r in self.recs])
        self.group = np.array(
            [
                f"{f}:{r.get('article_id') or r['id']}"
                for f, r in zip(self.file, self.recs, strict=True)
            ]
        )
        self.rule_types = [[e.type for e in evs] for evs in self.rule_events]
        self.rule_feats = [
            rule_features(t, evs[0].status if evs else None, cues if USE_CUES else ())
            for t, evs, cues in zip(self.rule_types, self.rule_events, self.cues, strict=True)
        ]


def _analyzers(P: Passages, idx):
    return {
        "words": [word_features(P.text[i]) for i in idx],
        "chars": [char_features(P.text[i]) for i in idx],
        "rules": [P.rule_feats[i] for i in idx],
    }


def _identity(x):
    return x


def fit(P: Passages, idx) -> tuple[Model, LogisticRegression, dict]:
    """Train on the passages `idx`; the Model and the scikit-learn pieces it was read from."""
    feats = _analyzers(P, idx)
    y = P.y[idx]
    vocab, idf, scale, mats, vecs = {}, {}, {}, [], {}
    for block in BLOCKS:
        if block == "rules":
            vec = CountVectorizer(analyzer=_identity, binary=True)
            X = normalize(vec.fit_transform(feats[block]).astype(float)) * RULES_SCALE
            idf[block], scale[block] = [], RULES_SCALE
        else:
            counts = CountVectorizer(analyzer=_identity, min_df=2).fit(feats[block])
            Xc = counts.transform(feats[block])
            stat, _ = chi2(Xc, y)
            stat = np.nan_to_num(stat)
            names = counts.get_feature_names_out()
            order = sorted(range(len(names)), key=lambda j: (-stat[j], names[j]))
            keep = sorted(names[j] for j in order[: KEEP[block]])
            vec = TfidfVectorizer(analyzer=_identity, vocabulary=keep, sublinear_tf=True)
            X = vec.fit_transform(feats[block])
            idf[block], scale[block] = [float(v) for v in vec.idf_], 1.0
        vocab[block] = {f: int(j) for f, j in vec.vocabulary_.items()}
        vecs[block] = vec
        mats.append(X)
    X = sparse.hstack(mats).tocsr()
    clf = LogisticRegression(C=C, class_weight=CLASS_WEIGHT, max_iter=5000)
    clf.fit(X, y)
    # The stored weights are rounded; scikit-learn predicts with the same rounded weights.
    clf.coef_ = np.round(clf.coef_, DECIMALS)
    clf.intercept_ = np.round(clf.intercept_, DECIMALS)
    idf = {b: [round(v, 6) for v in idf[b]] for b in BLOCKS}
    for b in ("words", "chars"):
        vecs[b].idf_ = np.array(idf[b])
    offset, col = {}, 0
    for b in BLOCKS:
        offset[b] = col
        col += len(vocab[b])
    model = Model(
        tuple(str(c) for c in clf.classes_),
        vocab,
        idf,
        scale,
        offset,
        clf.coef_.tolist(),
        clf.intercept_.tolist(),
    )
    return model, clf, vecs


def transform(vecs: dict, P: Passages, idx) -> sparse.csr_matrix:
    feats = _analyzers(P, idx)
    mats = []
    for b in BLOCKS:
        X = vecs[b].transform(feats[b])
        if b == "rules":
            X = normalize(X.astype(float)) * RULES_SCALE
        mats.append(X)
    return sparse.hstack(mats).tocsr()


def predict(clf, vecs, P: Passages, idx) -> list[dict[str, float]]:
    proba = clf.predict_proba(transform(vecs, P, idx))
    return [dict(zip(clf.classes_, map(float, row), strict=True)) for row in proba]


def _scores(P: Passages, idx, mains: list[str]) -> dict:
    gold = [{"id": str(i), "text": P.text[i], "events": P.recs[i]["events"]} for i in idx]
    preds = {str(i): ([{"type": m}] if m != NONE else []) for i, m in zip(idx, mains, strict=True)}
    return score(gold, preds)


def _combined(P, idx, proba, t: Thresholds) -> list[str]:
    return [choose_main(P.rule_types[i], p, t) for i, p in zip(idx, proba, strict=True)]


def _mean_f1(P, idx, mains) -> float:
    """Mean over the gold files of main-type macro-F1 (each file counts the same)."""
    by_file: dict[str, list[int]] = {}
    for k, i in enumerate(idx):
        by_file.setdefault(P.file[i], []).append(k)
    f1s = [
        _scores(P, [idx[k] for k in ks], [mains[k] for k in ks])["main_macro_f1"]
        for ks in by_file.values()
    ]
    return sum(f1s) / len(f1s)


def tune(P: Passages, idx, proba) -> Thresholds:
    best = None
    for r, d, a in itertools.product(GRID, GRID, GRID):
        t = Thresholds(rerank=r, drop=d, add=a)
        f1 = _mean_f1(P, idx, _combined(P, idx, proba, t))
        if best is None or f1 > best[0] + 1e-9:
            best = (f1, t)
    return best[1]


def out_of_fold(P: Passages, dev, folds: int) -> list[dict[str, float]]:
    proba: list = [None] * len(dev)
    pos = {i: k for k, i in enumerate(dev)}
    for tr, te in GroupKFold(n_splits=folds).split(dev, groups=P.group[dev]):
        _, clf, vecs = fit(P, [dev[k] for k in tr])
        test = [dev[k] for k in te]
        for i, p in zip(test, predict(clf, vecs, P, test), strict=True):
            proba[pos[i]] = p
    return proba


def _row(name: str, res: dict) -> str:
    cells = " ".join(f"{res['main'][t]['f1']:5.2f}" for t in EVENT_TYPES)
    return f"{name:<28} {res['main_macro_f1']:6.3f} {res['main_accuracy']:6.3f}  {cells}"


def report(P: Passages, idx_by_set: dict, mains_by_sys: dict) -> None:
    head = " ".join(f"{t[:5]:>5}" for t in EVENT_TYPES)
    print(f"{'set / system':<28} {'macF1':>6} {'acc':>6}  {head}")
    for name, idx in idx_by_set.items():
        for sysname, mains in mains_by_sys.items():
            if name in mains:
                print(_row(f"{name} {sysname}", _scores(P, idx, mains[name])))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("gold", nargs="*", type=Path)
    ap.add_argument("--out", type=Path, default=DATA / "model.json")
    ap.add_argument("--report", action="store_true")
    ap.add_argument("--folds", type=int, default=5)
    args = ap.parse_args()
    files = args.gold or [DATA / f for f in DEFAULT_GOLD if (DATA / f).exists()]
    P = Passages(files)
    dev = [i for i in range(len(P.recs)) if P.split[i] == "dev"]
    hold = [i for i in range(len(P.recs)) if P.split[i] == "holdout"]
    print(f"{len(dev)} dev passages, {len(hold)} holdout, from {', '.join(f.name for f in files)}")

    oof = out_of_fold(P, dev, args.folds)
    t = tune(P, dev, oof)
    print(f"thresholds (out of fold on dev): {t}")
    model, clf, vecs = fit(P, dev)
    model = replace(model, thresholds=t)
    data = model.to_json()
    data["trained_on"] = [
        {
            "file": f.name,
            "sha256": hashlib.sha256(f.read_bytes()).hexdigest(),
            "dev_passages": sum(1 for i in dev if P.file[i] == f.stem),
        }
        for f in files
    ]
    args.out.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n")
    print(f"wrote {args.out} ({args.out.stat().st_size / 1024:.0f} KB)")

    # Run-time prediction equals scikit-learn's.
    everything = list(range(len(P.recs)))
    sk = clf.decision_function(transform(vecs, P, everything))
    rt = np.array(
        [
            model.scores(
                {
                    "words": word_features(P.text[i]),
                    "chars": char_features(P.text[i]),
                    "rules": P.rule_feats[i],
                }
            )
            for i in everything
        ]
    )
    same = (sk.argmax(1) == rt.argmax(1)).all()
    print(f"run-time vs scikit-learn: max |score difference| {abs(sk - rt).max():.2e}, "
          f"same classes: {bool(same)}")  # fmt: skip
    if not same or abs(sk - rt).max() > 1e-6:
        raise SystemExit("run-time prediction differs from scikit-learn's")

    if not args.report:
        return
    hold_proba = predict(clf, vecs, P, hold)
    sets, rules_m, clf_m, comb_m = {}, {}, {}, {}
    for f in files:
        for split, idx, proba in (("dev", dev, oof), ("holdout", hold, hold_proba)):
            ks = [k for k, i in enumerate(idx) if P.file[i] == f.stem]
            if not ks:
                continue
            name = f"{f.stem} {split}"
            sets[name] = [idx[k] for k in ks]
            rules_m[name] = [P.rule_types[idx[k]][0] if P.rule_types[idx[k]] else NONE for k in ks]
            clf_m[name] = [max(proba[k], key=proba[k].get) for k in ks]
            comb_m[name] = [choose_main(P.rule_types[idx[k]], proba[k], t) for k in ks]
    print("\nmain-event F1 per type (dev: out of fold; holdout: final model)")
    report(P, sets, {"rules": rules_m, "classifier": clf_m, "combined": comb_m})
    for sysname, mains in (("rules", rules_m), ("combined", comb_m)):
        names = [n for n in sets if n.endswith("holdout")]
        idx = [i for n in names for i in sets[n]]
        res = _scores(P, idx, [m for n in names for m in mains[n]])
        print(f"\npooled holdouts, {sysname}: macro-F1 {res['main_macro_f1']:.3f}")
        for tname in EVENT_TYPES:
            m = res["main"][tname]
            print(f"  {tname:<20} P {m['precision']:.2f} R {m['recall']:.2f} F1 {m['f1']:.2f}")
        print(format_confusion(res))


if __name__ == "__main__":
    main()
