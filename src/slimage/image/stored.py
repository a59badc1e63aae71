"""What the file back-ends share: blobs as regions of files, and the stored image.

A docker-archive or oci-archive member, or a blob file of an OCI layout, is a byte range
``[offset, offset + length)`` of a file on disk. :class:`StoredLayer` streams one such
range through :class:`~slimage.image.tarstream.LayerStream`; :class:`StoredImage` holds
what the back-end parsed. Both satisfy the protocols of :mod:`slimage.image.model`.

Because the bytes sit in a file, they need not all pass through the tar parser: once the
analysis says which layers it will read (:meth:`StoredImage.plan_reads`), a
:class:`RegionDigests` thread hashes each layer's region straight from the file for its
digest check, while the parser seeks over contents nobody asked for; the few contents
wanted later (same-size files, for duplicates) are read back with
:meth:`StoredLayer.open_contents`.
"""

from __future__ import annotations

import hashlib
import os
import tarfile
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from slimage.errors import ImageFormatError, ImageNotFound
from slimage.image.model import config_history
from slimage.image.platforms import config_platform
from slimage.image.tarstream import LayerStream, RegionReader, normalize_name
from slimage.limits import loads_json

# Manifests, configs and indexes are small; a "JSON" blob larger than this is hostile.
MAX_JSON_BYTES = 32 << 20


@dataclass(frozen=True, slots=True)
class Region:
    """A blob stored as the bytes ``[offset, offset + length)`` of a file on disk."""

    path: str
    offset: int
    length: int


# Windows mapped (or read, where a file cannot be mapped) for hashing, and reads of big
# files' contents: big enough that the GIL is let go for long stretches.
HASH_WINDOW = 16 << 20
HASH_READ = 8 << 20
# Layers hashed at once, at most (and no more than the machine has cores).
MAX_WORKERS = 4


# Contents read after the pass: at least READ_AHEAD bytes per read, so that small files
# close to each other come from one read; anything up to WINDOW in one read.
READ_AHEAD = 64 << 10
WINDOW = 1 << 20


def _hash_region(region: Region, label: str, cancelled: Callable[[], bool] = lambda: False) -> str:
    """``sha256:`` of a file region, hashed in large pieces (hashlib drops the GIL).

    The pieces are windows mapped from the file, as the tar parser gets them
    (:meth:`~slimage.image.tarstream.RegionReader.read_mapped`): no copy into a buffer,
    ~7 % faster than reading on a 180 MB layer, whose digest a mid-size image waits for
    last. Each window is unmapped once hashed, so its pages leave resident memory.
    """
    try:
        file = open(region.path, "rb", buffering=0)  # noqa: SIM115 - closed below
    except OSError as error:
        raise ImageFormatError(f"{label}: cannot read ({error.strerror})") from None
    hasher = hashlib.sha256()
    with file:
        reader = RegionReader(file, region.offset, region.length, label)
        try:
            while reader.remaining and not cancelled():
                hasher.update(reader.read_mapped(HASH_WINDOW))
        except OSError as error:
            raise ImageFormatError(f"{label}: cannot read ({error.strerror})") from None
    return "" if cancelled() else "sha256:" + hasher.hexdigest()


class RegionDigests:
    """sha256 of file regions, computed on daemon threads, in the order given.

    hashlib and ``preadv`` let the GIL go, so on other cores the digests of the layers
    cost the analysis little wall time; the threads start as soon as the plan is known
    (the command starts them before importing the analysis). Layers are hashed by up to
    ``workers`` threads at once (one sha256 cannot be split, but layers can).
    :meth:`digest` waits for one.
    """

    def __init__(self, jobs: Sequence[tuple[Region, str]], workers: int | None = None) -> None:
        self._jobs = list({region: label for region, label in jobs}.items())
        self._next = 0
        self._results: dict[Region, str | ImageFormatError] = {}
        self._done = threading.Condition()
        self._cancelled = False
        count = workers if workers is not None else min(MAX_WORKERS, os.cpu_count() or 1)
        self._threads = [
            threading.Thread(target=self._run, name="slimage-verify", daemon=True)
            for _ in range(max(1, min(count, len(self._jobs))))
        ]
        for thread in self._threads:
            thread.start()

    def covers(self, region: Region) -> bool:
        return any(region == planned for planned, _ in self._jobs)

    def _take(self) -> tuple[Region, str] | None:
        with self._done:
            if self._cancelled or self._next >= len(self._jobs):
                return None
            self._next += 1
            return self._jobs[self._next - 1]

    def _run(self) -> None:
        while (job := self._take()) is not None:
            region, label = job
            result: str | ImageFormatError
            try:
                result = _hash_region(region, label, lambda: self._cancelled)
            except ImageFormatError as error:
                result = error
            if self._cancelled:
                return
            with self._done:
                self._results[region] = result
                self._done.notify_all()

    def digest(self, region: Region) -> str:
        with self._done:
            while region not in self._results:
                if not any(thread.is_alive() for thread in self._threads):
                    raise ImageFormatError(f"{region.path}: the layer digest was not computed")
                self._done.wait(0.5)
            result = self._results[region]
        if isinstance(result, ImageFormatError):
            raise result
        return result

    def cancel(self) -> None:
        self._cancelled = True


