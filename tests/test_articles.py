from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from geo.articles import (
    decode,
    fetch_url,
    iter_paths,
    load_file,
    parse_date,
    parse_record,
    save_upload,
)
from geo.errors import ArticleError, FetchError
from geo.models import Article, Failure

from .conftest import DATA, SEED


def one(path: Path):
    items = list(load_file(path))
    assert len(items) == 1
    return items[0]


def test_seed_article_metadata():
    art = one(SEED)
    assert isinstance(art, Article)
    assert art.title == "Russia, Ukraine Set for Face-to-Face Peace Talks"
    assert art.published == date(2022, 3, 28)
    assert art.url == (
        "https://www.themoscowtimes.com/2022/03/28/russia-ukraine-set-for-face-to-face-peace-talks-a77098"
    )
    assert art.source == "themoscowtimes.com (AFP)"
    assert art.id == "000_fa1a19d97a69d7e0"
    # Markup is gone, the body is kept, header and footer are not part of the text.
    assert "**" not in art.text and "Original url" not in art.text
    assert "March 28, 2022" not in art.text
    assert art.text.startswith("Negotiators seen ahead")
    assert "Trostianets" in art.text


@pytest.mark.parametrize(
    "name, reason",
    [
        ("empty.txt", "empty"),
        ("binary.txt", "binary"),
    ],
)
def test_bad_files_fail_with_a_clear_reason(name, reason):
    item = one(DATA / name)
    assert isinstance(item, Failure)
    assert reason in item.reason and name in item.reason


def test_cp1251_is_decoded():
    art = one(DATA / "cp1251.txt")
    assert isinstance(art, Article)
    assert "Харькове" in art.text and art.published == date(2022, 3, 3)


def test_undated_article_is_kept():
    art = one(DATA / "no_date.txt")
    assert isinstance(art, Article) and art.published is None
    assert art.title == "Grain corridor talks"


def test_html_page():
    art = one(DATA / "page.html")
    assert isinstance(art, Article)
    assert "Kharkiv" in art.text and "Copyright" not in art.text
    assert art.published == date(2022, 5, 14)
    assert art.title == "Shelling near Kharkiv"


def test_jsonl_records_and_failures():
    items = list(load_file(DATA / "records.jsonl"))
    arts = [i for i in items if isinstance(i, Article)]
    fails = [i for i in items if isinstance(i, Failure)]
    assert [a.id for a in arts] == ["rec-1", "rec-3"]
    assert arts[0].source == "Example Wire" and arts[0].published == date(2022, 3, 29)
    assert arts[1].url is None
    assert {f.source for f in fails} == {"records.jsonl:2", "records.jsonl:4"}
    assert any("no 'text'" in f.reason for f in fails)
    assert any("malformed JSON" in f.reason for f in fails)


def test_unsupported_and_missing_files(tmp_path):
    (tmp_path / "x.pdf").write_bytes(b"%PDF")
    assert "unsupported" in one(tmp_path / "x.pdf").reason
    assert "cannot read" in one(tmp_path / "missing.txt").reason


def test_too_big_article_is_rejected(tmp_path):
    p = tmp_path / "big.txt"
    p.write_text("Kyiv. " * 200_000)
    item = one(p)
    assert isinstance(item, Failure) and "too big" in item.reason


def test_iter_paths_skips_readme(tmp_path):
    (tmp_path / "README.md").write_text("# About")
    (tmp_path / "a.txt").write_text("Kyiv")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.jsonl").write_text("{}")
    assert [p.name for p in iter_paths([tmp_path])] == ["a.txt", "b.jsonl"]


def test_parse_date_forms():
    assert parse_date("2022-03-28") == date(2022, 3, 28)
    assert parse_date("March 28, 2022") == date(2022, 3, 28)
    assert parse_date("Friday, August 21, 2015") == date(2015, 8, 21)
    assert parse_date("") is None and parse_date(None) is None
    with pytest.raises(ArticleError):
        parse_date("not a date at all")


@given(st.text(max_size=40))
def test_parse_date_returns_a_date_or_raises_article_error(s):
    try:
        d = parse_date(s)
    except ArticleError:
        return
    assert d is None or isinstance(d, date)


@given(st.binary(max_size=300))
def test_decode_never_raises_anything_but_article_error(data):
    try:
        out = decode(data, "x")
    except ArticleError:
        return
    assert isinstance(out, str)


@given(st.dictionaries(st.sampled_from(["id", "title", "text", "url", "published"]), st.text()))
def test_parse_record_returns_article_or_raises_article_error(rec):
    try:
        art = parse_record(rec, "d")
    except ArticleError:
        return
    assert art.text.strip()


def test_unreachable_url_raises_fetch_error():
    with pytest.raises(FetchError, match="could not download"):
        fetch_url("http://127.0.0.1:9/nothing", timeout=2)


def test_save_upload_is_safe_and_does_not_overwrite(tmp_path):
    p1 = save_upload(tmp_path, "../../etc/evil name.txt", b"Kyiv")
    assert p1.parent == tmp_path and p1.name == "evil name.txt"
    assert save_upload(tmp_path, "evil name.txt", b"Kyiv") == p1
    p2 = save_upload(tmp_path, "evil name.txt", b"Odesa")
    assert p2.name == "evil name-1.txt" and p1.read_bytes() == b"Kyiv"
    with pytest.raises(ArticleError, match="unsupported"):
        save_upload(tmp_path, "x.exe", b"MZ")


def test_feed_entries_become_articles():
    items = list(load_file(DATA / "feed.rss"))
    arts = [i for i in items if isinstance(i, Article)]
    fails = [i for i in items if isinstance(i, Failure)]
    assert [a.title for a in arts] == ["Shelling in Kharkiv & Izium", "Grain talks"]
    first = arts[0]
    assert first.published == date(2022, 5, 14) and first.source == "Example War Desk"
    assert first.url == "https://news.example.org/kharkiv-izium"
    assert "<p>" not in first.text and "Fighting continued near Izium" in first.text
    assert arts[1].published is None  # an undated entry is kept
    assert [f.source for f in fails] == ["feed.rss#3"] and "no text" in fails[0].reason


def test_a_non_feed_xml_file_fails_clearly(tmp_path):
    p = tmp_path / "notes.xml"
    p.write_text("<notes><n>hello</n></notes>")
    item = one(p)
    assert isinstance(item, Failure) and "not a readable RSS/Atom feed" in item.reason
