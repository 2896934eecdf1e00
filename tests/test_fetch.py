"""geo.fetch against a real HTTP server on 127.0.0.1: redirects, private addresses, limits."""

from __future__ import annotations

import gzip
import ipaddress
import re
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator

import pytest

from geo import fetch
from geo.dedup import url_id
from geo.errors import ArticleError, FetchError
from geo.fetch import (
    ALLOW_ENV,
    PRIVATE_HINT,
    Fetcher,
    FetchPolicy,
    fetch_url,
    is_public,
    read_url_list,
)
from geo.models import Article, Failure

from .conftest import DATA
from .httpserver import LocalServer, Reply

PAGE = (DATA / "page.html").read_bytes()
RSS = (DATA / "feed.rss").read_bytes()
RSS_TYPE = "application/rss+xml"
ATOM_TYPE = "application/atom+xml"

STORY = """<!doctype html><html><head><title>{title}</title>
<meta property="og:site_name" content="Example News"><meta name="date" content="2022-05-20"></head>
<body><nav>Home | World | Europe</nav><article><h1>{title}</h1>
<p>{lead}</p>
<p>Emergency crews in Zaporizhzhia worked through the night to restore power, the regional
governor said on Friday, while trains from Dnipro were delayed by several hours.</p>
<p>Officials in Kyiv said talks on prisoner exchanges would resume next week in Istanbul,
and that grain shipments from Odesa had continued despite the attacks.</p>
</article><footer>Copyright Example News</footer></body></html>"""


def atom_feed(base: str) -> bytes:
    """An Atom feed whose entries carry only a one-line summary and link to full pages.

    The first link is relative to the feed, the second is missing, the third is private.
    """
    return f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Example News: Europe</title>
  <id>urn:uuid:60a76c80-d399-11d9-b93C-0003939e0af6</id>
  <updated>2022-05-20T18:30:02Z</updated>
  <entry>
    <title>Power restored in Zaporizhzhia</title>
    <link href="/story/1"/>
    <id>urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a</id>
    <updated>2022-05-20T18:30:02Z</updated>
    <summary>Crews restored power in Zaporizhzhia.</summary>
  </entry>
  <entry>
    <title>Talks to resume</title>
    <link href="{base}/story/gone"/>
    <id>urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6b</id>
    <updated>2022-05-20T17:00:00Z</updated>
    <summary>Talks on prisoner exchanges resume in Istanbul.</summary>
  </entry>
  <entry>
    <title>Metadata endpoint</title>
    <link href="http://169.254.169.254/latest/meta-data/"/>
    <id>urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6c</id>
    <updated>2022-05-20T16:00:00Z</updated>
    <summary>Shelling reported near Kharkiv.</summary>
  </entry>
