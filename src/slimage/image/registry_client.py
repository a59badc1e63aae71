"""The Registry HTTP API v2 client: HTTPS (plain HTTP only for local hosts or when asked),
authentication by the ``WWW-Authenticate`` challenge (bearer tokens, anonymous or with
credentials, and basic auth), retries with backoff honouring ``Retry-After``, bounded
reads of manifests and blobs. Credentials and tokens never appear in messages.
:mod:`slimage.image.registry` builds images on it.
"""

from __future__ import annotations

import base64
import email.utils
import functools
import hashlib
import re
import ssl
import time
from collections.abc import Callable, Mapping

import httpx

from slimage.errors import (
    DigestMismatch,
    ImageFormatError,
    ImageNotFound,
    ImageSourceError,
    RegistryAuthError,
    UnsupportedMediaType,
)
from slimage.image.credentials import Credentials
from slimage.reference import Reference, is_local_host

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
