"""Tar headers parsed straight from a layer's uncompressed chunks.

- :func:`scan_tar` parses tar headers (ustar, pax and GNU long names) and hands each
  entry, with the offset of its data, to a callback, which may ask for the entry's bytes;
  contents it does not want are skipped without a copy, and unread when the stream can
  seek. An uncompressed layer in a file is mapped in windows rather than read, so only
  the pages holding headers (and wanted contents) are touched. ``tarfile`` is not used:
  on a layer with 100k entries its per-member objects cost several times more than this.
- :func:`normalize_name` maps tar names to slimage paths (``usr/bin/gcc``) and refuses
  names that climb out of the root.

The stages before it each have their module: :mod:`slimage.image.layerstream` (stored
bytes -> verified tar chunks), :mod:`slimage.image.inflate` (compression),
:mod:`slimage.image.hashing` (digests on the hashing thread),
:mod:`slimage.image.regions` (bytes of files). Their names are importable from here too.

Hostile input (truncated data, absurd sizes, bad checksums, ``..`` names) ends in an
:class:`~slimage.errors.ImageFormatError` naming the layer, or a warning for what can be
skipped safely; memory stays bounded by the chunk size either way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Protocol

from slimage.errors import ImageFormatError
from slimage.filesystem import FileKind
from slimage.image.hashing import BackgroundHasher, ContentSink, HashBatch
from slimage.image.inflate import (
    GZIP_MAGIC,
    ZSTD_MAGIC,
    compression_for,
    sniff_compression,
)
from slimage.image.layerstream import (
    BOMB_FLOOR,
    BOMB_RATIO,
    CHUNK,
    MAPPED_CHUNK,
    SEEKING_CHUNK,
    LayerStream,
)
from slimage.image.regions import Chunk, RawReader, RegionReader

BLOCK = 512
# No real layer holds a single file of a tebibyte; a header claiming more is hostile.
MAX_ENTRY_SIZE = 1 << 40


@dataclass(slots=True)
class TarEntry:
    """One tar header, its name normalised (see :func:`normalize_name`)."""

    path: str
    kind: FileKind
    size: int
    mode: int
    uid: int
    gid: int
    link_target: str = ""
    # Where the entry's data starts in the uncompressed tar stream (-1: not known).
    offset: int = -1


_KINDS = {
    b"0": FileKind.FILE,
    b"\0": FileKind.FILE,
    b"7": FileKind.FILE,
    b"1": FileKind.HARDLINK,
    b"2": FileKind.SYMLINK,
    b"3": FileKind.CHAR,
    b"4": FileKind.BLOCK,
    b"5": FileKind.DIR,
    b"6": FileKind.FIFO,
}


def normalize_name(raw: str) -> str | None:
    """``./usr//bin/`` -> ``usr/bin``; ``""`` for the root; ``None`` when it has ``..``.

    Absolute names are read relative to the image root, as container runtimes do.
    """
    name = raw[2:] if raw.startswith("./") else raw
    if "/." not in name and "//" not in name and not name.startswith((".", "/")):
        return name.rstrip("/")
    parts = [part for part in name.split("/") if part and part != "."]
    if ".." in parts:
        return None
    return "/".join(parts)


# Called with each entry; returns a sink for its bytes (called with successive pieces)
# or None to skip them.
EntryHandler = Callable[[TarEntry], ContentSink | None]


class _ChunkSource(Protocol):
    """What :func:`scan_tar` reads; a source that also has ``skip(size)`` and a true
    ``rereadable`` attribute is asked to skip contents nobody wants instead of reading."""

    label: str
    warnings: list[str]

    def read_chunk(self) -> Chunk: ...


def _octal(field: bytes, label: str) -> int:
    if field and field[0] & 0x80:
        # GNU base-256: big-endian two's complement in the remaining bytes.
        value = int.from_bytes(field[1:], "big")
        if field[0] & 0x40:
            raise ImageFormatError(f"{label}: negative number in a tar header")
        return value
    text = field.split(b"\0", 1)[0].strip()
    if not text:
        return 0
    try:
        return int(text, 8)
    except ValueError:
        raise ImageFormatError(f"{label}: bad number {text!r} in a tar header") from None


_NUL_AS_SPACE = bytes.maketrans(b"\0", b" ")


def _number(field: bytes, label: str) -> int:
    """A numeric header field: the common octal case fast, the rest via :func:`_octal`."""
    try:
        value = int(field.rstrip(b"\0 ") or b"0", 8)
    except ValueError:
        return _octal(field, label)
    if value < 0:
        raise ImageFormatError(f"{label}: negative number in a tar header")
    return value


def _pax_records(data: bytes, label: str) -> dict[str, str]:
    records: dict[str, str] = {}
    position = 0
    while position < len(data):
        space = data.find(b" ", position)
        if space < 0:
            break
        try:
            length = int(data[position:space])
        except ValueError:
            raise ImageFormatError(f"{label}: malformed pax header") from None
        if length <= 0 or position + length > len(data):
            raise ImageFormatError(f"{label}: malformed pax header")
        key, _, value = data[space + 1 : position + length - 1].partition(b"=")
        records[key.decode("utf-8", "surrogateescape")] = value.decode("utf-8", "surrogateescape")
        position += length
    return records


def _decode(raw: bytes) -> str:
    return raw.split(b"\0", 1)[0].decode("utf-8", "surrogateescape")


class _Reader:
    """A byte cursor over the chunks of a stream, for :func:`scan_tar`."""

    def __init__(self, source: _ChunkSource) -> None:
        self.source = source
        self.buffer: Chunk = b""
        self.position = 0
        self.base = 0  # stream offset of buffer[0]
        skip = getattr(source, "skip", None)
        self.skip = skip if getattr(source, "rereadable", False) else None

    def available(self) -> int:
        return len(self.buffer) - self.position

    def fill(self, need: int) -> bool:
        """Make ``need`` contiguous bytes available; False at a clean end of stream."""
        while len(self.buffer) - self.position < need:
            chunk = self.source.read_chunk()
            if not chunk:
                return False
            self.base += self.position
            # Joined only when a header or record spans two chunks; a mapped window starts
            # where a 512-byte block of the tar does, so no header spans into one.
            rest = len(self.buffer) - self.position
            self.buffer = self.buffer[self.position :] + chunk if rest else chunk
            self.position = 0
        return True

    def take(self, size: int) -> bytes:
        if not self.fill(size):
            raise ImageFormatError(f"{self.source.label}: truncated tar data")
        data = self.buffer[self.position : self.position + size]
        self.position += size
        return data

    def pass_through(self, size: int, padded: int, sink: ContentSink | None) -> None:
        """Hand ``size`` bytes to ``sink`` (or skip them), then skip the padding."""
        remaining = padded
        if sink is None:
            buffered = len(self.buffer) - self.position
            if remaining <= buffered:
                self.position += remaining
                return
            if self.skip is not None:
                self.skip(remaining - buffered)
                self.base += len(self.buffer) + remaining - buffered
                self.buffer = b""
                self.position = 0
                return
        useful = size
        while remaining:
            if self.position >= len(self.buffer):
                self.base += len(self.buffer)
                self.buffer = self.source.read_chunk()
                self.position = 0
                if not self.buffer:
                    raise ImageFormatError(f"{self.source.label}: truncated tar data")
            step = min(remaining, len(self.buffer) - self.position)
            if sink is not None and useful:
                piece = min(step, useful)
                sink(memoryview(self.buffer)[self.position : self.position + piece])
                useful -= piece
            self.position += step
            remaining -= step


def scan_tar(source: _ChunkSource, handle: EntryHandler) -> int:
    """Parse every header of the tar in ``source``, calling ``handle`` per entry.

    Returns the number of entries. Pax (``x``) and GNU long-name (``L``/``K``) records are
    folded into the entry that follows; pax global headers (``g``) are ignored, as the
    OCI layer spec gives them no meaning. Entries whose names climb out of the root are
    skipped with a warning; the root entry itself (``./``) is skipped silently.
    """
    label = source.label
    reader = _Reader(source)
    count = 0
    pax: dict[str, str] = {}
    long_name: str | None = None
    long_link: str | None = None
    warned_absolute = False
    while True:
        if len(reader.buffer) - reader.position < BLOCK and not reader.fill(BLOCK):
            if reader.available():
                raise ImageFormatError(f"{label}: truncated tar header")
            # No end-of-archive blocks: tolerated, as GNU tar and Go's reader do.
            return count
        position = reader.position
        header = reader.buffer[position : position + BLOCK]
        reader.position = position + BLOCK
        if not header[0] and header.count(0) == BLOCK:
            return count
        magic = header[257:263]
        ustar = magic == b"ustar\x00" or magic == b"ustar "
        # Summing 512 bytes per header is a good share of the parse time. The stream's
        # diff_id is verified anyway, so corruption never goes unnoticed: check the sum
        # where it tells "not a tar" early (the first header, anything not ustar/GNU).
        if not count or not ustar:
            checksum = sum(header[:148]) + 256 + sum(header[156:])
            stored_sum = header[148:156].split(b"\0", 1)[0].strip()
            if not stored_sum or stored_sum.strip(b"01234567") or int(stored_sum, 8) != checksum:
                raise ImageFormatError(f"{label}: bad tar header checksum (not a tar, or corrupt)")
        typeflag = header[156:157]
        # mode, uid, gid and size in one go for the common case (octal digits ended by
        # NUL or space); anything else takes the careful path field by field.
        numbers = header[100:136].translate(_NUL_AS_SPACE)
        try:
            mode = int(numbers[:8], 8)
            uid = int(numbers[8:16], 8)
            gid = int(numbers[16:24], 8)
            size = int(numbers[24:], 8)
            if mode < 0 or uid < 0 or gid < 0 or size < 0:
                raise ValueError
        except ValueError:
            size = _number(header[124:136], label)
            mode = uid = gid = -1
        if size > MAX_ENTRY_SIZE:
            raise ImageFormatError(f"{label}: absurd entry size {size} in a tar header")
        padded = (size + BLOCK - 1) & ~(BLOCK - 1)
        if typeflag in (b"x", b"g", b"L", b"K"):
            data = reader.take(padded)[:size]
            if typeflag == b"x":
                pax.update(_pax_records(data, label))
            elif typeflag == b"L":
                long_name = _decode(data)
            elif typeflag == b"K":
                long_link = _decode(data)
            continue
        kind = _KINDS.get(typeflag)
        if kind is None:
            source.warnings.append(f"{label}: unknown tar entry type {typeflag!r}; read as a file")
            kind = FileKind.FILE
        if long_name is not None:
            name = long_name
        else:
            end = header.find(b"\0", 0, 100)
            name = header[: end if end >= 0 else 100].decode("utf-8", "surrogateescape")
            if magic == b"ustar\x00" and header[345] != 0:
                name = _decode(header[345:500]) + "/" + name
        if long_link is not None:
            link = long_link
        elif kind is FileKind.SYMLINK or kind is FileKind.HARDLINK:
            link = _decode(header[157:257])
        else:
            link = ""
        if mode < 0:
            mode = _number(header[100:108], label)
            uid = _number(header[108:116], label)
            gid = _number(header[116:124], label)
        if pax:
            name = pax.get("path", name)
            link = pax.get("linkpath", link)
            if "size" in pax:
                try:
                    size = int(pax["size"])
                except ValueError:
                    raise ImageFormatError(f"{label}: bad pax size") from None
                if size < 0 or size > MAX_ENTRY_SIZE:
                    raise ImageFormatError(f"{label}: absurd entry size {size} in a pax header")
                padded = (size + BLOCK - 1) & ~(BLOCK - 1)
            try:
                uid = int(pax.get("uid", uid))
                gid = int(pax.get("gid", gid))
            except ValueError:
                raise ImageFormatError(f"{label}: bad uid or gid in a pax header") from None
            pax = {}
        long_name = long_link = None
        if kind is not FileKind.FILE:
            # Header-only types carry no data whatever their size field says (POSIX).
            size = padded = 0
        if "/." in name or "//" in name or name.startswith((".", "/")):
            path = normalize_name(name)
        else:
            path = name.rstrip("/")  # normalize_name's own fast case, without the call
        if path is None:
            source.warnings.append(f"{label}: skipped entry {name!r}: its name climbs out of /")
            reader.pass_through(size, padded, None)
            continue
        if name.startswith("/") and not warned_absolute:
            warned_absolute = True
            source.warnings.append(f"{label}: absolute names (like {name!r}) read as relative")
        if not path:
            reader.pass_through(size, padded, None)
            continue
        if kind is FileKind.HARDLINK:
            link = normalize_name(link) or ""
        entry = TarEntry(
            path, kind, size, mode & 0o7777, uid, gid, link, reader.base + reader.position
        )
        count += 1
        sink = handle(entry)
        if sink is None and padded <= len(reader.buffer) - reader.position:
            reader.position += padded  # pass_through's common case, without the call
        else:
            reader.pass_through(size, padded, sink)


def iter_entries(source: _ChunkSource) -> Iterator[TarEntry]:
    """The entries of a tar stream, metadata only (contents are skipped).

    :func:`scan_tar` is push-based; this collects a layer's headers (never contents)
    and yields them, which costs one small record per entry.
    """
    pending: list[TarEntry] = []

    def handle(entry: TarEntry) -> None:
        pending.append(entry)

    scan_tar(source, handle)
    yield from pending


__all__ = [
    "BLOCK",
    "BOMB_FLOOR",
    "BOMB_RATIO",
    "CHUNK",
    "GZIP_MAGIC",
    "MAPPED_CHUNK",
    "MAX_ENTRY_SIZE",
    "SEEKING_CHUNK",
    "ZSTD_MAGIC",
    "BackgroundHasher",
    "Chunk",
    "ContentSink",
    "EntryHandler",
    "HashBatch",
    "LayerStream",
    "RawReader",
    "RegionReader",
    "TarEntry",
    "compression_for",
    "iter_entries",
    "normalize_name",
    "scan_tar",
    "sniff_compression",
]
