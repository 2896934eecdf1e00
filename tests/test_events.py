"""Event extraction: types, status, place, actor, the CLI and the scorer."""

from __future__ import annotations

import json
import tomllib

import pytest

from geo.event_eval import score
from geo.events import EVENT_TYPES, STATUSES, TYPES_FILE, Event, definitions, extract_events


@pytest.fixture(scope="module")
def ev(nlp, geoparser):
    def run(text: str) -> list[Event]:
        return extract_events(text, nlp, geoparser=geoparser)

    return run


def main(events: list[Event]) -> str:
    return events[0].type if events else "none"


def test_every_type_is_defined_with_taxonomy_names():
    data = tomllib.loads(TYPES_FILE.read_text(encoding="utf-8"))
    assert set(definitions()) == set(EVENT_TYPES)
    for t in EVENT_TYPES:
        assert data[t]["definition"] and "priority" in data[t]
        assert data[t]["plover"] or data[t]["cameo"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Artillery units pounded the outskirts of Sloviansk overnight.", "shelling"),
        ("Rockets hit a school in Kramatorsk on Tuesday.", "shelling"),
        ("A Russian missile strike destroyed a warehouse in Lviv.", "shelling"),
        ("Helicopters fired on a convoy near Tessalit.", "air_strike"),
        ("A drone hit a fuel depot in Kursk early on Sunday.", "air_strike"),
        ("An air raid on Aleppo flattened two buildings.", "air_strike"),
        ("A roadside bomb tore through a minibus near Kandahar.", "explosion"),
        ("A tractor driver was hurt when his vehicle ran over a mine near Balakliia.", "explosion"),
        ("Gunmen executed four farmers outside Kidal.", "attack_on_civilians"),
        ("Militiamen abducted a priest from his parish in Bamenda.", "attack_on_civilians"),
        (
            "Ukrainian troops regained control of Lyman after a week of fighting.",
            "territory_change",
        ),
        ("The army withdrew from Snake Island.", "territory_change"),
        ("Rebels and soldiers fought for hours near Rutshuru.", "armed_clash"),
        ("Security officers detained two journalists in Minsk.", "arrest"),
        ("Nurses went on strike in Nairobi over unpaid wages.", "protest"),
        ("Thousands rallied in Prague against rising energy prices.", "protest"),
        ("Rioters looted shops and torched cars in Durban.", "riot"),
        ("Negotiators from both sides met in Geneva to discuss a truce.", "talks"),
        ("The two sides swapped 50 prisoners of war on Friday.", "talks"),
        ("Canada imposed sanctions on six Russian oligarchs.", "sanctions"),
        ("Buses evacuated 300 residents from Lysychansk.", "evacuation"),
        ("A humanitarian convoy brought food and medicine to Sumy.", "aid"),
        ("Germany will supply howitzers and ammunition to Ukraine.", "military_aid"),
    ],
)
def test_main_type(ev, text, expected):
    assert main(ev(text)) == expected


