"""How sure the resolver is of a place: features of a choice -> calibrated probability.

The resolver describes each choice by a few general features (the margin of the chosen
candidate over the best one lying elsewhere, how many places carry the name, what vouched
for the name, whether the text named its country, its kind and size). A logistic model maps
them to the chance that the place lies within 161 km of the right point. Its weights are
fitted by `scripts/fit_confidence.py` on the development corpora (cross-validated by
article) and shipped in `data/gazetteer/confidence.json`; without the file a hand-set model
is used.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Mapping
from pathlib import Path

log = logging.getLogger(__name__)

MODEL_FILE = Path(__file__).resolve().parent.parent / "data" / "gazetteer" / "confidence.json"

# Feature names, in the order the model's weights are stored.
FEATURES = (
    "bias",
    "margin",  # score of the choice minus the best candidate > 161 km away, capped, / 8
    "no_rival",  # every candidate lies within 161 km of the choice
    "log_candidates",  # log10 of the number of places carrying the name
    "weak",  # only the gazetteer vouched for the name (no tagger label, no cue words)
    "demonym",
    "country",  # the choice is a country or continent
    "admin1",
    "region_water",  # a region, sea, river or lake
    "town_size",  # log10 population / 7 for towns and counties, else 0
    "alternate",  # the name is not the place's main name
    "contained",  # "Kherson, Ukraine": the text names its country or region
    "country_mentioned",  # the article mentions its country elsewhere
    "near_other_places",
    "mapped_at",  # no entry of its own: mapped at the place the text puts it in
    "cue_label",  # unit phrase, route, dateline, headline, "X, Region"
    "log_mentions",  # log10 of the times the article uses the name
    "user",  # from the user's own gazetteer
)

# Hand-set fallback: roughly what the fit gives; used only when no fitted file is shipped.
_DEFAULT = {
    "bias": 0.3,
    "margin": 2.0,
    "no_rival": 1.5,
    "log_candidates": -0.6,
    "weak": -1.0,
    "demonym": 0.5,
    "country": 1.5,
    "admin1": 0.5,
    "region_water": 0.3,
    "town_size": 1.0,
    "alternate": -0.5,
    "contained": 1.0,
    "country_mentioned": 0.5,
    "near_other_places": 0.5,
    "mapped_at": -1.0,
    "cue_label": 0.3,
    "log_mentions": 0.5,
    "user": 5.0,  # the user vouches for the place
}


def load_model(path: Path = MODEL_FILE) -> dict[str, float]:
    """Feature -> weight from the shipped file; the hand-set model when it is absent."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return dict(_DEFAULT)
    except (OSError, ValueError) as err:
        log.warning("ignoring unreadable confidence model %s: %s", path, err)
        return dict(_DEFAULT)
    return {str(k): float(v) for k, v in data.get("weights", {}).items()}


MODEL: dict[str, float] = load_model()


def probability(features: Mapping[str, float], model: Mapping[str, float] | None = None) -> float:
    """The calibrated chance (0-1) that a choice with these features is right."""
    w = MODEL if model is None else model
    z = sum(w.get(k, 0.0) * v for k, v in features.items())
    z = max(-30.0, min(30.0, z))
    return 1.0 / (1.0 + math.exp(-z))


def vector(features: Mapping[str, float]) -> list[float]:
    """The features in FEATURES order (missing ones 0), for fitting."""
    return [float(features.get(k, 0.0)) for k in FEATURES]
