"""A cache of what the streaming pass read from each layer, keyed by the layer's digest.

A layer is content-addressed: its digest and diff_id name its bytes, so what the pass saw
in it (every tar entry, the content hash of each regular file, and the bytes of the files
the explanation asks for) never changes. Recording that once lets a second analysis of
the image, and of every image that shares its base layers, replay the layer without
downloading it. Only layers read to the end and verified against both identities are
stored.

The cache lives in ``$XDG_CACHE_HOME/slimage/layers`` (``~/.cache/slimage/layers``),
one zstd-compressed JSON file per layer, written to a temporary name and renamed into
place, so two runs sharing it never see half a file. It is bounded
(``SLIMAGE_CACHE_MAX_BYTES``, default 2 GiB): the least recently used files go first. A
file that cannot be read is a miss, and is removed.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from slimage.filesystem import FileKind
from slimage.image.tarstream import TarEntry

# Bump when what the pass records, or what content_wanted() asks for, changes meaning.
CACHE_FORMAT = 1
DEFAULT_MAX_BYTES = 2 << 30


@dataclass
class RecordedEntry:
    """One tar entry of a cached layer, with its content hash and bytes when the pass kept them."""

    entry: TarEntry
    digest: str | None = None  # sha256 of the content, when the pass hashed it
    content: bytes | None = None  # the bytes, when content_wanted() asked for them


@dataclass
class LayerRecording:
    """What the streaming pass saw in one verified layer, stored to replay it without reading it."""

    entries: list[RecordedEntry] = field(default_factory=list)
    uncompressed_size: int = 0
    warnings: list[str] = field(default_factory=list)


def default_directory(environ: Mapping[str, str] | None = None) -> Path:
    env = os.environ if environ is None else environ
    base = env.get("XDG_CACHE_HOME") or os.path.join(env.get("HOME", "~"), ".cache")
    return Path(os.path.expanduser(base)) / "slimage" / "layers"


class LayerCache:
    def __init__(self, directory: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.directory = directory
        self.max_bytes = max_bytes

    @classmethod
    def default(cls) -> LayerCache:
        limit = os.environ.get("SLIMAGE_CACHE_MAX_BYTES", "")
        return cls(default_directory(), int(limit) if limit.isdigit() else DEFAULT_MAX_BYTES)

    def _path(self, digest: str, diff_id: str) -> Path:
        name = f"{digest.replace(':', '-')}.{diff_id.split(':')[-1][:16]}.v{CACHE_FORMAT}"
        return self.directory / f"{name}.json.zst"

    def has(self, digest: str, diff_id: str) -> bool:
        return self._path(digest, diff_id).is_file()

    def load(self, digest: str, diff_id: str) -> LayerRecording | None:
        path = self._path(digest, diff_id)
        try:
            raw = path.read_bytes()
        except OSError:
            return None
        try:
            recording = _decode(raw)
        except (ValueError, KeyError, TypeError):
            with contextlib.suppress(OSError):
                path.unlink()
            return None
        with contextlib.suppress(OSError):
            os.utime(path)  # most recently used
        return recording

    def store(self, digest: str, diff_id: str, recording: LayerRecording) -> None:
        data = _encode(recording)
        if len(data) > self.max_bytes // 4:
            return  # one layer must not flush the whole cache
        try:
            self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
            import tempfile  # only when storing: it loads `random` (a few ms at start-up)

            handle, temporary = tempfile.mkstemp(dir=self.directory, prefix=".tmp-")
            with os.fdopen(handle, "wb") as out:
                out.write(data)
            os.replace(temporary, self._path(digest, diff_id))
        except OSError:
            return  # a cache that cannot be written is only slower
        self._prune()

    def _prune(self) -> None:
        try:
            files = [(p.stat(), p) for p in self.directory.glob("*.json.zst")]
        except OSError:
            return
        total = sum(stat.st_size for stat, _ in files)
        for stat, path in sorted(files, key=lambda item: item[0].st_mtime):
            if total <= self.max_bytes:
                break
            with contextlib.suppress(OSError):
                path.unlink()
                total -= stat.st_size


def _encode(recording: LayerRecording) -> bytes:
    import zstandard

    document: dict[str, Any] = {
        "format": CACHE_FORMAT,
        "uncompressed_size": recording.uncompressed_size,
        "warnings": recording.warnings,
        "entries": [
            [
                item.entry.path,
                item.entry.kind.value,
                item.entry.size,
                item.entry.mode,
                item.entry.uid,
                item.entry.gid,
                item.entry.link_target,
                item.digest,
                base64.b64encode(item.content).decode() if item.content is not None else None,
            ]
            for item in recording.entries
        ],
    }
    text = json.dumps(document, separators=(",", ":"), ensure_ascii=False)
    encoded: bytes = zstandard.ZstdCompressor(level=3).compress(
        text.encode("utf-8", "surrogateescape")
    )
    return encoded


def _decode(raw: bytes) -> LayerRecording:
    import zstandard

    try:
        text = zstandard.ZstdDecompressor().decompress(raw, max_output_size=1 << 31)
    except zstandard.ZstdError as error:
        raise ValueError(str(error)) from None
    document = json.loads(text.decode("utf-8", "surrogateescape"))
    if document.get("format") != CACHE_FORMAT:
        raise ValueError("another cache format")
    entries = []
    for path, kind, size, mode, uid, gid, link, digest, content in document["entries"]:
        entry = TarEntry(
            str(path), FileKind(kind), int(size), int(mode), int(uid), int(gid), str(link)
        )
        data = base64.b64decode(content) if content is not None else None
        entries.append(RecordedEntry(entry, digest, data))
    return LayerRecording(
        entries, int(document["uncompressed_size"]), [str(w) for w in document["warnings"]]
    )
