"""One conformance check for every back-end and an in-memory fake (cf. pkg/v1/validate)."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from slimage.image.model import Image, Layer, config_history, layer_entries
from slimage.image.open import open_image
from slimage.image.platforms import config_platform
from slimage.image.tarstream import LayerStream
from support.images import (
    make_config,
    make_layer,
    sha256,
    write_docker_archive,
    write_oci_archive,
    write_oci_layout,
)

LAYERS = [
    make_layer([("dir", "etc"), ("file", "etc/hostname", b"box\n")]),
    make_layer([("file", "bin/tool", b"\x7fELF" + bytes(3000))]),
]


@dataclass
class FakeLayer:
    """A layer held in memory: the smallest thing satisfying the Layer protocol."""

    data: bytes
    media_type: str = "application/vnd.oci.image.layer.v1.tar"

    @property
    def digest(self) -> str:
        return "sha256:" + hashlib.sha256(self.data).hexdigest()

    @property
    def diff_id(self) -> str:
        return self.digest

    @property
    def compressed_size(self) -> int:
        return len(self.data)

    @contextmanager
    def open_uncompressed(self) -> Iterator[LayerStream]:
        yield LayerStream(
            io.BytesIO(self.data),
            label="fake",
            media_type=self.media_type,
            expected_digest=self.digest,
            expected_diff_id=self.diff_id,
        )


@dataclass
class FakeImage:
    layers: Sequence[FakeLayer]
    config: Mapping[str, Any]
    manifest: Mapping[str, Any]
    source: str = "fake"

    @property
    def history(self) -> Sequence[Mapping[str, Any]]:
        return config_history(self.config)

    @property
    def platform(self) -> str | None:
        return config_platform(self.config)


def validate(image: Image) -> None:
    """Invariants every back-end must keep."""
    assert isinstance(image, Image)
    diff_ids = image.config["rootfs"]["diff_ids"]
    assert [layer.diff_id for layer in image.layers] == diff_ids
    assert len(image.manifest["layers"]) == len(image.layers)
    for layer, descriptor in zip(image.layers, image.manifest["layers"], strict=True):
        assert isinstance(layer, Layer)
        assert layer.digest == descriptor["digest"]
        assert layer.compressed_size == descriptor["size"]
        assert layer.digest.startswith("sha256:") and len(layer.digest) == 71
        with layer.open_uncompressed() as stream:
            data = bytearray()
            while chunk := stream.read_chunk():
                data.extend(chunk)
            stream.finish()
        assert sha256(bytes(data)) == layer.diff_id
        assert stream.compressed_size == layer.compressed_size
    assert [[e.path for e in layer_entries(layer)] for layer in image.layers] == [
        ["etc", "etc/hostname"],
        ["bin/tool"],
    ]
    assert image.platform == "linux/amd64"
    assert len(image.history) == len(image.layers)


def fake_image() -> FakeImage:
    import json

    layers = [FakeLayer(data) for data in LAYERS]
    manifest = {
        "layers": [
            {"mediaType": layer.media_type, "digest": layer.digest, "size": len(layer.data)}
            for layer in layers
        ]
    }
    return FakeImage(layers, json.loads(make_config([sha256(x) for x in LAYERS])), manifest)


@pytest.mark.parametrize(
    "backend",
    [
        "fake",
        "docker-archive-legacy",
        "docker-archive-podman",
        "docker-archive-docker25",
        "oci",
        "oci-gzip",
        "oci-zstd",
        "oci-archive",
    ],
)
def test_backend_conformance(tmp_path: Path, backend: str) -> None:
    if backend == "fake":
        validate(fake_image())
        return
    if backend.startswith("docker-archive"):
        shape = backend.rsplit("-", 1)[1]
        reference = str(write_docker_archive(tmp_path / "a.tar", LAYERS, shape=shape))
    elif backend == "oci-archive":
        reference = f"oci-archive:{write_oci_archive(tmp_path / 'a.tar', LAYERS)}"
    else:
        compress = backend.partition("-")[2]
        reference = f"oci:{write_oci_layout(tmp_path / 'layout', LAYERS, compress=compress)}"
    validate(open_image(reference))


def test_analysis_needs_only_the_protocol() -> None:
    from slimage.analysis.layers import analyze_layers

    result = analyze_layers(fake_image(), content_wanted=lambda path, size: False)
    assert sorted(result.files) == ["bin/tool", "etc", "etc/hostname"]
    assert result.content_bytes == 4 + 3004