@pytest.mark.parametrize(
    "text",
    [
        "A magnitude 6.1 earthquake struck western Nepal on Friday, killing 12 people.",
        "A bus crashed into a ravine near La Paz, killing 9 passengers.",
        "Police arrested a man who stole cash from a petrol station in Leeds.",
        "The central bank raised interest rates to 9 percent.",
        "A gas explosion at a bakery injured three workers in Marseille.",
    ],
)
def test_disasters_accidents_crime_and_economics_carry_no_event(ev, text):
    assert ev(text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Weapons named as goods are military aid, not attacks.
        ("Poland sent ballistic missiles and tanks to the Ukrainian army.", "military_aid"),
        ("Chad received a shipment of Chinese rocket launchers last week.", "military_aid"),
        ("The navy took delivery of four attack helicopters from Italy.", "military_aid"),
        # Food and agencies make a delivery humanitarian.
        ("UNICEF trucks brought flour and rice to Malakal on Monday.", "aid"),
        ("Ten lorries carrying medicine and food entered Idlib from Turkey.", "aid"),
        # Projectiles landing are the strike of their weapon.
        ("Three rockets landed near the airport in Erbil overnight.", "shelling"),
        # A mine decides over the "tank" in "anti-tank".
        ("A shepherd died when his cart hit an anti-tank mine near Kupiansk.", "explosion"),
        # Crowds fighting with stones riot; armed men burning homes attack civilians.
        ("Rival party supporters clashed with stones and sticks in Kisumu.", "riot"),
        ("Armed men set fire to houses in a village near Jos.", "attack_on_civilians"),
        ("Militants stormed a village near Djibo, killing dozens.", "attack_on_civilians"),
        # Force against demonstrators stays a protest.
        ("Soldiers opened fire on demonstrators in Mandalay.", "protest"),
        ("Rebels and soldiers died in an encounter near Kidapawan.", "armed_clash"),
        ("The foreign ministers spoke by phone about the border dispute.", "talks"),
    ],
)
def test_arguments_decide_the_sense(ev, text, expected):
    assert main(ev(text)) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Argentina's strikers launched attacks on the Brazilian goal in the second half.",
        "The spinners bombarded the batsmen with short balls in the Test match.",
        "Hackers attacked the websites of the tax office in Riga.",
        "North Korea test-fired a cruise missile during a naval exercise.",
        "Food prices exploded in Lagos after the devaluation.",
        "The two airlines reached a code-share agreement in Dubai.",
        "The Red Cross delivered food and tents to villages hit by the earthquake.",
        "Residents were evacuated from their homes after a flood.",
        "The embassy lodged a formal protest with the foreign ministry.",
    ],
)
def test_other_domains_carry_no_event(nlp, text):
    from geo.events import events_in_doc

    # The rules' vetoes; the classifier may still add an event it is sure of.
    assert events_in_doc(nlp(text), model="rules") == []


def test_the_weapon_decides_over_the_victims(ev):
    evs = ev("Russian forces shelled Nikopol, killing three civilians.")
    assert evs[0].type == "shelling"
    assert "attack_on_civilians" not in {e.type for e in evs}


def test_place_is_where_it_happened_not_the_attackers_country(ev):
    e = ev("Russian troops shelled Kharkiv on Monday.")[0]
    assert e.place == "Kharkiv" and e.place_basis == "sentence"
    assert e.actor == "Russian troops"
    assert e.resolved is not None and e.resolved.country_code == "UA"


def test_talks_happen_where_they_are_held(ev):
    e = ev("Ukraine and Russia held talks in Istanbul on Tuesday.")[0]
    assert e.type == "talks" and e.place == "Istanbul"


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("Moscow denies shelling the market in Donetsk.", "denied"),
        ("The Kremlin rejected claims that its troops executed civilians in Bucha.", "denied"),
        ("Russian forces did not attack Chernihiv on Sunday.", "negated"),
        ("No shelling was reported in Zaporizhzhia overnight.", "negated"),
        ("Kyiv and Moscow will hold talks in Minsk next week.", "planned"),
        ("The governor plans to evacuate children from Pokrovsk.", "planned"),
        ("If the ceasefire collapses, Russia could shell Odesa again.", "hypothetical"),
        ("The 1941 bombing of Kyiv destroyed most of Khreshchatyk.", "historical"),
        ("Kyiv says Russian forces shelled Kherson overnight.", "reported"),
    ],
)
def test_status(ev, text, status):
    assert ev(text)[0].status == status


def test_quoted_accusation_is_reported_with_its_source(ev):
    e = ev("Ukraine's army said Russian forces shelled Okhtyrka on Friday.")[0]
    assert e.status == "reported"
    assert "army" in e.source
    assert e.place == "Okhtyrka"


def test_a_list_of_places_gives_one_event_per_place(ev):
    evs = ev("Russian artillery shelled Kupiansk, Izium and Balakliia.")
    assert [e.place for e in evs if e.type == "shelling"] == ["Kupiansk", "Izium", "Balakliia"]


