import csv
import io
from datetime import date

from geo.export import passages_csv, places_csv
from geo.models import Article, Passage, Place, PlaceCount

KYIV = Place(703448, "Kyiv", "city", 50.45, 30.52, "UA")


def rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_places_csv():
    out = rows(places_csv([PlaceCount(KYIV, 12, 3)]))
    assert out[0][:3] == ["place", "kind", "country"]
    assert out[1] == ["Kyiv", "city", "UA", "50.45", "30.52", "12", "3", "703448"]


def test_passages_csv_quotes_and_neutralises_formulas():
    text = 'Shelling hit Kyiv, "officials" said.\nMore later.'
    art = Article(
        "a", "https://x.org/1", '=HYPERLINK("http://evil")', date(2022, 3, 1), "@src", "en", text
    )
    out = rows(passages_csv("Kyiv", [Passage(art, 13, 17, "name", "city of 3.0M")]))
    row = dict(zip(out[0], out[1], strict=True))
    assert row["title"].startswith("'=") and row["source"] == "'@src"
    assert 'Shelling hit Kyiv, "officials" said.' in row["passage"]
    assert (row["start"], row["end"], row["published"]) == ("13", "17", "2022-03-01")
