import sqlite3
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geo.errors import StoreError
from geo.models import Article, Mention, Place
from geo.store import Query, Store

KYIV = Place(703448, "Kyiv", "city", 50.45, 30.52, "UA")
UA = Place(690791, "Ukraine", "country", 49.0, 32.0, "UA")


def art(
    aid="a1",
    text="Kyiv is the capital of Ukraine.",
    published=date(2022, 3, 1),
    url="https://x.org/1",
    source="S1",
):
    return Article(aid, url, f"Title {aid}", published, source, "en", text)


def mentions_for(a: Article):
    out = []
    for name, place in (("Kyiv", KYIV), ("Ukraine", UA)):
        i = a.text.find(name)
        if i >= 0:
            out.append(Mention(a.id, i, i + len(name), name, "name", place, "test"))
    return out


def test_save_and_query(tmp_store):
    a = art()
    assert tmp_store.save(a, mentions_for(a), "v1", "t").status == "added"
    counts = tmp_store.place_counts(Query())
    assert {(c.place.name, c.mentions) for c in counts} == {("Kyiv", 1), ("Ukraine", 1)}
    (p,) = tmp_store.passages(KYIV.key, Query())
    assert p.article == a and a.text[p.start : p.end] == "Kyiv"
    assert tmp_store.article("a1") == a


def test_same_text_or_url_is_not_duplicated(tmp_store):
    a = art()
    tmp_store.save(a, mentions_for(a), "v1", "t")
    assert tmp_store.save(art(aid="other-id"), mentions_for(a), "v1", "t").status == "skipped"
    changed = art(text="Kyiv was quiet.")  # same URL, new text: an update
    assert tmp_store.save(changed, mentions_for(changed), "v1", "t").status == "updated"
    assert tmp_store.counts()["articles"] == 1
    assert tmp_store.save(changed, mentions_for(changed), "v2", "t").status == "updated"
    assert tmp_store.stale_articles("v3") == [changed]


@pytest.fixture
def three_dates(tmp_store):
    """Kyiv in articles of 1 March, 1 May and no date."""
    for a in (
        art("a1"),
        art("a2", url=None, text="Kyiv again.", published=date(2022, 5, 1)),
        art("a3", url=None, text="Kyiv, undated.", published=None),
    ):
        tmp_store.save(a, mentions_for(a), "v1", "t")
    return tmp_store


def test_date_filter_and_undated(three_dates):
    tmp_store = three_dates
    q = Query(start=date(2022, 4, 1), end=date(2022, 6, 1))
    assert [c.mentions for c in tmp_store.place_counts(q) if c.place == KYIV] == [2]
    q = Query(start=date(2022, 4, 1), end=date(2022, 6, 1), include_undated=False)
    assert [c.mentions for c in tmp_store.place_counts(q) if c.place == KYIV] == [1]
    assert tmp_store.date_bounds() == (date(2022, 3, 1), date(2022, 5, 1))
    assert tmp_store.counts()["undated"] == 1


def test_source_kind_text_filters(tmp_store):
    a1, a2 = art("a1", source="S1"), art("a2", url=None, text="Ukraine only.", source="S2")
    for a in (a1, a2):
        tmp_store.save(a, mentions_for(a), "v1", "t")
    names = lambda q: {c.place.name for c in tmp_store.place_counts(q)}  # noqa: E731
    assert names(Query(sources=("S2",))) == {"Ukraine"}
    assert names(Query(kinds=("city",))) == {"Kyiv"}
    assert names(Query(text="capital")) == {"Kyiv", "Ukraine"}
    assert names(Query(text="only")) == {"Ukraine"}
    assert names(Query(text="'; DROP TABLE article; --")) == set()
    assert tmp_store.counts()["articles"] == 2


def test_demonyms_hidden_unless_asked(tmp_store):
    a = art(text="Russian troops left.")
    ru = Place(2017370, "Russia", "country", 60, 100, "RU")
    tmp_store.save(a, [Mention(a.id, 0, 7, "Russian", "demonym", ru, "")], "v1", "t")
    assert tmp_store.place_counts(Query()) == []
    assert tmp_store.place_counts(Query(include_demonyms=True))[0].place == ru


def test_failed_save_rolls_back(tmp_store):
    a = art()
    tmp_store.save(a, mentions_for(a), "v1", "t")
    before = tmp_store.revision()
    b = art("b", url=None, text="Kyiv text.")
    bad = [Mention("b", 0, 4, "Nope", "name", KYIV, "")]  # offsets do not match the text
    with pytest.raises(ValueError):
        tmp_store.save(b, bad, "v1", "t")
    assert tmp_store.counts()["articles"] == 1 and tmp_store.revision() == before


def test_newer_schema_is_refused(tmp_path):
    p = tmp_path / "new.sqlite"
    con = sqlite3.connect(p)
    con.execute("PRAGMA user_version = 99")
    con.close()
    with pytest.raises(StoreError, match="newer version"):
        Store(p)


def test_not_a_database(tmp_path):
    p = tmp_path / "junk.sqlite"
    p.write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(StoreError):
        Store(p)


def test_pragmas(tmp_store):
    con = tmp_store.con()
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert con.execute("PRAGMA foreign_keys").fetchone()[0] == 1


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    title=st.text(min_size=1, max_size=30),
    text=st.text(min_size=1, max_size=200).filter(lambda t: t.strip()),
    published=st.one_of(st.none(), st.dates()),
)
def test_stored_rows_read_back_equal(tmp_path_factory, title, text, published):
    store = Store(tmp_path_factory.mktemp("h") / "s.sqlite")
    a = Article("id", None, title, published, "src", "en", text)
    m = Mention("id", 0, 1, text[0], "name", KYIV, "r")
    store.save(a, [m], "v1", "t")
    assert store.article("id") == a
    assert store.mentions_of("id") == [m]


def test_timeline_and_passage_count(three_dates):
    tmp_store = three_dates
    assert tmp_store.timeline(KYIV.key, Query()) == [(date(2022, 3, 1), 1), (date(2022, 5, 1), 1)]
    assert tmp_store.count_passages(KYIV.key, Query()) == (3, 3)
    later = Query(start=date(2022, 4, 1), include_undated=False)
    assert tmp_store.count_passages(KYIV.key, later) == (1, 1)
