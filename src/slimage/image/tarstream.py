"""Safe, fast streaming of layer tars: decompress, verify, parse headers.

Three pieces, each usable alone:

- :class:`LayerStream` turns the stored bytes of a layer (plain, gzip or zstd, told by
  the media type and by the magic bytes) into uncompressed chunks, hashing the stored
  bytes (the layer ``digest``) and the uncompressed bytes (the ``diff_id``) as they pass
  (or taking the stored bytes' digest from a thread that hashes them in the file),
  and refusing decompression bombs. Nothing is held beyond one chunk.
- :func:`scan_tar` parses tar headers straight from those chunks (ustar, pax and GNU
  long names) and hands each entry, with the offset of its data, to a callback, which
  may ask for the entry's bytes; contents it does not want are skipped without a copy,
  and unread when the stream can seek. An uncompressed layer in a file is mapped in
  windows rather than read, so only the pages holding headers (and wanted contents) are
  touched. ``tarfile`` is not used: on a layer with 100k entries its per-member objects
  cost several times more than this.
- :func:`normalize_name` maps tar names to slimage paths (``usr/bin/gcc``) and refuses
  names that climb out of the root.

Hostile input (truncated data, absurd sizes, bad checksums, ``..`` names) ends in an
:class:`~slimage.errors.ImageFormatError` naming the layer, or a warning for what can be
skipped safely; memory stays bounded by the chunk size either way.
"""

from __future__ import annotations

import hashlib
import mmap
import zlib
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, BinaryIO, Protocol

from slimage.errors import DigestMismatch, ImageFormatError, UnsupportedMediaType
from slimage.filesystem import FileKind

if TYPE_CHECKING:
    from concurrent.futures import Future, ThreadPoolExecutor

CHUNK = 1 << 20
# Reads of a layer that can seek are smaller: what follows a header is often a big file
# the parser skips unread.
SEEKING_CHUNK = 1 << 18
# An uncompressed layer in a file is mapped this much at a time (a window is unmapped when
# the parser leaves it, so its pages leave the process's resident memory).
MAPPED_CHUNK = 16 << 20
BLOCK = 512
# A layer whose output exceeds this many times its input, once past BOMB_FLOOR bytes, is
# treated as a decompression bomb. Real layers of sparse or zeroed files compress well,
# but not a thousandfold over a gigabyte.
BOMB_RATIO = 1000
BOMB_FLOOR = 1 << 30
# No real layer holds a single file of a tebibyte; a header claiming more is hostile.
MAX_ENTRY_SIZE = 1 << 40

GZIP_MAGIC = b"\x1f\x8b"
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"

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


# A piece of a layer's tar: read bytes, or a window mapped from the file (it slices to
# bytes and exports its buffer as bytes do).
Chunk = bytes | mmap.mmap


class _RawReader(Protocol):
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


class BackgroundHasher:
    """sha256 computed on a worker thread, so hashing overlaps with tar parsing.

    hashlib releases the GIL while hashing buffers of a few kB or more, so on two cores
    the layer's digest costs almost no wall time. At most ``MAX_PENDING`` chunks wait,
    which bounds the memory it holds.
    """

    MAX_PENDING = 4
    _executor: ThreadPoolExecutor | None = None

    def __init__(self) -> None:
        self._hasher = hashlib.sha256()
        self._pending: deque[Future[None]] = deque()

    @classmethod
    def _pool(cls) -> ThreadPoolExecutor:
        if cls._executor is None:
            # Imported on first use: layers read from files are hashed elsewhere.
            from concurrent.futures import ThreadPoolExecutor

            cls._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="slimage-hash")
        return cls._executor

    def update(self, data: Chunk) -> None:
        if len(self._pending) >= self.MAX_PENDING:
            self._pending.popleft().result()
        self._pending.append(self._pool().submit(self._hasher.update, data))

    def hexdigest(self) -> str:
        while self._pending:
            self._pending.popleft().result()
        return self._hasher.hexdigest()


class HashBatch:
    """sha256 of many files' contents, computed on the hashing thread in batches.

    The tar scanner hands out memoryviews of immutable chunks, so they can be hashed a
    little later; batching a megabyte of updates per task keeps the hand-off cheap for
    small files. :meth:`wait` must be called before reading a digest.
    """

    BATCH_BYTES = 1 << 20
    MAX_PENDING = 4

    def __init__(self) -> None:
        self._updates: list[tuple[Callable[[memoryview], None], memoryview]] = []
        self._size = 0
        self._pending: deque[Future[None]] = deque()

    def sink(self, hasher: Any) -> ContentSink:
        update = hasher.update

        def sink(data: memoryview) -> None:
            self._updates.append((update, data))
            self._size += len(data)
            if self._size >= self.BATCH_BYTES:
                self._submit()

        return sink

    def _submit(self) -> None:
        work, self._updates, self._size = self._updates, [], 0
        if len(self._pending) >= self.MAX_PENDING:
            self._pending.popleft().result()
        self._pending.append(BackgroundHasher._pool().submit(_run_updates, work))

    def wait(self) -> None:
        if self._updates:
            self._submit()
        while self._pending:
            self._pending.popleft().result()


