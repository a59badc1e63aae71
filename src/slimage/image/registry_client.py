"""The Registry HTTP API v2 client: HTTPS (plain HTTP only for local hosts or when asked),
authentication by the ``WWW-Authenticate`` challenge (bearer tokens, anonymous or with
credentials, and basic auth), retries with backoff honouring ``Retry-After``, bounded
reads of manifests and blobs. Credentials and tokens never appear in messages.
:mod:`slimage.image.registry` builds images on it.

A client serves one repository. Clients that share a :class:`RegistrySession` (an audit
opens hundreds) share one connection pool, the scheme each host answered on, and the
authorization each host and repository earned, so that a registry's hundredth image
costs its own requests only: no new connection, HTTPS probe or 401 round trip.
"""

from __future__ import annotations

import base64
import email.utils
import functools
import hashlib
import re
import ssl
import threading
import time
from collections.abc import Callable, Mapping
from contextlib import suppress

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
from slimage.reference import Reference, is_local_host

# The OCI distribution spec asks registries to accept manifests up to 4 MiB.
MAX_MANIFEST_BYTES = 4 << 20
MAX_CONFIG_BYTES = 32 << 20
RETRY_STATUSES = {429, 500, 502, 503, 504}
MAX_ATTEMPTS = 5
MAX_RETRY_AFTER = 30.0
CHUNK = 1 << 20
# Pieces of a blob (about CHUNK each) the download may run ahead of the analysis.
PREFETCH_CHUNKS = 16

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


class RegistrySession:
    """What clients of many repositories share: one ``httpx.Client`` (its keep-alive
    connection pool), the scheme each registry answered on, and authorization.

    Authorization is kept per registry host and login: Basic for the whole host (as
    Docker sends it), a bearer token per repository (tokens are scoped to one), and the
    host's bearer challenge, so a client of a repository not seen yet asks the token
    service at once instead of first collecting a 401. Clients may run on several
    threads at once.
    """

    def __init__(
        self, *, transport: httpx.BaseTransport | None = None, timeout: float = 30.0
    ) -> None:
        self.client = httpx.Client(
            transport=transport,
            verify=_tls_context(),
            follow_redirects=True,
            timeout=httpx.Timeout(timeout, read=timeout * 2),
            headers={"User-Agent": "slimage"},
        )
        self._lock = threading.Lock()
        self._host_locks: dict[str, threading.Lock] = {}
        self._schemes: dict[str, str] = {}
        self._authorizations: dict[tuple[str, str, Credentials | None], str] = {}
        self._challenges: dict[tuple[str, Credentials | None], dict[str, str]] = {}
        self._credentials: dict[str, Credentials | None] = {}

    def close(self) -> None:
        self.client.close()

    def credentials(self, registry: str) -> Credentials | None:
        """The login for ``registry`` (:func:`lookup_credentials`), looked up once: a
        credential helper is a process to run."""
        with self.host_lock(registry):
            if registry not in self._credentials:
                self._credentials[registry] = lookup_credentials(registry)
            return self._credentials[registry]

    def host_lock(self, api_host: str) -> threading.Lock:
        """Held while a host's scheme is probed, so threads probe it once between them."""
        with self._lock:
            return self._host_locks.setdefault(api_host, threading.Lock())

    def scheme(self, api_host: str) -> str | None:
        return self._schemes.get(api_host)

    def set_scheme(self, api_host: str, scheme: str) -> None:
        self._schemes[api_host] = scheme

    def authorization(
        self, api_host: str, scope: str, credentials: Credentials | None
    ) -> str | None:
        """The bearer token of ``scope`` (a repository, or an endpoint such as
        ``/_catalog``), else the host's Basic authorization."""
        found = self._authorizations.get((api_host, scope, credentials))
        return found or self._authorizations.get((api_host, "", credentials))

    def remember(
        self, api_host: str, scope: str, credentials: Credentials | None, value: str
    ) -> None:
        """``scope`` "" for what holds for the whole host (Basic)."""
        self._authorizations[(api_host, scope, credentials)] = value

    def bearer_challenge(
        self, api_host: str, credentials: Credentials | None
    ) -> dict[str, str] | None:
        return self._challenges.get((api_host, credentials))

    def remember_challenge(
        self, api_host: str, credentials: Credentials | None, params: Mapping[str, str]
    ) -> None:
        """A host's bearer challenge without its scope (each repository asks its own)."""
        kept = {key: value for key, value in params.items() if key != "scope"}
        self._challenges[(api_host, credentials)] = kept


