"""Stored bytes as regions of files, read or mapped: what the file back-ends hand a layer stream."""

from __future__ import annotations

import mmap
from typing import BinaryIO, Protocol

from slimage.errors import ImageFormatError

# A piece of a layer's tar: read bytes, or a window mapped from the file (it slices to
# bytes and exports its buffer as bytes do).
Chunk = bytes | mmap.mmap


class RawReader(Protocol):
    """Anything with ``read(size)``: a file, a socket reader, a :class:`RegionReader`."""

    def read(self, size: int = -1, /) -> bytes: ...


class RegionReader:
    """Bytes ``[offset, offset + length)`` of an open file; short files are truncation.

    The file must be this reader's alone: it remembers where it left the file instead of
    asking (a ``tell`` per read is a system call, and it lets the GIL go).
    """

    def __init__(self, file: BinaryIO, offset: int, length: int, label: str) -> None:
        self._file = file
        self._position = offset
        self._remaining = length
        self._label = label
        self._file_position = -1  # where the file is; -1: unknown, seek before reading

    @property
    def remaining(self) -> int:
        return self._remaining

    def read(self, size: int = -1, /) -> bytes:
        if self._remaining <= 0:
            return b""
        want = self._remaining if size < 0 else min(size, self._remaining)
        if self._file_position != self._position:
            self._file.seek(self._position)
        data = self._file.read(want)
        if not data:
            raise ImageFormatError(f"{self._label}: truncated (file ends early)")
        self._position += len(data)
        self._file_position = self._position
        self._remaining -= len(data)
        return data

    def read_mapped(self, size: int) -> Chunk:
        """Up to ``size`` bytes as a read-only mapping of the file, or read when they do
        not start on a page boundary (a few bytes, once per skip) or cannot be mapped.

        Mapping saves copying the pages the parser only looks into; the file must not
        shrink while a window is in use (the system would stop the process, as it does
        for any program that maps a file).
        """
        if self._remaining <= 0:
            return b""
        misalign = self._position % mmap.ALLOCATIONGRANULARITY
        if misalign:
            return self.read(min(mmap.ALLOCATIONGRANULARITY - misalign, size))
        want = min(size, self._remaining)
        try:
            window = mmap.mmap(
                self._file.fileno(), want, access=mmap.ACCESS_READ, offset=self._position
            )
        except (OSError, ValueError):
            return self.read(size)  # not mappable; a file that ends early says so here
        self._position += want
        self._remaining -= want
        return window

    def skip(self, size: int) -> None:
        """Move ``size`` bytes on without reading them (the next read seeks)."""
        if size > self._remaining:
            raise ImageFormatError(f"{self._label}: truncated (file ends early)")
        self._position += size
        self._remaining -= size


_RawReader = RawReader
