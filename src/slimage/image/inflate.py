"""Layer compression: what a media type announces, what the bytes are, and gzip inflation.

gzip is inflated by ISA-L (``isal``) when installed, else zlib-ng (``zlib-ng``), else the
standard library's zlib: the same DEFLATE, two to three times faster than zlib on layers.
A gzip stream may hold several members one after the other (RFC 1952, 2.2: pigz and
some builders write them); :class:`GzipMembers` reads them as one stream, feeding the
inflater at most :data:`FEED` bytes at a time so that what a member leaves over stays
small however many members a chunk holds.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from types import ModuleType
from typing import Any

from slimage.errors import ImageFormatError, UnsupportedMediaType

GZIP_MAGIC = b"\x1f\x8b"
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
# Input handed to the inflater per call.
FEED = 64 << 10


def _fast_zlib() -> ModuleType:
    try:
        from isal import isal_zlib

        return isal_zlib
    except ImportError:
        pass
    try:
        from zlib_ng import zlib_ng

        return zlib_ng  # type: ignore[no-any-return]
    except ImportError:
        return zlib


_ZLIB = _fast_zlib()
INFLATER = _ZLIB.__name__.rsplit(".", 1)[-1]  # "isal_zlib", "zlib_ng" or "zlib"
# What a corrupt gzip stream raises, whichever inflater reads it.
GZIP_ERRORS: tuple[type[Exception], ...] = tuple({zlib.error, _ZLIB.error})

_LAYER_MEDIA_TYPES = {
    "application/vnd.oci.image.layer.v1.tar": "none",
    "application/vnd.oci.image.layer.v1.tar+gzip": "gzip",
    "application/vnd.oci.image.layer.v1.tar+zstd": "zstd",
    "application/vnd.oci.image.layer.nondistributable.v1.tar": "none",
    "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip": "gzip",
    "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd": "zstd",
    "application/vnd.docker.image.rootfs.diff.tar": "none",
    "application/vnd.docker.image.rootfs.diff.tar.gzip": "gzip",
    "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip": "gzip",
    "application/vnd.docker.image.rootfs.diff.tar.zstd": "zstd",
}


def compression_for(media_type: str, label: str) -> str:
    """The compression a layer media type announces: gzip, zstd, none, or "" (not said).

    Raises :class:`UnsupportedMediaType` for a type that is not a layer at all.
    """
    if not media_type:
        return ""
    if media_type in _LAYER_MEDIA_TYPES:
        return _LAYER_MEDIA_TYPES[media_type]
    raise UnsupportedMediaType(f"{label}: unsupported layer media type {media_type!r}")


def sniff_compression(head: bytes) -> str:
    if head.startswith(GZIP_MAGIC):
        return "gzip"
    if head.startswith(ZSTD_MAGIC):
        return "zstd"
    return ""


class GzipMembers:
    """The uncompressed bytes of a gzip stream of one or more members, piece by piece.

    ``read(size)`` gives stored bytes (b"" at their end). Bytes after the last member that
    do not start another are read (so they are hashed) but not inflated; ``trailing`` says
    so. Each :meth:`read` returns at least ``chunk`` bytes (less only at the end) and at
    most ``chunk + out_limit``: whoever takes the pieces (a hasher, a queue between
    threads, the tar walk) pays per piece, and one inflate call yields only about as much
    as it is fed.
    """

    def __init__(
        self, read: Callable[[int], bytes], first: bytes, *, label: str, chunk: int, out_limit: int
    ) -> None:
        self._read = read
        self._label = label
        self._chunk = chunk
        self._out_limit = out_limit
        self._inflater: Any = _ZLIB.decompressobj(zlib.MAX_WBITS | 16)
        self._buffer = memoryview(first)  # read, not yet fed
        self._tail: bytes | memoryview = b""  # fed, not consumed (zlib's unconsumed_tail)
        self.trailing = False

    def _fill(self) -> bool:
        if not self._buffer:
            self._buffer = memoryview(self._read(self._chunk))
        return bool(self._buffer)

    def read(self) -> bytes:
        """The next piece of uncompressed bytes; b"" after the last member."""
        pieces: list[bytes] = []
        size = 0
        while size < self._chunk:
            piece = self._inflate()
            if not piece:
                break
            pieces.append(piece)
            size += len(piece)
        return pieces[0] if len(pieces) == 1 else b"".join(pieces)

    def _inflate(self) -> bytes:
        """What one inflate call gives (at most ``out_limit`` bytes); b"" at the end."""
        while True:
            inflater = self._inflater
            if inflater.eof:
                # What the member left over comes first, then what is still unread.
                left: bytes = inflater.unused_data
                if not left and not self._fill():
                    return b""
                if bytes(left[:1] or self._buffer[:1]) != GZIP_MAGIC[:1]:
                    self.trailing = True
                    self._buffer = memoryview(b"")
                    while self._read(self._chunk):
                        pass
                    return b""
                self._inflater = inflater = _ZLIB.decompressobj(zlib.MAX_WBITS | 16)
                self._tail = left
            if not self._tail:
                if not self._fill():
                    raise ImageFormatError(f"{self._label}: truncated gzip data")
                self._tail, self._buffer = self._buffer[:FEED], self._buffer[FEED:]
            data: bytes = inflater.decompress(self._tail, self._out_limit)
            self._tail = inflater.unconsumed_tail
            if data:
                return data