class RegistryClient:
    """One repository of one registry: authenticated, retried GETs (and HEADs).

    Without a ``session`` the client has one of its own, closed with it.
    """

    def __init__(
        self,
        reference: Reference,
        *,
        credentials: Credentials | None = None,
        insecure: bool = False,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        timeout: float = 30.0,
        session: RegistrySession | None = None,
    ) -> None:
        self.reference = reference
        self.credentials = credentials
        self._plain_http_allowed = insecure or is_local_host(reference.registry)
        self._sleep = sleep
        self._owns_session = session is None
        self.session = (
            session
            if session is not None
            else RegistrySession(transport=transport, timeout=timeout)
        )
        self._client = self.session.client

    def close(self) -> None:
        if self._owns_session:
            self.session.close()

    @property
    def label(self) -> str:
        return f"{self.reference.registry}/{self.reference.repository}"

    # -- requests ----------------------------------------------------------------------

    def _url(self, scheme: str, path: str) -> str:
        """``tags/list`` is under the repository; ``/_catalog`` (a leading slash) is not."""
        if path.startswith("/"):
            return f"{scheme}://{self.reference.api_host}/v2{path}"
        return f"{scheme}://{self.reference.api_host}/v2/{self.reference.repository}/{path}"

    def _choose_scheme(self) -> str:
        """HTTPS first; plain HTTP only where Docker would fall back to it. The probe's
        answer is the session's: one probe per host."""
        if not self._plain_http_allowed:
            return "https"
        host = self.reference.api_host
        with self.session.host_lock(host):
            scheme = self.session.scheme(host)
            if scheme is None:
                try:
                    self._client.get(f"https://{host}/v2/", timeout=5)
                    scheme = "https"
                except (
                    httpx.ConnectError,
                    httpx.ReadError,
                    httpx.RemoteProtocolError,
                    httpx.ConnectTimeout,
                ):
                    scheme = "http"
                self.session.set_scheme(host, scheme)
        return scheme

    def _scope(self, path: str) -> str:
        """What a bearer token for ``path`` is good for: this repository, or the
        registry-wide endpoint itself (``/_catalog``)."""
        return path.split("?", 1)[0] if path.startswith("/") else self.reference.repository

    def _authorization(self, path: str) -> str | None:
        return self.session.authorization(
            self.reference.api_host, self._scope(path), self.credentials
        )

    def _authorize_ahead(self, path: str) -> None:
        """A repository not seen yet on a host whose bearer challenge is known: its token
        now, saving the 401 that would ask for it. If that fails, the request goes
        without and the 401 says why."""
        if path.startswith("/") or self._authorization(path) is not None:
            return
        params = self.session.bearer_challenge(self.reference.api_host, self.credentials)
        if params is None:
            return
        with suppress(RegistryAuthError):
            self._remember_token(params, path)

    def get(
        self, path: str, *, headers: Mapping[str, str] | None = None, stream: bool = False
    ) -> httpx.Response:
        """GET with auth and retries; the caller closes a streamed response."""
        return self.request("GET", path, headers=headers, stream=stream)

    def request(
        self,
        method: str,
        path: str,
        *,
        headers: Mapping[str, str] | None = None,
        stream: bool = False,
    ) -> httpx.Response:
        """A request with auth and retries; the caller closes a streamed response."""
        scheme = self._choose_scheme()
        self._authorize_ahead(path)
        authorized_once = False
        attempt = 0
        while True:
            attempt += 1
            request_headers = dict(headers or {})
            authorization = self._authorization(path)
            if authorization:
                request_headers["Authorization"] = authorization
            request = self._client.build_request(
                method, self._url(scheme, path), headers=request_headers
            )
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
                _discard(response)
                self._authorize(challenge, path)
                authorized_once = True
                continue
            if response.status_code in RETRY_STATUSES and attempt < MAX_ATTEMPTS:
                delay = _backoff(attempt, response.headers.get("retry-after"))
                _discard(response)
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

    def _authorize(self, challenge: str, path: str) -> None:
        scheme, params = parse_challenge(challenge)
        host = self.reference.api_host
        if scheme == "basic":
            if self.credentials is None or self.credentials.identity_token:
                raise RegistryAuthError(
                    f"{self.label}: 401 unauthorized: it needs credentials "
                    "(`docker login`, or --username/--password-stdin)"
                )
            pair = f"{self.credentials.username}:{self.credentials.password}".encode()
            self.session.remember(
                host, "", self.credentials, "Basic " + base64.b64encode(pair).decode()
            )
            return
        if scheme != "bearer" or "realm" not in params:
            raise RegistryAuthError(
                f"{self.label}: 401 with an authentication scheme slimage "
                f"does not support ({scheme or 'none'})"
            )
        self._remember_token(params, path)
        self.session.remember_challenge(host, self.credentials, params)

    def _remember_token(self, params: Mapping[str, str], path: str) -> None:
        """A bearer token for ``path`` (the scope ``params`` names, else pulling this
        repository), kept in the session for every later request in that scope."""
        self.session.remember(
            self.reference.api_host,
            self._scope(path),
            self.credentials,
            "Bearer " + self._fetch_token(params),
        )

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

    def head_manifest(self, reference: str) -> str | None:
        """The digest of the manifest ``reference`` names now, from a HEAD (no body, and
        not counted by Docker Hub's pull limit): the ``Docker-Content-Digest`` of the
        manifest a GET with the same ``Accept`` would return. None when the registry
        does not say."""
        response = self.request("HEAD", f"manifests/{reference}", headers={"Accept": _ACCEPT})
        response.close()
        digest = response.headers.get("docker-content-digest", "").strip()
        return digest if _DIGEST.fullmatch(digest) else None

    def fetch_blob(self, digest: str, limit: int) -> bytes:
        response = self.get(f"blobs/{digest}", stream=True)
        try:
            body = _read_bounded(response, limit, f"{self.label}: blob {digest[:19]}")
        finally:
            response.close()
        _check_digest(body, digest, f"{self.label}: blob")
        return body


def _discard(response: httpx.Response) -> None:
    """Done with an answer not wanted (a 401, a retried error): a small body is read so
    that its connection goes back to the pool; a large or unsized one closes it."""
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) <= 64 << 10:
        with suppress(httpx.TransportError):
            response.read()
    response.close()


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


_DIGEST = re.compile(r"sha256:[0-9a-f]{64}")
_CHALLENGE_PARAM = re.compile(r'(\w+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))')


def parse_challenge(header: str) -> tuple[str, dict[str, str]]:
    """``Bearer realm="...",service="..."`` -> ("bearer", {"realm": ..., ...})."""
    scheme, _, rest = header.strip().partition(" ")
    params = {
        m.group(1).lower(): m.group(2) if m.group(2) is not None else m.group(3)
        for m in _CHALLENGE_PARAM.finditer(rest)
    }
    return scheme.lower(), params
