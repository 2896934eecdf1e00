"""Confidence of resolved mentions, corpus focus and the calibration report."""

from __future__ import annotations

import pytest

from geo import confidence as conf
from geo import focus
from geo.evaluate import calibration, format_calibration
from geo.models import Article, Mention, Place


def _art(text: str, aid: str = "a") -> Article:
    return Article(aid, None, "t", None, "s", "en", text)


def _place(geoparser, text: str, name: str) -> Mention:
    return next(m for m in geoparser.parse(_art(text)) if m.text == name)


def test_every_resolved_mention_has_a_probability(geoparser):
    ms = geoparser.parse(_art("Russian troops shelled Kharkiv and the Zzyzxgrad area again."))
    for m in ms:
        if m.place is None:
            assert m.confidence is None
        else:
            assert 0.0 < m.confidence < 1.0


def test_a_country_is_surer_than_a_bare_ambiguous_town(geoparser):
    country = _place(geoparser, "Talks with Ukraine resumed on Monday.", "Ukraine")
    town = _place(geoparser, "The delegation travelled to Springfield last week.", "Springfield")
    assert country.confidence > 0.75
    assert town.confidence < country.confidence - 0.25


def test_confidence_is_not_part_of_equality():
    p = Place(1, "Kyiv", "city", 50.45, 30.52, "UA")
    assert Mention("a", 0, 4, "Kyiv", "name", p, "", 0.2) == Mention("a", 0, 4, "Kyiv", "name", p)


def test_probability_is_monotone_in_the_margin():
    base = {"bias": 1.0, "town_size": 0.7}
    assert conf.probability({**base, "margin": 0.9}) > conf.probability({**base, "margin": 0.1})


@pytest.mark.parametrize(
    "text, want",
    [("UA,RU", {"UA": 1.0, "RU": 1.0}), ("ua:1, ru:0.5", {"UA": 1.0, "RU": 0.5}), ("", {})],
)
def test_parse_focus(text, want):
    assert focus.parse_focus(text) == want


@pytest.mark.parametrize("text", ["Ukraine", "UA:2", "U1"])
def test_parse_focus_refuses_nonsense(text):
    with pytest.raises(ValueError):
        focus.parse_focus(text)


def test_focus_from_mentions_uses_confident_places_only():
    ua = Place(1, "Kyiv", "city", 50.45, 30.52, "UA")
    us = Place(2, "Odessa", "city", 31.8, -102.3, "US")
    ms = [Mention("a", 0, 1, "x", "name", ua, "", 0.95)] * 8
    ms += [Mention("a", 0, 1, "x", "name", us, "", 0.3)] * 20  # unsure: no vote
    ms += [Mention("a", 0, 1, "x", "name", us, "", 0.9)] * 2
    assert focus.focus_from_mentions(ms) == {"UA": 1.0, "US": 0.25}
    assert focus.focus_from_mentions([]) == {}


AMBIGUOUS = "The delegation travelled to Odessa last week and met the mayor."
TEXAS = "ODESSA — The Ector County school board met in Odessa on Tuesday. Midland sent officials."


def test_focus_settles_a_close_call(geoparser):
    r = geoparser.resolver
    try:
        r.focus = {"US": 1.0}
        us = _place(geoparser, AMBIGUOUS, "Odessa")
        r.focus = {"UA": 1.0}
        ua = _place(geoparser, AMBIGUOUS, "Odessa")
        texas = _place(geoparser, TEXAS, "Odessa")
    finally:
        r.focus = {}
    assert us.place.country_code == "US" and "focus" in us.reason
    assert ua.place.country_code == "UA"
    # The article places its own Odessa: the corpus's focus does not move it.
    assert texas.place.country_code == "US"


def test_no_focus_changes_nothing(geoparser):
    assert geoparser.resolver.focus == {}
    assert _place(geoparser, AMBIGUOUS, "Odessa").place.country_code == "UA"


def test_calibration_table_counts_right_and_wrong():
    gold = [
        {
            "id": "1",
            "toponyms": [
                {"start": 0, "end": 4, "name": "Kyiv", "lat": 50.45, "lon": 30.52},
                {"start": 10, "end": 16, "name": "Odessa", "lat": 46.48, "lon": 30.73},
            ],
        }
    ]
    preds = {
        "1": [
            {"start": 0, "end": 4, "lat": 50.4, "lon": 30.5, "confidence": 0.95},
            {"start": 10, "end": 16, "lat": 31.8, "lon": -102.3, "confidence": 0.95},
            {"start": 20, "end": 25, "lat": 1.0, "lon": 1.0, "confidence": 0.6},  # false place
            {
                "start": 30,
                "end": 37,
                "lat": 1.0,
                "lon": 1.0,
                "confidence": 0.6,
                "mention_type": "demonym",
            },
        ]
    }
    rows = {r["band"]: r for r in calibration(gold, preds, "coords")}
    assert rows["0.9-1.0"]["n"] == 2 and rows["0.9-1.0"]["right"] == 0.5
    assert rows["0.5-0.7"]["n"] == 1 and rows["0.5-0.7"]["right"] == 0.0
    assert "0.9-1.0" in format_calibration(list(rows.values()))


def test_cli_takes_focus_and_user_gazetteer(gazetteer, monkeypatch, tmp_path, capsys):
    import json
    from pathlib import Path

    from geo.__main__ import main

    monkeypatch.setenv("CONFLICT_MAP_GAZETTEER", str(gazetteer.path))
    story = tmp_path / "story.txt"
    story.write_text("The delegation travelled to Odessa and then to the Azovstal plant.\n")
    csv = Path(__file__).parent / "data" / "user_gazetteer.csv"
    args = ["geoparse", str(story), "--focus", "US", "--gazetteer-csv", str(csv)]
    assert main(args) == 0
    got = {t["name"]: t for t in json.loads(capsys.readouterr().out)["toponyms"]}
    assert got["Odessa"]["country"] == "US" and 0 < got["Odessa"]["confidence"] < 1
    assert got["Azovstal"]["place"] == "Azovstal plant"
    assert main(["geoparse", str(story), "--focus", "Ukraine"]) == 2
    assert "--focus" in capsys.readouterr().err


@pytest.mark.parametrize(
    "others, cc",
    [
        (
            [
                "Police in Lubbock, Texas, arrested a man from Amarillo.",
                "Schools in Abilene and San Angelo, Texas, reopened.",
                "The Texas governor visited El Paso and Laredo.",
            ],
            "US",
        ),
        (
            [
                "Russian missiles hit Kharkiv and Dnipro, Ukraine's air force said.",
                "Shelling in Kherson and Zaporizhzhia wounded four Ukrainians.",
                "Kyiv said drones struck Lviv and Poltava overnight.",
            ],
            "UA",
        ),
    ],
)
def test_auto_focus_follows_the_corpus(geoparser, others, cc):
    arts = [_art(t, str(i)) for i, t in enumerate([*others, AMBIGUOUS])]
    got = dict(focus.parse_corpus(geoparser, arts, "auto"))
    (odessa,) = [m for m in got[arts[-1]] if m.text == "Odessa"]
    assert odessa.place.country_code == cc
    assert geoparser.resolver.focus == {}  # the corpus's focus is not left behind
