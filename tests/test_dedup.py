import json
import re
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geo import dedup
from geo.dedup import canonical_url, signature, similarity
from geo.models import Article, Mention, Place
from geo.store import Query

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample" / "wikinews_gum.jsonl"
MECCA = Place(104515, "Mecca", "city", 21.43, 39.83, "SA")
SAUDI = Place(102358, "Saudi Arabia", "country", 25.0, 45.0, "SA")
PLACES = {"Mecca": MECCA, "Saudi Arabia": SAUDI}


def sample(rid: str) -> dict:
    with SAMPLE.open(encoding="utf-8") as fh:
        return next(r for r in map(json.loads, fh) if r["id"] == rid)


STAMPEDE = sample("GUM_news_stampede")["text"]  # Hajj stampede near Mecca, 2006
CRANE = sample("GUM_news_crane")["text"]  # another story from Mecca, 2015
# The stampede story as a second outlet ran it: a few words changed, a line added.
WIRE_COPY = (
    STAMPEDE.replace("over 345", "at least 345")
    .replace("annual", "yearly")
    .replace("Last week", "Earlier this month")
    + "\n\nReporting by the wire desk."
)


def article(aid: str, text: str, source: str, published: date | None = date(2006, 1, 12)):
    return Article(aid, f"https://{source}/{aid}", f"Title {aid}", published, source, "en", text)


def mentions(a: Article) -> list[Mention]:
    out = []
    for name, place in PLACES.items():
        for m in re.finditer(re.escape(name), a.text):
            out.append(Mention(a.id, m.start(), m.end(), name, "name", place, ""))
    return sorted(out, key=lambda m: m.start)


def save(store, a: Article):
    return store.save(a, mentions(a), "v1", "test")


@pytest.mark.parametrize(
    "url, canonical",
    [
        (
            "HTTPS://WWW.Example.ORG:443/News/Story/?utm_source=tw&b=2&a=1#comments",
            "https://example.org/News/Story?a=1&b=2",
        ),
        ("http://example.org:80/", "http://example.org/"),
        ("http://example.org", "http://example.org/"),
        ("http://example.org:8080/x/", "http://example.org:8080/x"),
        (
            "https://example.org/a?fbclid=1&gclid=2&mc_cid=3&mc_eid=4&UTM_Medium=5&id=7",
            "https://example.org/a?id=7",
        ),
        ("https://example.org/a?", "https://example.org/a"),
        ("https://example.org/a%2fb", "https://example.org/a%2Fb"),
        (
            "https://example.org/search?q=kyiv+news&page=",
            "https://example.org/search?page=&q=kyiv%20news",
        ),
        ("  https://www.example.org/a  ", "https://example.org/a"),
        ("https://wwwexample.org/a", "https://wwwexample.org/a"),
        ("mailto:desk@example.org", "mailto:desk@example.org"),
        ("not a url", "not a url"),
        ("http://example.org:notaport/", "http://example.org:notaport/"),
    ],
)
def test_canonical_url(url, canonical):
    assert canonical_url(url) == canonical


def test_shared_links_of_one_page_agree():
    forms = [
        "https://www.kyivindependent.com/news/strike/",
        "https://kyivindependent.com/news/strike?utm_source=telegram&utm_medium=social",
        "HTTPS://KyivIndependent.com:443/news/strike#top",
        "https://kyivindependent.com/news/strike/?fbclid=IwAR0abc",
    ]
    assert len({canonical_url(f) for f in forms}) == 1


@given(
    host=st.from_regex(r"(www\.)?[a-z]{1,8}\.(org|com)", fullmatch=True),
    path=st.lists(st.from_regex(r"[A-Za-z0-9_.~-]{1,6}", fullmatch=True), max_size=3),
    params=st.lists(
        st.tuples(st.sampled_from(["a", "b", "utm_source", "id", "fbclid"]), st.text(max_size=5)),
        max_size=4,
    ),
    slash=st.booleans(),
)
def test_canonical_url_is_idempotent(host, path, params, slash):
    from urllib.parse import urlencode

    url = f"https://{host}/{'/'.join(path)}{'/' if slash else ''}?{urlencode(params)}"
    once = canonical_url(url)
    assert canonical_url(once) == once
    assert "utm_source" not in once and "fbclid" not in once and "www." not in once


