"""Which files are article inputs: their suffixes and compression, how big each kind may be
read whole, the folders' files to read, and what to say about the files that are not."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from geo.article_fields import MAX_ARTICLE_CHARS
from geo.errors import ArticleError

MAX_FILE_BYTES = 50 * 1024 * 1024  # a file read whole (.json, .html, feed, ...), decompressed
MAX_TEXT_FILE_BYTES = 8 * MAX_ARTICLE_CHARS  # a .txt/.md file is one article
MAX_HTML_BYTES = 10 * 1024 * 1024  # one web page
MAX_FEED_BYTES = 10 * 1024 * 1024  # feedparser needs ~20 s and ~150 MB for that much

ARTICLE_SUFFIXES = {
    ".txt", ".md", ".html", ".htm", ".json", ".jsonl", ".csv", ".tsv", ".rss", ".atom", ".xml"
}  # fmt: skip
SUFFIXES = ARTICLE_SUFFIXES | {".gz", ".zip"}  # `.gz` only as `x.<article suffix>.gz`
FEED_SUFFIXES = {".rss", ".atom", ".xml"}
STREAM_SUFFIXES = {".jsonl", ".csv", ".tsv"}


def _kind(name: str) -> tuple[str, str] | None:
    """(article suffix, compression: "", ".gz" or ".zip") of a file name, or None if unsupported."""
    suffix = PurePosixPath(name).suffix.lower()
    if suffix == ".zip":
        return "", ".zip"
    if suffix == ".gz":
        inner = PurePosixPath(name[:-3]).suffix.lower()
        return (inner, ".gz") if inner in ARTICLE_SUFFIXES else None
    return (suffix, "") if suffix in ARTICLE_SUFFIXES else None


def _stem(name: str) -> str:
    base = PurePosixPath(name).name
    if base.lower().endswith(".gz"):
        base = base[:-3]
    return PurePosixPath(base).stem or base


def _whole_limit(suffix: str) -> int:
    if suffix in {".txt", ".md"}:
        return MAX_TEXT_FILE_BYTES
    if suffix in {".html", ".htm"}:
        return MAX_HTML_BYTES
    if suffix in FEED_SUFFIXES:
        return MAX_FEED_BYTES
    return MAX_FILE_BYTES


def read_bytes(path: Path) -> bytes:
    """Read a file, refusing ones too big to be an article collection."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ArticleError(f"{path.name}: file too big ({size:,} bytes)")
        return path.read_bytes()
    except OSError as err:
        raise ArticleError(f"{path.name}: cannot read ({err.strerror or err})") from err


def iter_paths(paths: list[Path]) -> list[Path]:
    """Expand folders into the supported files below them (also `x.jsonl.gz`, `x.zip`), sorted.

    Hidden files and folders and README/LICENSE files are skipped.
    """
    out: list[Path] = []
    for p in paths:
        p = Path(p)
        if p.is_dir():
            out.extend(
                sorted(
                    f
                    for f in p.rglob("*")
                    if f.is_file()
                    and _kind(f.name) is not None
                    and not any(part.startswith(".") for part in f.relative_to(p).parts)
                    and not f.name.upper().startswith(("README", "LICENSE"))
                )
            )
        else:
            out.append(p)
    return out


_DOCUMENTS = {
    ".pdf": "This PDF is not supported",
    ".doc": "Word documents are not supported",
    ".docx": "Word documents are not supported",
    ".odt": "OpenDocument files are not supported",
    ".rtf": "RTF files are not supported",
    ".pages": "Pages documents are not supported",
    ".epub": "E-books are not supported",
}
_PICTURES = {".png", ".jpg", ".jpeg", ".gif", ".webp", ".tif", ".tiff", ".heic", ".bmp", ".svg"}


def unsupported(suffix: str) -> str:
    """Why a file of this type is not read, in plain words, with what to do instead."""
    last = suffix[suffix.rfind(".") :] if "." in suffix else suffix
    if last in _DOCUMENTS:
        return f"{_DOCUMENTS[last]}: save the article as text (.txt) or as a web page (.html)"
    if last in _PICTURES:
        return "a picture holds no article text: save the article as text (.txt) or HTML"
    known = " ".join(sorted(SUFFIXES))
    return f"unsupported file type {suffix or '(none)'}: use one of {known}"
