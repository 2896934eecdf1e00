"""Duplicate detection: canonical URLs, and MinHash signatures for near-duplicate texts.

Near-duplicates are wire copies of one story republished by several outlets. Each text is
reduced to its set of word 3-shingles (lower-cased `\\w+` tokens); a 128-slot MinHash
(datasketch, scheme "affine32", seed 1) estimates the Jaccard similarity of two such sets.
For lookup the signature is cut into 16 bands of 8 slots; two texts that agree on a whole band
are candidates (a pair with Jaccard 0.8 shares a band with probability 0.95, at 0.9 with
0.9998, at 0.5 with 0.06), and a candidate is a near-duplicate only when the estimated
Jaccard is at least NEAR_DUP_THRESHOLD (0.8: a light edit, a changed headline or a different
first or last paragraph keeps a copy above it; two reports of the same event written
separately share far fewer shingles). Texts with fewer than MIN_SHINGLES shingles get no
signature: too short to tell a copy from a coincidence.
"""

from __future__ import annotations

import hashlib
import re
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

import numpy as np

SHINGLE_WORDS = 3
NUM_PERM = 128
SEED = 1
SCHEME = "affine32"
BANDS = 16
ROWS = NUM_PERM // BANDS
NEAR_DUP_THRESHOLD = 0.8
MIN_SHINGLES = 20
# Stored with the signatures: a database whose signatures were made otherwise cannot be
# compared with new ones.
SIGNATURE_KIND = f"datasketch/{SCHEME}/seed{SEED}/perm{NUM_PERM}/words{SHINGLE_WORDS}"

# Query parameters that say how a reader arrived, not what the page is.
TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "gclsrc",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "twclid",
        "igshid",
        "mc_cid",
        "mc_eid",
        "_ga",
        "_gl",
        "_hsenc",
        "_hsmi",
        "mkt_tok",
        "oly_anon_id",
        "oly_enc_id",
        "vero_id",
        "wickedid",
        "ref_src",
        "ref_url",
        "cmpid",
        "ocid",
        "ito",
        "at_medium",
        "at_campaign",
    }
)
TRACKING_PREFIXES = ("utm_", "pk_", "hsa_")
DEFAULT_PORTS = {"http": 80, "https": 443}

_WORD = re.compile(r"\w+")
_ESCAPE = re.compile(r"%[0-9a-fA-F]{2}")


def canonical_url(url: str) -> str:
    """The form of an http(s) URL under which re-fetches and shared links of one page agree.

    Lower-cases scheme and host, drops a leading "www.", the default port, the fragment,
    tracking parameters (utm_*, fbclid, gclid, mc_cid, ...) and trailing slashes, and sorts
    the remaining query parameters. Other URLs come back only stripped of surrounding blanks.
    """
    url = url.strip()
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:  # e.g. a port that is not a number: leave such a URL alone
        return url
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parts.hostname:
        return url
    host = parts.hostname.lower().rstrip(".")
    host = host.removeprefix("www.")
    if ":" in host:  # an IPv6 literal keeps its brackets
        host = f"[{host}]"
    if port is not None and port != DEFAULT_PORTS[scheme]:
        host = f"{host}:{port}"
    if parts.username is not None:
        auth = parts.username + (f":{parts.password}" if parts.password is not None else "")
        host = f"{auth}@{host}"
    path = _ESCAPE.sub(lambda m: m.group(0).upper(), parts.path).rstrip("/") or "/"
    params = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if k.lower() not in TRACKING_PARAMS and not k.lower().startswith(TRACKING_PREFIXES)
    ]
    query = urlencode(sorted(params), quote_via=quote)
    return urlunsplit((scheme, host, path, query, ""))


def url_id(url: str) -> str:
    """The article id of a page fetched from `url`: a hash of its canonical URL.

    Re-fetching the page under another spelling of its URL (tracking parameters, "www.",
    a trailing slash) gives the same id, so the store updates that article in place.
    """
    return hashlib.sha256(canonical_url(url).encode("utf-8")).hexdigest()[:16]


def shingles(text: str) -> set[str]:
    """The text's word 3-shingles (lower-cased), the set whose Jaccard similarity MinHash estimates."""
    words = _WORD.findall(text.lower())
    n = SHINGLE_WORDS
    return {" ".join(words[i : i + n]) for i in range(len(words) - n + 1)}


def signature(text: str) -> bytes | None:
    """The text's MinHash signature (NUM_PERM little-endian uint32), None when it is too short."""
    sh = shingles(text)
    if len(sh) < MIN_SHINGLES:
        return None
    from datasketch import MinHash  # importing datasketch takes half a second: only when needed

    mh = MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME)
    mh.update_batch([s.encode("utf-8") for s in sh])
    return mh.hashvalues.astype("<u4").tobytes()


def similarity(a: bytes, b: bytes) -> float:
    """Estimated Jaccard similarity of two signatures: the share of equal slots (0.0 to 1.0)."""
    va = np.frombuffer(a, dtype="<u4")
    vb = np.frombuffer(b, dtype="<u4")
    if va.shape != vb.shape:
        raise ValueError("signatures of different lengths cannot be compared")
    return float(np.count_nonzero(va == vb)) / len(va)


def band_keys(sig: bytes) -> list[int]:
    """One signed 64-bit key per band; texts sharing any key are near-duplicate candidates."""
    width = ROWS * 4
    keys = []
    for band in range(BANDS):
        chunk = sig[band * width : (band + 1) * width]
        digest = hashlib.blake2b(bytes([band]) + chunk, digest_size=8).digest()
        keys.append(int.from_bytes(digest, "big", signed=True))
    return keys
