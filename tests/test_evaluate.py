"""Metrics on a hand-made gold/prediction pair whose scores were worked out by hand."""

import json

import pytest

from geo.__main__ import main
from geo.evaluate import score

# Gold: 4 toponyms in one article, 3 with coordinates.
GOLD = [
    {
        "id": "a",
        "text": "Kyiv and Lviv and Paris and Nowhere.",
        "toponyms": [
            {"start": 0, "end": 4, "name": "Kyiv", "lat": 50.45, "lon": 30.52},
            {"start": 9, "end": 13, "name": "Lviv", "lat": 49.84, "lon": 24.03},
            {"start": 18, "end": 23, "name": "Paris", "lat": 48.85, "lon": 2.35},
            {"start": 28, "end": 35, "name": "Nowhere", "lat": None, "lon": None},
        ],
    }
]
PRED = {
    "a": [
        {"start": 0, "end": 4, "name": "Kyiv", "lat": 50.45, "lon": 30.52},  # exact, right
        {"start": 9, "end": 12, "name": "Lvi", "lat": 49.84, "lon": 24.03},  # overlap only, right
        {"start": 18, "end": 23, "name": "Paris", "lat": 33.66, "lon": -95.56},  # Paris, Texas
        {"start": 24, "end": 27, "name": "and", "lat": None, "lon": None},  # false place
    ]
}


def test_hand_worked_scores():
    res, errors = score(GOLD, PRED, subset="coords")
    ex, ov = res["recognition"]["exact"], res["recognition"]["overlap"]
    # exact: Kyiv and Paris match -> P = 2/4, R = 2/4
    assert (ex["tp"], ex["precision"], ex["recall"]) == (2, 0.5, 0.5)
    # overlap: Kyiv, Lviv, Paris -> P = 3/4, R = 3/4, F1 = 0.75
    assert (ov["tp"], ov["f1"]) == (3, 0.75)
    # end to end: 3 gold with coordinates; Kyiv and Lviv right, Paris 7,784 km off -> 2/3
    assert res["n_gold_geo"] == 3 and res["e2e_acc161"] == pytest.approx(2 / 3)
    # errors 0, 0 and 7,784 km: median 0, mean 2,595
    assert res["median_km"] == 0.0 and res["mean_km"] == pytest.approx(7784 / 3, rel=0.01)
    assert errors.false_places["and"] == 1
    assert sum(errors.wrong_pick.values()) == 1


def test_geonames_subset_uses_the_gold_flag():
    gold = [
        {
            "id": "a",
            "text": "x",
            "toponyms": [
                {
                    "start": 0,
                    "end": 1,
                    "name": "x",
                    "lat": 1.0,
                    "lon": 1.0,
                    "geocoding_gold": False,
                },
                {"start": 0, "end": 1, "name": "x", "lat": 1.0, "lon": 1.0, "geocoding_gold": True},
            ],
        }
    ]
    res, _ = score(gold, {"a": [{"start": 0, "end": 1, "name": "x", "lat": 1.0, "lon": 1.0}]})
    assert res["subset"] == "geonames" and res["n_gold_geo"] == 1 and res["e2e_acc161"] == 1.0


def test_evaluate_command_writes_predictions_and_json(tmp_path, capsys, monkeypatch, gazetteer):
    monkeypatch.setenv("CONFLICT_MAP_GAZETTEER", str(gazetteer.path))
    monkeypatch.setenv("CONFLICT_MAP_DB", str(tmp_path / "must-not-exist.sqlite"))
    gold = tmp_path / "gold.jsonl"
    text = "Shelling hit Kharkiv and Odesa on Monday."
    rec = {
        "id": "g1",
        "text": text,
        "toponyms": [
            {"start": 13, "end": 20, "name": "Kharkiv", "lat": 49.98, "lon": 36.25},
            {"start": 25, "end": 30, "name": "Odesa", "lat": 46.48, "lon": 30.73},
        ],
    }
    gold.write_text(json.dumps(rec) + "\n")
    out = tmp_path / "pred.jsonl"
    assert main(["evaluate", str(gold), "--predictions", str(out), "--json", "--errors"]) == 0
    printed = capsys.readouterr().out
    res = json.loads(printed[: printed.index("\n}") + 2])
    assert res["e2e_acc161"] == 1.0 and res["recognition"]["exact"]["f1"] == 1.0
    assert res["articles_per_second"] > 0
    pred = json.loads(out.read_text())
    assert [t["name"] for t in pred["toponyms"]] == ["Kharkiv", "Odesa"]
    assert not (tmp_path / "must-not-exist.sqlite").exists()
