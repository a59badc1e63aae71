"""A layer's stored bytes -> its verified, uncompressed tar, one chunk at a time.

:class:`LayerStream` tells the compression by the media type and the magic bytes (plain,
gzip through :mod:`slimage.image.inflate`, zstd), hashes the stored bytes (the layer
``digest``) and the uncompressed bytes (the ``diff_id``) as they pass (or takes the
stored bytes' digest from a thread that hashes them in the file), and refuses
decompression bombs. Nothing is held beyond one chunk.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable

from slimage.errors import DigestMismatch, ImageFormatError
from slimage.image.hashing import BackgroundHasher
from slimage.image.inflate import GZIP_ERRORS, GzipMembers, compression_for, sniff_compression
from slimage.image.regions import Chunk, RawReader

CHUNK = 1 << 20
# Reads of a layer that can seek are smaller: what follows a header is often a big file
# the parser skips unread.
SEEKING_CHUNK = 1 << 18
# An uncompressed layer in a file is mapped this much at a time (a window is unmapped when
# the parser leaves it, so its pages leave the process's resident memory).
MAPPED_CHUNK = 16 << 20
# A layer whose output exceeds this many times its input, once past BOMB_FLOOR bytes, is
# treated as a decompression bomb. Real layers of sparse or zeroed files compress well,
# but not a thousandfold over a gigabyte.
BOMB_RATIO = 1000
BOMB_FLOOR = 1 << 30
# Inflated chunks (1-2 MiB each) a compressed layer may run ahead of the parser.
INFLATED_AHEAD = 4


class _HashingReader:
    """Counts and hashes the stored bytes as a decompressor pulls them."""

    def __init__(self, raw: RawReader, hashing: bool = True) -> None:
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

    inflate_on_thread = True  # see _next_inflated

    def __init__(
        self,
        raw: RawReader,
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
        self._warned_trailing = False
        self._inflated: queue.Queue[bytes | BaseException] | None = None
        self._inflating: threading.Thread | None = None
        self._stopping = threading.Event()
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
        self._gzip: GzipMembers | None = None
        self._zstd: RawReader | None = None
        if actual == "gzip":
            self._gzip = GzipMembers(
                self._source.read, head, label=label, chunk=CHUNK, out_limit=CHUNK
            )
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
        except GZIP_ERRORS as error:
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
        if self.compression and self.inflate_on_thread:
            return self._next_inflated()
        return self._next_plain()

    # -- inflating on a thread ---------------------------------------------------------
    # A compressed layer is inflated (and its stored bytes read and hashed) on a thread
    # of its own, at most INFLATED_AHEAD chunks ahead of the tar parser: the inflaters
    # and hashlib let the GIL go, so inflating overlaps with parsing on another core.

    def _next_inflated(self) -> Chunk:
        if self._inflated is None:
            self._inflated = queue.Queue(maxsize=INFLATED_AHEAD)
            self._inflating = threading.Thread(
                target=self._inflate, name="slimage-inflate", daemon=True
            )
            self._inflating.start()
        item = self._inflated.get()
        if isinstance(item, BaseException):
            raise item
        return item

    def _inflate(self) -> None:
        assert self._inflated is not None
        while True:
            item: bytes | BaseException
            try:
                item = self._next_plain()  # type: ignore[assignment]  # never mapped here
            except BaseException as error:  # handed to the reader, raised there
                item = error
            while True:
                try:
                    self._inflated.put(item, timeout=0.2)
                    break
                except queue.Full:
                    if self._stopping.is_set():
                        return
            if isinstance(item, BaseException) or not item or self._stopping.is_set():
                return

    def close(self) -> None:
        """Stop inflating ahead (the reader stopped early); waits for the thread."""
        self._stopping.set()
        if self._inflating is not None:
            self._inflating.join(timeout=5)

    def _next_plain(self) -> Chunk:
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
        data = self._gzip.read()
        if not data and self._gzip.trailing and not self._warned_trailing:
            # Trailing bytes after the last gzip member: hashed, not untarred.
            self._warned_trailing = True
            self.warnings.append(f"{self.label}: ignoring data after the gzip stream")
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
    def __init__(self, head: bytes, rest: RawReader) -> None:
        self._head = head
        self._rest = rest

    def read(self, size: int = -1, /) -> bytes:
        if self._head:
            data, self._head = self._head, b""
            return data
        return self._rest.read(size)
