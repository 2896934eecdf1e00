"""Hostile input, fuzzed: whatever the bytes, load_file yields Articles, Notices or clear Failures.

Never an exception, never a hang (hypothesis' deadline), never an article that cannot be stored.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
import tempfile
import zipfile
from datetime import date, timedelta
from pathlib import Path

import charset_normalizer  # noqa: F401  (imported here so no example pays for the import)
import dateparser  # noqa: F401
import feedparser  # noqa: F401
import trafilatura  # noqa: F401
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geo.articles import ARTICLE_SUFFIXES, MAX_ARTICLE_CHARS, MAX_FAILURES, MAX_NOTICES, load_file
from geo.models import Article, Failure, Notice

# FUZZ_EXAMPLES=2000 for a long hunt; the default keeps this file at a few seconds.
FUZZ = settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "40")),
    deadline=timedelta(seconds=5),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
SUFFIX_LIST = [*sorted(ARTICLE_SUFFIXES), ".jsonl.gz", ".csv.gz", ".html.gz", ".txt.gz", ".zip"]
CODECS = ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "cp1251", "latin-1"]


def load(name: str, data: bytes) -> list:
    """Every item load_file yields for `data` saved as `name`, each checked."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        items = list(load_file(path))
    failures = notices = 0
    for item in items:
        if isinstance(item, Article):
            for value in (item.id, item.title, item.source, item.url or "", item.language):
                value.encode("utf-8")
                assert "\x00" not in value and "\n" not in value
            item.text.encode("utf-8")  # no lone surrogates
            assert "\x00" not in item.text
            assert item.text.strip() and len(item.text) <= MAX_ARTICLE_CHARS
            assert item.published is None or isinstance(item.published, date)
        elif isinstance(item, Failure):
            failures += 1
            assert isinstance(item.reason, str) and item.reason.strip() and item.source
            (item.source + item.reason).encode("utf-8")  # storable
        else:
            assert isinstance(item, Notice), item
            notices += 1
            assert item.message.strip() and item.source
            (item.source + item.message).encode("utf-8")
    if not name.endswith(".zip"):  # a zip caps each member, not the whole
        assert failures <= MAX_FAILURES + 1 and notices <= MAX_NOTICES + 1
    return items


def mangle(data: bytes, cut: int, junk: bytes) -> bytes:
    """`data` cut short or with junk spliced in at `cut` (a position, modulo its length)."""
    if not data:
        return junk
    at = cut % (len(data) + 1)
    return data[:at] + junk + data[at + len(junk) // 2 :]


TEXTISH_BYTES = st.lists(
    st.sampled_from(
        b'\t\n\r {}[]<>":,;&#/=-_.0123456789aTdxe\x80\xa0\xc3\xd0\xe9\xef\xbb\xbf\xfe\xff\x00'
    ),
    max_size=3000,
).map(bytes)
ANY_BYTES = st.one_of(
    st.binary(max_size=3000),
    TEXTISH_BYTES,
    st.text(max_size=500).map(lambda t: t.encode("utf-8", errors="surrogatepass")),
)


@FUZZ
@given(st.sampled_from(SUFFIX_LIST), ANY_BYTES, st.booleans())
def test_random_bytes_under_every_suffix(suffix, data, compress):
    if suffix.endswith(".gz") and compress:
        data = gzip.compress(data)
    elif suffix == ".zip" and compress:
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as zf:
            zf.writestr("a.txt", data)
            zf.writestr("b.jsonl", data)
            zf.writestr("c.html", data)
        data = buf.getvalue()
    load(f"x{suffix}", data)


HTML_BITS = [
    "<html>", "<head>", "<body>", "</body>", "<p>", "</p>", "<div class='a' id=b data-x>", "</div>",
    "<!--", "-->", "<script>", "</script>", "<style>", "<![CDATA[", "]]>", "&amp;", "&#xD800;",
    "&#0;", "&#x110000;", "<meta charset='utf-16'>", "<meta name='date' content='3000-99-99'>",
    "<title>", "</title>", "<a href='javascript:x'>", "<table><tr><td>", "<", ">", "\"", "'",
    "Kharkiv was shelled overnight, officials in Kyiv said. ", "\x00", "\u202e", "\ufeff",
]  # fmt: skip


@FUZZ
@given(
    st.lists(st.one_of(st.sampled_from(HTML_BITS), st.text(max_size=20)), max_size=80),
    st.sampled_from([".html", ".htm", ".md", ".txt"]),
)
def test_broken_html(bits, suffix):
    load(f"page{suffix}", "".join(bits).encode("utf-8", errors="surrogatepass"))


JSON_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True),
    st.text(max_size=30),
    st.sampled_from(["2022-03-01T23:30:00-05:00", "Tue, 01 Mar 2022 23:30:00 -0500", "1850-01-01"]),
)
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=10,
)
RECORDS = st.dictionaries(
    st.sampled_from(
        ["id", "title", "published", "date", "url", "source", "text", "body", "language"]
    ),
    JSON_VALUES,
    max_size=7,
)


