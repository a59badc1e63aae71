"""Recording a layer as the pass reads it, and replaying a recording through the pass
(the layer cache's two halves inside the pass; see :mod:`slimage.analysis.layer_cache`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from slimage.analysis.overlay import _Pass
from slimage.filesystem import FileKind, FileRecord
from slimage.image.tarstream import ContentSink, TarEntry

if TYPE_CHECKING:
    from slimage.analysis.layer_cache import LayerRecording


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
