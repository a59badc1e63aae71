"""Every file back-end reads the same layers, in manifest order, verified."""

from __future__ import annotations

import json
import os
import shutil
import tarfile
from pathlib import Path

import pytest

from slimage.errors import DigestMismatch, ImageFormatError, ImageNotFound, UnsupportedMediaType
from slimage.image.model import Image, Layer, layer_entries
from slimage.image.open import open_image, split_reference
from support.images import (
    make_layer,
    sha256,
    write_docker_archive,
    write_oci_archive,
    write_oci_layout,
)

LAYERS = [
    make_layer([("dir", "etc"), ("file", "etc/os-release", b"ID=debian\n"), ("dir", "tmp")]),
    make_layer([("file", "tmp/big", b"x" * 5000), ("symlink", "etc/link", "os-release")]),
    make_layer([("whiteout", "tmp/big"), ("file", "app.txt", b"hello")]),
]


def paths(image: Image) -> list[list[str]]:
    return [[entry.path for entry in layer_entries(layer)] for layer in image.layers]


EXPECTED = [
    ["etc", "etc/os-release", "tmp"],
    ["tmp/big", "etc/link"],
    ["tmp/.wh.big", "app.txt"],
]


@pytest.mark.parametrize("shape", ["legacy", "podman", "docker25", "tarball", "tarball-unnamed"])
def test_docker_archive_shapes(tmp_path: Path, shape: str) -> None:
    archive = write_docker_archive(tmp_path / "img.tar", LAYERS, shape=shape)
    for reference in (str(archive), f"docker-archive:{archive}"):
        image = open_image(reference)
        assert isinstance(image, Image)
        assert all(isinstance(layer, Layer) for layer in image.layers)
        assert paths(image) == EXPECTED
        assert [layer.diff_id for layer in image.layers] == [sha256(x) for x in LAYERS]
        assert image.platform == "linux/amd64"
        assert image.history[0]["created_by"] == "RUN step 1"
        assert image.source.startswith("docker-archive:")


@pytest.mark.parametrize("compress", ["", "gzip", "zstd"])
def test_oci_layout_and_archive(tmp_path: Path, compress: str) -> None:
    layout = write_oci_layout(tmp_path / "layout", LAYERS, compress=compress)
    archive = write_oci_archive(tmp_path / "img.oci.tar", LAYERS, compress=compress)
    for reference in (
        str(layout),
        f"oci:{layout}",
        f"oci:{layout}:latest",
        f"oci-archive:{archive}",
    ):
        image = open_image(reference)
        assert paths(image) == EXPECTED
        assert [layer.diff_id for layer in image.layers] == [sha256(x) for x in LAYERS]
        if compress:
            assert image.layers[0].media_type.endswith(compress)
            assert image.layers[0].digest != image.layers[0].diff_id
    assert paths(open_image(str(archive))) == EXPECTED


def test_layer_order_comes_from_the_manifest(tmp_path: Path) -> None:
    layout = write_oci_layout(tmp_path / "layout", list(reversed(LAYERS)))
    assert paths(open_image(str(layout))) == list(reversed(EXPECTED))


def test_split_reference(tmp_path: Path) -> None:
    assert split_reference("oci:/x/y:v1") == ("oci", "/x/y", "v1")
    assert split_reference("oci:/x/y") == ("oci", "/x/y", None)
    assert split_reference("some/file.tar") == (None, "some/file.tar", None)
    assert split_reference("docker-archive:a.tar:app:1") == ("docker-archive", "a.tar:app", "1")


def test_unknown_tag_and_missing_path(tmp_path: Path) -> None:
    layout = write_oci_layout(tmp_path / "layout", LAYERS)
    with pytest.raises(ImageNotFound, match="no image tagged 'nope'"):
        open_image(f"oci:{layout}:nope")
    with pytest.raises(ImageNotFound, match="no such file"):
        open_image(str(tmp_path / "missing.tar"))


