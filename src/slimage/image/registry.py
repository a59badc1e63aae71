"""Images in a registry (OCI distribution spec / Registry HTTP API v2), streamed.

``open_registry_image(reference)`` reads the manifest (following an index or manifest
list to the wanted platform) and the config; each layer's blob is streamed straight into
the analysis when it is read, its digest and diff_id checked on the way, never written to
disk.

The HTTP client (HTTPS, plain HTTP for local hosts, authentication, retries with
backoff) is :mod:`slimage.image.registry_client`; this module turns a reference into an
image: manifests, the platform, the config, and layers whose blobs download on a
background thread (the next planned layer while this one is analysed), resuming with a
Range request when a connection drops mid-way.
"""

from __future__ import annotations

import hashlib
import queue
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from typing import Any

import httpx

from slimage.errors import (
    ImageFormatError,
    ImageNotFound,
    ImageSourceError,
    UnsupportedMediaType,
)
from slimage.image.credentials import Credentials, lookup_credentials
from slimage.image.model import config_history
from slimage.image.oci_layout import INDEX_TYPES, MANIFEST_TYPES
from slimage.image.platforms import choose_platform, config_platform
from slimage.image.registry_client import (
    CHUNK,
    MAX_ATTEMPTS,
    MAX_CONFIG_BYTES,
    MAX_MANIFEST_BYTES,
    MAX_RETRY_AFTER,
    PREFETCH_CHUNKS,
    RETRY_STATUSES,
    RegistryClient,
    RegistrySession,
    parse_challenge,
)
from slimage.image.tarstream import LayerStream, compression_for
from slimage.limits import loads_json
from slimage.reference import Reference, parse_reference


class _BlobFetcher:
    """A blob's bytes as chunks, resuming with a Range request after a dropped link."""

    def __init__(self, client: RegistryClient, digest: str, size: int, label: str) -> None:
        self._client = client
        self._digest = digest
        self._size = size
        self._label = label
        self._received = 0
        self._resumes = 0
        self.stopped = False

    def chunks(self) -> Iterator[bytes]:
        while self._received < self._size and not self.stopped:
            headers = {"Range": f"bytes={self._received}-"} if self._received else None
            response = self._client.get(f"blobs/{self._digest}", headers=headers, stream=True)
            try:
                if self._received and response.status_code != 206:
                    raise ImageSourceError(
                        f"{self._label}: connection lost after {self._received} bytes and the "
                        "registry cannot resume (no Range support)"
                    )
                # Chunks as they arrive, so a dropped link loses nothing already received.
                for chunk in response.iter_raw():
                    self._received += len(chunk)
                    if self._received > self._size:
                        raise ImageFormatError(
                            f"{self._label}: the registry sent more than the {self._size} "
                            "bytes the manifest declares"
                        )
                    yield chunk
                    if self.stopped:
                        return
            except httpx.TransportError:
                pass  # resumed below
            finally:
                response.close()
            if self._received < self._size:
                # A dropped link, or a server that ended early without an error.
                self._resumes += 1
                if self._resumes >= MAX_ATTEMPTS:
                    raise ImageSourceError(
                        f"{self._label}: connection lost {self._resumes} times; got "
                        f"{self._received} of {self._size} bytes"
                    )


_END = object()


class _BlobReader:
    """``read(size)`` over a blob downloaded by a background thread.

    The download (socket reads and the registry's own pacing) overlaps with the
    decompression, hashing and tar parsing the caller does; the queue bounds how far it
    runs ahead, so memory stays bounded whatever the layer's size.
    """

    def __init__(self, client: RegistryClient, digest: str, size: int, label: str) -> None:
        self._fetcher = _BlobFetcher(client, digest, size, label)
        self._queue: queue.Queue[object] = queue.Queue(maxsize=PREFETCH_CHUNKS)
        self._buffer = b""
        self._done = False
        self._hasher = hashlib.sha256()
        self._thread = threading.Thread(target=self._pump, name=f"slimage {label}", daemon=True)
        self._thread.start()

    def _pump(self) -> None:
        try:
            # The socket gives ~64 KiB at a time; the reader is handed about CHUNK at a
            # time, since every piece costs a queue hand-off, a hash update and an
            # inflate call downstream.
            pieces: list[bytes] = []
            size = 0
            for piece in self._fetcher.chunks():
                pieces.append(piece)
                size += len(piece)
                if size >= CHUNK:
                    self._hand_over(b"".join(pieces))
                    pieces, size = [], 0
            if pieces:
                self._hand_over(b"".join(pieces))
            self._queue.put(_END)
        except BaseException as error:  # handed to the reading thread
            self._queue.put(error)

    def _hand_over(self, piece: bytes) -> None:
        # Hashed here, where the bytes arrive (hashlib lets the GIL go): the thread that
        # inflates them then has that much less to do.
        self._hasher.update(piece)
        self._queue.put(piece)

    def digest(self) -> str:
        """The blob's ``sha256:`` digest, once the download has ended."""
        self._thread.join()
        return "sha256:" + self._hasher.hexdigest()

    def read(self, size: int = -1, /) -> bytes:
        want = CHUNK if size is None or size < 0 else size
        while not self._buffer:
            if self._done:
                return b""
            item = self._queue.get()
            if item is _END:
                self._done = True
                return b""
            if isinstance(item, BaseException):
                self._done = True
                raise item
            assert isinstance(item, bytes)
            self._buffer = item
        if want >= len(self._buffer):
            data, self._buffer = self._buffer, b""
            return data
        # Rarely: a read smaller than the pieces (the first bytes of a layer).
        data, self._buffer = self._buffer[:want], self._buffer[want:]
        return data

    def close(self) -> None:
        self._fetcher.stopped = True
        # Unblock the pump if it waits on a full queue, then let it finish.
        while self._thread.is_alive():
            with suppress(queue.Empty):
                self._queue.get(timeout=0.1)
        self._thread.join()