@dataclass(slots=True, eq=False)
class StoredLayer:
    """One layer whose blob is a region of a file on disk, streamed and verified when opened."""

    region: Region
    digest: str
    diff_id: str
    media_type: str
    label: str
    # Which identities the source actually states (an old docker-archive states only the
    # diff_id); only stated ones are verified.
    verify_digest: bool = True
    verify_diff_id: bool = True
    # Set by StoredImage.plan_reads: hashes the region on another thread.
    background: RegionDigests | None = field(default=None, repr=False)

    @property
    def compressed_size(self) -> int:
        return self.region.length

    @contextmanager
    def open_uncompressed(self) -> Iterator[LayerStream]:
        try:
            file = open(self.region.path, "rb", buffering=0)  # noqa: SIM115 - closed below
        except OSError as error:
            raise ImageFormatError(f"{self.label}: cannot read ({error.strerror})") from None
        background = self.background
        stored_digest = None
        if background is not None and background.covers(self.region):
            region = self.region

            def stored_digest() -> str:
                return background.digest(region)

        with file:
            raw = RegionReader(file, self.region.offset, self.region.length, self.label)
            stream = LayerStream(
                raw,
                label=self.label,
                media_type=self.media_type,
                expected_digest=self.digest if self.verify_digest else None,
                expected_diff_id=self.diff_id if self.verify_diff_id and self.diff_id else None,
                stored_digest=stored_digest,
            )
            try:
                yield stream
            finally:
                stream.close()  # before the file closes: a thread may still read it

    def open_contents(self) -> LayerContents:
        """Random access to file contents by their offset in the uncompressed tar.

        Only for an uncompressed layer, whose tar is the region itself (a stream that was
        :attr:`~slimage.image.tarstream.LayerStream.rereadable`).
        """
        return LayerContents(self.region, self.label)

    def content_digests(self, ranges: Sequence[tuple[int, int]]) -> list[str]:
        """``sha256:`` of each ``(offset, size)`` range of the uncompressed tar, read in
        file order."""
        digests = [""] * len(ranges)
        with self.open_contents() as contents:
            for index in sorted(range(len(ranges)), key=lambda index: ranges[index][0]):
                digests[index] = contents.digest(*ranges[index])
        return digests


class LayerContents:
    """Reads ``(offset, size)`` ranges of a layer region; a read fetches at least
    READ_AHEAD bytes, so small files close to each other, read in file order, share
    one system call. Close it (or use ``with``)."""

    def __init__(self, region: Region, label: str) -> None:
        self._base = region.offset
        self._length = region.length
        self._label = label
        self._window = memoryview(b"")
        self._window_start = 0
        try:
            self._fd = os.open(region.path, os.O_RDONLY)
        except OSError as error:
            raise ImageFormatError(f"{label}: cannot read ({error.strerror})") from None

    def __enter__(self) -> LayerContents:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1

    def _pread(self, size: int, offset: int) -> bytes:
        try:
            data = os.pread(self._fd, size, self._base + offset)
        except OSError as error:
            raise ImageFormatError(f"{self._label}: cannot read ({error.strerror})") from None
        if len(data) < size:
            raise ImageFormatError(f"{self._label}: truncated (file ends early)")
        return data

    def read(self, offset: int, size: int) -> memoryview:
        """``size`` bytes at ``offset`` (a view valid until the next call)."""
        if offset < 0 or offset + size > self._length:
            raise ImageFormatError(f"{self._label}: file contents outside the layer")
        start = offset - self._window_start
        if start < 0 or start + size > len(self._window):
            if size > WINDOW:
                return memoryview(self._pread(size, offset))
            ahead = min(max(size, READ_AHEAD), self._length - offset)
            self._window = memoryview(self._pread(ahead, offset))
            self._window_start, start = offset, 0
        return self._window[start : start + size]

    def digest(self, offset: int, size: int) -> str:
        """``sha256:`` of ``size`` bytes at ``offset``; big ones are read in pieces."""
        hasher = hashlib.sha256()
        if size <= WINDOW:
            hasher.update(self.read(offset, size))
        else:
            if offset < 0 or offset + size > self._length:
                raise ImageFormatError(f"{self._label}: file contents outside the layer")
            position, end = offset, offset + size
            while position < end:
                step = min(HASH_READ, end - position)
                hasher.update(self._pread(step, position))
                position += step
        return "sha256:" + hasher.hexdigest()