def _run_updates(work: list[tuple[Callable[[memoryview], None], memoryview]]) -> None:
    for update, data in work:
        update(data)


class _HashingReader:
    """Counts and hashes the stored bytes as a decompressor pulls them."""

    def __init__(self, raw: _RawReader, hashing: bool = True) -> None:
        self.raw = raw
        self.hasher = BackgroundHasher()
        self.count = 0
        # For an uncompressed layer the stored bytes are the tar: LayerStream hashes them
        # once, as the diff_id, and turns this off; so does a digest computed elsewhere.
        self.hashing = hashing

    def read(self, size: int = -1, /) -> bytes:
        data = self.raw.read(size if size > 0 else CHUNK)
        if data:
            if self.hashing:
                self.hasher.update(data)
            self.count += len(data)
        return data

    def skip(self, size: int) -> None:
        skip = getattr(self.raw, "skip", None)
        assert skip is not None and not self.hashing
        skip(size)
        self.count += size

    def read_mapped(self, size: int) -> Chunk | None:
        """A mapped piece (see :meth:`RegionReader.read_mapped`), or None when the raw
        reader cannot map; only when these bytes are hashed elsewhere."""
        read_mapped = getattr(self.raw, "read_mapped", None)
        if read_mapped is None or self.hashing:
            return None
        data: Chunk = read_mapped(size)
        self.count += len(data)
        return data


