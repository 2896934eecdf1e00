import gzip
import json
import os
import struct
import tracemalloc
import zipfile
import zlib
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from geo import articles, filekinds, record_files, uploads, webpage
from geo.articles import (
    MAX_FAILURES,
    decode,
    iter_paths,
    load_file,
    parse_date,
    parse_record,
    save_upload,
)
from geo.errors import ArticleError
from geo.models import Article, Failure, Notice

from .conftest import DATA, SEED


def one(path: Path):
    items = list(load_file(path))
    assert len(items) == 1
    return items[0]


def split(items) -> tuple[list[Article], list[Failure], list[Notice]]:
    """Articles, failures and notices, after checking every article is storable text."""
    items = list(items)
    arts = [i for i in items if isinstance(i, Article)]
    for a in arts:
        for value in (a.id, a.title, a.source, a.url or "", a.language, a.text):
            value.encode("utf-8")  # no lone surrogates
            assert "\x00" not in value
    fails = [i for i in items if isinstance(i, Failure)]
    notes = [i for i in items if isinstance(i, Notice)]
    assert len(arts) + len(fails) + len(notes) == len(items)
    return arts, fails, notes


def peak_mb(fn) -> float:
    """Peak traced memory (MB) while fn runs."""
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()


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
    assert one(tmp_path / "x.pdf").reason == (
        "This PDF is not supported: save the article as text (.txt) or as a web page (.html)"
    )
    (tmp_path / "x.png").write_bytes(b"\x89PNG")
    assert "a picture holds no article text" in one(tmp_path / "x.png").reason
    (tmp_path / "x.xyz").write_text("?")
    assert one(tmp_path / "x.xyz").reason.startswith("unsupported file type .xyz: use one of")
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
    for written in ("Mar 28, 2022", "Mar. 28, 2022", "28 March 2022", "28 Mar 2022"):
        assert parse_date(written) == date(2022, 3, 28), written
    with pytest.raises(ArticleError):
        parse_date("February 30, 2022")  # no such day, in any reader
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


# -- hostile input: one bad record never stops the batch -------------------------------------
def test_deeply_nested_json_is_one_failure(tmp_path):
    p = tmp_path / "nested.json"
    p.write_text("[" * 100_000 + "]" * 100_000)
    item = one(p)
    assert isinstance(item, Failure) and "nested too deeply" in item.reason
    q = tmp_path / "nested.jsonl"
    q.write_text('{"text": ' + "[" * 100_000 + "]" * 100_000 + '}\n{"id": "ok", "text": "Kyiv"}\n')
    arts, fails, _ = split(load_file(q))
    assert [a.id for a in arts] == ["ok"] and fails[0].source == "nested.jsonl:1"


def test_a_5000_digit_number_is_one_failure(tmp_path):
    p = tmp_path / "bigint.jsonl"
    p.write_text('{"text": "Kyiv", "id": ' + "9" * 5000 + '}\n{"id": "ok", "text": "Odesa"}\n')
    arts, fails, _ = split(load_file(p))
    assert [a.id for a in arts] == ["ok"]
    assert [f.source for f in fails] == ["bigint.jsonl:1"] and "too many digits" in fails[0].reason
    q = tmp_path / "bigint.json"
    q.write_text('[{"text": "Kyiv", "published": ' + "1" * 5000 + "}]")
    assert "too many digits" in one(q).reason


def test_lone_surrogate_is_replaced_with_a_notice(tmp_path):
    p = tmp_path / "surrogate.jsonl"
    p.write_text(
        '{"id": "s\\ud800", "title": "T\\udfff", "source": "S\\u0000", "text": "Kyiv \\ud800 Odesa"}\n'
        '{"id": "t", "text": "Lviv"}\n'
    )
    arts, fails, notes = split(load_file(p))
    assert not fails and [a.text for a in arts] == ["Kyiv \ufffd Odesa", "Lviv"]
    assert arts[0].id == "s\ufffd" and arts[0].source == "S"
    assert [n.source for n in notes] == ["surrogate.jsonl:1"]
    assert "replaced with U+FFFD" in notes[0].message


