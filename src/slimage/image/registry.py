"""Images in a registry (OCI distribution spec / Registry HTTP API v2), streamed.

``open_registry_image(reference)`` reads the manifest (following an index or manifest
list to the wanted platform) and the config; each layer's blob is streamed straight into
the analysis when it is read, its digest and diff_id checked on the way, never written to
disk.

HTTP behaviour, as Docker's: HTTPS with verification; plain HTTP only for 127.0.0.0/8 and
localhost (after HTTPS fails) or a registry named with ``insecure``. Authentication
follows the ``WWW-Authenticate`` challenge (bearer tokens, anonymous or with
credentials, and basic auth). 429, 5xx and dropped connections are retried with backoff,
honouring ``Retry-After``; a blob whose connection drops mid-way resumes with a Range
request. Credentials and tokens never appear in messages.
"""

from __future__ import annotations

import base64
import email.utils
import functools
import hashlib
import queue
import re
import ssl
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from typing import Any

import httpx

from slimage.errors import (
    DigestMismatch,
    ImageFormatError,
    ImageNotFound,
    ImageSourceError,
    RegistryAuthError,
    UnsupportedMediaType,
)
from slimage.image.credentials import Credentials, lookup_credentials
from slimage.image.model import config_history, config_platform
from slimage.image.oci_layout import INDEX_TYPES, MANIFEST_TYPES
from slimage.image.platforms import choose_platform
from slimage.image.reference import Reference, is_local_host, parse_reference
from slimage.image.tarstream import LayerStream, compression_for
from slimage.limits import loads_json

# The OCI distribution spec asks registries to accept manifests up to 4 MiB.
MAX_MANIFEST_BYTES = 4 << 20
MAX_CONFIG_BYTES = 32 << 20
RETRY_STATUSES = {429, 500, 502, 503, 504}
MAX_ATTEMPTS = 5
MAX_RETRY_AFTER = 30.0
CHUNK = 1 << 20
# Chunks of a blob the download may run ahead of the analysis (each at most ~64 KiB).
PREFETCH_CHUNKS = 256

_ACCEPT = ", ".join(
    [
        "application/vnd.oci.image.index.v1+json",
        "application/vnd.docker.distribution.manifest.list.v2+json",
        "application/vnd.oci.image.manifest.v1+json",
        "application/vnd.docker.distribution.manifest.v2+json",
    ]
)


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """httpx's default TLS context, made once for every client: loading the CA bundle
    costs ~30 ms, and an audit opens a client per repository."""
    return httpx.create_ssl_context()