class LayerStream:
    """The uncompressed tar of one layer, verified against its digest and diff_id.

    ``expected_digest`` / ``expected_diff_id`` may be ``None`` when the source does not
    state them (an old docker-archive gives no compressed digest). Verification happens
    when the stored bytes are exhausted: at the end of :meth:`read_chunk`, or in
    :meth:`finish`, which drains what the reader left unread.

    ``stored_digest``: when the stored bytes are a region of a file, another thread can
    hash them straight from the file (see :class:`~slimage.image.stored.RegionDigests`);
    this returns that ``sha256:`` digest, waiting for it. The stream then hashes only
    what decompression produces, and for an uncompressed layer nothing at all: its tar
    is its stored bytes, so the reader may :meth:`skip` contents it does not want
    (:attr:`rereadable` says so; seeking needs a ``skip`` method on ``raw``).
    """

    def __init__(
        self,
        raw: _RawReader,
        *,
        label: str,
        media_type: str = "",
        expected_digest: str | None = None,
        expected_diff_id: str | None = None,
        stored_digest: Callable[[], str] | None = None,
    ) -> None:
        self.label = label
        self.warnings: list[str] = []
        self._source = _HashingReader(raw, hashing=stored_digest is None)
        self._stored_digest = stored_digest
        self._expected_digest = expected_digest
        self._expected_diff_id = expected_diff_id
        self._diff_hasher = BackgroundHasher()
        self.uncompressed_size = 0
        self._done = False
        # With defer_check set, the identity check at the end of the stream is left in
        # pending_check for the caller to run later (a digest computed on another thread
        # then need not be waited for before the analysis goes on).
        self.defer_check = False
        self.pending_check: Callable[[], None] | None = None
        announced = compression_for(media_type, label)
        head = self._source.read(CHUNK)
        actual = sniff_compression(head)
        if announced and (actual or "none") != announced:
            self.warnings.append(
                f"{label}: media type says {announced} but the data is "
                f"{actual or 'uncompressed'}; reading it as {actual or 'uncompressed'}"
            )
        self.compression = actual
        self._head = head
        if not actual:
            self._source.hashing = False
        # Uncompressed and hashed elsewhere: the stored digest is the diff_id; and when the
        # source can seek, contents can be skipped unread.
        self._diff_external = not actual and stored_digest is not None
        self.rereadable = self._diff_external and callable(getattr(raw, "skip", None))
        self._gzip: zlib._Decompress | None = None
        self._gzip_input = b""
        self._zstd: _RawReader | None = None
        if actual == "gzip":
            self._gzip = zlib.decompressobj(zlib.MAX_WBITS | 16)
            self._gzip_input = head
            self._head = b""
        elif actual == "zstd":
            import zstandard

            reader = _PrefixedReader(head, self._source)
            self._zstd = zstandard.ZstdDecompressor().stream_reader(
                reader,  # type: ignore[arg-type]  # any object with read() works
                read_size=CHUNK,
                read_across_frames=True,
            )
            self._head = b""

    @property
    def compressed_size(self) -> int:
        return self._source.count

    def read_chunk(self) -> Chunk:
        """The next piece of uncompressed tar (at most a few MiB, read or, for a layer that
        can seek, mapped); ``b""`` at the end."""
        if self._done:
            return b""
        try:
            data = self._next_chunk()
        except zlib.error as error:
            raise ImageFormatError(f"{self.label}: corrupt gzip data ({error})") from None
        except ImageFormatError:
            raise
        except Exception as error:  # zstandard raises its own ZstdError
            if type(error).__name__ == "ZstdError":
                raise ImageFormatError(f"{self.label}: corrupt zstd data ({error})") from None
            raise
        if not data:
            self._done = True
            check = self._check()
            if self.defer_check:
                self.pending_check = check
            else:
                check()
            return b""
        if not self._diff_external:
            self._diff_hasher.update(data)
        self.uncompressed_size += len(data)
        if (
            self.compression
            and self.uncompressed_size > BOMB_FLOOR
            and self.uncompressed_size > BOMB_RATIO * max(self._source.count, 1)
        ):
            raise ImageFormatError(
                f"{self.label}: decompression bomb ({self.uncompressed_size} bytes "
                f"from {self._source.count}); refusing to read further"
            )
        return data

    def _next_chunk(self) -> Chunk:
        if self._gzip is not None:
            return self._next_gzip()
        if self._zstd is not None:
            return self._zstd.read(CHUNK)
        if self._head:
            data, self._head = self._head, b""
            return data
        if self.rereadable:
            mapped = self._source.read_mapped(MAPPED_CHUNK)
            if mapped is not None:
                return mapped
            return self._source.read(SEEKING_CHUNK)
        return self._source.read(CHUNK)

    def _next_gzip(self) -> bytes:
        assert self._gzip is not None
        while True:
            if not self._gzip_input:
                self._gzip_input = self._gzip.unconsumed_tail or self._source.read(CHUNK)
            if self._gzip.eof:
                rest = self._gzip.unused_data + self._gzip_input
                self._gzip_input = b""
                if not rest:
                    rest = self._source.read(CHUNK)
                if not rest:
                    return b""
                if not rest.startswith(GZIP_MAGIC[:1]):
                    # Trailing bytes after the last gzip member: hashed, not untarred.
                    self.warnings.append(f"{self.label}: ignoring data after the gzip stream")
                    while self._source.read(CHUNK):
                        pass
                    return b""
                # A concatenation of gzip members is one gzip stream (RFC 1952, 2.2).
                self._gzip = zlib.decompressobj(zlib.MAX_WBITS | 16)
                self._gzip_input = rest
            if not self._gzip_input:
                raise ImageFormatError(f"{self.label}: truncated gzip data")
            data = self._gzip.decompress(self._gzip_input, 4 * CHUNK)
            self._gzip_input = self._gzip.unconsumed_tail
            if data:
                return data

    def skip(self, size: int) -> None:
        """Move ``size`` bytes of tar on without reading them (only when :attr:`rereadable`)."""
        if not self.rereadable:
            raise TypeError(f"{self.label}: this layer stream cannot skip")
        if size <= 0:
            return
        if self._head:
            taken = min(size, len(self._head))
            self._head = self._head[taken:]
            self.uncompressed_size += taken
            size -= taken
        self._source.skip(size)
        self.uncompressed_size += size

    def finish(self) -> None:
        """Read to the end (tar padding, trailing blocks) and verify both identities."""
        if self.rereadable and not self._done:
            self.skip(len(self._head) + getattr(self._source.raw, "remaining", 0))
        while self.read_chunk():
            pass

    def _check(self) -> Callable[[], None]:
        """The identity check of the finished stream; what was hashed here is final now,
        a digest computed elsewhere is waited for when the check runs."""
        local_diff_id = "" if self._diff_external else "sha256:" + self._diff_hasher.hexdigest()
        local_digest = (
            "sha256:" + self._source.hasher.hexdigest()
            if self.compression and self._stored_digest is None
            else ""
        )

        def check() -> None:
            stored = self._stored_digest() if self._stored_digest is not None else local_digest
            diff_id = stored if self._diff_external else local_diff_id
            digest = stored if self.compression else diff_id
            if self._expected_digest and self._expected_digest != digest:
                raise DigestMismatch(
                    f"{self.label}: digest mismatch: expected {self._expected_digest}, got {digest}"
                )
            if self._expected_diff_id and self._expected_diff_id != diff_id:
                raise DigestMismatch(
                    f"{self.label}: diff_id mismatch: expected {self._expected_diff_id}, "
                    f"got {diff_id}"
                )

        return check


class _PrefixedReader:
    def __init__(self, head: bytes, rest: _RawReader) -> None:
        self._head = head
        self._rest = rest

    def read(self, size: int = -1, /) -> bytes:
        if self._head:
            data, self._head = self._head, b""
            return data
        return self._rest.read(size)


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
ContentSink = Callable[[memoryview], None]
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
    # Locals: this loop runs once per entry, hundreds of thousands of times.
    file_kind = FileKind.FILE
    symlink_kind, hardlink_kind = FileKind.SYMLINK, FileKind.HARDLINK
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
            kind = file_kind
        if long_name is not None:
            name = long_name
        else:
            end = header.find(b"\0", 0, 100)
            name = header[: end if end >= 0 else 100].decode("utf-8", "surrogateescape")
            if magic == b"ustar\x00" and header[345] != 0:
                name = _decode(header[345:500]) + "/" + name
        if long_link is not None:
            link = long_link
        elif kind is symlink_kind or kind is hardlink_kind:
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
        if kind is not file_kind:
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
        if kind is hardlink_kind:
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
