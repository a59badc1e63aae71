"""Which files to hash for duplicates when a layer can be read again after the pass.

Only files that end up sharing their size with another final file can be duplicates;
their two ends are compared first, and only same-size, same-ends files are hashed whole,
read from where they are in the (uncompressed, stored) layer.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from slimage.analysis.layer_records import _LAYER_SHIFT, _OFFSET_MASK, HASH_MIN_SIZE, SAMPLE
from slimage.analysis.overlay import _Pass
from slimage.filesystem import FileKind, FileRecord
from slimage.image.model import ContentReader, Layer, RereadableLayer


def _hash_candidates(state: _Pass, layers: Sequence[Any]) -> None:
    """Hash the final files left unhashed that could be duplicates, exactly and cheaply.

    Equal contents have equal sizes and equal first and last bytes, so only files whose
    size another final file shares (at least HASH_MIN_SIZE) are looked at, and of those
    only the ones whose sampled ends also match another's are hashed in full. On a
    typical image that is a small share of its bytes.
    """
    if not state.locations:
        return
    files = state.files
    counts: dict[int, int] = {}
    hashed_sizes: set[int] = set()  # of files hashed as they streamed (other layers)
    for record in files.values():
        if record.kind is FileKind.FILE and record.size >= HASH_MIN_SIZE:
            counts[record.size] = counts.get(record.size, 0) + 1
            if record.digest is not None:
                hashed_sizes.add(record.size)
    candidates: list[tuple[int, FileRecord]] = []
    for path, location in state.locations.items():
        final = files.get(path)
        if (
            final is not None
            and final.kind is FileKind.FILE
            and final.digest is None
            and counts.get(final.size, 0) > 1
        ):
            candidates.append((location, final))
    if not candidates:
        return
    candidates.sort(key=lambda item: item[0])  # by layer, then by offset
    readers: dict[int, ContentReader] = {}
    try:
        # A key collision (Python's hash of the samples) only costs a needless full hash.
        groups: dict[tuple[int, int], list[tuple[int, FileRecord]]] = {}
        wanted: list[tuple[int, FileRecord]] = []
        for location, final in candidates:
            if final.size in hashed_sizes:
                wanted.append((location, final))  # its ends cannot be compared: hash it
                continue
            reader = _contents(readers, layers, location >> _LAYER_SHIFT)
            offset, size = location & _OFFSET_MASK, final.size
            head = hash(reader.read(offset, SAMPLE).tobytes())
            tail = hash(reader.read(offset + size - SAMPLE, SAMPLE).tobytes())
            groups.setdefault((size, head ^ (tail * 31)), []).append((location, final))
        wanted += [item for group in groups.values() if len(group) > 1 for item in group]
        wanted.sort(key=lambda item: item[0])
        for location, final in wanted:
            reader = _contents(readers, layers, location >> _LAYER_SHIFT)
            final.digest = reader.digest(location & _OFFSET_MASK, final.size)
    finally:
        for reader in readers.values():
            reader.close()


def _contents(
    readers: dict[int, ContentReader], layers: Sequence[Layer], index: int
) -> ContentReader:
    reader = readers.get(index)
    if reader is None:
        layer = layers[index]
        assert isinstance(layer, RereadableLayer)  # only such layers defer their hashing
        reader = readers[index] = layer.open_contents()
    return reader
