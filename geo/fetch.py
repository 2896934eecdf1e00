"""Download pages and feeds safely: http(s) only, public addresses only, bounded in time and size.

Every address (the first and each redirect target) is resolved once, vetted with `ipaddress`,
and the connection goes to exactly the vetted IP, so a second DNS answer cannot point us
elsewhere. Local servers are refused unless allowed by `FetchPolicy.allow_private` or the
environment variable CONFLICT_MAP_ALLOW_PRIVATE ("1" allows every address; a comma list of
`host:port` allows exactly those). No proxy from the environment is used.
"""

from __future__ import annotations

import base64
import http.client
import ipaddress
import logging
import os
import queue
import re
import socket
import ssl
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from http import HTTPStatus
from pathlib import Path
from urllib.parse import quote, unquote, urljoin, urlsplit, urlunsplit

from geo.article_fields import without_credentials
from geo.decoding import decode
from geo.dedup import url_id
from geo.errors import ArticleError, FetchError
from geo.feed_entries import parse_feed
from geo.filekinds import MAX_FILE_BYTES, read_bytes
from geo.models import Article, Failure
from geo.webpage import parse_html

log = logging.getLogger(__name__)

ALLOW_ENV = "CONFLICT_MAP_ALLOW_PRIVATE"
# The refusal reaches browser users too, who cannot set the server's environment.
PRIVATE_HINT = "only public addresses are read (whoever runs Conflict Map can allow others)"
USER_AGENT = "conflict-map/0.1"
REDIRECTS = {301, 302, 303, 307, 308}
SHORT_SUMMARY = 500  # characters; a feed entry shorter than this is only a teaser
_CHUNK = 64 * 1024
_ONLY_HTTP = "only http and https addresses can be added"
_ENTITY = re.compile(rb"<!ENTITY", re.IGNORECASE)
_WEB = re.compile(r"^\s*https?://", re.IGNORECASE)
# Addresses that wrap an IPv4 address inside IPv6 (NAT64); the wrapped one is vetted too.
_NAT64 = ipaddress.ip_network("64:ff9b::/96")

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True, slots=True)
class FetchPolicy:
    """Limits for one download; times in seconds, sizes in bytes."""

    timeout: float = 10.0  # each connect or read
    deadline: float = 30.0  # the whole URL: redirects, retries and waits included
    max_bytes: int = MAX_FILE_BYTES
    max_redirects: int = 5
    retries: int = 2  # extra attempts after a connection error, time-out, 5xx or 429
    backoff: float = 0.5  # first wait before a retry; doubles each time
    host_interval: float = 1.0  # minimum time between two requests to one host
    allow_private: bool = False  # True: local and private addresses may be fetched
    allow_hosts: frozenset[str] = frozenset()  # "host:port" entries allowed although private
    max_links: int = 50  # follow_links: at most this many linked pages per feed
    user_agent: str = USER_AGENT


@dataclass(frozen=True, slots=True)
class Page:
    """A downloaded body; `url` is the address it finally came from (after redirects)."""

    url: str
    content_type: str
    body: bytes


@dataclass(frozen=True, slots=True)
class _Target:
    url: str
    scheme: str
    host: str  # IDNA-encoded, lower case, IPv6 without brackets
    port: int
    path: str  # request target: path and query, percent-encoded
    auth: str = field(
        default="", repr=False
    )  # an Authorization header from the URL's user:password

    @property
    def label(self) -> str:
        """host[:port] for messages; never the path or credentials."""
        name = f"[{self.host}]" if ":" in self.host else self.host
        default = 443 if self.scheme == "https" else 80
        return name if self.port == default else f"{name}:{self.port}"


class _Deadline:
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.end = time.monotonic() + seconds

    def remaining(self) -> float:
        return self.end - time.monotonic()

    def check(self) -> None:
        if self.remaining() <= 0:
            raise FetchError(self.message)

    @property
    def message(self) -> str:
        return f"gave up after {self.seconds:g} s"