@dataclass(slots=True)
class StoredImage:
    """An image a file back-end parsed: manifest, config and layers stored in files on disk."""

    manifest: Mapping[str, Any]
    config: Mapping[str, Any]
    layers: Sequence[StoredLayer]
    source: str
    warnings: list[str] = field(default_factory=list)

    @property
    def history(self) -> Sequence[Mapping[str, Any]]:
        return config_history(self.config)

    @property
    def platform(self) -> str | None:
        return config_platform(self.config)

    def plan_reads(self, indices: Sequence[int]) -> None:
        """The layers the caller will read, in order: start hashing them on another thread.

        A second call with the same plan keeps the thread already started.
        """
        jobs = [(self.layers[index].region, self.layers[index].label) for index in indices]
        current = self.layers[indices[0]].background if indices else None
        if current is not None and all(current.covers(region) for region, _ in jobs):
            return
        self.close()
        background = RegionDigests(jobs) if jobs else None
        for index in indices:
            self.layers[index].background = background

    def close(self) -> None:
        """Stop hashing layers nobody will read (after an error, say)."""
        for layer in self.layers:
            if layer.background is not None:
                layer.background.cancel()
                layer.background = None


def parse_json(data: bytes, what: str) -> Any:
    """JSON from an image, bounded in size and nesting (slimage.limits)."""
    return loads_json(data, what, error=ImageFormatError, limit=MAX_JSON_BYTES)


def diff_ids(config: Mapping[str, Any]) -> list[str]:
    rootfs = config.get("rootfs")
    ids = rootfs.get("diff_ids") if isinstance(rootfs, Mapping) else None
    return [item for item in ids if isinstance(item, str)] if isinstance(ids, list) else []


class TarMembers:
    """The members of an outer archive (docker-archive, oci-archive) by normalised name."""

    def __init__(self, path: str, label: str) -> None:
        self.path = path
        self.label = label
        self.members: dict[str, tarfile.TarInfo] = {}
        try:
            file_size = os.path.getsize(path)
            with tarfile.open(path, "r:") as archive:
                for member in archive:
                    name = normalize_name(member.name)
                    if not name:
                        continue
                    if member.isreg() and member.offset_data + member.size > file_size:
                        raise ImageFormatError(f"{label}: truncated archive ({member.name})")
                    self.members[name] = member
        except tarfile.ReadError as error:
            message = str(error)
            if "compressed" in message or "magic" in message or "invalid header" in message:
                raise ImageFormatError(f"{label}: not a tar archive ({message})") from None
            raise ImageFormatError(f"{label}: unreadable archive ({message})") from None
        except tarfile.TarError as error:
            raise ImageFormatError(f"{label}: unreadable archive ({error})") from None
        except OSError as error:
            raise ImageNotFound(f"{label}: cannot read ({error.strerror})") from None

    def __contains__(self, name: str) -> bool:
        return self._resolve(name) is not None

    def _resolve(self, name: str) -> tarfile.TarInfo | None:
        seen: set[str] = set()
        current: str | None = normalize_name(name)
        while current is not None and current not in seen:
            seen.add(current)
            member = self.members.get(current)
            if member is None:
                return None
            if member.issym() or member.islnk():
                # Old `docker save` links repeated layers to the first copy.
                base = current.rpartition("/")[0] if member.issym() else ""
                target = f"{base}/{member.linkname}" if base else member.linkname
                current = normalize_name(target)
                continue
            return member if member.isreg() else None
        return None

    def region(self, name: str, what: str) -> Region:
        member = self._resolve(name)
        if member is None:
            raise ImageFormatError(f"{self.label}: missing {what} {name!r}")
        return Region(self.path, member.offset_data, member.size)

    def read(self, name: str, what: str) -> bytes:
        region = self.region(name, what)
        if region.length > MAX_JSON_BYTES:
            raise ImageFormatError(f"{self.label}: {what} {name!r} is absurdly large")
        with open(self.path, "rb") as file:
            file.seek(region.offset)
            data = file.read(region.length)
        if len(data) != region.length:
            raise ImageFormatError(f"{self.label}: truncated archive ({name})")
        return data