def test_url_ids_agree_for_one_page():
    from geo.dedup import url_id

    assert url_id("https://www.example.org/a/?utm_source=x#c") == url_id("https://example.org/a")
    assert url_id("https://example.org/a") != url_id("https://example.org/b")
    assert len(url_id("https://example.org/a")) == 16


def test_signatures():
    assert signature("Kyiv was quiet.") is None  # too short to judge
    a, b, c = signature(STAMPEDE), signature(WIRE_COPY), signature(CRANE)
    assert len(a) == 4 * dedup.NUM_PERM and len(dedup.band_keys(a)) == dedup.BANDS
    assert similarity(a, b) == similarity(b, a) >= dedup.NEAR_DUP_THRESHOLD
    assert similarity(a, c) < 0.2
    half = STAMPEDE[: len(STAMPEDE) // 2]  # a shortened version shares about half its shingles
    assert similarity(a, signature(half)) < dedup.NEAR_DUP_THRESHOLD
    assert signature(STAMPEDE) == a  # stable: signatures are stored and compared later


@pytest.fixture
def grouped(tmp_store):
    """The stampede story, its wire copy from another outlet, and an unrelated Mecca story."""
    first = save(tmp_store, article("ap-1", STAMPEDE, "wire.example"))
    copy = save(tmp_store, article("paper-7", WIRE_COPY, "paper.example", date(2006, 1, 13)))
    other = save(tmp_store, article("crane", CRANE, "news.example", date(2015, 9, 12)))
    assert first.near_duplicate_of is None and other.near_duplicate_of is None
    assert (copy.status, copy.near_duplicate_of) == ("added", "ap-1")
    return tmp_store


def test_near_duplicate_joins_the_earlier_articles_group(grouped):
    assert grouped.counts()["articles"] == 3 and grouped.counts()["near_duplicates"] == 1
    assert grouped.also_published("ap-1") == [
        ("paper.example", "https://paper.example/paper-7", "Title paper-7")
    ]
    assert grouped.also_published("paper-7") == [
        ("wire.example", "https://wire.example/ap-1", "Title ap-1")
    ]
    assert grouped.also_published("crane") == []
    assert grouped.also_published("unknown") == []


def test_a_group_counts_once(grouped):
    n_stampede = sum(m.text == "Mecca" for m in mentions(article("x", STAMPEDE, "s")))
    n_crane = sum(m.text == "Mecca" for m in mentions(article("x", CRANE, "s")))
    counts = {c.place.name: c for c in grouped.place_counts(Query())}
    assert (counts["Mecca"].mentions, counts["Mecca"].articles) == (n_stampede + n_crane, 2)
    assert grouped.count_passages(MECCA.key, Query()) == (n_stampede + n_crane, 2)
    shown = grouped.passages(MECCA.key, Query())
    assert {p.article.id for p in shown} == {"ap-1", "crane"}
    assert sum(n for _, n in grouped.timeline(MECCA.key, Query())) == n_stampede + n_crane
    # A selection without the first article: its copy speaks for the story.
    only_copy = Query(sources=("paper.example",))
    assert {p.article.id for p in grouped.passages(MECCA.key, only_copy)} == {"paper-7"}
    assert grouped.count_passages(MECCA.key, only_copy) == (n_stampede, 1)


def test_the_member_that_mentions_a_place_most_represents_the_group(tmp_store):
    save(tmp_store, article("ap-1", STAMPEDE, "wire.example"))
    fuller = WIRE_COPY + " Mecca hospitals were overwhelmed."
    save(tmp_store, article("paper-7", fuller, "paper.example"))
    n_first = STAMPEDE.count("Mecca")
    (mecca,) = [c for c in tmp_store.place_counts(Query()) if c.place == MECCA]
    assert (mecca.mentions, mecca.articles) == (n_first + 1, 1)
    assert {p.article.id for p in tmp_store.passages(MECCA.key, Query())} == {"paper-7"}
    # Another place of the same group is represented by whichever member mentions it most.
    (saudi,) = [c for c in tmp_store.place_counts(Query()) if c.place == SAUDI]
    assert (saudi.mentions, saudi.articles) == (STAMPEDE.count("Saudi Arabia"), 1)


def test_group_survives_its_first_article_changing(grouped):
    third = save(grouped, article("tv-3", WIRE_COPY + " More soon.", "tv.example"))
    assert third.near_duplicate_of == "ap-1"
    res = save(grouped, article("ap-1", CRANE + " Updated.", "wire.example"))
    assert (res.status, res.text_changed) == ("updated", True)
    # ap-1 now tells the crane story; the two copies of the stampede stay together.
    assert res.near_duplicate_of == "crane"
    assert [s for s, _, _ in grouped.also_published("paper-7")] == ["tv.example"]
    assert sorted(s for s, _, _ in grouped.also_published("crane")) == ["wire.example"]
    assert grouped.con().execute("PRAGMA foreign_key_check").fetchall() == []


def test_short_texts_are_never_grouped(tmp_store):
    for i, text in enumerate(["Mecca.", "Mecca!", "In Mecca."]):
        assert save(tmp_store, article(f"s{i}", text, "s.example")).near_duplicate_of is None
    assert tmp_store.counts()["near_duplicates"] == 0


def test_candidates_are_found_through_the_band_index(grouped):
    con = grouped.con()
    n_bands = con.execute("SELECT COUNT(*) FROM article_band WHERE article_id='ap-1'").fetchone()
    assert n_bands == (dedup.BANDS,)
    plan = " ".join(
        r[3]
        for r in con.execute(
            "EXPLAIN QUERY PLAN SELECT DISTINCT article_id FROM article_band WHERE key IN (?,?)",
            (1, 2),
        )
    )
    assert "SEARCH article_band USING PRIMARY KEY" in plan


def test_first_article_becoming_a_copy_of_another_hands_its_group_on(grouped):
    res = save(grouped, article("ap-1", CRANE, "wire.example"))
    assert (res.status, res.article_id, res.replaced) == ("duplicate", "crane", "ap-1")
    assert grouped.article("ap-1") is None
    assert grouped.also_published("paper-7") == []
    assert [s for s, _, _ in grouped.also_published("crane")] == ["wire.example"]
    assert grouped.con().execute("PRAGMA foreign_key_check").fetchall() == []


TEXTS = [STAMPEDE, WIRE_COPY, WIRE_COPY + " More soon.", CRANE, CRANE + " Updated."]


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    ops=st.lists(
        st.tuples(
            st.sampled_from(["a", "b", "c", "d"]),
            st.sampled_from(range(len(TEXTS))),
            st.sampled_from(["v1", "v2"]),
        ),
        max_size=10,
    )
)
def test_groups_stay_consistent(tmp_path_factory, ops):
    """Whatever is saved in whatever order: flat groups, sound keys, each group counted once."""
    from geo.store import Store

    store = Store(tmp_path_factory.mktemp("g") / "s.sqlite")
    con = store.con()
    for aid, t, gp in ops:
        a = article(aid, TEXTS[t], f"{aid}.example")
        current = store.is_current(a, gp)
        res = store.save(a, mentions(a), gp, "test")
        assert current == (res.status == "skipped")
        assert con.execute("PRAGMA foreign_key_check").fetchall() == []
        chains = "SELECT COUNT(*) FROM article a JOIN article h ON h.id = a.dup_of"
        assert con.execute(chains + " WHERE h.dup_of IS NOT NULL").fetchone() == (0,)
        groups = con.execute(
            "SELECT COUNT(DISTINCT COALESCE(dup_of, id)) FROM article WHERE instr(text, 'Mecca')"
        ).fetchone()[0]
        mecca = [c for c in store.place_counts(Query()) if c.place == MECCA]
        assert [c.articles for c in mecca] == ([groups] if groups else [])
        if mecca:
            assert store.count_passages(MECCA.key, Query()) == (mecca[0].mentions, groups)
    store.close()
