"""Hand-built images for tests: layer tars and archives written with ``tarfile``.

A layer is a list of entry tuples::

    ("file", "etc/os-release", b"ID=debian\\n")   ("dir", "var/cache")
    ("symlink", "bin", "usr/bin")                   ("hardlink", "a", "b")
    ("whiteout", "tmp/x")  -> tmp/.wh.x              ("opaque", "srv") -> srv/.wh..wh..opq

``write_docker_archive`` (old ``<id>/layer.tar`` shape, or Docker 25's OCI-plus-manifest
shape), ``write_oci_layout`` and ``write_oci_archive`` turn layers into images.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import tarfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

Entry = tuple[Any, ...]

OCI_LAYER = "application/vnd.oci.image.layer.v1.tar"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"


def sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def make_layer(entries: Sequence[Entry]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for entry in entries:
            kind, path = entry[0], entry[1]
            if kind == "whiteout":
                head, _, name = path.rpartition("/")
                path = f"{head}/.wh.{name}" if head else f".wh.{name}"
                kind, entry = "file", ("file", path, b"")
            elif kind == "opaque":
                path = f"{path}/.wh..wh..opq"
                kind, entry = "file", ("file", path, b"")
            info = tarfile.TarInfo(path)
            info.mtime = 1_700_000_000
            info.mode = 0o755 if kind == "dir" else 0o644
            if kind == "file":
                data = entry[2]
                info.size = len(data)
                if len(entry) > 3:
                    info.mode = entry[3]
                tar.addfile(info, io.BytesIO(data))
                continue
            if kind == "dir":
                info.type = tarfile.DIRTYPE
            elif kind == "symlink":
                info.type, info.linkname = tarfile.SYMTYPE, entry[2]
            elif kind == "hardlink":
                info.type, info.linkname = tarfile.LNKTYPE, entry[2]
            else:
                raise ValueError(kind)
            tar.addfile(info)
    return buffer.getvalue()


def make_config(
    diff_ids: Sequence[str],
    history: Sequence[dict[str, Any]] | None = None,
    created: str | None = None,
    body: dict[str, Any] | None = None,
) -> bytes:
    """``body``: the config's ``config`` object (default: user app, port 8080)."""
    config: dict[str, Any] = {
        "architecture": "amd64",
        "os": "linux",
        "config": body if body is not None else {"User": "app", "ExposedPorts": {"8080/tcp": {}}},
        "rootfs": {"type": "layers", "diff_ids": list(diff_ids)},
    }
    if history is None:
        history = [{"created_by": f"RUN step {i + 1}"} for i in range(len(diff_ids))]
    config["history"] = list(history)
    if created is not None:
        config["created"] = created
    return json.dumps(config).encode()


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = 1_700_000_000
    tar.addfile(info, io.BytesIO(data))


def write_docker_archive(
    path: Path,
    layers: Sequence[bytes],
    *,
    shape: str = "legacy",
    history: Sequence[dict[str, Any]] | None = None,
    tags: Sequence[str] = ("example:latest",),
    config_body: dict[str, Any] | None = None,
) -> Path:
    """``shape``: "legacy" (``<id>/layer.tar``), "podman" (``<hex>.tar``), "docker25",
    "tarball" (gzip ``<digest>.tar.gz``) or "tarball-unnamed" (gzip ``l0.tgz``)."""
    diff_ids = [sha256(layer) for layer in layers]
    config = make_config(diff_ids, history, body=config_body)
    with tarfile.open(path, "w") as tar:
        names = []
        if shape == "docker25":
            _write_layout(tar, layers, config)
            names = [f"blobs/sha256/{sha256(layer)[7:]}" for layer in layers]
            config_name = f"blobs/sha256/{sha256(config)[7:]}"
        elif shape in ("tarball", "tarball-unnamed"):
            # go-containerregistry's tarball: gzip layers named by their digest.
            config_name = f"sha256:{sha256(config)[7:]}"
            _add_bytes(tar, config_name, config)
            for number, layer in enumerate(layers):
                blob = gzip.compress(layer, mtime=0)
                name = f"{sha256(blob)[7:]}.tar.gz" if shape == "tarball" else f"l{number}.tgz"
                _add_bytes(tar, name, blob)
                names.append(name)
        else:
            config_name = f"{sha256(config)[7:]}.json"
            _add_bytes(tar, config_name, config)
            for layer in layers:
                hexdigest = sha256(layer)[7:]
                name = f"{hexdigest}/layer.tar" if shape == "legacy" else f"{hexdigest}.tar"
                if name not in names:
                    _add_bytes(tar, name, layer)
                names.append(name)
        manifest = [{"Config": config_name, "RepoTags": list(tags), "Layers": names}]
        _add_bytes(tar, "manifest.json", json.dumps(manifest).encode())
    return path


