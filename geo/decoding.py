"""Bytes -> clean text: the codec (a BOM, UTF-8, else detected on a sample), the
undecodable bytes replaced and counted, and the text normalised.

Whole files are decoded at once (`decode`), streamed ones lazily (`_text_stream`).
"""

from __future__ import annotations

import codecs
import io
import logging
import re
import unicodedata
from typing import IO

from geo.errors import ArticleError

log = logging.getLogger(__name__)

SAMPLE_BYTES = 64 * 1024  # encoding detection looks at this much, never at a whole file

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # Unicode category Cc but \t and \n
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def _bom_or_wide(head: bytes) -> str | None:
    """The codec a BOM names, or UTF-16 guessed from NULs in every other byte."""
    for bom, codec in _BOMS:
        if head.startswith(bom):
            return codec
    sample = head[:4096]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    nul_even, nul_odd = even.count(0), odd.count(0)
    if nul_odd > 0.3 * len(odd) and nul_even <= 0.02 * len(even):
        return "utf-16-le"
    if nul_even > 0.3 * len(even) and nul_odd <= 0.02 * len(odd):
        return "utf-16-be"
    return None


def _guess_encoding(data: bytes, bad_at: int) -> str:
    """The codec of text that is not valid UTF-8, judged on a sample around the first bad byte.

    Mostly-UTF-8 text with a few bad bytes stays UTF-8 (the bad bytes get replaced); otherwise
    charset_normalizer decides on at most SAMPLE_BYTES, never on the whole file.
    """
    start = max(0, bad_at - 1024)
    sample = data[start : start + SAMPLE_BYTES]
    if start:
        sample = sample[sample.find(b"\n") + 1 :] or sample
    if len(sample) == SAMPLE_BYTES and b"\n" in sample:
        sample = sample[: sample.rfind(b"\n")]  # don't cut a multibyte character
    text = sample.decode("utf-8", errors="replace")
    bad = text.count("\ufffd") - sample.count(b"\xef\xbf\xbd")
    good = sum(1 for ch in text if ord(ch) > 127) - text.count("\ufffd")
    if good > bad:
        return "utf-8"
    from charset_normalizer import from_bytes

    best = from_bytes(sample).best()
    if best is None:
        return "utf-8"
    try:
        return codecs.lookup(best.encoding).name
    except LookupError:
        return "utf-8"


def _decode(data: bytes, name: str) -> tuple[str, int]:
    """(text, number of undecodable bytes replaced by U+FFFD). Raises ArticleError."""
    if not data.strip():
        raise ArticleError(f"{name}: file is empty")
    codec = _bom_or_wide(data[:SAMPLE_BYTES])
    if codec is None:
        if b"\x00" in data[:8192]:
            raise ArticleError(f"{name}: binary file, not text")
        try:
            return data.decode("utf-8"), 0
        except UnicodeDecodeError as err:
            codec = _guess_encoding(data, err.start)
        log.info("%s decoded as %s", name, codec)
    text = data.decode(codec, errors="replace")
    replaced = text.count("\ufffd")
    if codec.replace("_", "-").startswith("utf-8"):
        replaced -= data.count(b"\xef\xbf\xbd")  # already in the file, not our replacement
    if not text.strip():
        raise ArticleError(f"{name}: file is empty")
    head = text[:SAMPLE_BYTES]
    junk = len(_CONTROL.findall(head)) - head.count("\r") + head.count("\ufffd")
    if replaced > 0.3 * len(text) or junk > 0.1 * len(head):
        raise ArticleError(f"{name}: binary or undecodable file, not text")
    return text, replaced


def decode(data: bytes, name: str) -> str:
    """Bytes -> text: a BOM's codec, UTF-8, else the charset detected on a sample.

    Bytes that do not decode become U+FFFD. Raises ArticleError for empty, binary or mostly
    undecodable input.
    """
    return _decode(data, name)[0]


def _replaced_note(replaced: int, chars: int) -> str:
    share = f"{replaced / max(chars, 1):.1%}".replace("0.0%", "<0.1%")
    return f"{replaced:,} undecodable byte(s) replaced with U+FFFD ({share} of the text)"


def _surrogate_note(count: int) -> str:
    return f"{count:,} invalid character(s) (lone surrogates such as \\ud800) replaced with U+FFFD"


def _clean(text: str) -> tuple[str, int]:
    """clean_text, and how many lone surrogates it replaced."""
    text, bad = _SURROGATE.subn("\ufffd", text)
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    return _CONTROL.sub("", text).strip(), bad


def clean_text(text: str) -> str:
    """Normalise to NFC, unify line ends, drop control characters (keeps offsets stable after).

    Lone surrogates (from JSON escapes such as `\\ud800`) become U+FFFD, so the text always
    encodes as UTF-8.
    """
    return _clean(text)[0]


def _stream_codec(head: bytes, name: str) -> str:
    """The codec of a stream, judged on its first SAMPLE_BYTES. Raises ArticleError."""
    if not head.strip():
        return "utf-8-sig"  # blank so far; the reader says whether anything follows
    codec = _bom_or_wide(head)
    if codec:
        return codec
    if b"\x00" in head[:8192]:
        raise ArticleError(f"{name}: binary file, not text")
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError as err:
        return _guess_encoding(head, err.start)
    return "utf-8-sig"


def _text_stream(binary: IO[bytes], name: str, newline: str | None) -> IO[str]:
    """Decode a binary stream lazily; undecodable bytes become lone surrogates (or U+FFFD).

    Callers count the surrogates per record and replace them with U+FFFD.
    """
    buffered = io.BufferedReader(binary, buffer_size=SAMPLE_BYTES)  # type: ignore[arg-type]
    codec = _stream_codec(buffered.peek(SAMPLE_BYTES)[:SAMPLE_BYTES], name)
    errors = (
        "replace" if codec.startswith("utf-16") or codec.startswith("utf-32") else "surrogateescape"
    )
    return io.TextIOWrapper(buffered, encoding=codec, errors=errors, newline=newline)


def _undecodable(text: str) -> tuple[str, int]:
    return _SURROGATE.subn("\ufffd", text)
