"""OCI image layouts: a directory (``oci:DIR[:TAG]``) or a tar of one (``oci-archive:``).

The layout spec (image-layout.md): ``oci-layout``, ``index.json`` and content-addressed
``blobs/<alg>/<hex>``. ``index.json`` lists manifests, or indexes of per-platform
manifests; a tag is the ``org.opencontainers.image.ref.name`` annotation. Layers come in
the order the chosen manifest lists them, never guessed from the blobs directory. Every
JSON blob is checked against its digest; layer blobs are checked as they stream.
"""

from __future__ import annotations

import hashlib
import os
from collections import deque
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from slimage.errors import DigestMismatch, ImageFormatError, ImageNotFound, UnsupportedMediaType
from slimage.image import shapes
from slimage.image.platforms import choose_platform
from slimage.image.stored import (
    MAX_JSON_BYTES,
    Region,
    StoredImage,
    StoredLayer,
    TarMembers,
    diff_ids,
    parse_json,
)
from slimage.image.tarstream import compression_for
from slimage.limits import (
    MAX_INDEX_DEPTH,
    MAX_INDEX_MANIFESTS,
    MAX_LAYERS,
    path_exists,
    read_regular,
    regular_file_size,
)
from slimage.wording import plural

INDEX_TYPES = {
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
}
MANIFEST_TYPES = {
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.v2+json",
}
REF_NAME = "org.opencontainers.image.ref.name"


class _DirectoryBlobs:
    def __init__(self, root: str, label: str) -> None:
        self.root = root
        self.label = label

    def _path(self, name: str) -> str:
        return os.path.join(self.root, *name.split("/"))

    def has(self, name: str) -> bool:
        return path_exists(Path(self._path(name)))

    def region(self, name: str, what: str) -> Region:
        # Only a regular file: a FIFO would block the reader, a device never end.
        path = self._path(name)
        if not path_exists(Path(path)):
            raise ImageFormatError(f"{self.label}: missing {what} {name!r}")
        size = regular_file_size(path, f"{self.label}: {what} {name!r}", ImageFormatError)
        return Region(path, 0, size)

    def read(self, name: str, what: str) -> bytes:
        self.region(name, what)
        return read_regular(
            self._path(name),
            f"{self.label}: {what} {name!r}",
            limit=MAX_JSON_BYTES,
            error=ImageFormatError,
        )


class _ArchiveBlobs:
    def __init__(self, members: TarMembers) -> None:
        self.members = members
        self.label = members.label

    def has(self, name: str) -> bool:
        return name in self.members

    def region(self, name: str, what: str) -> Region:
        return self.members.region(name, what)

    def read(self, name: str, what: str) -> bytes:
        return self.members.read(name, what)


_Blobs = _DirectoryBlobs | _ArchiveBlobs


def open_oci_layout(path: str, tag: str | None = None, platform: str | None = None) -> StoredImage:
    label = f"oci:{path}" + (f":{tag}" if tag else "")
    if not os.path.isdir(path):
        raise ImageNotFound(f"{label}: no such directory")
    return _open(_DirectoryBlobs(path, label), label, tag, platform)


def open_oci_archive(path: str, tag: str | None = None, platform: str | None = None) -> StoredImage:
    label = f"oci-archive:{path}" + (f":{tag}" if tag else "")
    return oci_from_members(TarMembers(path, label), label, tag, platform)


def oci_from_members(
    members: TarMembers, label: str, tag: str | None, platform: str | None
) -> StoredImage:
    return _open(_ArchiveBlobs(members), label, tag, platform)


def _blob_name(descriptor: Mapping[str, Any], label: str) -> tuple[str, str]:
    digest = descriptor.get("digest")
    if not isinstance(digest, str) or ":" not in digest:
        raise ImageFormatError(f"{label}: descriptor without a valid digest")
    algorithm, _, encoded = digest.partition(":")
    if (
        algorithm != "sha256"
        or len(encoded) != 64
        or not all(c in "0123456789abcdef" for c in encoded)
    ):
        raise UnsupportedMediaType(f"{label}: unsupported digest {digest!r}")
    return digest, f"blobs/{algorithm}/{encoded}"


def _read_json_blob(blobs: _Blobs, descriptor: Mapping[str, Any], what: str) -> Any:
    digest, name = _blob_name(descriptor, blobs.label)
    data = blobs.read(name, what)
    actual = "sha256:" + hashlib.sha256(data).hexdigest()
    if actual != digest:
        raise DigestMismatch(f"{blobs.label}: {what} {digest} has digest {actual}")
    return parse_json(data, f"{blobs.label}: {what} {digest}")