def _platform_index(tmp_path: Path) -> Path:
    """An index with amd64 and arm64 manifests (arm64 reversed layers) and an attestation."""
    amd = write_oci_layout(tmp_path / "amd", LAYERS, tag=None)
    arm = write_oci_layout(tmp_path / "arm", list(reversed(LAYERS)), tag=None)
    for blob in (arm / "blobs/sha256").iterdir():
        shutil.copy(blob, amd / "blobs/sha256" / blob.name)
    descriptors = []
    for root, arch in ((amd, "amd64"), (arm, "arm64")):
        descriptor = json.loads((root / "index.json").read_text())["manifests"][0]
        descriptor["platform"] = {"os": "linux", "architecture": arch}
        descriptors.append(descriptor)
    attestation = dict(descriptors[0], platform={"os": "unknown", "architecture": "unknown"})
    nested = json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.index.v1+json",
            "manifests": [attestation, *descriptors],
        }
    ).encode()
    (amd / "blobs/sha256" / sha256(nested)[7:]).write_bytes(nested)
    top = {
        "schemaVersion": 2,
        "manifests": [
            {
                "mediaType": "application/vnd.oci.image.index.v1+json",
                "digest": sha256(nested),
                "size": len(nested),
                "annotations": {"org.opencontainers.image.ref.name": "multi"},
            }
        ],
    }
    (amd / "index.json").write_text(json.dumps(top))
    return amd


def test_platform_selection(tmp_path: Path) -> None:
    layout = _platform_index(tmp_path)
    assert paths(open_image(f"oci:{layout}:multi", platform="linux/amd64")) == EXPECTED
    assert paths(open_image(str(layout), platform="linux/arm64")) == list(reversed(EXPECTED))
    with pytest.raises(ImageNotFound, match=r"no image for platform linux/s390x \(available"):
        open_image(str(layout), platform="linux/s390x")


def test_wrong_digest_is_caught_while_streaming(tmp_path: Path) -> None:
    layout = write_oci_layout(tmp_path / "layout", LAYERS)
    blob = layout / "blobs/sha256" / sha256(LAYERS[1])[7:]
    data = bytearray(blob.read_bytes())
    data[600] ^= 1  # inside tmp/big's content: the tar still parses
    blob.write_bytes(bytes(data))
    image = open_image(str(layout))
    with pytest.raises(DigestMismatch, match=r"layer 2.*digest mismatch"):
        paths(image)


def test_wrong_diff_id_in_a_docker_archive(tmp_path: Path) -> None:
    archive = write_docker_archive(tmp_path / "img.tar", LAYERS)
    data = bytearray(archive.read_bytes())
    offset = data.find(b"x" * 5000)
    data[offset] = ord("y")
    archive.write_bytes(bytes(data))
    with pytest.raises(DigestMismatch, match="diff_id mismatch"):
        paths(open_image(str(archive)))


def test_missing_blob(tmp_path: Path) -> None:
    layout = write_oci_layout(tmp_path / "layout", LAYERS)
    (layout / "blobs/sha256" / sha256(LAYERS[2])[7:]).unlink()
    with pytest.raises(ImageFormatError, match="missing layer blob"):
        open_image(str(layout))


def test_unknown_media_type(tmp_path: Path) -> None:
    layout = write_oci_layout(tmp_path / "layout", LAYERS)
    index = json.loads((layout / "index.json").read_text())
    manifest_path = layout / "blobs/sha256" / index["manifests"][0]["digest"][7:]
    manifest = json.loads(manifest_path.read_text())
    manifest["layers"][0]["mediaType"] = "application/x-mystery"
    new = json.dumps(manifest).encode()
    (layout / "blobs/sha256" / sha256(new)[7:]).write_bytes(new)
    index["manifests"][0].update(digest=sha256(new), size=len(new))
    (layout / "index.json").write_text(json.dumps(index))
    with pytest.raises(UnsupportedMediaType, match="application/x-mystery"):
        open_image(str(layout))