def _layout_files(
    layers: Sequence[bytes],
    config: bytes,
    *,
    compress: str | Sequence[str] = "",
    tag: str | None = "latest",
) -> dict[str, bytes]:
    """``compress``: "", "gzip" or "zstd" for every layer, or one of them per layer."""
    files: dict[str, bytes] = {"oci-layout": b'{"imageLayoutVersion": "1.0.0"}'}
    descriptors = []
    each = [compress] * len(layers) if isinstance(compress, str) else list(compress)
    for layer, compress in zip(layers, each, strict=True):
        blob = gzip.compress(layer, mtime=0) if compress == "gzip" else layer
        if compress == "zstd":
            import zstandard

            blob = zstandard.ZstdCompressor().compress(layer)
        media = OCI_LAYER + (f"+{compress}" if compress else "")
        files[f"blobs/sha256/{sha256(blob)[7:]}"] = blob
        descriptors.append({"mediaType": media, "digest": sha256(blob), "size": len(blob)})
    files[f"blobs/sha256/{sha256(config)[7:]}"] = config
    manifest = json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": OCI_MANIFEST,
            "config": {"mediaType": OCI_CONFIG, "digest": sha256(config), "size": len(config)},
            "layers": descriptors,
        }
    ).encode()
    files[f"blobs/sha256/{sha256(manifest)[7:]}"] = manifest
    descriptor: dict[str, Any] = {
        "mediaType": OCI_MANIFEST,
        "digest": sha256(manifest),
        "size": len(manifest),
    }
    if tag:
        descriptor["annotations"] = {"org.opencontainers.image.ref.name": tag}
    index = {"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": [descriptor]}
    files["index.json"] = json.dumps(index).encode()
    return files


def _write_layout(tar: tarfile.TarFile, layers: Sequence[bytes], config: bytes) -> None:
    for name, data in _layout_files(layers, config).items():
        _add_bytes(tar, name, data)


def write_oci_layout(
    path: Path,
    layers: Sequence[bytes],
    *,
    compress: str | Sequence[str] = "",
    history: Sequence[dict[str, Any]] | None = None,
    tag: str | None = "latest",
    created: str | None = None,
    config_body: dict[str, Any] | None = None,
) -> Path:
    config = make_config([sha256(layer) for layer in layers], history, created, body=config_body)
    for name, data in _layout_files(layers, config, compress=compress, tag=tag).items():
        target = path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return path


def write_oci_archive(
    path: Path,
    layers: Sequence[bytes],
    *,
    compress: str = "",
    history: Sequence[dict[str, Any]] | None = None,
) -> Path:
    config = make_config([sha256(layer) for layer in layers], history)
    with tarfile.open(path, "w") as tar:
        for name, data in _layout_files(layers, config, compress=compress).items():
            _add_bytes(tar, name, data)
    return path


def rewrite_json(path: Path, name: str, change: Any) -> None:
    """Replace file ``name`` in an OCI layout directory with ``change(parsed)``."""
    target = path / name
    target.write_bytes(json.dumps(change(json.loads(target.read_bytes()))).encode())
    os.utime(target)
