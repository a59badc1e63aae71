"""A small Registry v2 server on 127.0.0.1 that misbehaves on purpose.

It serves one image from memory (manifest, config, blobs, with Range support) and a
bearer-token endpoint, and can be told to fail in the ways real registries and networks
fail: 401 without a token, 404, 429 with Retry-After, 500 then success, a connection cut
in the middle of a blob, bytes that do not match their digest, a malformed or oversized
manifest. Every request is logged so tests can check what the client did (``requests``
also has its method and ``peers`` the client port, one per connection). HEAD is answered
as GET is, without the body; a manifest's answer carries its ``Docker-Content-Digest``.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
TOKEN = "test-token-not-a-secret"


def _digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


@dataclass
class FaultPlan:
    require_token: bool = False
    # path suffix -> list of statuses to answer first, in order (then normal service)
    statuses: dict[str, list[int]] = field(default_factory=dict)
    retry_after: str | None = None
    cut_blob_after: int | None = None  # send this many bytes of a blob, then drop
    cuts: int = 1  # how many times to cut
    corrupt_blob: bool = False
    manifest_override: bytes | None = None
    manifest_content_length: int | None = None
    no_range: bool = False


class FaultRegistry:
    def __init__(self, layers: list[bytes], config: bytes, layer_type: str) -> None:
        self.blobs = {_digest(b): b for b in [*layers, config]}
        self.manifest = json.dumps(
            {
                "schemaVersion": 2,
                "mediaType": OCI_MANIFEST,
                "config": {
                    "mediaType": "application/vnd.oci.image.config.v1+json",
                    "digest": _digest(config),
                    "size": len(config),
                },
                "layers": [
                    {"mediaType": layer_type, "digest": _digest(b), "size": len(b)} for b in layers
                ],
            }
        ).encode()
        self.plan = FaultPlan()
        self.log: list[tuple[str, str, str | None]] = []  # (path, authorization, range)
        self.requests: list[tuple[str, str]] = []  # (method, path)
        self.peers: list[int] = []  # the client's port of each request
        self._lock = threading.Lock()
        self.port = 0

    @contextmanager
    def serve(self) -> Iterator[FaultRegistry]:
        registry = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                registry.handle(self)

            def do_HEAD(self) -> None:
                registry.handle(self)

        class QuietServer(ThreadingHTTPServer):
            def handle_error(self, request: Any, client_address: Any) -> None:
                pass  # the cuts this server makes on purpose end in broken pipes

        server = QuietServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        self.port = server.server_address[1]
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            server.shutdown()
            server.server_close()

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"

    def _planned_status(self, path: str) -> int | None:
        with self._lock:
            for suffix, statuses in self.plan.statuses.items():
                if path.endswith(suffix) and statuses:
                    return statuses.pop(0)
        return None

    def handle(self, request: BaseHTTPRequestHandler) -> None:
        path = request.path.split("?", 1)[0]
        authorization = request.headers.get("Authorization", "")
        self.log.append((path, authorization, request.headers.get("Range")))
        self.requests.append((request.command, path))
        self.peers.append(request.client_address[1])
        if path == "/token":
            self._send(request, 200, json.dumps({"token": TOKEN}).encode(), "application/json")
            return
        if path == "/v2/":
            self._send(request, 200, b"{}", "application/json")
            return
        if self.plan.require_token and authorization != f"Bearer {TOKEN}":
            realm = f"http://127.0.0.1:{self.port}/token"
            self._send(
                request,
                401,
                b'{"errors":[]}',
                "application/json",
                {
                    "WWW-Authenticate": f'Bearer realm="{realm}",service="fault",'
                    'scope="repository:app:pull"'
                },
            )
            return
        status = self._planned_status(path)
        if status is not None:
            headers = (
                {"Retry-After": self.plan.retry_after}
                if status == 429 and self.plan.retry_after
                else {}
            )
            self._send(request, status, b'{"errors":[]}', "application/json", headers)
            return
        if "/manifests/" in path:
            body = self.plan.manifest_override or self.manifest
            length = self.plan.manifest_content_length
            headers = {"Docker-Content-Digest": _digest(body)}
            if length is not None:
                headers["Content-Length"] = str(length)
            self._send(request, 200, body, OCI_MANIFEST, headers)
            return
        if "/blobs/" in path:
            digest = path.rsplit("/", 1)[1]
            blob = self.blobs.get(digest)
            if blob is None:
                self._send(request, 404, b'{"errors":[]}', "application/json")
                return
            self._send_blob(request, digest, blob)
            return
        self._send(request, 404, b"", "text/plain")

    def _send_blob(self, request: BaseHTTPRequestHandler, digest: str, blob: bytes) -> None:
        if self.plan.corrupt_blob and digest != _digest(blob[:0]) and len(blob) > 100:
            blob = blob[:50] + bytes([blob[50] ^ 0xFF]) + blob[51:]
        start = 0
        range_header = request.headers.get("Range")
        status = 200
        headers: dict[str, str] = {}
        if range_header and not self.plan.no_range:
            start = int(range_header.removeprefix("bytes=").split("-")[0])
            status = 206
            headers["Content-Range"] = f"bytes {start}-{len(blob) - 1}/{len(blob)}"
        body = blob[start:]
        cut = self.plan.cut_blob_after
        if cut is not None and self.plan.cuts > 0 and len(body) > cut:
            with self._lock:
                self.plan.cuts -= 1
            request.send_response(status)
            request.send_header("Content-Length", str(len(body)))
            request.send_header("Content-Type", "application/octet-stream")
            for key, value in headers.items():
                request.send_header(key, value)
            request.end_headers()
            request.wfile.write(body[:cut])
            request.wfile.flush()
            request.close_connection = True
            request.connection.shutdown(2)
            return
        self._send(request, status, body, "application/octet-stream", headers)

    @staticmethod
    def _send(
        request: BaseHTTPRequestHandler,
        status: int,
        body: bytes,
        content_type: str,
        headers: dict[str, str] | None = None,
    ) -> None:
        request.send_response(status)
        request.send_header("Content-Type", content_type)
        extra = dict(headers or {})
        request.send_header("Content-Length", extra.pop("Content-Length", str(len(body))))
        for key, value in extra.items():
            request.send_header(key, value)
        request.end_headers()
        if request.command != "HEAD":
            request.wfile.write(body)
