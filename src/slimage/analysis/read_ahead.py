"""Compressed layers read ahead: while the pass reads one layer, the next is inflated,
walked and hashed on a worker thread into a recording, which the pass then replays.

Inflating a gzip layer is most of the work of reading it and cannot be split within one
layer; the pass must take layers in order. So the layer after the one being read is
recorded meanwhile (:func:`~slimage.analysis.layer_recording.record_layer`: its
entries, their content digests and the bytes the explanation wants, as the layer cache
stores them) and replayed through the
pass when its turn comes (:func:`~slimage.analysis.layer_recording.replay`), so two
layers inflate at once on two cores. The recording needs nothing from the pass: what
the pass hashes and keeps depends on the entry alone (its size, ``content_wanted``).

Only layers streamed once are read ahead: a layer in a file that can be read again
(uncompressed, hashed elsewhere) is read directly, as are layers the cache replays; a
layer the cache does not hold yet is read ahead and its recording stored.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence

from slimage.analysis.layer_cache import LayerRecording
from slimage.analysis.layer_reading import FeedsPass, LayerRead
from slimage.analysis.layer_recording import CachedLayer, record_layer
from slimage.analysis.layer_records import Progress
from slimage.image.model import Layer, RereadableLayer

_COMPRESSED = ("gzip", "zstd")


def streamed_once(layer: Layer) -> bool:
    """Whether ``layer`` is read by inflating a stream (registries, gzip/zstd blobs); a
    layer the cache does not hold yet is, when the layer it wraps is."""
    if isinstance(layer, CachedLayer):
        return not layer.cached and streamed_once(layer.layer)
    if isinstance(layer, FeedsPass):
        return False
    if not isinstance(layer, RereadableLayer):
        return True
    return layer.media_type.endswith(_COMPRESSED)


class ReadAhead:
    """Records, on a worker thread, the layers of ``layers`` the pass will replay.

    The pass reads layer ``n`` itself and calls :meth:`start` for layer ``n + 1`` first;
    :meth:`take` then waits for that recording. One layer at most is read ahead, so
    memory holds one layer's entries more than a direct read does.
    """

    def __init__(
        self,
        layers: Sequence[Layer],
        content_wanted: Callable[[str, int], bool],
        hash_min_size: int,
        progress: Progress | None,
    ) -> None:
        self._layers = layers
        self._content_wanted = content_wanted
        self._hash_min_size = hash_min_size
        self._progress = progress
        self._index: int | None = None
        self._thread: threading.Thread | None = None
        self._result: tuple[LayerRecording, LayerRead] | BaseException | None = None

    def start(self, index: int) -> None:
        """Begin recording layer ``index`` (when it is streamed once)."""
        if self._thread is not None or index >= len(self._layers):
            return
        if not streamed_once(self._layers[index]):
            return
        self._index = index
        self._thread = threading.Thread(
            target=self._record, args=(self._layers[index],), name="slimage-read-ahead", daemon=True
        )
        self._thread.start()

    def _record(self, layer: Layer) -> None:
        try:
            self._result = record_layer(
                layer, self._content_wanted, self._hash_min_size, self._progress
            )
        except BaseException as error:  # raised where the pass takes the layer
            self._result = error

    def take(self, index: int) -> tuple[LayerRecording, LayerRead] | None:
        """The recording of layer ``index`` if it was read ahead (waiting for it)."""
        if self._thread is None or self._index != index:
            return None
        self._thread.join()
        result, self._result, self._thread, self._index = self._result, None, None, None
        if isinstance(result, BaseException):
            raise result
        assert result is not None
        layer = self._layers[index]
        if isinstance(layer, CachedLayer):  # read to its end and verified: cache it
            layer.keep(result[0])
        return result

    def abandon(self) -> None:
        """Forget a recording the pass will not take (it stopped on an error): the worker
        ends on its own, with its layer or with the error closing the image gives it."""
        self._thread = self._index = self._result = None
