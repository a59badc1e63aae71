"""What the streaming pass reports: per-layer summaries, hidden items, the whole
:class:`LayerAnalysis`, and the digest checks left to run (:class:`PendingChecks`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from slimage.analysis.efficiency import DiveEfficiency
from slimage.filesystem import FileKind, FileRecord

WHITEOUT = ".wh."
OPAQUE = ".wh..wh..opq"
# Files at least this big get a content hash (for duplicates); smaller ones cost more in
# per-file hashing than their duplicates could save.
HASH_MIN_SIZE = 4096
# Bytes compared at each end of same-size files before hashing them whole.
SAMPLE = 512
# A file's place for hashing it after the pass: (layer index << _LAYER_SHIFT) | offset.
_LAYER_SHIFT = 48
_OFFSET_MASK = (1 << _LAYER_SHIFT) - 1
# Ceiling on the bytes kept for explain(), whatever content_wanted asks.
MAX_KEPT_CONTENT = 128 << 20
TOP_N = 10
MAX_WARNINGS = 50

HIDDEN_CAUSES = ("overwritten", "deleted_file", "deleted_dir", "opaque")


@dataclass
class HiddenItem:
    """A path whose bytes are in a layer but not in the final filesystem."""

    path: str
    size: int
    cause: str
    from_layer: int  # the layer that wrote the bytes (for a directory: the biggest writer)
    by_layer: int  # the layer whose entry hid them


@dataclass
class LayerSummary:
    """One layer: identity, sizes, entry counts, the steps that made it and its biggest paths."""

    index: int
    digest: str
    diff_id: str
    media_type: str
    compressed_size: int
    uncompressed_size: int = 0  # bytes of the tar stream
    content_bytes: int = 0  # regular file bytes the layer carries
    entries: int = 0
    files: int = 0
    dirs: int = 0
    symlinks: int = 0
    hardlinks: int = 0
    other: int = 0
    whiteouts: int = 0
    opaque_dirs: int = 0
    created_by: str | None = None  # the history step(s) that made the layer
    history_index: int | None = None
    squashed_steps: int = 1  # how many layer-making history steps this layer stands for
    hidden_later_bytes: int = 0  # this layer's bytes that later entries hid
    hides_bytes: int = 0  # earlier bytes this layer's entries hid
    biggest_files: list[tuple[str, int]] = field(default_factory=list)
    biggest_dirs: list[tuple[str, int]] = field(default_factory=list)

    @property
    def kept_bytes(self) -> int:
        return self.content_bytes - self.hidden_later_bytes


@dataclass
class LayerAnalysis:
    """What the streaming pass found: layers, final filesystem, hidden bytes and dive's score."""

    layers: list[LayerSummary]
    files: dict[str, FileRecord]  # the final filesystem, path -> record
    contents: dict[str, bytes]  # bytes of the final files content_wanted asked for
    hidden: dict[str, int]  # cause -> bytes
    hidden_items: list[HiddenItem]  # the biggest, largest first
    dive: DiveEfficiency
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # Bytes under the paths the caller asked to ignore (for gates), in all layers / hidden.
    ignored_content_bytes: int = 0
    ignored_hidden_bytes: int = 0
    # With ``digest_files``: final files whose contents were not hashed in the pass (their
    # layer can be read again), path -> (layer index, offset of the contents in its tar).
    unhashed: dict[str, tuple[int, int]] = field(default_factory=dict)

    @property
    def content_bytes(self) -> int:
        return sum(layer.content_bytes for layer in self.layers)

    @property
    def final_bytes(self) -> int:
        return sum(r.size for r in self.files.values() if r.kind is FileKind.FILE)

    @property
    def hidden_bytes(self) -> int:
        return sum(self.hidden.values())

    @property
    def compressed_bytes(self) -> int:
        return sum(layer.compressed_size for layer in self.layers)


Progress = Callable[[int], None]  # called with the number of stored bytes just read


@dataclass
class PendingChecks:
    """Layer identity checks not yet run (their digests are computed on another thread),
    and what to close once they have run."""

    checks: list[Callable[[], None]] = field(default_factory=list)
    closers: list[Callable[[], None]] = field(default_factory=list)

    def run(self) -> None:
        """Run every check, in layer order (the first failure is raised), then close."""
        try:
            checks, self.checks = self.checks, []
            for check in checks:
                check()
        finally:
            closers, self.closers = self.closers, []
            for close in closers:
                close()