@FUZZ
@given(
    st.lists(st.one_of(RECORDS, JSON_VALUES), max_size=8),
    st.integers(min_value=0),
    st.binary(max_size=8),
    st.sampled_from([".json", ".jsonl", ".jsonl.gz"]),
)
def test_broken_json_and_jsonl(records, cut, junk, suffix):
    if suffix == ".json":
        data = json.dumps(records).encode()
    else:
        data = "".join(json.dumps(r) + "\n" for r in records).encode()
    data = mangle(data, cut, junk)
    if suffix.endswith(".gz"):
        data = gzip.compress(data)
    load(f"records{suffix}", data)


@FUZZ
@given(
    st.lists(
        st.lists(st.text(alphabet=st.characters(codec="utf-8"), max_size=30), max_size=6),
        max_size=8,
    ),
    st.sampled_from(["id,title,published,text", "text", "a;b;text", "", "id\ttext"]),
    st.integers(min_value=0),
    st.binary(max_size=6),
    st.sampled_from([".csv", ".tsv"]),
)
def test_broken_csv(rows, header, cut, junk, suffix):
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter="\t" if suffix == ".tsv" else ",")
    writer.writerows(rows)
    data = mangle((header + "\r\n" + buf.getvalue()).encode(), cut, junk)
    load(f"export{suffix}", data)


ARTICLE_TEXT = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=1, max_size=200
)


@FUZZ
@given(
    ARTICLE_TEXT,
    st.sampled_from(CODECS),
    st.sampled_from(CODECS),
    st.booleans(),
    st.sampled_from([".txt", ".md", ".json", ".jsonl", ".csv", ".html"]),
)
def test_odd_encodings(text, codec, other, mixed, suffix):
    body = {
        ".json": json.dumps({"title": "Харків", "text": text}, ensure_ascii=False),
        ".jsonl": json.dumps({"text": text}, ensure_ascii=False) + "\n",
        ".csv": 'title,text\r\nХарків,"' + text.replace('"', '""') + '"\r\n',
        ".html": f"<html><body><p>Київ. {text}</p></body></html>",
    }.get(suffix, f"# Харків\n\nMarch 3, 2022\n\n{text}\n")
    data = body.encode(codec, errors="replace")
    if mixed:  # a second half in another encoding, as when files are concatenated
        data += body.encode(other, errors="replace")
    items = load(f"x{suffix}", data)
    if not mixed and codec != "latin-1" and suffix in {".txt", ".md"} and text.strip():
        arts = [i for i in items if isinstance(i, Article)]
        assert len(arts) <= 1


FEED_BITS = [
    "<item>", "</item>", "<entry>", "</entry>", "<title>", "</title>", "<pubDate>", "</pubDate>",
    "Tue, 01 Mar 2022 23:30:00 -0500", "31 Feb 2022", "Fri, 01 Jan 3000 00:00:00 GMT",
    "<description>", "</description>", "&lt;p&gt;Kyiv&lt;/p&gt;", "<![CDATA[<p>Odesa", "]]>",
    "<link>", "javascript:alert(1)", "</link>", "<!DOCTYPE x [<!ENTITY a 'aaaa'>]>", "&a;",
    "<content:encoded>", "</content:encoded>", "&#xD800;", "\x00", "/etc/passwd",
]  # fmt: skip


@FUZZ
@given(st.lists(st.one_of(st.sampled_from(FEED_BITS), st.text(max_size=15)), max_size=60))
def test_broken_feeds(bits):
    body = '<?xml version="1.0"?><rss version="2.0"><channel><title>Desk</title>'
    load("feed.rss", (body + "".join(bits)).encode("utf-8", errors="surrogatepass"))


def test_a_feed_file_naming_a_local_file_is_not_read(tmp_path):
    """feedparser opens bytes that look like a path; the loader must not let it."""
    secret = tmp_path / "secret.rss"
    secret.write_text(
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Secret</title><item>'
        "<title>S</title><description>Private text</description></item></channel></rss>"
    )
    items = load("pointer.rss", str(secret).encode())
    assert not any(isinstance(i, Article) for i in items)