# -- bounded time and memory -----------------------------------------------------------------
def test_ten_thousand_entry_feed(tmp_path):
    items = "".join(
        f"<item><title>Entry {i}</title><link>https://ex.org/{i}</link>"
        f"<pubDate>Tue, 01 Mar 2022 23:30:00 -0500</pubDate>"
        f"<description>Shelling near Kharkiv, report {i}.</description></item>"
        for i in range(10_000)
    )
    p = tmp_path / "big.rss"
    p.write_text(
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>Big</title>{items}</channel></rss>'
    )
    out: list = []
    assert peak_mb(lambda: out.extend(load_file(p))) < 400
    arts, fails, notes = split(out)
    assert len(arts) == 10_000 and not fails and not notes
    # RFC 822 with an offset: the date as written there, not March 2 in UTC.
    assert arts[0].published == date(2022, 3, 1)


def test_fifty_megabyte_cp1251_file_in_bounded_memory(tmp_path):
    para = "Війська обстріляли Харків і Київ вночі, повідомили у Львові. " * 20
    line = (json.dumps({"text": para}, ensure_ascii=False) + "\n").encode("cp1251")
    p = tmp_path / "big.jsonl"
    p.write_bytes(line * (50 * 1024 * 1024 // len(line)))
    counts = {"n": 0}

    def run() -> None:
        for item in load_file(p):
            assert isinstance(item, Article)
            counts["n"] += 1

    assert peak_mb(run) < 400
    assert counts["n"] == 50 * 1024 * 1024 // len(line)
    # The same bytes as one .txt article are refused before decoding.
    t = tmp_path / "big.txt"
    t.write_bytes(line * 20_000)
    item = one(t)
    assert isinstance(item, Failure) and "too big" in item.reason


def test_streamed_files_may_exceed_the_whole_file_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(filekinds, "MAX_FILE_BYTES", 1000)
    p = tmp_path / "many.jsonl"
    p.write_text("".join(json.dumps({"id": f"r{i}", "text": "Kyiv"}) + "\n" for i in range(100)))
    assert len(split(load_file(p))[0]) == 100
    j = tmp_path / "many.json"
    j.write_text(json.dumps([{"text": "Kyiv"}] * 100))
    assert "too big" in one(j).reason


def test_html_with_100000_attributes_finishes(tmp_path):
    attrs = " ".join(f'a{i}="x"' for i in range(100_000))
    p = tmp_path / "attrs.html"
    p.write_text(
        f"<html><head><title>Kharkiv</title></head><body><div {attrs}><p>Kharkiv was shelled "
        "overnight, officials in Kyiv said on Sunday.</p></div></body></html>"
    )
    art = one(p)  # took ~115 s before attributes per tag were capped
    assert isinstance(art, Article) and "Kharkiv was shelled" in art.text


def test_html_with_too_many_tags_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(webpage, "MAX_HTML_TAGS", 100)
    p = tmp_path / "tags.html"
    p.write_text("<html><body>" + "<p>Kyiv</p>" * 200 + "</body></html>")
    item = one(p)
    assert isinstance(item, Failure) and "too complex" in item.reason


def test_a_million_empty_records_give_ten_failures_and_a_summary(tmp_path):
    p = tmp_path / "empty.jsonl"
    p.write_text("{}\n" * 1_000_000)
    arts, fails, _ = split(load_file(p))
    assert not arts and len(fails) == MAX_FAILURES + 1
    assert fails[-1].source == "empty.jsonl"
    assert fails[-1].reason == (
        "empty.jsonl: … and 999,990 more records failed "
        "(most common reason: record has no 'text' field)"
    )


# -- dates ---------------------------------------------------------------------------------------
def test_odd_dates_are_kept_with_a_notice():
    arts, fails, notes = split(load_file(DATA / "dates_odd.jsonl"))
    assert not fails
    by_id = {a.id: a for a in arts}
    assert by_id["future"].published == date(2100, 1, 1)
    assert by_id["old"].published == date(1850, 6, 1)
    assert by_id["unreadable"].published is None
    assert by_id["offset"].published == date(2022, 3, 1)  # its own offset, not UTC
    said = {n.source: n.message for n in notes}
    assert "in the future" in said["dates_odd.jsonl:1"]
    assert "before 1900" in said["dates_odd.jsonl:2"]
    assert "kept as undated" in said["dates_odd.jsonl:3"]
    assert "dates_odd.jsonl:4" not in said


def test_today_is_not_in_the_future():
    assert articles.date_warning(date.today()) is None
    assert "future" in articles.date_warning(date.today() + timedelta(days=3))


def test_unreadable_date_line_keeps_the_article(tmp_path):
    p = tmp_path / "feb30.txt"
    p.write_text("# Talks\n\nFebruary 30, 2022\n\nDelegations met in Istanbul.\n")
    arts, fails, notes = split(load_file(p))
    assert arts[0].published is None and arts[0].text == "Delegations met in Istanbul."
    assert not fails and "kept as undated" in notes[0].message


@pytest.mark.parametrize(
    "value, day",
    [
        ("2022-03-01T23:30:00-05:00", date(2022, 3, 1)),
        ("2022-03-02T01:30:00+03:00", date(2022, 3, 2)),
        ("Tue, 01 Mar 2022 23:30:00 -0500", date(2022, 3, 1)),
        ("Wed, 02 Mar 2022 00:30:00 +0300", date(2022, 3, 2)),
    ],
)
def test_dates_keep_their_own_time_zone(value, day):
    assert parse_date(value) == day


def test_feed_date_keeps_its_offset_and_odd_dates_are_noticed(tmp_path):
    p = tmp_path / "dates.rss"
    p.write_text(
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Desk</title>'
        "<item><title>A</title><pubDate>Tue, 01 Mar 2022 23:30:00 -0500</pubDate>"
        "<description>Kyiv at night.</description></item>"
        "<item><title>B</title><pubDate>Fri, 01 Jan 2100 10:00:00 +0000</pubDate>"
        "<description>Odesa.</description></item>"
        "<item><title>C</title><pubDate>the day after</pubDate>"
        "<description>Lviv.</description></item></channel></rss>"
    )
    arts, fails, notes = split(load_file(p))
    assert [a.published for a in arts] == [date(2022, 3, 1), date(2100, 1, 1), None]
    assert [n.source for n in notes] == ["dates.rss#2", "dates.rss#3"]


# -- decoding ------------------------------------------------------------------------------------
def test_partly_undecodable_text_is_kept_with_a_notice():
    arts, fails, notes = split(load_file(DATA / "partly_undecodable.txt"))
    assert not fails and len(arts) == 1
    text = arts[0].text
    assert "Київ" in text and "Caf\ufffd owners" in text and "r\ufffdporter" in text
    assert [n.message for n in notes] == [
        "2 undecodable byte(s) replaced with U+FFFD (0.8% of the text)"
    ]


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be", "utf-8-sig", "cp1251"])
def test_other_encodings_decode(tmp_path, codec):
    p = tmp_path / "x.txt"
    p.write_bytes("# Харків\n\nMarch 3, 2022\n\nХарків знову обстріляли вночі.\n".encode(codec))
    arts, fails, notes = split(load_file(p))
    assert not fails and not notes
    assert arts[0].title == "Харків" and arts[0].text == "Харків знову обстріляли вночі."


def test_undecodable_bytes_in_a_stream_are_noticed_per_record(tmp_path):
    p = tmp_path / "mixed.jsonl"
    p.write_bytes('{"text": "Київ caf'.encode() + b'\xe9"}\n{"text": "Odesa"}\n')
    arts, fails, notes = split(load_file(p))
    assert [a.text for a in arts] == ["Київ caf\ufffd", "Odesa"]
    assert [n.source for n in notes] == ["mixed.jsonl:1"] and "1 undecodable byte" in notes[
        0
    ].message


# -- CSV, column mappings, archives ----------------------------------------------------------------
def test_csv_with_a_column_mapping():
    columns = {"id": "story_id", "title": "headline", "published": "pub_date", "url": "link",
               "source": "outlet", "text": "story_text"}  # fmt: skip
    arts, fails, notes = split(load_file(DATA / "export_columns.csv", columns=columns))
    assert [a.id for a in arts] == ["e-1", "e-3"]
    first = arts[0]
    assert first.title == "Talks in Istanbul" and first.published == date(2022, 3, 29)
    assert first.source == "Example Wire" and first.url == "https://example.org/a"
    assert (
        first.text
        == "Delegations from Russia and Ukraine met in Istanbul.\nTalks went on for hours."
    )
    assert arts[1].source == "example.org" and arts[1].published is None
    assert [f.source for f in fails] == ["export_columns.csv:3"] and "'story_text'" in fails[
        0
    ].reason
    assert [n.source for n in notes] == ["export_columns.csv:4"]
    # Without the mapping only the defaults are looked for: there is no text column.
    assert len(split(load_file(DATA / "export_columns.csv"))[1]) == 3


def test_tsv_and_semicolon_csv(tmp_path):
    (tmp_path / "a.tsv").write_text("id\ttext\tdate\nt1\tKyiv, at night\t2022-03-01\n")
    (tmp_path / "b.csv").write_text("id;text\nc1;Odesa, Lviv\n")
    arts = split(load_file(tmp_path / "a.tsv"))[0] + split(load_file(tmp_path / "b.csv"))[0]
    assert [(a.id, a.text) for a in arts] == [("t1", "Kyiv, at night"), ("c1", "Odesa, Lviv")]
    assert arts[0].published == date(2022, 3, 1)


def test_json_column_mapping_and_unknown_fields(tmp_path):
    p = tmp_path / "m.jsonl"
    p.write_text('{"body": "Kharkiv", "when": "2022-05-14", "text": "ignored"}\n')
    art = one_article(load_file(p, columns={"text": "body", "published": "when"}))
    assert art.text == "Kharkiv" and art.published == date(2022, 5, 14)
    item = one_item(load_file(p, columns={"txt": "body"}))
    assert isinstance(item, Failure) and "unknown field(s) in column mapping: txt" in item.reason


def one_article(items) -> Article:
    arts, fails, notes = split(items)
    assert len(arts) == 1 and not fails and not notes, (fails, notes)
    return arts[0]


def one_item(items):
    items = list(items)
    assert len(items) == 1
    return items[0]


def test_gzipped_files(tmp_path):
    lines = "".join(json.dumps({"id": f"g{i}", "text": "Kyiv"}) + "\n" for i in range(3))
    (tmp_path / "x.jsonl.gz").write_bytes(gzip.compress(lines.encode()))
    assert [a.id for a in split(load_file(tmp_path / "x.jsonl.gz"))[0]] == ["g0", "g1", "g2"]
    (tmp_path / "page.html.gz").write_bytes(gzip.compress((DATA / "page.html").read_bytes()))
    art = one_article(load_file(tmp_path / "page.html.gz"))
    assert art.id == "page" and art.title == "Shelling near Kharkiv"
    # A truncated gzip keeps what was read before the break.
    (tmp_path / "cut.jsonl.gz").write_bytes(gzip.compress(lines.encode() * 2000)[:-20])
    arts, fails, _ = split(load_file(tmp_path / "cut.jsonl.gz"))
    assert len(arts) > 100 and len(fails) == 1 and "cannot read" in fails[0].reason
    (tmp_path / "fake.txt.gz").write_bytes(b"not gzip at all")
    assert "cannot read" in one(tmp_path / "fake.txt.gz").reason


def make_zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def test_zip_of_articles(tmp_path):
    p = make_zip(
        tmp_path / "export.zip",
        {
            "export/": b"",
            f"export/{SEED.name}": SEED.read_bytes(),
            "export/records.jsonl": (DATA / "records.jsonl").read_bytes(),
            "export/more.jsonl.gz": gzip.compress(b'{"id": "gz-1", "text": "Lviv"}\n'),
            "export/.hidden.txt": b"Kyiv",
            "__MACOSX/export/._seed.txt": b"\x00\x05junk",
            "export/README.md": b"# About this export",
            "export/photo.jpg": b"\xff\xd8\xff",
            "export/empty.txt": b"",
        },
    )
    arts, fails, notes = split(load_file(p))
    assert [a.id for a in arts] == ["000_fa1a19d97a69d7e0", "rec-1", "rec-3", "gz-1"]
    assert {f.source for f in fails} == {
        "export.zip/export/records.jsonl:2",
        "export.zip/export/records.jsonl:4",
        "export.zip/export/empty.txt",
    }
    assert [n.message for n in notes] == ["skipped members of unsupported types (1 .jpg)"]


def test_zip_without_articles_and_broken_zip(tmp_path):
    p = make_zip(tmp_path / "pics.zip", {"a.jpg": b"\xff\xd8"})
    _, fails, _ = split(load_file(p))
    assert "no supported article files" in fails[-1].reason
    (tmp_path / "broken.zip").write_bytes(b"PK\x03\x04 not really")
    assert "not a readable zip archive" in one(tmp_path / "broken.zip").reason


def test_zip_bomb_is_refused(tmp_path):
    p = make_zip(
        tmp_path / "bomb.zip",
        {
            "a.txt": b"Kyiv was shelled.",
            "bomb.jsonl": b"\n" * (100 * 1024 * 1024),
            "z.txt": b"Odesa",
        },
    )
    assert p.stat().st_size < 500_000
    arts, fails, _ = split(load_file(p))
    assert [a.text for a in arts] == ["Kyiv was shelled.", "Odesa"]
    assert [f.source for f in fails] == ["bomb.zip/bomb.jsonl"]
    assert "zip bomb" in fails[0].reason
    g = tmp_path / "bomb.jsonl.gz"
    g.write_bytes(gzip.compress(b" " * (100 * 1024 * 1024)))
    assert "zip bomb" in one(g).reason


def _newline_gzip(path: Path, mib: int) -> Path:
    """A gzip of `mib` MiB of newlines, written a chunk at a time (about 1 kB per MiB)."""
    with gzip.open(path, "wb", compresslevel=9) as fh:
        chunk = b"\n" * 2**20
        for _ in range(mib):
            fh.write(chunk)
    return path


def test_gzip_bomb_of_blank_lines_is_refused_as_it_expands(tmp_path, monkeypatch):
    # The ratio is judged on the compressed bytes read so far, not on the whole file: with a
    # 4 MiB cap, a check against the file's size would only ever report the cap.
    monkeypatch.setattr(articles, "MAX_STREAM_BYTES", 4 * 2**20)
    bomb = _newline_gzip(tmp_path / "blank.jsonl.gz", 16)
    assert bomb.stat().st_size < 30_000
    fail = one(bomb)
    assert fail.source == "blank.jsonl.gz"
    assert "compressed more than 200:1" in fail.reason and "zip bomb" in fail.reason
    # Incompressible bytes after the bomb bring the whole file's ratio under 200:1.
    with open(bomb, "ab") as fh:
        fh.write(gzip.compress(os.urandom(400_000), compresslevel=0))
    monkeypatch.setattr(articles, "MAX_STREAM_BYTES", 4 * 1024**3)
    assert "zip bomb" in one(bomb).reason


def test_zip_of_many_small_blank_members_is_refused_as_a_whole(tmp_path):
    members = {f"m{i:02}.jsonl": b"\n" * 2**20 for i in range(32)}
    members["z.txt"] = b"Odesa"
    archive = make_zip(tmp_path / "blank.zip", members)
    assert archive.stat().st_size < 200_000
    arts, fails, _ = split(load_file(archive))
    assert arts == []  # nothing after the refusal is read
    assert len(fails) <= 3
    assert "blank.zip/m0" in fails[-1].source
    assert "compressed more than 200:1 together" in fails[-1].reason


def _newline_deflate(mib: int) -> bytes:
    """Raw deflate (level 9) of `mib` MiB of newlines, built from one compressed MiB: each
    MiB ends in a full flush, after which the next one compresses to the same bytes."""
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = c.compress(b"\n" * 2**20) + c.flush(zlib.Z_FULL_FLUSH)
    again = c.compress(b"\n" * 2**20) + c.flush(zlib.Z_FULL_FLUSH)
    return first + again * (mib - 1) + c.flush(zlib.Z_FINISH)


def test_a_5_mb_gzip_of_5_gib_blank_lines_is_refused_at_once(tmp_path):
    """The issue's file: 5 GiB of newlines in one gzip stream (CRC-32 precomputed)."""
    bomb = tmp_path / "bomb.jsonl.gz"
    crc, size = 0x50CD0748, 5 * 2**30
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
    trailer = struct.pack("<II", crc, size & 0xFFFFFFFF)
    bomb.write_bytes(header + _newline_deflate(5 * 1024) + trailer)
    assert 5_000_000 < bomb.stat().st_size < 6_000_000
    fail = one(bomb)  # refused within the first megabytes: the lines took minutes before
    assert "compressed more than 200:1" in fail.reason and "zip bomb" in fail.reason


def test_a_1_mb_zip_of_1_gib_blank_lines_is_refused_at_once(tmp_path):
    data, crc, size, name = _newline_deflate(1024), 0xC71C045C, 2**30, b"a.jsonl"
    fields = struct.pack("<HHHHHIII", 20, 0, 8, 0, 0x21, crc, len(data), size)
    local = b"PK\x03\x04" + fields + struct.pack("<HH", len(name), 0) + name
    central = (
        b"PK\x01\x02\x14\x00" + fields + struct.pack("<HHHHHII", len(name), 0, 0, 0, 0, 0, 0) + name
    )
    end = b"PK\x05\x06" + struct.pack("<HHHHIIH", 0, 0, 1, 1, len(central), len(local + data), 0)
    bomb = tmp_path / "bomb.zip"
    bomb.write_bytes(local + data + central + end)
    assert zipfile.ZipFile(bomb).getinfo("a.jsonl").file_size == 2**30
    assert 1_000_000 < bomb.stat().st_size < 1_200_000
    arts, fails, _ = split(load_file(bomb))
    assert arts == [] and len(fails) == 1
    assert "compressed more than 200:1" in fails[0].reason


def test_small_dense_files_are_not_bombs(tmp_path):
    # Under a megabyte out, a high ratio is fine (a feed of one repeated record, say).
    line = b'{"text": "Kyiv was shelled."}\n'
    (tmp_path / "dense.jsonl.gz").write_bytes(gzip.compress(line * 10_000, compresslevel=9))
    arts, fails, _ = split(load_file(tmp_path / "dense.jsonl.gz"))
    assert len(arts) == 10_000 and fails == []


def test_zip_total_size_is_capped(tmp_path, monkeypatch):
    monkeypatch.setattr(articles, "MAX_ARCHIVE_BYTES", 1000)
    members = {f"m{i}.jsonl": b'{"text": "Kyiv"}\n' * 20 for i in range(5)}
    arts, fails, _ = split(load_file(make_zip(tmp_path / "big.zip", members)))
    assert len(fails) == 1 and "more than 1,000 bytes" in fails[0].reason
    assert 20 <= len(arts) < 100


def test_iter_paths_picks_up_archives(tmp_path):
    for name in [
        "a.jsonl.gz",
        "b.zip",
        "c.csv",
        "d.tsv",
        "e.pdf.gz",
        "f.gz",
        ".g.zip",
        "LICENSE.txt",
    ]:
        (tmp_path / name).write_text("x")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "h.txt").write_text("x")
    assert [p.name for p in iter_paths([tmp_path])] == ["a.jsonl.gz", "b.zip", "c.csv", "d.tsv"]


def test_save_upload_checks_size_first_and_keeps_nothing_it_refuses(tmp_path, monkeypatch):
    monkeypatch.setattr(uploads, "MAX_UPLOAD_BYTES", 10)
    folder = tmp_path / "up"
    with pytest.raises(ArticleError, match="too big"):
        save_upload(folder, "x.exe", b"01234567890")  # size before type
    monkeypatch.setattr(uploads, "MAX_UPLOAD_BYTES", 10_000)
    for name, data in [("x.zip", b"not a zip"), ("x.jsonl.gz", b"plain"), ("x.pdf", b"%PDF")]:
        with pytest.raises(ArticleError):
            save_upload(folder, name, data)
    assert not folder.exists() or not any(folder.iterdir())
    gz = gzip.compress(b'{"text": "Kyiv"}\n')
    p1 = save_upload(folder, "x.jsonl.gz", gz)
    p2 = save_upload(folder, "x.jsonl.gz", gzip.compress(b'{"text": "Lviv"}\n'))
    assert (p1.name, p2.name) == ("x.jsonl.gz", "x-1.jsonl.gz")
    assert sorted(p.name for p in folder.iterdir()) == ["x-1.jsonl.gz", "x.jsonl.gz"]


def test_notices_are_capped_too(tmp_path):
    p = tmp_path / "dates.jsonl"
    p.write_text('{"text": "Kyiv", "published": "someday"}\n' * 50)
    arts, fails, notes = split(load_file(p))
    assert len(arts) == 50 and not fails and len(notes) == articles.MAX_NOTICES + 1
    assert notes[-1].message.startswith("… and 40 more notices")


def test_zip_with_too_many_members_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(articles, "MAX_ZIP_MEMBERS", 5)
    p = make_zip(tmp_path / "many.zip", {f"m{i}.txt": b"Kyiv" for i in range(6)})
    item = one(p)
    assert isinstance(item, Failure) and "too many members" in item.reason


def test_unclosed_markdown_is_linear(tmp_path):
    # Each unclosed `*`, `_` or `[` used to scan the rest of the text: minutes for this file.
    p = tmp_path / "marks.md"
    p.write_text(
        "# Marks\n\n" + "*a _b [c (d " * 80_000 + "\n\nA [link](http://x.org/a_(b)) and **Kyiv**."
    )
    art = one(p)
    assert isinstance(art, Article) and art.text.endswith("A link and Kyiv.")


@pytest.mark.parametrize(
    "name, body",
    [
        ("tagname.html", "<p>Kyiv was shelled.</p><a" + "b" * 300_000),  # was quadratic: minutes
        ("opens.html", "<p>Kyiv was shelled.</p>" + "<" * 300_000),
        ("quotes.html", "<p>Kyiv was shelled.</p><div " + 'a="' * 100_000 + ">"),
        ("summary.rss", '<rss version="2.0"><channel><item><description>' + "&lt;" * 200_000),
        ("dateline.txt", "# T\n\n2022-03-01" + "1" * 300_000 + "x\n\nKyiv was shelled."),
    ],
    ids=lambda v: v if isinstance(v, str) and len(v) < 20 else "",
)
def test_pathological_inputs_finish(tmp_path, name, body):
    import time

    p = tmp_path / name
    p.write_text(body)
    start = time.perf_counter()
    split(load_file(p))
    assert time.perf_counter() - start < 10


def test_uploads_with_long_or_readme_names_are_saved_under_usable_names(tmp_path):
    from geo.articles import iter_paths, save_upload

    long = save_upload(tmp_path, "a" * 300 + ".txt", b"Shelling in Kyiv today.")
    assert long.name == "a" * 100 + ".txt" and long.read_bytes().startswith(b"Shelling")
    readme = save_upload(tmp_path, "README.md", b"# Kyiv\n\nShelling in Kyiv today.")
    assert readme.name == "upload-README.md"
    assert readme in iter_paths([tmp_path])  # a rescan ingests it like any other upload


def test_csv_field_over_the_limit_spanning_lines_fails_alone(tmp_path):
    # A quoted field of many lines passes the field limit; the reader must skip to the end of
    # that record, not restart inside the field and read its lines as rows.
    path = tmp_path / "long.csv"
    line = '""Stay,"" she said. ' + "x" * 979 + "\n"
    with open(path, "w", encoding="utf-8") as fh:
        fh.write('id,text\nbig,"start\n')
        for _ in range(record_files.MAX_RECORD_CHARS // len(line) + 100):
            fh.write(line)
        fh.write('end",\nkyiv,Kyiv was shelled on Monday.\nodesa,"Odesa, too, was hit."\n')
    arts, fails, _ = split(load_file(path))
    assert [(a.id, a.text) for a in arts] == [
        ("kyiv", "Kyiv was shelled on Monday."),
        ("odesa", "Odesa, too, was hit."),
    ]
    assert [f.reason for f in fails] == [
        f"long.csv:2: record too big (a field over {record_files.MAX_RECORD_CHARS:,} characters)"
    ]
