"""Uploaded files -> a safe, unused name in the user's article folder."""

from __future__ import annotations

import io
import os
import re
import zipfile
from pathlib import Path, PurePosixPath

from geo.errors import ArticleError
from geo.filekinds import STREAM_SUFFIXES, _kind, _whole_limit, unsupported

MAX_UPLOAD_BYTES = 200 * 1024 * 1024  # Streamlit's default upload limit


def _split_name(name: str) -> tuple[str, str]:
    """("x", ".jsonl.gz") for "x.jsonl.gz"; ("x", ".txt") for "x.txt"."""
    suffix = PurePosixPath(name).suffix
    if suffix.lower() == ".gz":
        suffix = PurePosixPath(name[:-3]).suffix + suffix
    return name[: len(name) - len(suffix)], suffix


def save_upload(folder: Path, name: str, data: bytes) -> Path:
    """Store an uploaded file in `folder` under a safe, unused name; returns its path.

    Raises ArticleError for oversized files (checked first), unsupported types and archives
    that are not what their name says; nothing is kept then.
    """
    if len(data) > MAX_UPLOAD_BYTES:
        raise ArticleError(
            f"{Path(name).name[:100]}: file too big ({len(data):,} bytes, "
            f"limit {MAX_UPLOAD_BYTES:,})"
        )
    safe = re.sub(r"[^\w.\- ]", "_", Path(name).name).strip(" .") or "upload.txt"
    kind = _kind(safe)
    if kind is None:
        suffix = "".join(PurePosixPath(safe.lower()).suffixes[-2:])
        raise ArticleError(f"{safe}: {unsupported(suffix)}")
    suffix, comp = kind
    if comp == "" and suffix not in STREAM_SUFFIXES and len(data) > _whole_limit(suffix):
        raise ArticleError(f"{safe}: file too big ({len(data):,} bytes)")
    if comp == ".zip" and not zipfile.is_zipfile(io.BytesIO(data)):
        raise ArticleError(f"{safe}: not a zip archive")
    if comp == ".gz" and not data.startswith(b"\x1f\x8b"):
        raise ArticleError(f"{safe}: not a gzip file")
    stem, suffixes = _split_name(safe)
    stem = stem[:100]  # file systems refuse names over 255 bytes
    if stem.upper().startswith(("README", "LICENSE")):
        stem = f"upload-{stem}"  # folder scans skip README/LICENSE files; this one is an article
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{stem}{suffixes}"
    n = 1
    while target.exists():
        if target.is_file() and target.stat().st_size == len(data) and target.read_bytes() == data:
            return target  # the same file again
        target = folder / f"{stem}-{n}{suffixes}"
        n += 1
    part = folder / f".{target.name}.part"  # hidden: a rescan never picks it up
    try:
        part.write_bytes(data)
        os.replace(part, target)
    except OSError as err:
        part.unlink(missing_ok=True)
        raise ArticleError(f"{safe}: could not be saved ({err.strerror or err})") from err
    return target
