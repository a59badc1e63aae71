"""Registry faults against a misbehaving server on 127.0.0.1: retry or a clear error."""

from __future__ import annotations

import contextlib
import gzip
import random
import time
from collections.abc import Iterator

import pytest

from slimage.analysis.layers import analyze_layers
from slimage.errors import DigestMismatch, ImageFormatError, ImageNotFound, ImageSourceError
from slimage.image.registry import open_registry_image
from slimage.image.registry_client import RegistryClient, RegistrySession
from slimage.reference import parse_reference
from support.fault_registry import TOKEN, FaultRegistry
from support.images import make_config, make_layer, sha256

_random = random.Random(7)
RAW = [
    make_layer(
        [
            ("file", "etc/os-release", b"ID=debian\n"),
            ("file", "usr/lib/big", _random.randbytes(300_000)),
        ]
    ),
    make_layer([("file", "app/app.bin", b"\x01\x02" * 30_000)]),
]
LAYERS = [gzip.compress(layer, mtime=0) for layer in RAW]
CONFIG = make_config([sha256(layer) for layer in RAW])


@pytest.fixture
def server() -> Iterator[FaultRegistry]:
    registry = FaultRegistry(LAYERS, CONFIG, "application/vnd.oci.image.layer.v1.tar+gzip")
    with registry.serve() as running:
        yield running


def _read_all(reference: str) -> int:
    image = open_registry_image(reference)
    analysis = analyze_layers(image, content_wanted=lambda path, size: False)
    return sum(s.uncompressed_size for s in analysis.layers)


def test_bearer_token_flow(server: FaultRegistry) -> None:
    server.plan.require_token = True
    assert _read_all(f"{server.host}/app:1") == sum(len(layer) for layer in RAW)
    assert any(path == "/token" for path, _, _ in server.log)
    assert all(auth == f"Bearer {TOKEN}" for path, auth, _ in server.log if "/blobs/" in path)


def test_404_is_not_found(server: FaultRegistry) -> None:
    server.plan.statuses["/manifests/1"] = [404]
    with pytest.raises(ImageNotFound, match="not found"):
        open_registry_image(f"{server.host}/app:1")


def test_429_honours_retry_after(server: FaultRegistry) -> None:
    server.plan.statuses["/manifests/1"] = [429]
    server.plan.retry_after = "1"
    started = time.monotonic()
    open_registry_image(f"{server.host}/app:1")
    assert time.monotonic() - started >= 0.9
    assert [p for p, _, _ in server.log].count("/v2/app/manifests/1") == 2


def test_500_then_success(server: FaultRegistry) -> None:
    blob = sha256(LAYERS[0])
    server.plan.statuses[f"/blobs/{blob}"] = [500, 503]
    assert _read_all(f"{server.host}/app:1") == sum(len(layer) for layer in RAW)


def test_persistent_500_is_an_error(server: FaultRegistry) -> None:
    server.plan.statuses["/manifests/1"] = [500] * 10
    with pytest.raises(ImageSourceError, match="answered 500"):
        open_registry_image(f"{server.host}/app:1")


def test_connection_cut_mid_blob_resumes_with_range(server: FaultRegistry) -> None:
    server.plan.cut_blob_after = 1000
    server.plan.cuts = 2
    assert _read_all(f"{server.host}/app:1") == sum(len(layer) for layer in RAW)
    ranges = [r for _, _, r in server.log if r]
    assert ranges and ranges[0].startswith("bytes=")


def test_connection_cut_without_range_support_is_an_error(server: FaultRegistry) -> None:
    server.plan.cut_blob_after = 1000
    server.plan.no_range = True
    with pytest.raises(ImageSourceError, match="cannot resume"):
        _read_all(f"{server.host}/app:1")


def test_blob_bytes_not_matching_digest(server: FaultRegistry) -> None:
    server.plan.corrupt_blob = True
    with pytest.raises((DigestMismatch, ImageFormatError)):
        _read_all(f"{server.host}/app:1")


def test_malformed_manifest(server: FaultRegistry) -> None:
    server.plan.manifest_override = b"{not json"
    with pytest.raises(ImageFormatError, match="not valid JSON"):
        open_registry_image(f"{server.host}/app:1")


def test_oversized_manifest(server: FaultRegistry) -> None:
    server.plan.manifest_override = b"{" + b" " * (5 << 20) + b"}"
    with pytest.raises(ImageFormatError, match="over the"):
        open_registry_image(f"{server.host}/app:1")


def test_quick_reads_no_layer(server: FaultRegistry) -> None:
    import json
    import subprocess
    import sys

    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "slimage",
            "analyze",
            "--quick",
            "--format",
            "json",
            f"docker://{server.host}/app:1",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["compressed_size"] == sum(len(layer) for layer in LAYERS)
    assert [layer["compressed_size"] for layer in report["layers"]] == [len(x) for x in LAYERS]
    fetched = [path for path, _, _ in server.log if "/blobs/" in path]
    assert fetched == [f"/v2/app/blobs/{sha256(CONFIG)}"]  # the config, no layer


def test_quick_refuses_gates(server: FaultRegistry) -> None:
    import subprocess
    import sys

    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "slimage",
            "analyze",
            "--quick",
            "--max-size",
            "1MB",
            f"docker://{server.host}/app:1",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2 and "cannot check the size gates" in result.stderr


def test_next_layer_downloads_while_the_current_one_is_read(server: FaultRegistry) -> None:
    image = open_registry_image(f"{server.host}/app:1")
    image.plan_reads([0, 1])
    second = f"/v2/app/blobs/{sha256(LAYERS[1])}"
    with image.layers[0].open_uncompressed() as stream:
        stream.read_chunk()
        deadline = time.monotonic() + 10
        while second not in [path for path, _, _ in server.log]:
            assert time.monotonic() < deadline, "the next layer was not prefetched"
            time.sleep(0.05)
        stream.finish()
    with image.layers[1].open_uncompressed() as stream:
        stream.finish()
    image.close()
    assert [path for path, _, _ in server.log].count(second) == 1  # fetched once, early


def test_a_session_shares_connections_and_authorization(server: FaultRegistry) -> None:
    """Images of one registry opened through one session: one connection, a token per
    repository, and a 401 only for the first repository (the next ones ask the token
    service at once, as the host's challenge is known)."""
    server.plan.require_token = True
    with contextlib.closing(RegistrySession()) as session:
        for name in ("app:1", "app:2", "other:1"):
            image = open_registry_image(f"{server.host}/{name}", session=session)
            assert image.reference_digest == sha256(server.manifest)
    assert len(set(server.peers)) == 1
    assert [path for path, _, _ in server.log].count("/token") == 2
    unauthorized = [path for path, auth, _ in server.log if "/v2/" in path and not auth]
    assert unauthorized == ["/v2/app/manifests/1"]


def test_head_manifest_is_one_request_and_names_the_digest(server: FaultRegistry) -> None:
    client = RegistryClient(parse_reference(f"{server.host}/app:1"))
    try:
        assert client.head_manifest("1") == sha256(server.manifest)
    finally:
        client.close()
    assert server.requests == [("HEAD", "/v2/app/manifests/1")]
