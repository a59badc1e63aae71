"""The layer cache as a wrapper around an image source: :class:`CachedImage` is an
:class:`~slimage.image.model.Image` whose layers replay what an earlier pass recorded
(:class:`~slimage.analysis.layer_cache.LayerCache`) instead of being read, and record
the layers that are read, so the streaming pass (:mod:`slimage.analysis.layers`) reads
a cached image as any other. The recording of a layer as the pass reads it
(:func:`recorder`) and its replay through the pass (:func:`replay`) are here too.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from typing import Any

from slimage.analysis.layer_cache import LayerCache, LayerRecording, RecordedEntry
from slimage.analysis.layer_reading import LayerRead, read_tar
from slimage.analysis.layer_records import Progress
from slimage.analysis.overlay import _Pass
from slimage.filesystem import FileKind, FileRecord
from slimage.image.model import Closable, Image, Layer, PlansReads
from slimage.image.tarstream import ContentSink, LayerStream, TarEntry


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
        """Replay the recording of this layer, or read it and record it."""
        recording = self.cache.load(self.digest, self.diff_id)
        if recording is not None:
            replay(state, recording)
            if progress is not None:
                progress(self.compressed_size)
            return LayerRead(recording.uncompressed_size, recording.warnings)
        captured: list[tuple[TarEntry, FileRecord | None, bytearray | None]] = []
        read = read_tar(self, state, progress, recorder(state, captured, state.content_wanted))
        state._fill_digests()  # the recording needs them now (end_layer would fill them next)
        # The layer was read to its end.
        self.cache.store(
            self.digest,
            self.diff_id,
            LayerRecording(
                [
                    RecordedEntry(
                        entry,
                        record.digest if record else None,
                        bytes(kept) if kept is not None else None,
                    )
                    for entry, record, kept in captured
                ],
                read.uncompressed_size,
                list(read.warnings),
            ),
        )
        return read


def recorder(
    state: _Pass,
    captured: list[tuple[TarEntry, FileRecord | None, bytearray | None]],
    content_wanted: Callable[[str, int], bool],
) -> Callable[[TarEntry], ContentSink | None]:
    """``state.handle`` that also notes each entry, its record and the wanted bytes."""

    def handle(entry: TarEntry) -> ContentSink | None:
        sink = state.handle(entry)
        if entry.kind is not FileKind.FILE:
            captured.append((entry, None, None))
            return sink
        record = state.files.get(entry.path)  # None for a whiteout
        # Keep wanted bytes whatever the pass's own cap says: a replay in another image
        # may want them.
        kept = (
            bytearray() if record is not None and content_wanted(entry.path, entry.size) else None
        )
        captured.append((entry, record, kept))
        if kept is None:
            return sink
        if sink is None:
            return kept.extend
        both_sink, extend = sink, kept.extend

        def both(data: memoryview) -> None:
            both_sink(data)
            extend(data)

        return both

    return handle


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
