"""docker-archive: what ``docker save``, ``podman save`` and ``buildah push`` write.

Three shapes share one ``manifest.json`` (a list of ``{Config, RepoTags, Layers}``):

- Docker up to 24: ``<id>/layer.tar`` per layer (repeated layers may be symlinks to the
  first copy) and ``<hex>.json`` for the config;
- podman and buildah: ``<hex>.tar`` layers beside ``<hex>.json``;
- Docker 25 and later: an OCI layout (``blobs/sha256/<hex>``, ``index.json``) with the
  same ``manifest.json`` on top; blob names give the stored digests.

The layer order is the order of ``Layers`` in ``manifest.json``; identities come from
the config's ``rootfs.diff_ids`` and, for blobs, from their names.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from typing import Any

from slimage.errors import ImageFormatError, ImageNotFound
from slimage.image import shapes
from slimage.image.stored import (
    Region,
    StoredImage,
    StoredLayer,
    TarMembers,
    diff_ids,
    parse_json,
)
from slimage.image.tarstream import RegionReader, sniff_compression
from slimage.limits import MAX_LAYERS
from slimage.wording import plural

_BLOB_NAME = re.compile(r"(?:^|/)blobs/sha256/([0-9a-f]{64})$")
_HEX_NAME = re.compile(r"(?:^|/)(?:sha256:)?([0-9a-f]{64})\.(?:tar\.gz|tgz|tar\.zst)$")
_DOCKER_LAYER = "application/vnd.docker.image.rootfs.diff.tar"


def _head(region: Region) -> bytes:
    with open(region.path, "rb") as file:
        file.seek(region.offset)
        return file.read(min(4, region.length))


def _hash_region(region: Region) -> str:
    hasher = hashlib.sha256()
    with open(region.path, "rb") as file:
        reader = RegionReader(file, region.offset, region.length, region.path)
        while chunk := reader.read(1 << 20):
            hasher.update(chunk)
    return "sha256:" + hasher.hexdigest()


def is_docker_archive(members: TarMembers) -> bool:
    return "manifest.json" in members


def open_docker_archive(path: str, name: str | None = None) -> StoredImage:
    """Open the docker-archive at ``path``; ``name`` picks one of several images by tag."""
    label = f"docker-archive:{path}"
    members = TarMembers(path, label)
    return docker_archive_from_members(members, label, name)


def docker_archive_from_members(
    members: TarMembers, label: str, name: str | None = None
) -> StoredImage:
    if "manifest.json" not in members:
        raise ImageFormatError(f"{label}: no manifest.json (not a docker-archive)")
    entries = parse_json(members.read("manifest.json", "manifest"), f"{label}: manifest.json")
    if not isinstance(entries, list) or not entries:
        raise ImageFormatError(f"{label}: manifest.json lists no images")
    shapes.check(shapes.list_of(shapes.ARCHIVE_ENTRY), entries, f"{label}: manifest.json")
    entry = _pick(entries, name, label)
    config_name = entry.get("Config")
    layer_names = entry.get("Layers")
    if not isinstance(config_name, str) or not isinstance(layer_names, list):
        raise ImageFormatError(f"{label}: manifest.json entry lacks Config or Layers")
    if len(layer_names) > MAX_LAYERS:
        raise ImageFormatError(f"{label}: more than {MAX_LAYERS} layers")
    config_bytes = members.read(config_name, "config")
    config = parse_json(config_bytes, f"{label}: config")
    shapes.check(shapes.CONFIG, config, f"{label}: config")
    ids = diff_ids(config)
    warnings: list[str] = []
    if ids and len(ids) != len(layer_names):
        raise ImageFormatError(
            f"{label}: manifest.json lists {plural(len(layer_names), 'layer')} "
            f"but the config has {plural(len(ids), 'diff_id')}"
        )
    sources = entry.get("LayerSources")
    layers: list[StoredLayer] = []
    for index, layer_name in enumerate(layer_names):
        if not isinstance(layer_name, str):
            raise ImageFormatError(f"{label}: manifest.json has a non-string layer name")
        region = members.region(layer_name, "layer")
        diff_id = ids[index] if ids else ""
        blob = _BLOB_NAME.search(layer_name)
        media_type = ""
        if blob:
            digest, verify_digest = f"sha256:{blob.group(1)}", True
            if isinstance(sources, Mapping):
                described = sources.get(digest)
                if isinstance(described, Mapping) and isinstance(described.get("mediaType"), str):
                    media_type = described["mediaType"]
        elif sniff_compression(_head(region)):
            # A compressed layer with no stated digest (go-containerregistry's tarballs
            # write `<hex>.tar.gz`): the name gives it when it is one; else hash it here.
            named = _HEX_NAME.search(layer_name)
            if named:
                digest, verify_digest = f"sha256:{named.group(1)}", True
            else:
                digest, verify_digest = _hash_region(region), False
        else:
            # Old archives state no stored digest; their layer.tar is uncompressed, so
            # its digest is its diff_id (checked by the diff_id).
            digest, verify_digest = diff_id, False
        layers.append(
            StoredLayer(
                region=region,
                digest=digest,
                diff_id=diff_id,
                media_type=media_type,
                label=f"{label}: layer {index + 1} ({layer_name})",
                verify_digest=verify_digest,
            )
        )
    manifest: dict[str, Any] = {
        "schemaVersion": 2,
        "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
        "config": {
            "mediaType": "application/vnd.docker.container.image.v1+json",
            "size": len(config_bytes),
            "digest": _config_digest(config_name, config_bytes),
        },
        "layers": [
            {
                "mediaType": layer.media_type or _DOCKER_LAYER,
                "size": layer.compressed_size,
                "digest": layer.digest,
            }
            for layer in layers
        ],
    }
    tags = entry.get("RepoTags")
    source = label
    if isinstance(tags, list) and tags and isinstance(tags[0], str):
        source = f"{label} ({tags[0]})"
    return StoredImage(manifest, config, layers, source, warnings)


def _config_digest(name: str, data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def _pick(entries: list[Any], name: str | None, label: str) -> Mapping[str, Any]:
    images = [entry for entry in entries if isinstance(entry, Mapping)]
    if not images:
        raise ImageFormatError(f"{label}: manifest.json lists no images")
    if name is None:
        if len(images) > 1:
            known = ", ".join(_tags(images)) or "(untagged)"
            raise ImageNotFound(
                f"{label}: the archive holds {len(images)} images ({known}); "
                "name one as docker-archive:FILE:NAME"
            )
        return images[0]
    for image in images:
        tags = image.get("RepoTags")
        if isinstance(tags, list) and any(_tag_matches(tag, name) for tag in tags):
            return image
    raise ImageNotFound(
        f"{label}: no image named {name!r} (have: {', '.join(_tags(images)) or 'none'})"
    )


def _tag_matches(tag: object, name: str) -> bool:
    if not isinstance(tag, str):
        return False
    return tag == name or tag.endswith("/" + name) or tag == f"{name}:latest"


def _tags(images: list[Mapping[str, Any]]) -> list[str]:
    found: list[str] = []
    for image in images:
        tags = image.get("RepoTags")
        if isinstance(tags, list):
            found.extend(tag for tag in tags if isinstance(tag, str))
    return found
