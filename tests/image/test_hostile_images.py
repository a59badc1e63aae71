"""Hostile OCI layouts and archives (issue 18): each case is the minimal input that made
slimage crash or hang before, now a clear ImageFormatError (or a working open)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from slimage.errors import ImageFormatError
from slimage.image.model import layer_entries
from slimage.image.open import open_image
from support.images import (
    OCI_INDEX,
    OCI_MANIFEST,
    make_layer,
    sha256,
    write_docker_archive,
    write_oci_layout,
)

LAYER = make_layer([("file", "app.txt", b"hello")])


def _layout(tmp_path: Path) -> Path:
    return write_oci_layout(tmp_path / "layout", [LAYER])


def _index(layout: Path) -> dict[str, Any]:
    return json.loads((layout / "index.json").read_bytes())


def _write_index(layout: Path, index: dict[str, Any]) -> None:
    (layout / "index.json").write_text(json.dumps(index))


def _add_blob(layout: Path, data: bytes) -> str:
    digest = sha256(data)
    (layout / "blobs" / "sha256" / digest[7:]).write_bytes(data)
    return digest


def _manifest(layout: Path) -> tuple[Path, dict[str, Any]]:
    digest = _index(layout)["manifests"][0]["digest"]
    path = layout / "blobs" / "sha256" / digest[7:]
    return path, json.loads(path.read_bytes())


def test_media_type_of_the_wrong_type_is_a_format_error(tmp_path: Path) -> None:
    # Was: TypeError: unhashable type: 'dict' in image/oci_layout.py.
    layout = _layout(tmp_path)
    index = _index(layout)
    index["manifests"][0]["mediaType"] = {}
    _write_index(layout, index)
    with pytest.raises(ImageFormatError, match=r"manifests\[0\]\.mediaType: expected a string"):
        open_image(f"oci:{layout}")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("size", "12", r"size: expected an integer"),
        ("size", True, r"size: expected an integer"),
        ("size", -1, r"a negative size"),
        ("annotations", [], r"annotations: expected an object"),
        ("platform", "linux", r"platform: expected an object"),
    ],
)
def test_descriptor_fields_are_typed(
    tmp_path: Path, field: str, value: object, message: str
) -> None:
    layout = _layout(tmp_path)
    index = _index(layout)
    index["manifests"][0][field] = value
    _write_index(layout, index)
    with pytest.raises(ImageFormatError, match=message):
        open_image(f"oci:{layout}")


def test_config_fields_are_typed(tmp_path: Path) -> None:
    layout = _layout(tmp_path)
    _path, manifest = _manifest(layout)
    config = {"rootfs": {"type": "layers", "diff_ids": [sha256(LAYER)]}, "history": [{"a": 1}]}
    config["config"] = {"Env": "PATH=/bin"}
    manifest["config"]["digest"] = _add_blob(layout, json.dumps(config).encode())
    index = _index(layout)
    index["manifests"][0]["digest"] = _add_blob(layout, json.dumps(manifest).encode())
    _write_index(layout, index)
    with pytest.raises(ImageFormatError, match=r"config\.config\.Env: expected an array"):
        open_image(f"oci:{layout}")


def _deep(levels: int) -> bytes:
    return b"[" * levels + b"]" * levels


@pytest.mark.parametrize("which", ["index", "manifest", "config"])
def test_deeply_nested_json_is_a_format_error(tmp_path: Path, which: str) -> None:
    # Was: RecursionError in image/stored.py parse_json (100k-deep arrays).
    layout = _layout(tmp_path)
    deep = _deep(100_000)
    if which == "index":
        (layout / "index.json").write_bytes(deep)
    else:
        index = _index(layout)
        _path, manifest = _manifest(layout)
        if which == "config":
            manifest["config"]["digest"] = _add_blob(layout, deep)
            index["manifests"][0]["digest"] = _add_blob(layout, json.dumps(manifest).encode())
        else:
            index["manifests"][0]["digest"] = _add_blob(layout, deep)
        _write_index(layout, index)
    with pytest.raises(ImageFormatError, match="nested more than 100 levels deep"):
        open_image(f"oci:{layout}")


def test_deeply_nested_docker_archive_manifest(tmp_path: Path) -> None:
    archive = write_docker_archive(tmp_path / "image.tar", [LAYER])
    import tarfile

    hostile = tmp_path / "hostile.tar"
    with tarfile.open(archive) as source, tarfile.open(hostile, "w") as target:
        for member in source.getmembers():
            data = source.extractfile(member) if member.isfile() else None
            if member.name == "manifest.json":
                body = _deep(50_000)
                member.size = len(body)
                import io

                target.addfile(member, io.BytesIO(body))
            else:
                target.addfile(member, data)
    with pytest.raises(ImageFormatError, match="nested more than"):
        open_image(f"docker-archive:{hostile}")


@pytest.mark.timeout(60)
def test_fifo_manifest_blob_is_refused_not_waited_on(tmp_path: Path) -> None:
    # Was: analyze hung for ever on the open().
    layout = _layout(tmp_path)
    path, _ = _manifest(layout)
    path.unlink()
    os.mkfifo(path)
    with pytest.raises(ImageFormatError, match="is a FIFO, not a regular file"):
        open_image(f"oci:{layout}")


@pytest.mark.timeout(60)
def test_fifo_layer_blob_without_size_is_refused(tmp_path: Path) -> None:
    layout = _layout(tmp_path)
    _path, manifest = _manifest(layout)
    layer = manifest["layers"][0]
    del layer["size"]
    index = _index(layout)
    index["manifests"][0]["digest"] = _add_blob(layout, json.dumps(manifest).encode())
    _write_index(layout, index)
    blob = layout / "blobs" / "sha256" / layer["digest"][7:]
    blob.unlink()
    os.mkfifo(blob)
    with pytest.raises(ImageFormatError, match="is a FIFO, not a regular file"):
        open_image(f"oci:{layout}")


def test_layer_blob_linked_to_a_device_is_refused(tmp_path: Path) -> None:
    layout = _layout(tmp_path)
    _, manifest = _manifest(layout)
    blob = layout / "blobs" / "sha256" / manifest["layers"][0]["digest"][7:]
    blob.unlink()
    blob.symlink_to("/dev/zero")
    with pytest.raises(ImageFormatError, match="is a device, not a regular file"):
        open_image(f"oci:{layout}")


def test_index_of_ten_thousand_platforms_opens(tmp_path: Path) -> None:
    # Was: "indexes nest too deeply" (the depth counter counted manifests).
    layout = _layout(tmp_path)
    index = _index(layout)
    real = dict(index["manifests"][0])
    real.pop("annotations", None)
    real["platform"] = {"os": "linux", "architecture": "amd64"}
    others = [
        {**real, "platform": {"os": "linux", "architecture": f"arch{n}"}} for n in range(9_999)
    ]
    nested = json.dumps(
        {"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": [*others, real]}
    ).encode()
    index["manifests"] = [
        {
            "mediaType": OCI_INDEX,
            "digest": _add_blob(layout, nested),
            "size": len(nested),
            "annotations": {"org.opencontainers.image.ref.name": "latest"},
        }
    ]
    _write_index(layout, index)
    image = open_image(f"oci:{layout}", platform="linux/amd64")
    assert [entry.path for entry in layer_entries(image.layers[0])] == ["app.txt"]


def test_indexes_nested_past_the_limit_are_refused(tmp_path: Path) -> None:
    layout = _layout(tmp_path)
    descriptor = dict(_index(layout)["manifests"][0])
    descriptor.pop("annotations", None)
    assert descriptor["mediaType"] == OCI_MANIFEST
    for _ in range(12):
        body = json.dumps(
            {"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": [descriptor]}
        ).encode()
        descriptor = {"mediaType": OCI_INDEX, "digest": _add_blob(layout, body), "size": len(body)}
    _write_index(layout, {"schemaVersion": 2, "manifests": [descriptor]})
    with pytest.raises(ImageFormatError, match="indexes nest more than 8 levels deep"):
        open_image(f"oci:{layout}")


def test_deeply_nested_package_json_in_a_layer_is_analysed(tmp_path: Path) -> None:
    # Found by the fuzz campaign: RecursionError in analysis/node_deps.py _load.
    from slimage.analysis.result import analyze_image

    layer = make_layer(
        [
            ("file", "app/package.json", b"[" * 5000 + b"]" * 5000),
            ("file", "app/node_modules/x/package.json", b'{"name": "x"}'),
        ]
    )
    layout = write_oci_layout(tmp_path / "layout", [layer])
    result = analyze_image(open_image(f"oci:{layout}"))
    assert result.layers