def test_several_events_in_one_sentence_each_have_their_place(ev):
    evs = ev("Russian troops captured Kherson and shelled Mykolaiv.")
    by_type = {e.type: e.place for e in evs}
    assert by_type["territory_change"] == "Kherson"
    assert by_type["shelling"] == "Mykolaiv"


def test_passive_voice_gives_the_actor_and_the_place(ev):
    e = ev("Chernihiv was shelled by Russian forces on Monday.")[0]
    assert e.type == "shelling" and e.place == "Chernihiv" and e.actor == "Russian forces"


def test_place_from_the_previous_sentence_only_through_an_anaphor(ev):
    evs = ev("Residents of Irpin buried their dead. Russian forces shelled the town again.")
    assert evs[0].type == "shelling" and evs[0].place == "Irpin"
    assert evs[0].place_basis == "previous sentence"
    evs = ev("Residents of Irpin buried their dead. Russian forces shelled houses again.")
    assert evs[0].place is None


def test_offsets_point_at_the_trigger_and_passage(ev):
    text = "Funerals were held. Drones struck a power station in Kharkiv."
    e = ev(text)[0]
    assert text[e.start : e.end] == e.trigger
    assert text[e.passage_start : e.passage_end].startswith("Drones struck")
    assert e.status in STATUSES and 0 < e.confidence <= 1


def test_events_in_doc_uses_the_given_mentions(nlp, geoparser):
    from geo.events import events_in_doc
    from geo.models import Article

    text = "Separatists attacked Ukrainian positions near Avdiivka."
    doc = nlp(text)
    art = Article("a", None, "", None, "", "en", text)
    from geo.recognize import recognize

    mentions = geoparser.resolver.resolve(art, recognize(doc, geoparser.gazetteer))
    evs = events_in_doc(doc, mentions)
    assert evs[0].type == "armed_clash"
    assert mentions[evs[0].place_index].text == "Avdiivka"


GOLD = [
    {"id": "1", "text": "Russian forces shelled Kharkiv.", "split": "dev",
     "events": [{"type": "shelling", "place": "Kharkiv", "status": "reported"}]},
    {"id": "2", "text": "An earthquake hit Nepal.", "split": "dev", "events": []},
    {"id": "3", "text": "Police detained ten protesters in Minsk.", "split": "holdout",
     "events": [{"type": "arrest", "place": "Minsk", "status": "reported"}]},
]  # fmt: skip


def test_score_main_type_multi_label_status_and_place():
    preds = {
        "1": [{"type": "shelling", "place": {"name": "Kharkiv"}, "status": "reported"}],
        "2": [{"type": "explosion", "place": None, "status": "reported"}],
        "3": [
            {"type": "protest", "place": {"name": "Minsk"}, "status": "reported"},
            {"type": "arrest", "place": {"name": "Minsk"}, "status": "reported"},
        ],
    }
    res = score(GOLD, preds)
    assert res["main"]["shelling"]["f1"] == 1.0
    assert res["main"]["arrest"]["recall"] == 0.0
    assert res["multi"]["arrest"]["f1"] == 1.0
    assert res["types_in_gold"] == ["shelling", "arrest"]
    assert res["main_macro_f1"] == 0.5
    assert res["confusion"]["none->explosion"] == 1
    assert res["status_accuracy"] == 1.0 and res["place_accuracy"] == 1.0