def test_truncated_archive(tmp_path: Path) -> None:
    archive = write_docker_archive(tmp_path / "img.tar", LAYERS)
    data = archive.read_bytes()
    cut = data.find(b"x" * 5000) + 100
    archive.write_bytes(data[:cut])
    with pytest.raises(ImageFormatError, match=r"truncated|unreadable|missing"):
        paths(open_image(str(archive)))


def test_not_an_archive_and_compressed_archive(tmp_path: Path) -> None:
    junk = tmp_path / "junk.tar"
    junk.write_bytes(b"hello world" * 100)
    with pytest.raises(ImageFormatError, match=r"junk\.tar"):
        open_image(str(junk))
    import gzip

    archive = write_docker_archive(tmp_path / "img.tar", LAYERS)
    packed = tmp_path / "img.tar.gz"
    packed.write_bytes(gzip.compress(archive.read_bytes()))
    with pytest.raises(ImageFormatError, match="decompress it first"):
        open_image(str(packed))


def test_archive_with_two_images_needs_a_name(tmp_path: Path) -> None:
    archive = write_docker_archive(tmp_path / "img.tar", LAYERS)
    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))  # type: ignore[arg-type]
    second = dict(manifest[0], RepoTags=["other:1"])
    rebuilt = tmp_path / "two.tar"
    with tarfile.open(archive) as old, tarfile.open(rebuilt, "w") as new:
        for member in old:
            data = old.extractfile(member)
            if member.name == "manifest.json":
                body = json.dumps([manifest[0], second]).encode()
                member.size = len(body)
                import io

                data = io.BytesIO(body)
            new.addfile(member, data)
    with pytest.raises(ImageNotFound, match="holds 2 images"):
        open_image(str(rebuilt))
    assert paths(open_image(f"docker-archive:{rebuilt}:other:1")) == EXPECTED


def test_compressed_tarball_digest_is_checked(tmp_path: Path) -> None:
    import gzip

    archive = write_docker_archive(tmp_path / "img.tar", LAYERS, shape="tarball")
    image = open_image(str(archive))
    assert image.layers[1].digest == sha256(gzip.compress(LAYERS[1], mtime=0))
    assert image.layers[1].digest != image.layers[1].diff_id
    unnamed = open_image(
        str(write_docker_archive(tmp_path / "u.tar", LAYERS, shape="tarball-unnamed"))
    )
    assert [layer.digest for layer in unnamed.layers] == [layer.digest for layer in image.layers]


def test_a_plain_word_that_is_no_file_is_not_looked_up_on_a_registry(tmp_path: Path) -> None:
    """`slimage analyze missing` (a mistyped file name) says so at once (issue 15):
    a name with no registry, tag or digest goes to no registry."""
    import subprocess
    import sys
    import time

    # A proxy that refuses everything: a registry lookup would fail slowly and say so.
    env = {
        **os.environ,
        "HTTPS_PROXY": "http://127.0.0.1:9",
        "HTTP_PROXY": "http://127.0.0.1:9",
        "DOCKER_HOST": f"unix://{tmp_path}/no.sock",
    }
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "slimage", "analyze", "missing"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        check=False,
    )
    elapsed = time.monotonic() - started
    assert result.returncode == 3
    assert result.stderr == (
        "slimage: error: missing: no such file or directory, and no local image of that "
        "name (for a registry image name its tag or registry: missing:latest, "
        "docker://missing)\n"
    )
    assert "registry" not in result.stderr.split("(")[0]
    assert elapsed < 3, elapsed  # the registry path retried for seconds before
    # A name that looks like a reference still goes to its registry.
    from slimage.image.open import _is_plain_word

    assert _is_plain_word("missing") and _is_plain_word("team/app")
    for reference in ("app:1", "app@sha256:" + "0" * 64, "ghcr.io/o/app", "localhost/app"):
        assert not _is_plain_word(reference), reference
