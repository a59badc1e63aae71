"""Progress of the pass: stored bytes read, reported as the tar scan pulls chunks."""

from __future__ import annotations

from slimage.analysis.layer_records import Progress
from slimage.image.tarstream import Chunk, LayerStream


class Counted:
    """Reports stored bytes read to ``progress`` as the scan pulls chunks."""

    def __init__(self, stream: LayerStream, progress: Progress) -> None:
        self.stream = stream
        self.label = stream.label
        self.warnings = stream.warnings
        self.rereadable = stream.rereadable
        self.progress = progress
        self.seen = 0

    def read_chunk(self) -> Chunk:
        chunk = self.stream.read_chunk()
        self._report()
        return chunk

    def skip(self, size: int) -> None:
        self.stream.skip(size)
        self._report()

    def _report(self) -> None:
        done = self.stream.compressed_size
        if done > self.seen:
            self.progress(done - self.seen)
            self.seen = done
