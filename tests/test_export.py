import csv
import io
import json
from datetime import date

import pytest

from geo.export import (
    events_csv,
    events_geojson,
    passages_csv,
    passages_geojson,
    places_csv,
    places_geojson,
    write_passages_csv,
    write_passages_geojson,
)
from geo.models import Article, EventRow, Passage, Place, PlaceCount

KYIV = Place(703448, "Kyiv", "city", 50.45, 30.52, "UA")
TEXAS = Place(4736286, "Texas", "admin1", 31.25, -98.5, "US")
EVIL = Place(None, '=cmd|"/c calc"!A1 \\ </script>\n', "region", -16.5, -179.9, None)


def rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_places_csv():
    out = rows(places_csv([PlaceCount(KYIV, 12, 3)]))
    assert out[0][:3] == ["place", "kind", "country"]
    assert out[1] == ["Kyiv", "city", "UA", "50.45", "30.52", "12", "3", "703448"]


def test_places_csv_keeps_negative_numbers_numbers_and_guards_text():
    out = rows(places_csv([PlaceCount(TEXAS, 5, 2), PlaceCount(EVIL, 1, 1)]))
    texas = dict(zip(out[0], out[1], strict=True))
    assert (texas["lat"], texas["lon"]) == ("31.25", "-98.5")  # not "'-98.5"
    float(texas["lon"])
    evil = dict(zip(out[0], out[2], strict=True))
    assert evil["place"].startswith("'=") and evil["lat"] == "-16.5" and evil["lon"] == "-179.9"
    assert evil["geonameid"] == ""


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "-98.5"])
def test_text_cells_that_start_a_formula_are_guarded(text):
    place = Place(1, text, "city", 0.0, -1.0, text)
    row = rows(places_csv([PlaceCount(place, 1, 1)]))[1]
    assert row[0] == "'" + text and row[2] == "'" + text
    assert row[4] == "-1.0"


def test_passages_csv_quotes_and_neutralises_formulas():
    text = 'Shelling hit Kyiv, "officials" said.\nMore later.'
    art = Article(
        "a", "https://x.org/1", '=HYPERLINK("http://evil")', date(2022, 3, 1), "@src", "en", text
    )
    out = rows(passages_csv(KYIV, [Passage(art, 13, 17, "name", "city of 3.0M")]))
    row = dict(zip(out[0], out[1], strict=True))
    assert row["title"].startswith("'=") and row["source"] == "'@src"
    assert 'Shelling hit Kyiv, "officials" said.' in row["passage"]
    assert (row["start"], row["end"], row["published"]) == ("13", "17", "2022-03-01")
    assert row["start"] == "13"  # numbers are not guarded


def test_places_geojson_parses_back_with_lon_lat_order():
    gj = json.loads(places_geojson([PlaceCount(TEXAS, 5, 2), PlaceCount(EVIL, 1, 1)]))
    assert gj["type"] == "FeatureCollection" and len(gj["features"]) == 2
    texas, evil = gj["features"]
    assert texas["type"] == "Feature"
    assert texas["geometry"] == {"type": "Point", "coordinates": [-98.5, 31.25]}
    assert texas["properties"] == {
        "name": "Texas", "kind": "admin1", "country": "US", "mentions": 5, "articles": 2,
        "key": "gn:4736286", "geonameid": 4736286,
    }  # fmt: skip
    assert evil["properties"]["name"] == EVIL.name  # escaped in JSON, equal once parsed
    assert evil["properties"]["key"] == EVIL.key and evil["properties"]["country"] is None
    assert evil["geometry"]["coordinates"] == [-179.9, -16.5]


def test_places_geojson_empty_selection():
    assert json.loads(places_geojson([])) == {"type": "FeatureCollection", "features": []}


def test_passages_geojson_one_point_per_passage():
    text = 'Shelling hit Kyiv, "officials" said.\nMore later in Kyiv.'
    art = Article("a", "https://x.org/1", 'Title "</script>', date(2022, 3, 1), "src", "en", text)
    undated = Article("b", None, "Untitled \\ \u2028", None, "wire", "en", text)
    raw = passages_geojson(
        KYIV, [Passage(art, 13, 17, "name", ""), Passage(undated, 51, 55, "name", "")]
    )
    gj = json.loads(raw)
    assert gj["type"] == "FeatureCollection"
    first, second = gj["features"]
    assert first["geometry"] == {"type": "Point", "coordinates": [30.52, 50.45]}
    p = first["properties"]
    assert p["place"] == "Kyiv" and p["key"] == "gn:703448"
    assert p["title"] == 'Title "</script>' and p["published"] == "2022-03-01"
    assert p["source"] == "src" and p["url"] == "https://x.org/1"
    assert 'Shelling hit Kyiv, "officials" said.' in p["passage"] and "\n" not in p["passage"]
    q = second["properties"]
    assert q["published"] is None and q["url"] is None and q["title"] == "Untitled \\ \u2028"
    assert text[q["start"] : q["end"]] == "Kyiv"