</feed>""".encode()


BILLION_LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE rss [\n<!ENTITY lol "lol">\n'
    + b"".join(
        b'<!ENTITY lol%d "%s">\n' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
        for i in range(1, 10)
    )
    + b']>\n<rss version="2.0"><channel><title>Laughs</title><item><title>lol</title>'
    b"<description>&lol9;</description></item></channel></rss>"
)


def policy(srv: LocalServer, **kw: object) -> FetchPolicy:
    """Quick limits, and the test server (only it) allowed although it is on 127.0.0.1."""
    base = dict(
        timeout=2.0,
        deadline=5.0,
        backoff=0.01,
        host_interval=0.0,
        allow_hosts=frozenset({srv.host_port}),
    )
    return FetchPolicy(**{**base, **kw})


@pytest.fixture
def server() -> Iterator[LocalServer]:
    with LocalServer() as srv:
        yield srv


@pytest.fixture(autouse=True)
def no_env_opt_out(monkeypatch):
    monkeypatch.delenv(ALLOW_ENV, raising=False)


@pytest.fixture
def connections(monkeypatch) -> list[str]:
    """Every IP address geo.fetch opens a TCP connection to, in order."""
    seen: list[str] = []
    real = fetch._connect

    def spy(addrs, timeout):
        seen.extend(a[3][0] for a in addrs[:1])
        return real(addrs, timeout)

    monkeypatch.setattr(fetch, "_connect", spy)
    return seen


def fake_dns(monkeypatch, names: dict[str, str]) -> list[str]:
    """Resolve the given host names to the given IPs (others as usual); returns the lookups."""
    lookups: list[str] = []
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kw):
        lookups.append(host)
        if host in names:
            return real(names[host], port, *args, **kw)
        return real(host, port, *args, **kw)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return lookups


# -- pages and feeds ---------------------------------------------------------------------------


def test_article_page_becomes_one_article_whose_id_is_a_hash_of_the_url(server):
    url = server.route("/world/kharkiv", Reply(body=PAGE))
    fetcher = Fetcher(policy(server))
    [art] = fetch_url(url, fetcher)
    assert isinstance(art, Article)
    assert art.title == "Shelling near Kharkiv"
    assert "evacuation buses left for Poltava" in art.text
    assert (art.id, art.url) == (url_id(url), url)
    [again] = fetch_url(url, fetcher)
    assert again.id == art.id  # a re-fetch updates the same stored article


def test_rss_feed_gives_one_article_per_entry_and_a_failure_for_the_empty_one(server):
    url = server.route("/feed.rss", Reply(body=RSS, content_type=RSS_TYPE))
    items = fetch_url(url, Fetcher(policy(server)))
    arts = [i for i in items if isinstance(i, Article)]
    assert [a.title for a in arts] == ["Shelling in Kharkiv & Izium", "Grain talks"]
    assert arts[0].id == "https://news.example.org/kharkiv-izium"
    assert [type(i) for i in items].count(Failure) == 1


def test_feed_is_recognised_by_its_first_bytes_when_served_as_text_plain(server):
    url = server.route("/feed", Reply(body=RSS, content_type="text/plain"))
    items = fetch_url(url, Fetcher(policy(server)))
    assert sum(isinstance(i, Article) for i in items) == 2


def test_atom_summaries_stay_summaries_unless_links_are_followed(server):
    url = server.route("/europe.atom", Reply(body=atom_feed(server.base), content_type=ATOM_TYPE))
    server.route(
        "/story/1",
        Reply(body=STORY.format(title="Power restored", lead="Power is back.").encode()),
    )
    items = fetch_url(url, Fetcher(policy(server)))
    assert [i.text for i in items] == [
        "Crews restored power in Zaporizhzhia.",
        "Talks on prisoner exchanges resume in Istanbul.",
        "Shelling reported near Kharkiv.",
    ]
    assert not server.hits("/story/1")


def test_follow_links_uses_linked_page_text_and_keeps_summary_when_page_fails(server, connections):
    url = server.route("/europe.atom", Reply(body=atom_feed(server.base), content_type=ATOM_TYPE))
    server.route(
        "/story/1",
        Reply(body=STORY.format(title="Power restored", lead="Power is back.").encode()),
    )
    full, missing, private = fetch_url(url, Fetcher(policy(server)), follow_links=True)
    assert "trains from Dnipro were delayed" in full.text
    assert full.id == "urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a"  # the entry's own id
    assert full.title == "Power restored in Zaporizhzhia"
    assert missing.text == "Talks on prisoner exchanges resume in Istanbul."  # 404: summary kept
    assert private.text == "Shelling reported near Kharkiv."  # private link: summary kept
    assert len(server.hits("/story/gone")) == 1  # a 404 is not retried
    assert "169.254.169.254" not in connections


def test_xhtml_page_is_read_as_a_page_not_as_a_feed(server):
    xhtml = b'<?xml version="1.0" encoding="utf-8"?>\n' + PAGE.replace(
        b"<!doctype html><html>", b'<html xmlns="http://www.w3.org/1999/xhtml">'
    )
    url = server.route("/x", Reply(body=xhtml, content_type="application/xhtml+xml"))
    [art] = fetch_url(url, Fetcher(policy(server)))
    assert art.title == "Shelling near Kharkiv"


def test_billion_laughs_feed_is_refused_without_parsing_it(server):
    url = server.route("/lol.rss", Reply(body=BILLION_LAUGHS, content_type=RSS_TYPE))
    start = time.monotonic()
    with pytest.raises(ArticleError, match="declares XML entities"):
        fetch_url(url, Fetcher(policy(server)))
    assert time.monotonic() - start < 1.0


# -- redirects ---------------------------------------------------------------------------------


def test_redirect_chain_is_followed_and_the_id_stays_that_of_the_first_url(server):
    server.route("/a", Reply(301, headers={"Location": "/b"}))
    server.route("/b", Reply(302, headers={"Location": server.url("/c")}))
    server.route("/c", Reply(307, headers={"Location": "article"}))
    server.route("/article", Reply(body=PAGE))
    fetcher = Fetcher(policy(server))
    page = fetcher.get(server.url("/a"))
    assert page.url == server.url("/article")
    [art] = fetch_url(server.url("/a"), fetcher)
    assert art.id == url_id(server.url("/a"))


def test_redirect_loop_is_refused(server):
    server.route("/ping", Reply(302, headers={"Location": "/pong"}))
    url = server.route("/pong", Reply(302, headers={"Location": "/ping"}))
    with pytest.raises(FetchError, match="too many redirects"):
        Fetcher(policy(server)).get(url)
    assert len(server.requests) == 2


def test_more_redirects_than_allowed_are_refused(server):
    for n in range(8):
        server.route(f"/hop{n}", Reply(302, headers={"Location": f"/hop{n + 1}"}))
    server.route("/hop8", Reply(body=PAGE))
    with pytest.raises(FetchError, match=r"too many redirects \(more than 5\)"):
        Fetcher(policy(server)).get(server.url("/hop0"))
    assert len(server.requests) == 6
    assert Fetcher(policy(server, max_redirects=8)).get(server.url("/hop0")).body


@pytest.mark.parametrize(
    ("location", "address"),
    [
        ("http://10.0.0.1/admin", "10.0.0.1"),
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254"),
        ("http://[::1]:{port}/", "::1"),
        ("http://0.0.0.0:{port}/", "0.0.0.0"),
        ("http://localhost:{other}/", "127.0.0.1|::1"),
        ("http://2130706433:{other}/", "127.0.0.1"),  # 127.0.0.1 written as one number
    ],
)
def test_redirect_to_private_address_is_refused_before_connecting(
    server, connections, location, address
):
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        other = closed.getsockname()[1]
    target = location.format(port=server.port, other=other)
    url = server.route("/go", Reply(302, headers={"Location": target}))
    with pytest.raises(FetchError) as err:
        Fetcher(policy(server)).get(url)
    msg = str(err.value)
    assert any(f"private address ({a})" in msg for a in address.split("|"))
    assert PRIVATE_HINT in msg and ALLOW_ENV not in msg
    assert connections == ["127.0.0.1"]  # only the allowed test server itself


@pytest.mark.parametrize(
    "location", ["file:///etc/passwd", "ftp://127.0.0.1/pub", "gopher://127.0.0.1:70/"]
)
def test_redirect_to_non_http_scheme_is_refused_without_revealing_the_target(server, location):
    url = server.route("/file", Reply(302, headers={"Location": location}))
    with pytest.raises(FetchError, match="only http and https addresses can be added") as err:
        Fetcher(policy(server)).get(url)
    assert "passwd" not in str(err.value) and "root:" not in str(err.value)


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "ftp://example.org/", "javascript:alert(1)", "/etc/passwd"]
)
def test_non_http_urls_are_refused(url):
    with pytest.raises(FetchError, match="^only http and https addresses can be added$"):
        fetch_url(url, Fetcher())


# -- private addresses and the opt-out ---------------------------------------------------------


def test_loopback_server_is_refused_when_not_allowed(server):
    url = server.route("/page", Reply(body=PAGE))
    with pytest.raises(FetchError) as err:
        Fetcher(FetchPolicy(host_interval=0)).get(url)
    assert str(err.value) == (
        f"refused {url}: it points to a private address (127.0.0.1); {PRIVATE_HINT}"
    )
    assert server.requests == []


def test_env_opt_out_1_allows_any_private_address(server, monkeypatch):
    url = server.route("/page", Reply(body=PAGE))
    monkeypatch.setenv(ALLOW_ENV, "1")
    assert Fetcher(FetchPolicy(host_interval=0)).get(url).body == PAGE


def test_env_allow_list_allows_exactly_the_listed_host_and_port(server, monkeypatch):
    url = server.route("/page", Reply(body=PAGE))
    monkeypatch.setenv(ALLOW_ENV, f"10.0.0.1:80, {server.host_port}")
    assert Fetcher(FetchPolicy(host_interval=0)).get(url).body == PAGE
    monkeypatch.setenv(ALLOW_ENV, f"127.0.0.1:{server.port + 1}")
    with pytest.raises(FetchError, match="private address"):
        Fetcher(FetchPolicy(host_interval=0)).get(url)


def test_env_allow_list_still_refuses_redirect_to_another_private_address(
    server, monkeypatch, connections
):
    monkeypatch.setenv(ALLOW_ENV, server.host_port)
    url = server.route("/go", Reply(302, headers={"Location": "http://10.0.0.1/"}))
    with pytest.raises(FetchError, match=r"refused http://10\.0\.0\.1/: .*private address"):
        Fetcher(FetchPolicy(host_interval=0)).get(url)
    assert connections == ["127.0.0.1"]


def test_connection_goes_to_the_vetted_address_and_dns_is_asked_once(server, monkeypatch):
    lookups = fake_dns(monkeypatch, {"news.example.org": "127.0.0.1"})
    server.route("/page", Reply(body=PAGE))
    page = Fetcher(policy(server)).get(f"http://news.example.org:{server.port}/page")
    assert page.body == PAGE
    assert lookups == ["news.example.org"]
    assert server.requests[0].headers["Host"] == f"news.example.org:{server.port}"


def test_name_resolving_to_a_private_address_is_refused(monkeypatch, connections):
    fake_dns(monkeypatch, {"intranet.example.org": "10.1.2.3"})
    with pytest.raises(FetchError, match=r"private address \(10\.1\.2\.3\)"):
        Fetcher().get("https://intranet.example.org/wiki")
    assert connections == []


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("93.184.215.14", True),
        ("2606:4700:4700::1111", True),
        ("127.0.0.1", False),
        ("10.0.0.1", False),
        ("172.16.5.4", False),
        ("192.168.1.1", False),
        ("169.254.169.254", False),
        ("100.64.0.1", False),
        ("0.0.0.0", False),
        ("224.0.0.251", False),
        ("255.255.255.255", False),
        ("::1", False),
        ("::", False),
        ("fe80::1", False),
        ("fd00::1", False),
        ("ff02::1", False),
        ("::ffff:127.0.0.1", False),
        ("::ffff:10.0.0.1", False),
        ("2002:7f00:1::", False),  # 6to4 wrapping 127.0.0.1
        ("64:ff9b::a9fe:a9fe", False),  # NAT64 wrapping 169.254.169.254
    ],
)
def test_only_globally_routable_unicast_addresses_are_public(address, public):
    assert is_public(ipaddress.ip_address(address)) is public


# -- errors, retries, limits -------------------------------------------------------------------


def test_404_is_reported_plainly_and_not_retried(server):
    url = server.url("/missing")
    with pytest.raises(FetchError) as err:
        Fetcher(policy(server)).get(url)
    assert str(err.value) == f"{server.host_port} answered 404 Not Found"
    assert len(server.requests) == 1


def test_server_error_that_recovers_succeeds_on_retry(server):
    url = server.route("/flaky", [Reply(500, b"oops"), Reply(body=PAGE)])
    assert Fetcher(policy(server)).get(url).body == PAGE
    assert len(server.hits("/flaky")) == 2


def within_bound(attempt: Callable[[int], bool], tries: int = 3) -> bool:
    """Run a timed `attempt` (given its number) again, twice at most, while it misses its bound.

    The bounds below are a few tenths of a second; one pause of a loaded machine (two test
    workers on two cores) can add that much to a single run. A fetcher that ignores its
    deadline or does not back off misses the bound every time, so the test still fails.
    """
    return any(attempt(n) for n in range(tries))


def test_too_many_requests_is_retried_with_back_off(server):
    def attempt(n: int) -> bool:
        path = f"/busy{n}"
        url = server.route(path, [Reply(429), Reply(429), Reply(body=PAGE)])
        start = time.monotonic()
        assert Fetcher(policy(server, backoff=0.1)).get(url).body == PAGE
        elapsed = time.monotonic() - start
        hits = server.hits(path)
        assert len(hits) == 3
        first, second = hits[1].at - hits[0].at, hits[2].at - hits[1].at
        assert first > 0
        return second >= 1.8 * first and elapsed < 2  # doubling waits

    assert within_bound(attempt)


def test_persistent_server_error_gives_up_after_the_retries(server):
    url = server.route("/down", Reply(503))
    with pytest.raises(FetchError, match=r"answered 503 Service Unavailable$"):
        Fetcher(policy(server, retries=2)).get(url)
    assert len(server.hits("/down")) == 3


def test_refused_connection_has_a_plain_message(monkeypatch):
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    monkeypatch.setenv(ALLOW_ENV, "1")
    fetcher = Fetcher(FetchPolicy(backoff=0.01, host_interval=0))
    with pytest.raises(FetchError) as err:
        fetcher.get(f"http://127.0.0.1:{port}/")
    assert str(err.value) == f"could not reach 127.0.0.1:{port}: connection refused"


def test_unknown_host_message_is_plain(monkeypatch):
    def no_such_name(*args, **kw):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_such_name)
    with pytest.raises(FetchError) as err:
        Fetcher().get("https://example.com/news")
    assert str(err.value) == "could not reach example.com: no network or wrong address"


def cut_off_in_time(server, path: str, reply: Reply, deadline: float, timeout: float, bound: float):
    """True when fetching `reply` gives up with "gave up after <deadline> s" within `bound`
    seconds (timed again, twice at most, on a fresh path each time: `within_bound`)."""

    def attempt(n: int) -> bool:
        url = server.route(f"{path}{n}", reply)
        start = time.monotonic()
        with pytest.raises(FetchError, match=rf"^gave up after {re.escape(f'{deadline:g}')} s$"):
            Fetcher(policy(server, timeout=timeout, deadline=deadline)).get(url)
        return time.monotonic() - start < bound

    return within_bound(attempt)


@pytest.mark.parametrize("send_length", [True, False], ids=["with-length", "without-length"])
def test_trickling_server_is_cut_off_at_the_deadline(server, send_length):
    # One byte every 0.3 s never trips the 2 s per-read time-out; only the deadline stops it,
    # and a body cut off there is never taken for a complete page.
    reply = Reply(body=PAGE, trickle=0.3, send_length=send_length)
    assert cut_off_in_time(server, "/slow", reply, deadline=1.0, timeout=2.0, bound=1.25)


def test_server_trickling_its_headers_is_cut_off_at_the_deadline(server):
    reply = Reply(body=PAGE, trickle=0.1, slow_head=True)
    assert cut_off_in_time(server, "/slow-head", reply, deadline=1.0, timeout=2.0, bound=1.25)


def test_server_silent_longer_than_the_deadline_is_cut_off_at_the_deadline(server):
    reply = Reply(body=PAGE, trickle=2.0)
    assert cut_off_in_time(server, "/slower", reply, deadline=0.8, timeout=5.0, bound=1.3)


def test_silent_server_trips_the_per_read_timeout_and_is_retried(server):
    url = server.route("/stall", [Reply(body=PAGE, trickle=2.0), Reply(body=PAGE)])
    page = Fetcher(policy(server, timeout=0.3, deadline=3.0)).get(url)
    assert page.body == PAGE
    assert len(server.hits("/stall")) == 2


def test_declared_oversized_page_is_refused_before_reading_it(server):
    big = Reply(body=b"x", send_length=False, headers={"Content-Length": str(60 * 2**20)})
    url = server.route("/huge", big)
    with pytest.raises(FetchError, match=r"^page bigger than 50 MB$"):
        Fetcher(policy(server)).get(url)


def test_oversized_page_without_length_is_cut_off_while_streaming(server):
    # ~66 MB if nobody stopped it
    huge = Reply(body=b"<p>news</p>" * 6000, send_length=False, repeat=1000)
    url = server.route("/stream", huge)
    start = time.monotonic()
    with pytest.raises(FetchError, match=r"^page bigger than 1 MB$"):
        Fetcher(policy(server, max_bytes=2**20)).get(url)
    assert time.monotonic() - start < 2


def test_compressed_page_is_capped_on_its_unpacked_size(server):
    bomb = gzip.compress(b"\0" * (8 * 2**20))
    url = server.route("/bomb", Reply(body=bomb, headers={"Content-Encoding": "gzip"}))
    with pytest.raises(FetchError, match="page bigger than 1 MB"):
        Fetcher(policy(server, max_bytes=2**20)).get(url)
    small = server.route(
        "/small", Reply(body=gzip.compress(PAGE), headers={"Content-Encoding": "gzip"})
    )
    assert Fetcher(policy(server)).get(small).body == PAGE


def test_broken_compressed_page_has_a_plain_message(server):
    broken = gzip.compress(PAGE)[:40] + b"garbage" * 10
    url = server.route("/broken", Reply(body=broken, headers={"Content-Encoding": "gzip"}))
    with pytest.raises(FetchError, match=r"^127\.0\.0\.1:\d+ sent a broken compressed page$"):
        Fetcher(policy(server)).get(url)


def test_politeness_delay_spaces_requests_to_one_host(server):
    server.route("/one", Reply(body=PAGE))
    server.route("/two", Reply(body=PAGE))
    fetcher = Fetcher(policy(server, host_interval=0.4))
    fetcher.get(server.url("/one"))
    fetcher.get(server.url("/two"))
    fetcher.get(server.url("/one"))
    times = [r.at for r in server.requests]
    assert all(b - a >= 0.35 for a, b in zip(times, times[1:], strict=False))


def test_politeness_delay_holds_across_threads(server):
    server.route("/page", Reply(body=PAGE))
    fetcher = Fetcher(policy(server, host_interval=0.3))
    threads = [threading.Thread(target=fetcher.get, args=(server.url("/page"),)) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    times = sorted(r.at for r in server.requests)
    assert len(times) == 3
    assert all(b - a >= 0.25 for a, b in zip(times, times[1:], strict=False))


# -- https -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tls_files(tmp_path_factory):
    """A self-signed certificate for news.example.org (and its key), as PEM files."""
    x509 = pytest.importorskip("cryptography.x509")
    import datetime as dt

    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "news.example.org")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("news.example.org")]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    folder = tmp_path_factory.mktemp("tls")
    (folder / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (folder / "key.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return folder / "cert.pem", folder / "key.pem"


@pytest.fixture
def https_server(tls_files):
    cert, key = tls_files
    srv = LocalServer()
    server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_ctx.load_cert_chain(cert, key)
    srv.httpd.socket = server_ctx.wrap_socket(srv.httpd.socket, server_side=True)
    with srv:
        yield srv


def test_https_checks_the_certificate_against_the_host_name_not_the_ip(
    https_server, tls_files, monkeypatch
):
    fake_dns(monkeypatch, {"news.example.org": "127.0.0.1"})
    https_server.route("/page", Reply(body=PAGE))
    trust = ssl.create_default_context(cafile=str(tls_files[0]))
    fetcher = Fetcher(policy(https_server), ssl_context=trust)
    assert fetcher.get(f"https://news.example.org:{https_server.port}/page").body == PAGE
    with pytest.raises(FetchError, match=r"127\.0\.0\.1:\d+ has an invalid certificate"):
        fetcher.get(f"https://127.0.0.1:{https_server.port}/page")


def test_https_with_an_untrusted_certificate_is_refused(https_server, monkeypatch):
    fake_dns(monkeypatch, {"news.example.org": "127.0.0.1"})
    https_server.route("/page", Reply(body=PAGE))
    with pytest.raises(FetchError, match="has an invalid certificate"):
        Fetcher(policy(https_server)).get(f"https://news.example.org:{https_server.port}/page")


# -- URL lists ---------------------------------------------------------------------------------


def test_url_list_skips_blank_lines_comments_and_duplicates(tmp_path):
    path = tmp_path / "urls.txt"
    path.write_text(
        "# morning sources\n\nhttps://news.example.org/feed.rss\n"
        "  http://example.com/a#top  \n# https://skipped.example/\n"
        "https://news.example.org/feed.rss\n",
        encoding="utf-8",
    )
    assert read_url_list(path) == ["https://news.example.org/feed.rss", "http://example.com/a#top"]


def test_url_list_names_the_line_that_is_not_a_web_address(tmp_path):
    path = tmp_path / "urls.txt"
    path.write_text("https://example.com/\nexample.org/page\n", encoding="utf-8")
    with pytest.raises(ArticleError, match=r"urls\.txt, line 2: only http and https"):
        read_url_list(path)


# -- credentials in a URL -------------------------------------------------------------------


def test_a_url_with_credentials_is_fetched_with_them_and_never_shows_them(server):
    import base64

    url = server.route("/private/page", Reply(body=PAGE))
    secret = url.replace("http://", "http://reader:s3cret@")
    fetcher = Fetcher(policy(server))
    [art] = fetch_url(secret, fetcher)
    assert (art.url, art.id) == (url, url_id(url))  # stored as the address without them
    sent = server.hits("/private/page")[0].headers["Authorization"]
    assert sent == "Basic " + base64.b64encode(b"reader:s3cret").decode()
    for path in ["/gone", "/empty"]:
        server.route("/empty", Reply(body=b""))
        with pytest.raises(ArticleError) as err:
            fetch_url(secret.replace("/private/page", path), fetcher)
        assert "s3cret" not in str(err.value) and "reader" not in str(err.value)


def test_credentials_are_not_sent_on_after_a_redirect_to_another_site(server, monkeypatch):
    fake_dns(monkeypatch, {"other.test": "127.0.0.1"})
    other = f"http://other.test:{server.port}/landing"
    server.route("/landing", Reply(body=PAGE))
    url = server.route("/start", Reply(302, headers={"Location": other}))
    allowed = policy(server, allow_hosts=frozenset({server.host_port, f"other.test:{server.port}"}))
    fetch_url(url.replace("http://", "http://reader:s3cret@"), Fetcher(allowed))
    assert "Authorization" in server.hits("/start")[0].headers
    assert "Authorization" not in server.hits("/landing")[0].headers


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("http://user:pw@example.org/a?b=c", "http://example.org/a?b=c"),
        ("HTTPS://user@example.org", "HTTPS://example.org"),
        ("http://a@b:p@ss@example.org:81/x@y", "http://example.org:81/x@y"),
        ("http://example.org/@home", "http://example.org/@home"),
        ("not a url", "not a url"),
        ("http://[::1", "http://[::1"),
    ],
)
def test_without_credentials(url, shown):
    assert fetch.without_credentials(url) == shown
    assert fetch.short_url(url).lower() == shown.lower()  # urlsplit lower-cases the scheme
