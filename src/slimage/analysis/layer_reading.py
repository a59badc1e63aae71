"""How the streaming pass gets one layer's entries: its tar, read through
:meth:`~slimage.image.model.Layer.open_uncompressed`, or whatever a layer that
:class:`FeedsPass` hands over itself (a layer replayed from the layer cache:
:mod:`slimage.analysis.layer_recording`). The pass calls :func:`read_layer` for every
layer and does not know which it was.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from slimage.analysis.layer_records import Progress
from slimage.analysis.overlay import _Pass
from slimage.analysis.progress import Counted
from slimage.image.model import Layer, RereadableLayer
from slimage.image.tarstream import scan_tar


@dataclass
class LayerRead:
    """What reading one layer into the pass found besides its entries."""

    uncompressed_size: int
    warnings: list[str] = field(default_factory=list)
    # The layer's identity check when it was left to run later (see PendingChecks).
    pending_check: Callable[[], None] | None = None


@runtime_checkable
class FeedsPass(Protocol):
    """A layer that feeds its entries to the pass itself instead of being scanned as a
    tar into it (the layer cache's: a replay, or a recording of its tar replayed)."""

    def feed_pass(self, state: _Pass, progress: Progress | None) -> LayerRead: ...


def read_layer(layer: Layer, state: _Pass, progress: Progress | None) -> LayerRead:
    """Feed ``layer``'s entries to ``state`` (the current layer of the pass)."""
    if isinstance(layer, FeedsPass):
        return layer.feed_pass(state, progress)
    return read_tar(layer, state, progress)


def read_tar(layer: Layer, state: _Pass, progress: Progress | None) -> LayerRead:
    """Scan ``layer``'s uncompressed tar into the pass, verifying it to its end; the
    identity check is left in the result to run later."""
    with layer.open_uncompressed() as stream:
        # Hash after the pass what can be read again (see _hash_candidates).
        state.deferring = stream.rereadable and isinstance(layer, RereadableLayer)
        stream.defer_check = True
        source = Counted(stream, progress) if progress is not None else stream
        scan_tar(source, state.handle)
        state._finish_pending()
        stream.finish()
        return LayerRead(stream.uncompressed_size, list(stream.warnings), stream.pending_check)
