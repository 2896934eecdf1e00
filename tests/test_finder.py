"""geo.finder: the names people write find the place the corpus means."""

from __future__ import annotations

import pytest

from geo import finder
from geo.models import Place, PlaceCount


def city(gid: int, name: str, cc: str = "UA") -> Place:
    return Place(gid, name, "city", 0.0, 0.0, cc)


KHARKIV = PlaceCount(city(706483, "Kharkiv"), 220, 100)
KYIV = PlaceCount(city(703448, "Kyiv"), 650, 300)
LUHANSK = PlaceCount(city(702658, "Luhansk"), 97, 50)
ZAPORIZHZHIA = PlaceCount(city(687700, "Zaporizhzhya"), 52, 30)
MYKOLAIV = PlaceCount(city(700569, "Mykolayiv"), 42, 20)
BAKHMUT = PlaceCount(city(713174, "Bakhmut"), 17, 9)
SIEVIERODONETSK = PlaceCount(city(691999, "Siverskodonetsk"), 31, 12)
ODESA = PlaceCount(city(698740, "Odesa"), 105, 60)
ODESSA_TX = PlaceCount(city(5527554, "Odessa", "US"), 1, 1)
DONBAS = PlaceCount(Place(None, "Donbas", "region", 48.0, 38.0, "UA"), 540, 279)
SELECTION = [KYIV, DONBAS, KHARKIV, ODESA, LUHANSK, ZAPORIZHZHIA, MYKOLAIV, SIEVIERODONETSK,
             BAKHMUT, ODESSA_TX]  # fmt: skip


@pytest.mark.parametrize(
    ("typed", "want"),
    [
        ("Kharkov", KHARKIV),
        ("Kiev", KYIV),
        ("Lugansk", LUHANSK),
        ("Zaporozhye", ZAPORIZHZHIA),
        ("Nikolaev", MYKOLAIV),
        ("Artemovsk", BAKHMUT),
        ("Severodonetsk", SIEVIERODONETSK),
        ("Odessa", ODESA),
        ("  kyiv ", KYIV),
        ("Kharkic", KHARKIV),  # a typo
        ("Donbass", DONBAS),  # a place without a GeoNames id
        ("Mariupol", None),  # not in the selection
        # Cyrillic: Ukrainian and Russian names, lower case, case forms
        ("Харків", KHARKIV),
        ("Харьков", KHARKIV),
        ("Киев", KYIV),
        ("Київ", KYIV),
        ("Одесса", ODESA),
        ("Одеса", ODESA),
        ("харків", KHARKIV),
        ("Харкові", KHARKIV),
        ("Харькове", KHARKIV),
        ("Бахмута", BAKHMUT),
        ("Артемовск", BAKHMUT),
        ("Луганськ", LUHANSK),
        ("Маріуполь", None),
    ],
)
def test_names_people_write_find_the_place_the_corpus_means(gazetteer, typed, want):
    found = finder.find_places(typed, SELECTION, gazetteer)
    assert (found[0].count if found else None) == want, found


def test_odessa_lists_the_corpus_odesa_first_and_texas_after(gazetteer):
    found = finder.find_places("Odessa", SELECTION, gazetteer)
    assert [f.count for f in found[:2]] == [ODESA, ODESSA_TX]
    assert found[0].how == finder.ALTERNATE and found[1].how == finder.EXACT


def test_typos_of_other_names_are_read_only_when_nothing_else_matches():
    asked = []

    def names_of(ids):
        asked.append(sorted(ids))
        return {713174: ["Bakhmut", "Artemovsk", "Artyomovsk"]}

    found = finder.find_places("Artemovks", [BAKHMUT, KYIV], None, names_of=names_of)
    assert [f.count for f in found] == [BAKHMUT] and found[0].how == finder.SIMILAR
    assert asked == [[703448, 713174]]
    assert finder.find_places("Kyiv", [BAKHMUT, KYIV], None, names_of=names_of)[0].count == KYIV
    assert len(asked) == 1
    assert finder.find_places("", [KYIV], None) == []
