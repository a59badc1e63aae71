"""One side of a diff: what the comparison needs from an image's analysis, and no more.

:func:`side_of` distils an :class:`~slimage.analysis.result.AnalysisResult` (made with
``digest_files``) into a :class:`Side`: the regular files as plain lists (size, layer,
digest), where unhashed files can be read again, the cause each file is charged to, the
totals, the inventory and the config. It is what travels from the process that analysed
the after image (:mod:`slimage.diff.parallel`): plain values pickle ten times faster than
the analysis's records.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from slimage.analysis.inventory import Inventory
from slimage.filesystem import FileKind

if TYPE_CHECKING:
    from slimage.analysis.result import AnalysisResult

# A regular file: [size, index of the layer that wrote it, sha256 digest or None].
FileEntry = list[Any]


@dataclass
class Side:
    """One image as the diff sees it."""

    source: str
    platform: str | None
    config: Mapping[str, Any]
    diff_ids: list[str]  # per layer, base first
    compressed_sizes: list[int]  # per layer
    size_bytes: int
    final_bytes: int
    waste_bytes: int
    files: dict[str, FileEntry]  # regular files of the final filesystem
    unhashed: dict[str, tuple[int, int]]  # path -> (layer, offset) for files not hashed
    causes: dict[str, str]  # path -> the cause its bytes are charged to
    cause_titles: dict[str, tuple[str, str]]  # cause -> (title, waste class)
    classes: dict[str, int]  # waste class -> bytes
    inventory: Inventory

    @property
    def compressed_bytes(self) -> int:
        return sum(self.compressed_sizes)


def side_of(result: AnalysisResult) -> Side:
    layers = result.layers
    claims = result.explanation.claims
    file_kind = FileKind.FILE
    files: dict[str, FileEntry] = {
        path: [record.size, record.layer_index, record.digest]
        for path, record in layers.files.items()
        if record.kind is file_kind
    }
    titles: dict[str, tuple[str, str]] = {}
    causes: dict[str, str] = {}
    for path, claim in claims.by_path.items():
        causes[path] = claim.cause
        if claim.cause not in titles:
            cause = claims.causes.get(claim.cause)
            titles[claim.cause] = (cause.title if cause else claim.cause, str(claim.waste_class))
    return Side(
        source=result.source,
        platform=result.platform,
        config=result.config,
        diff_ids=[layer.diff_id for layer in layers.layers],
        compressed_sizes=[layer.compressed_size for layer in layers.layers],
        size_bytes=result.size_bytes,
        final_bytes=sum(entry[0] for entry in files.values()),
        waste_bytes=result.waste_bytes,
        files=files,
        unhashed=layers.unhashed,
        causes=causes,
        cause_titles=titles,
        classes=dict(result.explanation.classes),
        inventory=result.explanation.inventory,
    )
