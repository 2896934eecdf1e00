"""A linear classifier of a passage's main event type, stored as plain JSON.

The model (data/events/model.json, written by scripts/train_events.py) is a multinomial
logistic regression over three blocks of features, each L2-normalised on its own:
word 1-2-grams and character 3-5-grams of the passage (TF-IDF, sublinear term frequency) and
the rules' own output (binary: the rules' main type, every type they found, the main event's
status, and the cue classes of data/events/types.toml that occur in the passage — weapons,
civilians, humanitarian goods, disaster, sport, ... — which carry over between writing styles).
Trained with balanced class weights. Prediction needs only plain Python: the same analyzers the training script uses,
the stored vocabularies, IDF weights, coefficients and intercepts.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path

MODEL_FILE = Path(__file__).resolve().parent.parent / "data" / "events" / "model.json"
NONE = "none"
BLOCKS = ("words", "chars", "rules")

_WORD = re.compile(r"[a-z0]+(?:['’-][a-z0]+)*")
_DIGITS = re.compile(r"[0-9]+")


def _normalise(text: str) -> str:
    return _DIGITS.sub("0", text.lower())


def word_features(text: str) -> list[str]:
    """Lower-cased word unigrams and bigrams; digit runs become "0"."""
    toks = _WORD.findall(_normalise(text))
    return toks + [f"{a} {b}" for a, b in zip(toks, toks[1:], strict=False)]


def char_features(text: str) -> list[str]:
    """Character 3- to 5-grams inside each word padded with a space on both sides."""
    out = []
    for w in _WORD.findall(_normalise(text)):
        w = f" {w} "
        for n in (3, 4, 5):
            out.extend(w[i : i + n] for i in range(len(w) - n + 1))
    return out


def rule_features(types: Sequence[str], status: str | None, cues: Iterable[str] = ()) -> list[str]:
    """The rules' output: main type (first, or none), each type found, the main status, and
    the cue classes the rules saw (weapons, civilians, disaster, sport, humanitarian, ...)."""
    seen = [f"cue={c}" for c in sorted(set(cues))]
    if not types:
        return ["main=none", *seen]
    return [f"main={types[0]}", *sorted({f"has={t}" for t in types}), f"status={status}", *seen]


def analyze(
    text: str, types: Sequence[str], status: str | None, cues: Iterable[str] = ()
) -> dict[str, list[str]]:
    """The features of each block for one passage and the rules' events on it."""
    return {
        "words": word_features(text),
        "chars": char_features(text),
        "rules": rule_features(types, status, cues),
    }


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Classifier probabilities needed to overrule the rules (see `choose_main`)."""

    rerank: float = 0.5  # to make another of the rules' events the main one
    drop: float = 0.7  # to say the passage has no event although the rules found one
    add: float = 0.7  # to give a type the rules did not find


def choose_main(rule_types: Sequence[str], proba: dict[str, float], t: Thresholds) -> str:
    """The passage's main type ("none": no event) from the rules' types and the classifier.

    `rule_types` are the types of the rules' events, main first. The classifier's best class
    wins when it agrees with the rules, or is one of the rules' other types and at least
    `t.rerank` likely, or is "none" at least `t.drop` likely, or any other type at least
    `t.add` likely; otherwise the rules' main type stays.
    """
    rules_main = rule_types[0] if rule_types else NONE
    best = max(proba, key=lambda c: (proba[c], c == rules_main))
    p = proba[best]
    if best == rules_main:
        return best
    if best in rule_types:
        return best if p >= t.rerank else rules_main
    if best == NONE:
        return best if p >= t.drop else rules_main
    return best if p >= t.add else rules_main


@dataclass(frozen=True)
class Model:
    """Vocabularies (feature -> column) and IDF per block, weights per class."""

    classes: tuple[str, ...]
    vocab: dict[str, dict[str, int]]  # block -> feature -> column within the block
    idf: dict[str, list[float]]  # block -> weight per column ([] means binary features)
    scale: dict[str, float]  # block -> factor after normalising
    offset: dict[str, int]  # block -> first column in the joined vector
    coef: list[list[float]]  # class -> column -> weight
    intercept: list[float]
    thresholds: Thresholds = Thresholds()

    def vector(self, feats: dict[str, Iterable[str]]) -> dict[int, float]:
        """Sparse joined feature vector: column -> value."""
        out: dict[int, float] = {}
        for block in BLOCKS:
            vocab, idf = self.vocab[block], self.idf[block]
            counts = Counter(vocab[f] for f in feats.get(block, ()) if f in vocab)
            if idf:
                vals = {j: (1.0 + math.log(n)) * idf[j] for j, n in counts.items()}
            else:
                vals = {j: 1.0 for j in counts}
            norm = math.sqrt(sum(v * v for v in vals.values()))
            if norm == 0:
                continue
            k, off = self.scale[block] / norm, self.offset[block]
            for j, v in vals.items():
                out[off + j] = v * k
        return out

    def scores(self, feats: dict[str, Iterable[str]]) -> list[float]:
        """Decision value per class (same order as `classes`)."""
        x = self.vector(feats)
        return [
            b + sum(w[j] * v for j, v in x.items())
            for w, b in zip(self.coef, self.intercept, strict=True)
        ]

    def proba(self, feats: dict[str, Iterable[str]]) -> dict[str, float]:
        """Softmax probability per class."""
        s = self.scores(feats)
        top = max(s)
        e = [math.exp(v - top) for v in s]
        z = sum(e)
        return {c: v / z for c, v in zip(self.classes, e, strict=True)}

    def to_json(self) -> dict:
        """The stored shape: vocabularies as lists in column order."""
        return {
            "classes": list(self.classes),
            "blocks": {
                b: {
                    "features": sorted(self.vocab[b], key=self.vocab[b].get),
                    "idf": self.idf[b],
                    "scale": self.scale[b],
                }
                for b in BLOCKS
            },
            "coef": self.coef,
            "intercept": self.intercept,
            "thresholds": asdict(self.thresholds),
        }

    @classmethod
    def from_json(cls, data: dict) -> Model:
        """Read the stored shape; raises KeyError or ValueError when it is malformed."""
        vocab, idf, scale, offset = {}, {}, {}, {}
        col = 0
        for b in BLOCKS:
            blk = data["blocks"][b]
            vocab[b] = {f: j for j, f in enumerate(blk["features"])}
            idf[b] = [float(v) for v in blk["idf"]]
            if idf[b] and len(idf[b]) != len(vocab[b]):
                raise ValueError(f"block {b}: {len(idf[b])} idf weights, {len(vocab[b])} features")
            scale[b] = float(blk["scale"])
            offset[b] = col
            col += len(vocab[b])
        coef = [[float(v) for v in row] for row in data["coef"]]
        classes = tuple(data["classes"])
        if len(coef) != len(classes) or any(len(row) != col for row in coef):
            raise ValueError(f"coefficients do not fit {len(classes)} classes x {col} features")
        thresholds = Thresholds(**data.get("thresholds", {}))
        intercept = [float(v) for v in data["intercept"]]
        return cls(classes, vocab, idf, scale, offset, coef, intercept, thresholds)


def load(path: Path) -> Model:
    """Read a model file written by scripts/train_events.py."""
    with open(path, encoding="utf-8") as fh:
        return Model.from_json(json.load(fh))


@lru_cache(maxsize=1)
def default_model() -> Model | None:
    """The shipped model, or None when data/events/model.json is absent (rules alone)."""
    if not MODEL_FILE.exists():
        return None
    return load(MODEL_FILE)