class _Prefetch:
    """Downloads the next layer the analysis will read while it reads the current one.

    The analysis says which layers it will read, in order (:meth:`RegistryImage.plan_reads`:
    layers replayed from the cache are left out); opening one starts the next one's
    download. Each download runs ahead only as far as its bounded queue, so two layers in
    flight cost at most twice that memory.
    """

    def __init__(self, client: RegistryClient) -> None:
        self.client = client
        self.order: list[RegistryLayer] = []
        self.started: dict[str, _BlobReader] = {}
        # Opened already: the analysis may read two layers at once (one ahead, on another
        # thread), so the layer after this one may be open before this one is.
        self.taken: set[str] = set()
        self.lock = threading.Lock()

    def take(self, layer: RegistryLayer) -> _BlobReader:
        with self.lock:
            self.taken.add(layer.digest)
            reader = self.started.pop(layer.digest, None)
            if reader is None:
                reader = layer.new_reader()
            digests = [planned.digest for planned in self.order]
            if layer.digest in digests:
                position = digests.index(layer.digest)
                if position + 1 < len(self.order):
                    following = self.order[position + 1]
                    if following.digest not in self.started and following.digest not in self.taken:
                        self.started[following.digest] = following.new_reader()
            return reader

    def close(self) -> None:
        with self.lock:
            for reader in self.started.values():
                reader.close()
            self.started.clear()


@dataclass(frozen=True)
class RegistryLayer:
    """One layer blob in a registry, downloaded and verified when it is opened."""

    client: RegistryClient = field(repr=False)
    digest: str
    diff_id: str
    compressed_size: int
    media_type: str
    prefetch: _Prefetch | None = field(default=None, repr=False, compare=False)

    @property
    def label(self) -> str:
        return f"{self.client.label}@{self.digest[:19]}"

    def new_reader(self) -> _BlobReader:
        return _BlobReader(self.client, self.digest, self.compressed_size, self.label)

    @contextmanager
    def open_uncompressed(self) -> Iterator[LayerStream]:
        label = self.label
        reader = self.prefetch.take(self) if self.prefetch is not None else self.new_reader()
        stream: LayerStream | None = None
        try:
            stream = LayerStream(
                reader,
                label=label,
                media_type=self.media_type,
                expected_digest=self.digest,
                expected_diff_id=self.diff_id or None,
                stored_digest=reader.digest,
            )
            yield stream
        finally:
            if stream is not None:
                stream.close()
            reader.close()


@dataclass
class RegistryImage:
    """A single-platform image in a registry: manifest and config, and layers read on demand."""

    manifest: Mapping[str, Any]
    config: Mapping[str, Any]
    layers: Sequence[RegistryLayer]
    source: str
    manifest_digest: str
    client: RegistryClient = field(repr=False)
    warnings: list[str] = field(default_factory=list)
    # The digest of the manifest the reference names: an index's for a multi-platform
    # image (``manifest_digest`` is then the chosen platform's). What a HEAD of the tag
    # answers while the tag is unchanged.
    reference_digest: str = ""

    @property
    def history(self) -> Sequence[Mapping[str, Any]]:
        return config_history(self.config)

    @property
    def platform(self) -> str | None:
        return config_platform(self.config)

    def plan_reads(self, indices: Sequence[int]) -> None:
        """The layers the caller will open, in order: each opening starts the next download."""
        prefetch = self.layers[0].prefetch if self.layers else None
        if prefetch is not None:
            prefetch.order = [self.layers[i] for i in indices]

    def close(self) -> None:
        prefetch = self.layers[0].prefetch if self.layers else None
        if prefetch is not None:
            prefetch.close()