class RegistryClient:
    """One repository of one registry: authenticated, retried GETs."""

    def __init__(
        self,
        reference: Reference,
        *,
        credentials: Credentials | None = None,
        insecure: bool = False,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        timeout: float = 30.0,
    ) -> None:
        self.reference = reference
        self.credentials = credentials
        self._plain_http_allowed = insecure or is_local_host(reference.registry)
        self._scheme: str | None = None if self._plain_http_allowed else "https"
        self._authorization: str | None = None
        self._sleep = sleep
        self._client = httpx.Client(
            transport=transport,
            verify=_tls_context(),
            follow_redirects=True,
            timeout=httpx.Timeout(timeout, read=timeout * 2),
            headers={"User-Agent": "slimage"},
        )

    def close(self) -> None:
        self._client.close()

    @property
    def label(self) -> str:
        return f"{self.reference.registry}/{self.reference.repository}"

    # -- requests ----------------------------------------------------------------------

    def _url(self, path: str) -> str:
        """``tags/list`` is under the repository; ``/_catalog`` (a leading slash) is not."""
        if path.startswith("/"):
            return f"{self._scheme}://{self.reference.api_host}/v2{path}"
        return f"{self._scheme}://{self.reference.api_host}/v2/{self.reference.repository}/{path}"

    def _choose_scheme(self) -> None:
        """HTTPS first; plain HTTP only where Docker would fall back to it."""
        if self._scheme is not None:
            return
        try:
            self._client.get(f"https://{self.reference.api_host}/v2/", timeout=5)
            self._scheme = "https"
        except (
            httpx.ConnectError,
            httpx.ReadError,
            httpx.RemoteProtocolError,
            httpx.ConnectTimeout,
        ):
            self._scheme = "http"

    def get(
        self, path: str, *, headers: Mapping[str, str] | None = None, stream: bool = False
    ) -> httpx.Response:
        """GET with auth and retries; the caller closes a streamed response."""
        self._choose_scheme()
        authorized_once = False
        attempt = 0
        while True:
            attempt += 1
            request_headers = dict(headers or {})
            if self._authorization:
                request_headers["Authorization"] = self._authorization
            request = self._client.build_request("GET", self._url(path), headers=request_headers)
            try:
                response = self._client.send(request, stream=stream)
            except httpx.TransportError as error:
                if attempt >= MAX_ATTEMPTS:
                    raise ImageSourceError(
                        f"{self.label}: {type(error).__name__} talking to "
                        f"{self.reference.api_host} after {attempt} attempts"
                    ) from None
                self._sleep(_backoff(attempt, None))
                continue
            if response.status_code == 401 and not authorized_once:
                challenge = response.headers.get("www-authenticate", "")
                response.close()
                self._authorize(challenge)
                authorized_once = True
                continue
            if response.status_code in RETRY_STATUSES and attempt < MAX_ATTEMPTS:
                delay = _backoff(attempt, response.headers.get("retry-after"))
                response.close()
                self._sleep(delay)
                continue
            if response.status_code >= 400:
                status = response.status_code
                response.close()
                raise self._error(status, path)
            return response

    def _error(self, status: int, path: str) -> ImageSourceError:
        what = path.split("/", 1)[0]
        if status == 401:
            hint = (
                "the credentials were rejected"
                if self.credentials
                else "it needs credentials: `docker login`, or --username/--password-stdin"
            )
            return RegistryAuthError(f"{self.label}: 401 unauthorized: {hint}")
        if status == 403:
            return RegistryAuthError(f"{self.label}: 403 access denied to {what}")
        if status == 404:
            if what == "manifests":
                return ImageNotFound(
                    f"{self.label}: {self.reference.reference} not found (manifest unknown)"
                )
            return ImageFormatError(f"{self.label}: {path.split('/', 1)[-1]} missing (404)")
        if status == 429:
            return ImageSourceError(f"{self.label}: rate limited (429) after {MAX_ATTEMPTS} tries")
        return ImageSourceError(f"{self.label}: the registry answered {status} for {what}")

    def _authorize(self, challenge: str) -> None:
        scheme, params = parse_challenge(challenge)
        if scheme == "basic":
            if self.credentials is None or self.credentials.identity_token:
                raise RegistryAuthError(
                    f"{self.label}: 401 unauthorized: it needs credentials "
                    "(`docker login`, or --username/--password-stdin)"
                )
            pair = f"{self.credentials.username}:{self.credentials.password}".encode()
            self._authorization = "Basic " + base64.b64encode(pair).decode()
            return
        if scheme != "bearer" or "realm" not in params:
            raise RegistryAuthError(
                f"{self.label}: 401 with an authentication scheme slimage "
                f"does not support ({scheme or 'none'})"
            )
        self._authorization = "Bearer " + self._fetch_token(params)

    def _fetch_token(self, params: Mapping[str, str]) -> str:
        realm = params["realm"]
        realm_url = httpx.URL(realm)
        if realm_url.scheme not in {"http", "https"}:
            raise RegistryAuthError(f"{self.label}: token realm is not an HTTP URL")
        scope = params.get("scope") or f"repository:{self.reference.repository}:pull"
        query = {"scope": scope}
        if "service" in params:
            query["service"] = params["service"]
        credentials = self.credentials
        if (
            credentials is not None
            and realm_url.scheme == "http"
            and not is_local_host(realm_url.netloc.decode())
        ):
            # Never send a password in clear text to another host.
            credentials = None
        try:
            if credentials is not None and credentials.identity_token:
                response = self._client.post(
                    realm,
                    data={
                        "grant_type": "refresh_token",
                        "refresh_token": credentials.identity_token,
                        "client_id": "slimage",
                        **query,
                    },
                )
            elif credentials is not None:
                response = self._client.get(
                    realm,
                    params={**query, "account": credentials.username},
                    auth=(credentials.username, credentials.password),
                )
            else:
                response = self._client.get(realm, params=query)
        except httpx.TransportError as error:
            raise RegistryAuthError(
                f"{self.label}: cannot reach the token service ({type(error).__name__})"
            ) from None
        if response.status_code in {401, 403}:
            raise RegistryAuthError(
                f"{self.label}: the token service refused "
                + ("the credentials" if credentials else "anonymous access; log in first")
            )
        if response.status_code >= 400:
            raise RegistryAuthError(
                f"{self.label}: the token service answered {response.status_code}"
            )
        try:
            body = response.json()
        except ValueError:
            raise RegistryAuthError(f"{self.label}: the token service sent no JSON") from None
        token = body.get("token") or body.get("access_token") if isinstance(body, dict) else None
        if not isinstance(token, str) or not token:
            raise RegistryAuthError(f"{self.label}: the token service sent no token")
        return token

    # -- content -----------------------------------------------------------------------

    def fetch_manifest(self, reference: str) -> tuple[bytes, str]:
        """The raw manifest and its media type, size-bounded and digest-checked."""
        response = self.get(f"manifests/{reference}", headers={"Accept": _ACCEPT}, stream=True)
        try:
            body = _read_bounded(response, MAX_MANIFEST_BYTES, f"{self.label}: manifest")
        finally:
            response.close()
        if reference.startswith("sha256:"):
            _check_digest(body, reference, f"{self.label}: manifest")
        media_type = response.headers.get("content-type", "").split(";")[0].strip()
        return body, media_type

    def fetch_blob(self, digest: str, limit: int) -> bytes:
        response = self.get(f"blobs/{digest}", stream=True)
        try:
            body = _read_bounded(response, limit, f"{self.label}: blob {digest[:19]}")
        finally:
            response.close()
        _check_digest(body, digest, f"{self.label}: blob")
        return body