def test_exports_say_which_passages_a_user_corrected():
    import json

    from geo.export import passages_geojson

    text = "Odessa port reopened."
    art = Article("a", None, "=cmd", date(2022, 3, 1), "S", "en", text)
    fixed = Passage(art, 0, 6, "name", "city of 114k", 7, "=HYPERLINK(x)", "Odessa")
    plain = Passage(art, 0, 6, "name", "city of 1M")
    rows = list(csv.reader(io.StringIO(passages_csv(KYIV, [fixed, plain]))))
    head = rows[0]
    assert head[-2:] == ["corrected", "geoparser_place"]
    assert rows[1][-2:] == ["by a user: =HYPERLINK(x)", "Odessa"]  # not at a cell's start
    assert rows[2][-2:] == ["", ""] and rows[1][6] == "'=cmd"
    feats = json.loads(passages_geojson(KYIV, [fixed, plain]))["features"]
    assert feats[0]["properties"]["corrected"] == "by a user: =HYPERLINK(x)"
    assert feats[1]["properties"]["corrected"] is None


def test_passage_files_stream_every_passage_with_the_place_point_and_country():
    """A generator of any length is written row by row: nothing is capped or held."""
    text = "Shelling near Kyiv again."
    arts = (Article(f"a{i}", None, f"T{i}", date(2022, 3, 1), "S", "en", text) for i in range(1200))
    passages = (Passage(a, 14, 18, "name", "") for a in arts)
    out = io.StringIO()
    write_passages_csv(TEXAS, passages, out)
    got = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert len(got) == 1200
    assert (got[0]["place"], got[0]["country"]) == ("Texas", "US")
    assert float(got[0]["lon"]) == TEXAS.lon < 0 and float(got[0]["lat"]) == TEXAS.lat
    out = io.StringIO()
    write_passages_geojson(
        TEXAS, (Passage(Article(f"b{i}", None, "t", None, "S", "en", text), 14, 18, "name", "")
                for i in range(700)), out,
    )  # fmt: skip
    feats = json.loads(out.getvalue())["features"]
    assert len(feats) == 700 and feats[0]["properties"]["country"] == "US"
    assert feats[0]["geometry"]["coordinates"] == [TEXAS.lon, TEXAS.lat]
    empty = io.StringIO()
    write_passages_geojson(TEXAS, [], empty)
    assert json.loads(empty.getvalue()) == {"type": "FeatureCollection", "features": []}


def _event(place=KYIV, **kw) -> EventRow:
    text = "Russian forces shelled Kyiv overnight. Nothing else."
    art = Article(
        "a1", "https://example.org/a", "=Kyiv shelled", date(2022, 3, 2), "Wire", "en", text
    )
    values = dict(
        id=7, article=art, type="shelling", status="reported", start=15, end=22,
        passage_start=0, passage_end=38, place=place, actor="Russian forces",
        confidence=0.91234,
    )  # fmt: skip
    return EventRow(**(values | kw))


def test_events_csv_carries_type_actor_status_confidence_and_the_quote():
    out = rows(events_csv([_event(), _event(place=None, status="denied", actor="")]))
    first = dict(zip(out[0], out[1], strict=True))
    assert first["published"] == "2022-03-02"
    assert (first["type"], first["type_label"], first["status"]) == (
        "shelling",
        "Shelling",
        "reported",
    )
    assert (first["place"], first["lat"], first["lon"], first["country"]) == (
        "Kyiv",
        "50.45",
        "30.52",
        "UA",
    )
    assert (first["actor"], first["confidence"], first["trigger"]) == (
        "Russian forces",
        "0.912",
        "shelled",
    )
    assert first["quote"] == "Russian forces shelled Kyiv overnight."
    assert first["title"] == "'=Kyiv shelled"  # a formula stays text
    second = dict(zip(out[0], out[2], strict=True))
    assert (second["place"], second["lat"], second["status"], second["actor"]) == (
        "",
        "",
        "denied",
        "",
    )


def test_events_geojson_points_at_the_place_or_has_no_geometry():
    data = json.loads(events_geojson([_event(), _event(place=None)]))
    a, b = data["features"]
    assert a["geometry"] == {"type": "Point", "coordinates": [30.52, 50.45]}
    assert a["properties"]["type"] == "shelling" and a["properties"]["actor"] == "Russian forces"
    assert a["properties"]["key"] == KYIV.key and a["properties"]["event_id"] == 7
    assert b["geometry"] is None and b["properties"]["place"] is None
