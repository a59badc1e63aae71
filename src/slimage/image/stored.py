"""What the file back-ends share: blobs as regions of files, and the stored image.

A docker-archive or oci-archive member, or a blob file of an OCI layout, is a byte range
``[offset, offset + length)`` of a file on disk. :class:`StoredLayer` streams one such
range through :class:`~slimage.image.tarstream.LayerStream`; :class:`StoredImage` holds
what the back-end parsed. Both satisfy the protocols of :mod:`slimage.image.model`.
"""

from __future__ import annotations

import json
import os
import tarfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from slimage.errors import ImageFormatError, ImageNotFound
from slimage.image.model import config_history, config_platform
from slimage.image.tarstream import LayerStream, RegionReader, normalize_name

# Manifests, configs and indexes are small; a "JSON" blob larger than this is hostile.
MAX_JSON_BYTES = 32 << 20


@dataclass(frozen=True, slots=True)
class Region:
    path: str
    offset: int
    length: int


@dataclass(frozen=True, slots=True)
class StoredLayer:
    region: Region
    digest: str
    diff_id: str
    media_type: str
    label: str
    # Which identities the source actually states (an old docker-archive states only the
    # diff_id); only stated ones are verified.
    verify_digest: bool = True
    verify_diff_id: bool = True

    @property
    def compressed_size(self) -> int:
        return self.region.length

    @contextmanager
    def open_uncompressed(self) -> Iterator[LayerStream]:
        try:
            file = open(self.region.path, "rb")  # noqa: SIM115 - closed below
        except OSError as error:
            raise ImageFormatError(f"{self.label}: cannot read ({error.strerror})") from None
        with file:
            raw = RegionReader(file, self.region.offset, self.region.length, self.label)
            yield LayerStream(
                raw,
                label=self.label,
                media_type=self.media_type,
                expected_digest=self.digest if self.verify_digest else None,
                expected_diff_id=self.diff_id if self.verify_diff_id and self.diff_id else None,
            )


@dataclass(slots=True)
class StoredImage:
    manifest: Mapping[str, Any]
    config: Mapping[str, Any]
    layers: Sequence[StoredLayer]
    source: str
    warnings: list[str] = field(default_factory=list)

    @property
    def history(self) -> Sequence[Mapping[str, Any]]:
        return config_history(self.config)

    @property
    def platform(self) -> str | None:
        return config_platform(self.config)


def parse_json(data: bytes, what: str) -> Any:
    try:
        return json.loads(data)
    except (ValueError, UnicodeDecodeError) as error:
        raise ImageFormatError(f"{what}: not valid JSON ({error})") from None


def diff_ids(config: Mapping[str, Any]) -> list[str]:
    rootfs = config.get("rootfs")
    ids = rootfs.get("diff_ids") if isinstance(rootfs, Mapping) else None
    return [item for item in ids if isinstance(item, str)] if isinstance(ids, list) else []


class TarMembers:
    """The members of an outer archive (docker-archive, oci-archive) by normalised name."""

    def __init__(self, path: str, label: str) -> None:
        self.path = path
        self.label = label
        self.members: dict[str, tarfile.TarInfo] = {}
        try:
            file_size = os.path.getsize(path)
            with tarfile.open(path, "r:") as archive:
                for member in archive:
                    name = normalize_name(member.name)
                    if not name:
                        continue
                    if member.isreg() and member.offset_data + member.size > file_size:
                        raise ImageFormatError(f"{label}: truncated archive ({member.name})")
                    self.members[name] = member
        except tarfile.ReadError as error:
            message = str(error)
            if "compressed" in message or "magic" in message or "invalid header" in message:
                raise ImageFormatError(f"{label}: not a tar archive ({message})") from None
            raise ImageFormatError(f"{label}: unreadable archive ({message})") from None
        except tarfile.TarError as error:
            raise ImageFormatError(f"{label}: unreadable archive ({error})") from None
        except OSError as error:
            raise ImageNotFound(f"{label}: cannot read ({error.strerror})") from None

    def __contains__(self, name: str) -> bool:
        return self._resolve(name) is not None

    def _resolve(self, name: str) -> tarfile.TarInfo | None:
        seen: set[str] = set()
        current: str | None = normalize_name(name)
        while current is not None and current not in seen:
            seen.add(current)
            member = self.members.get(current)
            if member is None:
                return None
            if member.issym() or member.islnk():
                # Old `docker save` links repeated layers to the first copy.
                base = current.rpartition("/")[0] if member.issym() else ""
                target = f"{base}/{member.linkname}" if base else member.linkname
                current = normalize_name(target)
                continue
            return member if member.isreg() else None
        return None

    def region(self, name: str, what: str) -> Region:
        member = self._resolve(name)
        if member is None:
            raise ImageFormatError(f"{self.label}: missing {what} {name!r}")
        return Region(self.path, member.offset_data, member.size)

    def read(self, name: str, what: str) -> bytes:
        region = self.region(name, what)
        if region.length > MAX_JSON_BYTES:
            raise ImageFormatError(f"{self.label}: {what} {name!r} is absurdly large")
        with open(self.path, "rb") as file:
            file.seek(region.offset)
            data = file.read(region.length)
        if len(data) != region.length:
            raise ImageFormatError(f"{self.label}: truncated archive ({name})")
        return data
