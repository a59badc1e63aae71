"""The layer cache as a wrapper around an image source: :class:`CachedImage` is an
:class:`~slimage.image.model.Image` whose layers replay what an earlier pass recorded
(:class:`~slimage.analysis.layer_cache.LayerCache`) instead of being read, and record
the layers that are read, so the streaming pass (:mod:`slimage.analysis.layers`) reads
a cached image as any other. The recording of a layer (:func:`record_layer`: read on
its own, nothing asked of the pass) and its replay through the pass (:func:`replay`)
are here too; the pass also reads layers ahead this way
(:mod:`slimage.analysis.read_ahead`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from typing import Any

from slimage.analysis.layer_cache import LayerCache, LayerRecording, RecordedEntry
from slimage.analysis.layer_reading import LayerRead
from slimage.analysis.layer_records import WHITEOUT, Progress
from slimage.analysis.overlay import _Pass
from slimage.analysis.progress import Counted
from slimage.filesystem import FileKind
from slimage.image.hashing import HashBatch
from slimage.image.model import Closable, Image, Layer, PlansReads
from slimage.image.tarstream import ContentSink, LayerStream, TarEntry, scan_tar


class CachedImage:
    """``image`` read through ``cache``: the same manifest, config and layers, each
    layer replayed from the cache when an earlier run recorded it and recorded when it
    is read now. Its layers cannot be read again after the pass (they are hashed as they
    stream, as a recording needs)."""

    def __init__(self, image: Image, cache: LayerCache) -> None:
        self.image = image
        self.cache = cache
        self._layers = [CachedLayer(layer, cache) for layer in image.layers]

    @property
    def manifest(self) -> Mapping[str, Any]:
        return self.image.manifest

    @property
    def config(self) -> Mapping[str, Any]:
        return self.image.config

    @property
    def history(self) -> Sequence[Mapping[str, Any]]:
        return self.image.history

    @property
    def layers(self) -> Sequence[CachedLayer]:
        return self._layers

    @property
    def platform(self) -> str | None:
        return self.image.platform

    @property
    def source(self) -> str:
        return self.image.source

    def plan_reads(self, indices: Sequence[int]) -> None:
        """Tell the wrapped source of the layers that will be read: not the cached ones."""
        if isinstance(self.image, PlansReads):
            self.image.plan_reads([i for i in indices if not self._layers[i].cached])

    def close(self) -> None:
        if isinstance(self.image, Closable):
            self.image.close()


class CachedLayer:
    """One layer of a :class:`CachedImage` (see there)."""

    def __init__(self, layer: Layer, cache: LayerCache) -> None:
        self.layer = layer
        self.cache = cache

    @property
    def digest(self) -> str:
        return self.layer.digest

    @property
    def diff_id(self) -> str:
        return self.layer.diff_id

    @property
    def compressed_size(self) -> int:
        return self.layer.compressed_size

    @property
    def media_type(self) -> str:
        return self.layer.media_type

    @property
    def cached(self) -> bool:
        return self.cache.has(self.digest, self.diff_id)

    def open_uncompressed(self) -> AbstractContextManager[LayerStream]:
        return self.layer.open_uncompressed()

    def feed_pass(self, state: _Pass, progress: Progress | None) -> LayerRead:
        """Replay the recording of this layer, or read it, record it and replay that."""
        recording = self.cache.load(self.digest, self.diff_id)
        if recording is not None:
            replay(state, recording)
            if progress is not None:
                progress(self.compressed_size)
            return LayerRead(recording.uncompressed_size, recording.warnings)
        recording, read = record_layer(self, state.content_wanted, state.hash_min_size, progress)
        self.keep(recording)
        state.deferring = False
        replay(state, recording)
        return read

    def keep(self, recording: LayerRecording) -> None:
        """Store the recording of this layer, read to its end."""
        self.cache.store(self.digest, self.diff_id, recording)


def record_layer(
    layer: Layer,
    content_wanted: Callable[[str, int], bool],
    hash_min_size: int,
    progress: Progress | None,
) -> tuple[LayerRecording, LayerRead]:
    """Read ``layer`` to its end into a recording; its identity check is left to run."""
    captured: list[tuple[TarEntry, Any, bytearray | None]] = []
    hashes = HashBatch()

    def handle(entry: TarEntry) -> ContentSink | None:
        name = entry.path.rpartition("/")[2]
        if entry.kind is not FileKind.FILE or name.startswith(WHITEOUT):
            captured.append((entry, None, None))
            return None
        hasher = hashlib.sha256() if entry.size >= hash_min_size else None
        kept = bytearray() if content_wanted(entry.path, entry.size) else None
        captured.append((entry, hasher, kept))
        if hasher is None:
            return None if kept is None else kept.extend
        hash_sink = hashes.sink(hasher)
        if kept is None:
            return hash_sink
        extend = kept.extend

        def both(data: memoryview) -> None:
            hash_sink(data)
            extend(data)

        return both

    with layer.open_uncompressed() as stream:
        stream.defer_check = True
        scan_tar(Counted(stream, progress) if progress is not None else stream, handle)
        stream.finish()
        read = LayerRead(stream.uncompressed_size, list(stream.warnings), stream.pending_check)
    hashes.wait()
    entries = [
        RecordedEntry(
            entry,
            "sha256:" + hasher.hexdigest() if hasher is not None else None,
            bytes(kept) if kept is not None else None,
        )
        for entry, hasher, kept in captured
    ]
    return LayerRecording(entries, read.uncompressed_size, list(read.warnings)), read


def replay(state: _Pass, recording: LayerRecording) -> None:
    """Feed a recorded layer through the pass as if its tar were read."""
    for item in recording.entries:
        sink = state.handle(item.entry)
        if sink is None:
            continue
        if item.content is not None:
            sink(memoryview(item.content))
            continue
        pending = state.pending
        if pending is not None and pending[0].path == item.entry.path:
            record, _, buffer = pending
            record.digest = item.digest  # hashed when it was recorded
            state.pending = (record, None, buffer)
    state._finish_pending()
