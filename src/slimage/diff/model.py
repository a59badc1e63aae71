"""What ``slimage diff`` found between two images: plain records, no I/O.

:class:`ImageDiff` is computed by :func:`slimage.diff.diff_images` and read by the
renderers (``slimage.report.diff_text``, ``diff_json``, ``diff_markdown``). Byte counts are
exact integers; a "delta" is after minus before (negative: the image shrank).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from slimage.image.credentials import Credentials

# The bandwidth a pull time is estimated at when none is given: 100 Mbit/s.
DEFAULT_BANDWIDTH_BITS = 100_000_000


@dataclass(frozen=True)
class DiffOptions:
    """How two images are read and compared.

    ``max_growth_bytes`` / ``max_growth_ratio``: the growth gate (``--max-growth``): the
    after image's size may exceed the before image's by at most this many bytes, or this
    share of the before size (0.05 = 5 %). ``directory_depth``: changes are grouped by
    their first N directories (``/usr/lib/gcc``). ``parallel``: read the after image in a
    forked process at the same time (see :mod:`slimage.diff.parallel`).
    """

    bandwidth_bits: int = DEFAULT_BANDWIDTH_BITS
    max_growth_bytes: int | None = None
    max_growth_ratio: float | None = None
    directory_depth: int = 3
    platform: str | None = None
    insecure_registry: bool = False
    credentials: Credentials | None = None
    parallel: bool = True


@dataclass
class ImageTotals:
    """One side's totals: sizes, layers and the estimated pull time."""

    source: str
    platform: str | None
    size_bytes: int  # regular-file bytes of all layers (what --max-size of analyze counts)
    final_bytes: int  # bytes of the final filesystem's files
    compressed_bytes: int  # the layers as stored: what a pull downloads
    layers: int
    files: int  # regular files in the final filesystem
    waste_bytes: int  # hidden bytes plus classified waste (as analyze reports it)
    pull_seconds: float  # compressed_bytes at the diff's bandwidth


@dataclass
class FileChange:
    """One regular file added, removed or changed in content (by digest, not mtime)."""

    path: str  # "/usr/bin/gcc"
    change: str  # "added", "removed" or "changed"
    before_bytes: int  # 0 when added
    after_bytes: int  # 0 when removed
    cause: str = ""  # the analysis cause its bytes are charged to ("" when none)

    @property
    def delta(self) -> int:
        return self.after_bytes - self.before_bytes

    @property
    def weight(self) -> int:
        """How big the change is, to sort by: the bigger of the two sizes."""
        return max(self.before_bytes, self.after_bytes)


@dataclass
class ChangeGroup:
    """File changes under one directory, or charged to one analysis cause."""

    key: str  # the directory ("/usr/lib/gcc") or the cause id ("toolchain-packages")
    title: str  # what a person reads: the directory, or the cause's title
    waste_class: str = ""  # causes only: "build-toolchain", "package-cache", ...
    added_files: int = 0
    added_bytes: int = 0
    removed_files: int = 0
    removed_bytes: int = 0
    changed_files: int = 0
    changed_delta: int = 0  # after minus before, over the changed files

    @property
    def delta(self) -> int:
        return self.added_bytes - self.removed_bytes + self.changed_delta

    @property
    def weight(self) -> int:
        return self.added_bytes + self.removed_bytes + abs(self.changed_delta)

    def add(self, change: FileChange) -> None:
        if change.change == "added":
            self.added_files += 1
            self.added_bytes += change.after_bytes
        elif change.change == "removed":
            self.removed_files += 1
            self.removed_bytes += change.before_bytes
        else:
            self.changed_files += 1
            self.changed_delta += change.delta


@dataclass
class ClassChange:
    """Classified waste of one class (as ``analyze`` counts it) before and after."""

    waste_class: str
    before_bytes: int
    after_bytes: int

    @property
    def delta(self) -> int:
        return self.after_bytes - self.before_bytes


@dataclass
class PackageChange:
    """An OS or language package added, removed, upgraded or downgraded."""

    manager: str  # "dpkg", "apk", "python", "node"
    name: str
    change: str  # "added", "removed", "upgraded", "downgraded"
    before_version: str = ""
    after_version: str = ""
    before_bytes: int = 0
    after_bytes: int = 0
    location: str = ""  # python/node: the directory it is installed in


@dataclass
class SetChange:
    """A set of things present before and after: shells, package managers, setuid files."""

    name: str  # "shell", "package managers", "setuid files", "setgid files"
    before: list[str]
    after: list[str]

    @property
    def added(self) -> list[str]:
        return [item for item in self.after if item not in self.before]

    @property
    def removed(self) -> list[str]:
        return [item for item in self.before if item not in self.after]

    @property
    def changed(self) -> bool:
        return self.before != self.after


@dataclass
class ConfigChange:
    """One setting of the image config that differs (``notable``: the user or what runs)."""

    key: str  # "User", "Entrypoint", "Cmd", "WorkingDir", "Env PATH", "ExposedPorts", ...
    before: str | None  # as text; None when unset
    after: str | None
    notable: bool = False


@dataclass
class GrowthGate:
    """``--max-growth``: how much the size may grow, and whether it stayed within."""

    limit: float  # bytes, or a share of the before size when unit is "ratio"
    unit: str  # "bytes" or "ratio"
    value: float  # the growth measured in the same unit
    passed: bool


@dataclass
class FileTotals:
    """How many files were added, removed and changed, and their bytes."""

    added_files: int = 0
    added_bytes: int = 0
    removed_files: int = 0
    removed_bytes: int = 0
    changed_files: int = 0
    changed_before_bytes: int = 0
    changed_after_bytes: int = 0
    unchanged_files: int = 0
    unchanged_bytes: int = 0


@dataclass
class ImageDiff:
    """Two images compared by content: totals, files, packages, inventory and config."""

    before: ImageTotals
    after: ImageTotals
    bandwidth_bits: int
    shared_layers: int  # layers (by diff_id) the after image shares with the before image
    new_layer_bytes: int  # compressed bytes of the after image's layers the before lacks
    file_totals: FileTotals
    files: list[FileChange]  # every change, biggest first
    directories: list[ChangeGroup]  # biggest first
    causes: list[ChangeGroup]  # biggest first; key "" for files no cause claims
    waste_classes: list[ClassChange]  # classes whose bytes differ
    packages: list[PackageChange]
    inventory: list[SetChange]  # every set, changed or not
    config: list[ConfigChange]
    gates: list[GrowthGate] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def size_delta(self) -> int:
        return self.after.size_bytes - self.before.size_bytes

    @property
    def compressed_delta(self) -> int:
        return self.after.compressed_bytes - self.before.compressed_bytes

    @property
    def gates_passed(self) -> bool:
        return all(gate.passed for gate in self.gates)