def open_registry_image(
    text: str,
    *,
    platform: str | None = None,
    insecure: bool = False,
    credentials: Credentials | None = None,
    transport: httpx.BaseTransport | None = None,
    sleep: Callable[[float], None] = time.sleep,
    session: RegistrySession | None = None,
) -> RegistryImage:
    """Open ``text`` (a reference as Docker reads it) from its registry; with a
    ``session``, over its connections and authorization (see :class:`RegistrySession`)."""
    reference = parse_reference(text)
    if credentials is None:
        credentials = (
            session.credentials(reference.registry)
            if session is not None
            else lookup_credentials(reference.registry)
        )
    client = RegistryClient(
        reference,
        credentials=credentials,
        insecure=insecure,
        transport=transport,
        sleep=sleep,
        session=session,
    )
    try:
        return _open(client, reference, platform)
    except BaseException:
        client.close()
        raise


def _open(client: RegistryClient, reference: Reference, platform: str | None) -> RegistryImage:
    label = str(reference)
    body, media_type = client.fetch_manifest(reference.reference)
    manifest = _parse_json(body, f"{label}: manifest")
    media_type = str(manifest.get("mediaType") or media_type)
    digest = reference_digest = "sha256:" + hashlib.sha256(body).hexdigest()
    if media_type in INDEX_TYPES or "manifests" in manifest:
        descriptor = _choose_platform(manifest, platform, label)
        digest = str(descriptor["digest"])
        body, media_type = client.fetch_manifest(digest)
        manifest = _parse_json(body, f"{label}: manifest")
        media_type = str(manifest.get("mediaType") or media_type)
    if media_type not in MANIFEST_TYPES:
        raise UnsupportedMediaType(f"{label}: unsupported manifest media type {media_type!r}")
    config_descriptor = manifest.get("config")
    if not isinstance(config_descriptor, Mapping) or not isinstance(
        config_descriptor.get("digest"), str
    ):
        raise ImageFormatError(f"{label}: manifest has no config descriptor")
    config = _parse_json(
        client.fetch_blob(str(config_descriptor["digest"]), MAX_CONFIG_BYTES), f"{label}: config"
    )
    descriptors = manifest.get("layers")
    if not isinstance(descriptors, list):
        raise ImageFormatError(f"{label}: manifest lists no layers")
    rootfs = config.get("rootfs")
    diff_ids = rootfs.get("diff_ids") if isinstance(rootfs, Mapping) else None
    if not isinstance(diff_ids, list) or len(diff_ids) != len(descriptors):
        raise ImageFormatError(
            f"{label}: the config's rootfs.diff_ids do not match the manifest's layers"
        )
    layers = []
    prefetch = _Prefetch(client)
    for descriptor, diff_id in zip(descriptors, diff_ids, strict=True):
        if not isinstance(descriptor, Mapping):
            raise ImageFormatError(f"{label}: malformed layer descriptor")
        layer_type = str(descriptor.get("mediaType") or "")
        compression_for(layer_type, label)  # refuse non-layer media types early
        size = descriptor.get("size")
        layer_digest = descriptor.get("digest")
        if not isinstance(size, int) or size < 0 or not isinstance(layer_digest, str):
            raise ImageFormatError(f"{label}: layer descriptor without digest or size")
        layers.append(RegistryLayer(client, layer_digest, str(diff_id), size, layer_type, prefetch))
    return RegistryImage(
        manifest,
        config,
        layers,
        f"docker://{label}",
        digest,
        client,
        reference_digest=reference_digest,
    )


def _parse_json(body: bytes, label: str) -> dict[str, Any]:
    data = loads_json(body, label, error=ImageFormatError)
    if not isinstance(data, dict):
        raise ImageFormatError(f"{label} is not a JSON object")
    return data


def _choose_platform(
    index: Mapping[str, Any], platform: str | None, label: str
) -> Mapping[str, Any]:
    manifests = [
        d
        for d in index.get("manifests") or []
        if isinstance(d, Mapping) and isinstance(d.get("digest"), str)
    ]
    if not manifests:
        raise ImageNotFound(f"{label}: the index lists no image manifests")
    return choose_platform(manifests, platform, label, "name one by its digest")


__all__ = [
    "CHUNK",
    "MAX_ATTEMPTS",
    "MAX_CONFIG_BYTES",
    "MAX_MANIFEST_BYTES",
    "MAX_RETRY_AFTER",
    "PREFETCH_CHUNKS",
    "RETRY_STATUSES",
    "RegistryClient",
    "RegistryImage",
    "RegistryLayer",
    "RegistrySession",
    "open_registry_image",
    "parse_challenge",
]