def _open(blobs: _Blobs, label: str, tag: str | None, platform: str | None) -> StoredImage:
    if not blobs.has("index.json"):
        raise ImageFormatError(f"{label}: no index.json (not an OCI layout)")
    index = parse_json(blobs.read("index.json", "index"), f"{label}: index.json")
    shapes.check(shapes.INDEX, index, f"{label}: index.json")
    descriptor = _choose(blobs, index, label, tag, platform)
    manifest = _read_json_blob(blobs, descriptor, "manifest")
    shapes.check(shapes.MANIFEST, manifest, f"{label}: manifest")
    config_descriptor = manifest["config"]
    layer_descriptors = manifest["layers"]
    if len(layer_descriptors) > MAX_LAYERS:
        raise ImageFormatError(f"{label}: more than {MAX_LAYERS} layers")
    config = _read_json_blob(blobs, config_descriptor, "config")
    shapes.check(shapes.CONFIG, config, f"{label}: config")
    ids = diff_ids(config)
    if len(ids) != len(layer_descriptors):
        raise ImageFormatError(
            f"{label}: manifest lists {plural(len(layer_descriptors), 'layer')} "
            f"but the config has {plural(len(ids), 'diff_id')}"
        )
    layers: list[StoredLayer] = []
    for position, layer in enumerate(layer_descriptors):
        if not isinstance(layer, Mapping):
            raise ImageFormatError(f"{label}: malformed layer descriptor")
        digest, name = _blob_name(layer, label)
        media_type = layer.get("mediaType")
        media_type = media_type if isinstance(media_type, str) else ""
        layer_label = f"{label}: layer {position + 1} ({digest[:19]})"
        compression_for(media_type, layer_label)  # unknown media types fail here, early
        region = blobs.region(name, "layer blob")
        stated = layer.get("size")
        if isinstance(stated, int) and stated != region.length:
            raise ImageFormatError(
                f"{layer_label}: blob has {region.length} bytes, the manifest says {stated}"
            )
        layers.append(StoredLayer(region, digest, ids[position], media_type, layer_label))
    return StoredImage(manifest, config, layers, label)


def _manifests(index: Any, label: str) -> list[Mapping[str, Any]]:
    if not isinstance(index, Mapping) or not isinstance(index.get("manifests"), list):
        raise ImageFormatError(f"{label}: index without a manifests list")
    return [item for item in index["manifests"] if isinstance(item, Mapping)]


def _ref_name(descriptor: Mapping[str, Any]) -> str | None:
    annotations = descriptor.get("annotations")
    if isinstance(annotations, Mapping):
        name = annotations.get(REF_NAME)
        if isinstance(name, str):
            return name
    return None


def _choose(
    blobs: _Blobs, index: Any, label: str, tag: str | None, platform: str | None
) -> Mapping[str, Any]:
    candidates = _manifests(index, label)
    if tag is not None:
        named = [d for d in candidates if _ref_name(d) == tag]
        if not named:
            known = sorted({name for d in candidates if (name := _ref_name(d))})
            raise ImageNotFound(
                f"{label}: no image tagged {tag!r} (tags: {', '.join(known) or 'none'})"
            )
        candidates = named
    # Follow nested indexes down to manifests (an index may list per-platform manifests).
    # The depth is the nesting of indexes, not the number of manifests they list.
    manifests: list[Mapping[str, Any]] = []
    pending = deque((descriptor, 1) for descriptor in candidates)
    listed = len(pending)
    while pending:
        descriptor, depth = pending.popleft()
        media_type = descriptor.get("mediaType")
        if media_type in INDEX_TYPES:
            if depth >= MAX_INDEX_DEPTH:
                raise ImageFormatError(
                    f"{label}: indexes nest more than {MAX_INDEX_DEPTH} levels deep"
                )
            nested = _read_json_blob(blobs, descriptor, "index")
            shapes.check(shapes.INDEX, nested, f"{label}: index {descriptor.get('digest')}")
            listed += len(nested["manifests"])
            if listed > MAX_INDEX_MANIFESTS:
                raise ImageFormatError(
                    f"{label}: indexes list more than {MAX_INDEX_MANIFESTS} manifests"
                )
            pending.extend((item, depth + 1) for item in _manifests(nested, label))
        elif media_type in MANIFEST_TYPES or media_type is None:
            manifests.append(descriptor)
        else:
            raise UnsupportedMediaType(f"{label}: unsupported manifest media type {media_type!r}")
    if not manifests:
        raise ImageNotFound(f"{label}: the index lists no image manifests")
    return choose_platform(manifests, platform, label, f"name one as {label}:TAG")