class _Retry(Exception):
    """A failure worth another attempt; `message` is what the user sees if none succeeds."""

    def __init__(self, message: str, wait: float = 0.0) -> None:
        super().__init__(message)
        self.message = message
        self.wait = wait


def is_url(text: str) -> bool:
    """True for text that starts as an http(s) address (in any case), not a local path."""
    return _WEB.match(text) is not None


def is_web_address(text: str) -> bool:
    """True for an http(s) URL with a host name; paths and other schemes are not."""
    try:
        parts = urlsplit(text.strip())
        return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)
    except ValueError:
        return False


def short_url(url: str, limit: int = 80) -> str:
    """The URL without credentials or fragment, cut to `limit` characters (with "…")."""
    url = without_credentials(url)
    try:
        parts = urlsplit(url)
        url = urlunsplit((parts.scheme, parts.netloc, parts.path, parts.query, ""))
    except ValueError:
        pass
    return url if len(url) <= limit else url[: limit - 1] + "…"


def _basic_auth(parts) -> str:
    """The Authorization header for a URL's user:password, "" without one."""
    if parts.username is None:
        return ""
    pair = f"{unquote(parts.username)}:{unquote(parts.password or '')}"
    return "Basic " + base64.b64encode(pair.encode("utf-8")).decode("ascii")


def _size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.4g} MB"
    if n >= 1024:
        return f"{n / 1024:.4g} kB"
    return f"{n} bytes"


def _parse(url: str) -> _Target:
    """Split and normalise an http(s) URL. Raises FetchError for any other."""
    try:
        parts = urlsplit(url.strip())
    except ValueError as err:
        raise FetchError(f"{short_url(url)} is not a valid web address") from err
    scheme = parts.scheme.lower()
    if scheme not in {"http", "https"}:
        raise FetchError(_ONLY_HTTP)
    try:
        host = (parts.hostname or "").rstrip(".").encode("idna").decode("ascii").lower()
        port = parts.port or (443 if scheme == "https" else 80)
    except (ValueError, UnicodeError) as err:
        raise FetchError(f"{short_url(url)} is not a valid web address") from err
    if not host:
        raise FetchError(f"{short_url(url)} is not a valid web address (no host name)")
    # Spaces, control characters and non-ASCII would break (or smuggle into) the request line.
    path = quote(parts.path or "/", safe="/%:@!$&'()*+,;=~-._")
    if parts.query:
        path += "?" + quote(parts.query, safe="/%:@!$&'()*+,;=~-._?")
    clean = urlunsplit((scheme, parts.netloc.rpartition("@")[2], parts.path, parts.query, ""))
    return _Target(clean, scheme, host, port, path, _basic_auth(parts))


def _allowances(policy: FetchPolicy) -> tuple[bool, frozenset[str]]:
    """(allow every address, allowed "host:port" entries) from the policy and the environment."""
    raw = os.environ.get(ALLOW_ENV, "").strip()
    if raw == "1" or policy.allow_private:
        return True, frozenset()
    entries = {e.strip().lower() for e in raw.split(",") if e.strip() and e.strip() != "0"}
    return False, frozenset(entries | {e.lower() for e in policy.allow_hosts})


def refusal(url: str, policy: FetchPolicy | None = None) -> str | None:
    """Why `url` may never be fetched under `policy`: not an http(s) address, or a host name
    that resolves to an address not allowed (loopback, private, ...); None when it may.

    A name that does not resolve now is not a refusal: a later fetch will say how it went.
    """
    policy = policy or default_fetcher().policy
    try:
        target = _parse(url)
    except FetchError as err:
        return str(err)
    try:
        infos = _resolve(target, policy.timeout)
    except (FetchError, _Retry):
        return None
    try:
        _vet(target, infos, policy)
    except FetchError as err:
        return str(err)
    return None