def test_cli_round_trip_and_eval(tmp_path, capsys, geoparser, monkeypatch):
    from geo import __main__ as cli
    from geo.cli import events as cli_events

    monkeypatch.setattr(cli_events, "geoparser", lambda args: geoparser)
    inp = tmp_path / "in.jsonl"
    inp.write_text(
        "\n".join(json.dumps(g) for g in GOLD) + "\n", encoding="utf-8"
    )  # gold records are also valid input records
    out = tmp_path / "out.jsonl"
    assert cli.main(["events", str(inp), "--predictions", str(out)]) == 0
    recs = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["id"] for r in recs] == ["1", "2", "3"]
    first = recs[0]["events"][0]
    assert set(first) >= {"type", "start", "end", "trigger", "place", "actor", "target"}
    assert first["type"] == "shelling" and first["place"]["name"] == "Kharkiv"
    assert first["place"]["geonameid"] and first["status"] == "reported"
    assert recs[1]["events"] == []
    capsys.readouterr()
    assert cli.main(["events", "--eval", str(inp), "--split", "dev", "--json"]) == 0
    res = json.loads(capsys.readouterr().out)
    assert res["passages"] == 2 and res["main"]["shelling"]["f1"] == 1.0
    assert cli.main(["events", "--eval", str(inp)]) == 0
    assert "macro-F1" in capsys.readouterr().out


# The main-type classifier (geo/event_model.py) and its combination with the rules -------


def tiny_model(thresholds=None):
    """Words decide: "truce", "parley" -> talks, "football" -> none; the rules' main type helps."""
    from geo.event_model import Model, Thresholds

    data = {
        "classes": ["none", "shelling", "talks"],
        "blocks": {
            "words": {
                "features": ["truce", "football", "parley"],
                "idf": [1.0, 2.0, 1.0],
                "scale": 1.0,
            },
            "chars": {"features": [" tr"], "idf": [1.0], "scale": 1.0},
            "rules": {"features": ["main=shelling", "main=none"], "idf": [], "scale": 1.0},
        },
        "coef": [
            [-1.0, 6.0, -1.0, 0.0, -1.0, 1.0],
            [-1.0, -1.0, -1.0, 0.0, 4.0, -1.0],
            [6.0, -1.0, 6.0, 0.5, -1.0, 0.0],
        ],
        "intercept": [0.0, 0.0, 0.0],
        "thresholds": {"rerank": 0.5, "drop": 0.6, "add": 0.6},
    }
    model = Model.from_json(data)
    assert model.to_json()["blocks"]["words"]["features"] == ["truce", "football", "parley"]
    assert model.thresholds == (thresholds or Thresholds(0.5, 0.6, 0.6))
    return model


def test_model_prediction_by_hand():
    import math

    from geo.event_model import analyze

    model = tiny_model()
    feats = analyze("Truce, truce!", [], None)
    assert feats["words"][:2] == ["truce", "truce"] and feats["rules"] == ["main=none"]
    x = model.vector(feats)
    # words: one feature, sublinear tf (1 + ln 2) * idf 1, L2-normalised -> 1.0; chars: " tr"
    # twice -> 1.0 (column 3); rules: main=none -> 1.0 (column 5).
    assert x == pytest.approx({0: 1.0, 3: 1.0, 5: 1.0})
    s = model.scores(feats)
    assert s == pytest.approx([-1.0 + 1.0, -1.0 - 1.0, 6.0 + 0.5])
    p = model.proba(feats)
    assert max(p, key=p.get) == "talks"
    assert sum(p.values()) == pytest.approx(1.0)
    assert p["talks"] == pytest.approx(math.exp(6.5) / sum(math.exp(v) for v in s))


def test_model_file_round_trip_and_malformed(tmp_path):
    from geo.event_model import load

    model = tiny_model()
    path = tmp_path / "m.json"
    path.write_text(json.dumps(model.to_json()), encoding="utf-8")
    assert load(path) == model
    bad = model.to_json()
    bad["coef"][0] = bad["coef"][0][:-1]
    with pytest.raises(ValueError):
        type(model).from_json(bad)


