"""Guards on compressed inputs (`.gz` files, `.zip` archives and their members).

Bytes read are counted so that a decompression bomb is refused after about a megabyte of
output, whatever its total size; an archive's members share one budget; a zip's declared
directory is checked before zipfile loads it into memory.
"""

from __future__ import annotations

import io
import os
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import IO

from geo.errors import ArticleError

MAX_COMPRESSION_RATIO = 200  # text compresses ~5:1; far beyond that is a zip bomb
RATIO_FLOOR = 1024 * 1024  # the ratio is judged once this much came out; small files may be denser
COMPRESSED_CHUNK = 2 * 1024  # compressed bytes a decompressor gets at a time (see _Counted)


class _Counted:
    """A binary file that counts the bytes read from it (seek and tell pass through).

    While `chunk` is set, one read returns at most that many bytes: a decompressor reading
    from it then consumes its input in small steps, so the bytes it gave out per byte taken
    in are known after a few kilobytes, long before a bomb has expanded far.
    """

    def __init__(self, raw: IO[bytes], chunk: int | None = None) -> None:
        self._raw = raw
        self.chunk = chunk
        self.count = 0
        self.name = getattr(raw, "name", None)

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return self._raw.seekable()

    def read(self, size: int | None = -1) -> bytes:
        if size is None or size < 0:
            if self.chunk is None:
                data = self._raw.read()
                self.count += len(data)
                return data
            return b"".join(iter(lambda: self.read(self.chunk), b""))
        if self.chunk is not None:
            size = min(size, self.chunk)
        data = self._raw.read(size)
        self.count += len(data)
        return data

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        return self._raw.seek(offset, whence)

    def tell(self) -> int:
        return self._raw.tell()

    def close(self) -> None:
        self._raw.close()

    def __enter__(self) -> _Counted:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _Budget:
    """What one archive may still expand to, shared by its members.

    `compressed()` gives the archive's bytes read so far (its directory not counted).
    """

    def __init__(self, limit: int, compressed: Callable[[], int]) -> None:
        self.limit = limit
        self.left = limit
        self.out = 0
        self.compressed = compressed
        self.refused = False


class _Meter(io.RawIOBase):
    """A binary stream that stops with ArticleError past `limit` bytes or a bomb-like ratio.

    `compressed()` gives the compressed bytes consumed so far (None: not compressed); the
    ratio of the bytes given out to those is checked at every read once RATIO_FLOOR bytes
    came out, so a bomb is refused after about a megabyte whatever its total size, while
    small files with a high ratio are fine.
    """

    def __init__(
        self,
        inner: IO[bytes],
        name: str,
        limit: int,
        compressed: Callable[[], int] | None = None,
        budget: _Budget | None = None,
        also_close: IO[bytes] | _Counted | None = None,
    ) -> None:
        super().__init__()
        self._also_close = also_close
        self._inner = inner
        self._name = name
        self._limit = limit
        self._compressed = compressed
        self._budget = budget
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buf: bytearray | memoryview) -> int:  # type: ignore[override]
        data = self._inner.read(len(buf))
        n = len(data)
        buf[:n] = data
        self.count += n
        if self.count > self._limit:
            raise ArticleError(
                f"{self._name}: more than {self._limit:,} bytes of data; not read further"
            )
        if self._compressed is not None and self.count > RATIO_FLOOR:
            if self.count > MAX_COMPRESSION_RATIO * max(1, self._compressed()):
                raise ArticleError(
                    f"{self._name}: compressed more than {MAX_COMPRESSION_RATIO}:1, "
                    "refused as a likely zip bomb"
                )
        budget = self._budget
        if budget is not None:
            budget.left -= n
            budget.out += n
            if budget.left < 0:
                raise ArticleError(
                    f"{self._name}: the archive holds more than {budget.limit:,} bytes "
                    "of data; not read further"
                )
            if budget.out > RATIO_FLOOR and budget.out > MAX_COMPRESSION_RATIO * max(
                1, budget.compressed()
            ):
                budget.refused = True
                raise ArticleError(
                    f"{self._name}: the archive's members are compressed more than "
                    f"{MAX_COMPRESSION_RATIO}:1 together, refused as a likely zip bomb; "
                    "the rest of the archive was not read"
                )
        return n

    def close(self) -> None:
        self._inner.close()
        if self._also_close is not None:
            self._also_close.close()
        super().close()


_READ_ERRORS = (OSError, EOFError, zlib.error, zipfile.BadZipFile, NotImplementedError)


def _zip_directory(path: Path) -> tuple[int, int] | None:
    """(members, directory bytes) a zip's end record declares; None without one."""
    with open(path, "rb") as fh:
        fh.seek(0, os.SEEK_END)
        fh.seek(max(0, fh.tell() - 65_557))  # the end record and its longest comment
        tail = fh.read()
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or at + 22 > len(tail):
        return None
    count = int.from_bytes(tail[at + 10 : at + 12], "little")
    size = int.from_bytes(tail[at + 12 : at + 16], "little")
    at64 = tail.rfind(b"PK\x06\x06", 0, at)
    if at64 >= 0 and at64 + 48 <= len(tail):  # zip64: the real figures are in its own record
        count = int.from_bytes(tail[at64 + 32 : at64 + 40], "little")
        size = int.from_bytes(tail[at64 + 40 : at64 + 48], "little")
    return count, size