def _host_port(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _embedded_v4(ip: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address stands for (mapped, 6to4, Teredo, NAT64), if any."""
    if not isinstance(ip, ipaddress.IPv6Address):
        return None
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def is_public(ip: IPAddress) -> bool:
    """True for a globally routable unicast address (not loopback, private, link-local, ...)."""
    inner = _embedded_v4(ip)
    if inner is not None and not is_public(inner):
        return False
    return not (
        ip.is_loopback
        or ip.is_private
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or (isinstance(ip, ipaddress.IPv6Address) and ip.is_site_local)
        or not ip.is_global
    )


def _resolve(target: _Target, timeout: float) -> list[tuple]:
    """getaddrinfo() for the target, bounded by `timeout` (the C call itself has no time-out)."""
    answer: queue.Queue = queue.Queue(maxsize=1)

    def run() -> None:
        try:
            answer.put(socket.getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM), False)
        except (OSError, UnicodeError) as err:
            answer.put(err, False)

    threading.Thread(target=run, daemon=True, name="fetch-dns").start()
    try:
        result = answer.get(timeout=max(timeout, 0.001))
    except queue.Empty:
        raise _Retry(f"could not reach {target.label}: the name server did not answer") from None
    if isinstance(result, socket.gaierror):
        if result.errno == socket.EAI_AGAIN:
            raise _Retry(f"could not reach {target.label}: no network or wrong address")
        raise FetchError(f"could not reach {target.label}: no network or wrong address") from None
    if isinstance(result, Exception):
        raise _Retry(f"could not reach {target.label}: no network or wrong address")
    return result


def _vet(target: _Target, infos: list[tuple], policy: FetchPolicy) -> list[tuple]:
    """The resolved addresses, or FetchError if any of them is not public (and not allowed)."""
    allow_all, allowed = _allowances(policy)
    named = _host_port(target.host, target.port) in allowed
    vetted = []
    for family, kind, proto, _, sockaddr in infos:
        ip = ipaddress.ip_address(sockaddr[0].split("%", 1)[0])
        if not (allow_all or named or is_public(ip)):
            if _host_port(str(ip), target.port) not in allowed:
                hint = PRIVATE_HINT
                raise FetchError(
                    f"refused {short_url(target.url)}: it points to a private address ({ip}); "
                    + hint
                )
        vetted.append((family, kind, proto, sockaddr))
    if not vetted:
        raise FetchError(f"could not reach {target.label}: no network or wrong address")
    return vetted


def _connect(addrs: list[tuple], timeout: float) -> socket.socket:
    """A TCP connection to the first vetted address that accepts one."""
    last: OSError | None = None
    for family, kind, proto, sockaddr in addrs:
        sock = socket.socket(family, kind, proto)
        try:
            sock.settimeout(timeout)
            sock.connect(sockaddr)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            return sock
        except OSError as err:
            sock.close()
            last = err
    assert last is not None
    raise last


class _PinnedHTTP(http.client.HTTPConnection):
    """An HTTP connection to pre-vetted addresses; Host header still names the host."""

    def __init__(self, host: str, port: int, addrs: list[tuple], timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._addrs = addrs
        self.live: socket.socket | None = None  # kept after a closing response takes `sock`

    def connect(self) -> None:
        self.sock = self.live = _connect(self._addrs, self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    """An HTTPS connection to pre-vetted addresses; SNI and certificate check use the host name."""

    def __init__(
        self, host: str, port: int, addrs: list[tuple], timeout: float, context: ssl.SSLContext
    ) -> None:
        super().__init__(host, port, timeout=timeout, context=context)
        self._addrs = addrs
        self.live: socket.socket | None = None  # kept after a closing response takes `sock`

    def connect(self) -> None:
        raw = _connect(self._addrs, self.timeout)
        self.live = raw  # the watchdog can cut the handshake too
        try:
            self.sock = self.live = self._context.wrap_socket(raw, server_hostname=self.host)
        except BaseException:
            raw.close()
            raise


def _watchdog(conn: _PinnedHTTP | _PinnedHTTPS, seconds: float) -> threading.Timer:
    """Shut the connection's socket down after `seconds`: a trickling server cannot outlast it."""

    def fire() -> None:
        # Not conn.sock: http.client hands the socket to a response that closes the connection.
        sock = conn.live
        if sock is not None:
            try:
                # The plain-socket method: it unblocks a reader without touching SSL state.
                socket.socket.shutdown(sock, socket.SHUT_RDWR)
            except OSError:
                pass

    timer = threading.Timer(max(seconds, 0.0), fire)
    timer.daemon = True
    timer.start()
    return timer


def _decoder(encoding: str, label: str) -> Callable[[bytes, int], bytes] | None:
    """A capped decompressor for a Content-Encoding we did not ask for; None for identity."""
    encoding = encoding.strip().lower()
    if encoding in {"", "identity"}:
        return None
    if encoding in {"gzip", "x-gzip", "deflate"}:
        z = zlib.decompressobj(47 if "gzip" in encoding else zlib.MAX_WBITS)

        def run(chunk: bytes, room: int) -> bytes:
            # room + 1: getting more than `room` bytes proves the page is too big
            try:
                return z.decompress(z.unconsumed_tail + chunk, room + 1)
            except zlib.error:
                raise FetchError(f"{label} sent a broken compressed page") from None

        return run
    raise FetchError(f"{label} sent the page in an unsupported encoding ({encoding[:20]})")


class Fetcher:
    """Downloads under one FetchPolicy, keeping the time of the last request to each host.

    Safe to share between threads.
    """

    def __init__(
        self, policy: FetchPolicy | None = None, ssl_context: ssl.SSLContext | None = None
    ) -> None:
        self.policy = policy or FetchPolicy()
        self.ssl_context = ssl_context or ssl.create_default_context()
        self._lock = threading.Lock()
        self._next: dict[str, float] = {}  # host -> earliest monotonic time of its next request

    def get(self, url: str) -> Page:
        """Download one URL, following up to `max_redirects` redirects.

        Raises FetchError with a message fit for the user.
        """
        policy = self.policy
        deadline = _Deadline(policy.deadline)
        target = _parse(url)
        seen = {target.url}
        for _ in range(policy.max_redirects + 1):
            status, location, page = self._with_retries(target, deadline)
            if page is not None:
                return page
            try:
                nxt = _parse(urljoin(target.url, location))
            except FetchError as err:
                raise FetchError(
                    f"{target.label} redirected to an address that cannot be fetched: {err}"
                ) from None
            log.info("%s redirects (%d) to %s", short_url(target.url), status, short_url(nxt.url))
            same_site = (nxt.scheme, nxt.host, nxt.port) == (
                target.scheme,
                target.host,
                target.port,
            )
            if target.auth and not nxt.auth and same_site:
                nxt = replace(nxt, auth=target.auth)  # like a browser: never to another site
            if nxt.url in seen:
                raise FetchError(f"too many redirects: {target.label} redirects in a loop")
            seen.add(nxt.url)
            target = nxt
        raise FetchError(f"too many redirects (more than {policy.max_redirects})")

    def _with_retries(self, target: _Target, deadline: _Deadline) -> tuple[int, str, Page | None]:
        policy = self.policy
        for attempt in range(policy.retries + 1):
            try:
                return self._once(target, deadline)
            except _Retry as err:
                if attempt == policy.retries:
                    raise FetchError(err.message) from None
                wait = max(policy.backoff * 2**attempt, err.wait)
                if wait >= deadline.remaining():
                    raise FetchError(f"{err.message}; {deadline.message}") from None
                log.info("%s; retrying in %.2g s", err.message, wait)
                time.sleep(wait)
        raise AssertionError("unreachable")

    def _wait_turn(self, host: str, deadline: _Deadline) -> None:
        """Sleep until this host may be asked again; reserves the slot under the lock."""
        with self._lock:
            now = time.monotonic()
            start = max(now, self._next.get(host, now))
            self._next[host] = start + self.policy.host_interval
        if start - now >= deadline.remaining():
            raise FetchError(deadline.message)
        if start > now:
            time.sleep(start - now)

    def _once(self, target: _Target, deadline: _Deadline) -> tuple[int, str, Page | None]:
        """One request: (status, redirect location, None) or (200, "", page)."""
        policy = self.policy
        deadline.check()
        infos = _resolve(target, min(policy.timeout, deadline.remaining()))
        addrs = _vet(target, infos, policy)  # refuses before any connection is made
        self._wait_turn(target.host, deadline)
        deadline.check()
        op = min(policy.timeout, deadline.remaining())
        conn: _PinnedHTTP | _PinnedHTTPS
        if target.scheme == "https":
            conn = _PinnedHTTPS(target.host, target.port, addrs, op, self.ssl_context)
        else:
            conn = _PinnedHTTP(target.host, target.port, addrs, op)
        timer = _watchdog(conn, deadline.remaining())
        try:
            headers = {
                "User-Agent": policy.user_agent,
                "Accept-Encoding": "identity",
                "Accept": "text/html, application/rss+xml, application/atom+xml, "
                "application/xml;q=0.9, */*;q=0.5",
            }
            if target.auth:
                headers["Authorization"] = target.auth
            conn.request("GET", target.path, headers=headers)
            resp = conn.getresponse()
            status = resp.status
            if status in REDIRECTS:
                location = resp.getheader("Location", "").strip()
                if not location:
                    raise FetchError(f"{target.label} answered a redirect without an address")
                return status, location, None
            if status == 429 or status >= 500:
                raise _Retry(_status_message(target, status), _retry_after(resp))
            if status != 200:
                raise FetchError(_status_message(target, status))
            body = self._read(resp, target, deadline)
            ctype = resp.getheader("Content-Type", "") or ""
            return status, "", Page(target.url, ctype, body)
        except (FetchError, _Retry):
            if deadline.remaining() <= 0:
                raise FetchError(deadline.message) from None
            raise
        except ssl.SSLCertVerificationError as err:
            why = (err.verify_message or "not valid").rstrip(".")
            raise FetchError(f"{target.label} has an invalid certificate ({why})") from None
        except (OSError, http.client.HTTPException, ValueError) as err:
            # ValueError: an SSL socket read after the watchdog shut it down
            if deadline.remaining() <= 0:
                raise FetchError(deadline.message) from None
            raise _Retry(_network_message(target, err, op)) from None
        finally:
            timer.cancel()
            conn.close()

    def _read(self, resp: http.client.HTTPResponse, target: _Target, deadline: _Deadline) -> bytes:
        """The response body, refused as soon as it is known to exceed max_bytes."""
        limit = self.policy.max_bytes
        too_big = f"page bigger than {_size(limit)}"
        declared = (resp.getheader("Content-Length") or "").strip()
        if declared.isdigit() and int(declared) > limit:
            raise FetchError(too_big)
        decomp = _decoder(resp.getheader("Content-Encoding") or "", target.label)
        chunks: list[bytes] = []
        total = 0
        while True:
            deadline.check()
            chunk = resp.read1(_CHUNK)
            if not chunk:
                break
            if decomp is not None:
                chunk = decomp(chunk, limit - total)
            total += len(chunk)
            if total > limit:
                raise FetchError(too_big)
            chunks.append(chunk)
        deadline.check()  # the watchdog's shutdown looks like the end of a length-less body
        return b"".join(chunks)


def _status_message(target: _Target, status: int) -> str:
    try:
        phrase = HTTPStatus(status).phrase  # not the server's own text, which may say anything
    except ValueError:
        phrase = "an unknown status"
    return f"{target.label} answered {status} {phrase}"


def _retry_after(resp: http.client.HTTPResponse) -> float:
    value = (resp.getheader("Retry-After") or "").strip()
    return min(float(value), 60.0) if value.isdigit() else 0.0


def _network_message(target: _Target, err: BaseException, timeout: float) -> str:
    """A plain sentence for a network failure (never the raw errno text)."""
    if isinstance(err, TimeoutError):
        return f"{target.label} did not answer within {timeout:g} s"
    if isinstance(err, ConnectionRefusedError):
        return f"could not reach {target.label}: connection refused"
    if isinstance(err, ssl.SSLError):
        return f"could not open a secure connection to {target.label}"
    if isinstance(err, (ConnectionResetError, http.client.RemoteDisconnected)):
        return f"{target.label} closed the connection"
    if isinstance(err, http.client.HTTPException):
        return f"{target.label} sent a broken answer"
    return f"could not reach {target.label}: no network or wrong address"


_default: Fetcher | None = None
_default_lock = threading.Lock()


def default_fetcher() -> Fetcher:
    """The shared Fetcher with the default policy (so per-host delays hold across calls)."""
    global _default
    with _default_lock:
        if _default is None:
            _default = Fetcher()
        return _default


def _looks_like_feed(page: Page) -> bool:
    """RSS/Atom by content type or first bytes; XHTML pages (also XML) are pages."""
    ctype = page.content_type.lower()
    head = page.body[:2048].lstrip().lower()
    if head.startswith((b"<rss", b"<feed", b"<rdf:rdf")) or "rss" in ctype or "atom" in ctype:
        return True
    xml = head.startswith(b"<?xml") or ("xml" in ctype and "html" not in ctype)
    return xml and re.search(rb"<html[\s>]", head) is None


def fetch_url(
    url: str, fetcher: Fetcher | None = None, follow_links: bool = False
) -> list[Article | Failure]:
    """A feed URL gives its entries; any other URL the one article on its page.

    A page's article id is a hash of `url`, so fetching it again updates that article.
    With `follow_links`, a feed entry with only a short summary gets the text of the page it
    links to (fetched under the same rules) when that page can be read; else its summary.
    Raises FetchError when the URL cannot be downloaded, ArticleError when it holds no article.
    """
    fetcher = fetcher or default_fetcher()
    page = fetcher.get(url)
    url = without_credentials(url)  # the password is used to fetch, never shown or stored
    if not _looks_like_feed(page):
        return [parse_html(decode(page.body, url), url_id(url), url=url)]
    decode(page.body, url)  # empty and binary bodies fail the same way as local files
    if _ENTITY.search(page.body):
        # Entity declarations are how "billion laughs" and external-entity attacks start;
        # real feeds never need them.
        raise ArticleError(f"{short_url(url)}: feed declares XML entities; refused")
    items = parse_feed(page.body, url)
    if follow_links:
        items = _follow_links(items, fetcher, page.url)
    return items


def _follow_links(
    items: list[Article | Failure], fetcher: Fetcher, base: str
) -> list[Article | Failure]:
    """Replace short entry summaries by the text of the pages they link to, where possible."""
    budget = fetcher.policy.max_links
    out: list[Article | Failure] = []
    for item in items:
        if budget > 0 and isinstance(item, Article) and item.url and len(item.text) < SHORT_SUMMARY:
            budget -= 1
            link = urljoin(base, item.url)  # links may be relative to the feed
            try:
                page = fetcher.get(link)
                full = parse_html(decode(page.body, link), item.id, url=item.url)
            except ArticleError as err:
                log.info("%s: keeping the feed summary (%s)", short_url(item.url), err)
            else:
                item = replace(
                    item,
                    text=full.text,
                    published=item.published or full.published,
                    language=full.language or item.language,
                )
        out.append(item)
    return out


def read_url_list(path: Path) -> list[str]:
    """The URLs in a text file, one per line; blank lines and lines starting with # skipped.

    Duplicates are dropped, order kept. Raises ArticleError if the file is unreadable or a
    line is not an http(s) address (the message gives the line number).
    """
    path = Path(path)
    text = decode(read_bytes(path), path.name)
    urls: list[str] = []
    for n, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        try:
            parts = urlsplit(line)
        except ValueError:
            parts = urlsplit("")
        if parts.scheme.lower() not in {"http", "https"} or not parts.netloc:
            raise ArticleError(f"{path.name}, line {n}: {_ONLY_HTTP}")
        if line not in urls:
            urls.append(line)
    return urls