@pytest.mark.parametrize(
    ("rule_types", "proba", "expected"),
    [
        (["shelling"], {"shelling": 0.8, "talks": 0.1, "none": 0.1}, "shelling"),  # agree
        (["shelling", "talks"], {"talks": 0.55, "shelling": 0.4, "none": 0.05}, "talks"),
        (["shelling", "talks"], {"talks": 0.45, "shelling": 0.4, "none": 0.15}, "shelling"),
        (["shelling"], {"none": 0.65, "shelling": 0.3, "talks": 0.05}, "none"),
        (["shelling"], {"none": 0.55, "shelling": 0.4, "talks": 0.05}, "shelling"),
        ([], {"talks": 0.7, "none": 0.3, "shelling": 0.0}, "talks"),
        ([], {"talks": 0.5, "none": 0.3, "shelling": 0.2}, "none"),
    ],
)
def test_choose_main(rule_types, proba, expected):
    from geo.event_model import Thresholds, choose_main

    assert choose_main(rule_types, proba, Thresholds(0.5, 0.6, 0.6)) == expected


def test_classifier_overrules_keeps_and_adds_events(nlp):
    from geo.events import events_in_doc

    model = tiny_model()
    # Rules and classifier agree: the rules' events unchanged.
    doc = nlp("Russian forces shelled Kharkiv on Monday.")
    assert events_in_doc(doc, model="rules") == events_in_doc(doc, model=model)
    # The classifier is sure there is no event: none.
    doc = nlp("The football club shelled out millions; football fans shelled the pitch.")
    assert events_in_doc(doc, model="rules")
    assert events_in_doc(doc, model=model) == []
    # A type the rules did not find: an event of that type with the rules' arguments.
    doc = nlp("Russian forces shelled Kharkiv after the truce, truce envoys said.")
    evs = events_in_doc(doc, model=model)
    assert evs[0].type == "talks" and evs[0].trigger == "truce"
    assert "shelling" in {e.type for e in evs[1:]}
    # Nothing from the rules, the classifier sure of talks, no talks word: an event on the
    # first sentence's main word.
    doc = nlp("Envoys parley in private. The parley goes on.")
    assert events_in_doc(doc, model="rules") == []
    evs = events_in_doc(doc, model=model)
    assert [e.type for e in evs] == ["talks"] and evs[0].trigger in doc[:4].text
    assert 0 < evs[0].confidence <= 1


def test_long_documents_are_decided_sentence_by_sentence(nlp):
    from geo.events import events_in_doc

    text = (
        "Russian forces shelled Kharkiv on Monday. The mayor spoke. Schools closed. "
        "Football fans shelled the football pitch with football scarves."
    )
    doc = nlp(text)
    ruled = events_in_doc(doc, model="rules")
    assert len({e.passage_start for e in ruled}) == 2
    evs = events_in_doc(doc, model=tiny_model())
    assert [e.type for e in evs] == ["shelling"] and evs[0].place == "Kharkiv"


def test_shipped_model_loads_and_is_used():
    from geo.event_model import MODEL_FILE, default_model

    model = default_model()
    assert MODEL_FILE.stat().st_size < 600_000
    assert model is not None and "none" in model.classes
    assert set(model.classes) <= {*EVENT_TYPES, "none"}


def test_cli_eval_reports_the_combined_figures(tmp_path, capsys, geoparser, monkeypatch):
    from geo import __main__ as cli
    from geo import events
    from geo.cli import events as cli_events

    monkeypatch.setattr(cli_events, "geoparser", lambda args: geoparser)
    gold = [
        {"id": "f", "text": "Football fans shelled the football pitch with scarves.", "events": []},
        {"id": "k", "text": "Russian forces shelled Kharkiv.", "events": GOLD[0]["events"]},
    ]
    path = tmp_path / "gold.jsonl"
    path.write_text("\n".join(json.dumps(g) for g in gold) + "\n", encoding="utf-8")
    monkeypatch.setattr(events, "default_model", lambda: "rules")
    assert cli.main(["events", "--eval", str(path), "--json"]) == 0
    rules_only = json.loads(capsys.readouterr().out)
    assert rules_only["confusion"]["none->shelling"] == 1
    monkeypatch.setattr(events, "default_model", tiny_model)
    assert cli.main(["events", "--eval", str(path), "--json"]) == 0
    combined = json.loads(capsys.readouterr().out)
    assert combined["confusion"] == {"none->none": 1, "shelling->shelling": 1}
    assert combined["main_accuracy"] == 1.0