def _read_bounded(response: httpx.Response, limit: int, label: str) -> bytes:
    declared = response.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise ImageFormatError(f"{label} is {int(declared)} bytes, over the {limit}-byte limit")
    chunks: list[bytes] = []
    total = 0
    try:
        for chunk in response.iter_bytes(CHUNK):
            total += len(chunk)
            if total > limit:
                raise ImageFormatError(f"{label} is over the {limit}-byte limit")
            chunks.append(chunk)
    except httpx.TransportError as error:
        raise ImageSourceError(f"{label}: connection lost ({type(error).__name__})") from None
    return b"".join(chunks)


def _check_digest(body: bytes, digest: str, label: str) -> None:
    algorithm, _, expected = digest.partition(":")
    if algorithm not in {"sha256", "sha512"}:
        raise UnsupportedMediaType(f"{label}: unsupported digest algorithm {algorithm!r}")
    actual = hashlib.new(algorithm, body).hexdigest()
    if actual != expected:
        raise DigestMismatch(f"{label}: content does not match its digest {digest[:19]}...")


def _backoff(attempt: int, retry_after: str | None) -> float:
    if retry_after:
        value = retry_after.strip()
        if value.isdigit():
            return min(float(value), MAX_RETRY_AFTER)
        try:
            parsed = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            parsed = None
        if parsed is not None:
            remaining: float = parsed.timestamp() - time.time()
            return max(0.0, min(remaining, MAX_RETRY_AFTER))
    return min(0.25 * 2.0 ** (attempt - 1), 8.0)


_CHALLENGE_PARAM = re.compile(r'(\w+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))')


def parse_challenge(header: str) -> tuple[str, dict[str, str]]:
    """``Bearer realm="...",service="..."`` -> ("bearer", {"realm": ..., ...})."""
    scheme, _, rest = header.strip().partition(" ")
    params = {
        m.group(1).lower(): m.group(2) if m.group(2) is not None else m.group(3)
        for m in _CHALLENGE_PARAM.finditer(rest)
    }
    return scheme.lower(), params


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
        self._thread = threading.Thread(target=self._pump, name=f"slimage {label}", daemon=True)
        self._thread.start()

    def _pump(self) -> None:
        try:
            for chunk in self._fetcher.chunks():
                self._queue.put(chunk)
            self._queue.put(_END)
        except BaseException as error:  # handed to the reading thread
            self._queue.put(error)

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
        self.lock = threading.Lock()

    def take(self, layer: RegistryLayer) -> _BlobReader:
        with self.lock:
            reader = self.started.pop(layer.digest, None)
            if reader is None:
                reader = layer.new_reader()
            digests = [planned.digest for planned in self.order]
            if layer.digest in digests:
                position = digests.index(layer.digest)
                if position + 1 < len(self.order):
                    following = self.order[position + 1]
                    if following.digest not in self.started and following.digest != layer.digest:
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
        try:
            yield LayerStream(
                reader,
                label=label,
                media_type=self.media_type,
                expected_digest=self.digest,
                expected_diff_id=self.diff_id or None,
            )
        finally:
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
) -> RegistryImage:
    """Open ``text`` (a reference as Docker reads it) from its registry."""
    reference = parse_reference(text)
    if credentials is None:
        credentials = lookup_credentials(reference.registry)
    client = RegistryClient(
        reference, credentials=credentials, insecure=insecure, transport=transport, sleep=sleep
    )
    label = str(reference)
    body, media_type = client.fetch_manifest(reference.reference)
    manifest = _parse_json(body, f"{label}: manifest")
    media_type = str(manifest.get("mediaType") or media_type)
    digest = "sha256:" + hashlib.sha256(body).hexdigest()
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
    return RegistryImage(manifest, config, layers, f"docker://{label}", digest, client)


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
