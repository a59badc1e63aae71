"""dive's efficiency score, wastedBytes and userWastedPercent, computed as dive 0.13 does.

Users bring dive CI thresholds (``lowestEfficiency``, ``highestWastedBytes``,
``highestUserWastedPercent``); these numbers let them keep those gates. They are *not*
slimage's hidden bytes, and differ from them on purpose. dive's algorithm
(``dive/filetree/efficiency.go``, ``Efficiency``; ``dive/image/analysis.go``, ``Analyze``):

1. Each layer is a tree of its tar entries (plus implicit parent directories). Only its
   *leaves* are visited, children before parents, names sorted at each level.
2. Per path, a visit adds the entry's header size to the path's cumulative size and keeps
   the smallest size seen. A whiteout ``.wh.NAME`` visits NAME with the summed sizes of
   everything under NAME in the stack of the lower layers if NAME was a directory there,
   and with 0 if it was a file. dive ignores opaque whiteouts entirely.
3. A path visited twice or more is an "inefficiency"; ``wastedBytes`` is the sum of the
   cumulative sizes of those paths; the score is ``sum(min sizes) / sum(cumulative)``
   (1.0 when nothing was seen).
4. ``userWastedPercent`` is ``wastedBytes`` over the summed header sizes of every layer
   but the first (a fraction, despite the name).

How that differs from slimage's exact hidden bytes:

- an overwritten file counts *both* copies as waste in dive (the copy the image keeps
  too); slimage counts only the hidden copy;
- a deleted directory adds nothing to dive's waste (its whiteout is the only visit of
  that path); slimage counts every byte under it;
- opaque whiteouts hide nothing in dive; slimage counts the lower children they hide;
- two entries for one path within a layer count once in dive;
- waste that never leaves the final filesystem (caches, toolchains) is invisible to both
  measures; slimage's classified waste covers it.

Two of dive's quirks are reproduced because they change its numbers: a whiteout whose
target does not exist in the lower layers (or any whiteout in the first layer) makes dive
stop visiting the rest of that layer, in visit order, leaving a minimum of -1 for that
path in its score; and a directory no lower layer gave a header of its own is not a
directory to dive (its whiteout weighs 0). Not reproduced: dive also forgets a directory
header when a later layer mentions the directory only implicitly (as the parent of an
entry, with no header); layers written by Docker, BuildKit and buildah carry the headers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

TOP_INEFFICIENCIES = 20


@dataclass
class DiveEfficiency:
    """dive's numbers for an image: efficiency score, wasted bytes and the paths that waste most."""

    efficiency: float  # dive's score, 0..1
    wasted_bytes: int
    size_bytes: int  # summed header sizes of all layers
    user_size_bytes: int  # the same without the first layer
    inefficiencies: list[tuple[str, int, int]] = field(default_factory=list)  # path, count, bytes
    aborted_layers: list[int] = field(default_factory=list)  # layers dive stops visiting early

    @property
    def user_wasted_fraction(self) -> float:
        """``wastedBytes / userSizeBytes``; NaN or inf, as in Go, when there is no user layer."""
        if self.user_size_bytes:
            return self.wasted_bytes / self.user_size_bytes
        return math.nan if self.wasted_bytes == 0 else math.inf


@dataclass
class _LayerNodes:
    """One layer as dive sees it: entry header sizes and whiteouts (until walked), and their sum."""

    index: int
    nodes: dict[str, int] = field(default_factory=dict)  # raw path -> header size
    whiteouts: dict[str, tuple[str, int | None]] = field(default_factory=dict)
    dive_size: int = 0


class DiveTracker:
    """Collects what dive would see, layer by layer, during slimage's single pass."""

    def __init__(self) -> None:
        self.layers: list[_LayerNodes] = []
        self.current = _LayerNodes(0)
        self.seen: dict[str, int] = {}  # path -> size, for paths visited once
        self.multi: dict[str, list[int]] = {}  # path -> [cumulative, minimum, visits]
        self.discovered = 0
        # Files an opaque whiteout hid: still present for dive, which ignores opaques.
        self.ghosts: dict[str, tuple[int, bool]] = {}
        self.aborted: list[int] = []
        self.failed: set[str] = set()  # paths whose only "visit" failed

    def start_layer(self, index: int) -> None:
        self.current = _LayerNodes(index)
        self.layers.append(self.current)

    def add_entry(self, raw_path: str, size: int, is_dir: bool) -> None:
        self.current.nodes[raw_path] = size
        self.current.dive_size += size
        if self.ghosts:
            self.ghosts.pop(raw_path, None)

    def add_opaque_parent(self, parent: str) -> None:
        # dive never adds `.wh..wh..*` names, but creates their parent node on the way.
        if parent and parent not in self.current.nodes:
            self.current.nodes[parent] = 0

    def add_whiteout(self, raw_path: str, target: str, lower_bytes: int | None) -> None:
        """``lower_bytes``: dive's size for the whiteout, None when its target is missing."""
        if self.current.index == 0:
            lower_bytes = None  # dive stacks layer 0 onto itself: the target is never found
        self.current.nodes[raw_path] = 0
        self.current.whiteouts[raw_path] = (target, lower_bytes)

    def add_ghost(self, path: str, size: int, is_dir: bool) -> None:
        self.ghosts[path] = (size, is_dir)

    def ghost(self, path: str) -> tuple[int, bool] | None:
        return self.ghosts.get(path) if self.ghosts else None

    def take_ghosts(self, top: str) -> int:
        """Remove and sum the ghosts below ``top``."""
        if not self.ghosts:
            return 0
        prefix = top + "/"
        below = [path for path in self.ghosts if path.startswith(prefix)]
        total = sum(self.ghosts.pop(path)[0] for path in below)
        self.ghosts.pop(top, None)
        return total

    def end_layer(self) -> None:
        layer = self.current
        if any(size is None for _, size in layer.whiteouts.values()):
            self._walk_in_order(layer)  # the walk stops at the first missing target
        else:
            self._walk_leaves(layer)
        layer.nodes = {}
        layer.whiteouts = {}

    def _walk_in_order(self, layer: _LayerNodes) -> None:
        """dive's walk of a layer: children first, names sorted, leaves only."""
        # That order is the order of paths compared component by component: "/" sorts
        # below every byte.
        ordered = sorted((path.replace("/", "\0"), path) for path in layer.nodes)
        count = len(ordered)
        for position, (key, path) in enumerate(ordered):
            if position + 1 < count and ordered[position + 1][0].startswith(key + "\0"):
                continue  # not a leaf
            whiteout = layer.whiteouts.get(path)
            if whiteout is not None:
                target, size = whiteout
                if size is None:
                    self._abort(layer.index, target)
                    break
                self._visit(target, size)
            else:
                self._visit(path, layer.nodes[path])

    def _walk_leaves(self, layer: _LayerNodes) -> None:
        """The same visits when nothing stops the walk: they add up in any order, so the
        leaves (the nodes no other node is below) are visited unsorted."""
        nodes, whiteouts = layer.nodes, layer.whiteouts
        above: set[str] = set()  # every directory some node is below
        for path in nodes:
            slash = path.rfind("/")
            while slash > 0:
                parent = path[:slash]
                if parent in above:
                    break
                above.add(parent)
                slash = parent.rfind("/")
        for path, size in nodes.items():
            if path in above:
                continue
            whiteout = whiteouts.get(path) if whiteouts else None
            if whiteout is None:
                self._visit(path, size)
            else:
                target, lower = whiteout
                self._visit(target, lower if lower is not None else 0)

    def _abort(self, index: int, path: str) -> None:
        # dive has already created the path's record (minimum -1, no visit) when the
        # lookup fails; that -1 stays in its score unless a later visit replaces it.
        self.aborted.append(index)
        if path not in self.seen and path not in self.multi:
            self.failed.add(path)

    def _visit(self, path: str, size: int) -> None:
        self.discovered += size
        many = self.multi.get(path)
        if many is not None:
            many[0] += size
            if size < many[1]:
                many[1] = size
            many[2] += 1
            return
        previous = self.seen.pop(path, None)
        if previous is None:
            self.failed.discard(path)
            self.seen[path] = size
        else:
            self.multi[path] = [previous + size, min(previous, size), 2]

    def result(self, layer_sizes: list[int]) -> DiveEfficiency:
        minimum = sum(self.seen.values()) + sum(item[1] for item in self.multi.values())
        minimum -= len(self.failed)
        score = minimum / self.discovered if self.discovered else 1.0
        wasted = sum(item[0] for item in self.multi.values())
        top = sorted(self.multi.items(), key=lambda item: (-item[1][0], item[0]))
        return DiveEfficiency(
            efficiency=score,
            wasted_bytes=wasted,
            size_bytes=sum(layer_sizes),
            user_size_bytes=sum(layer_sizes[1:]),
            inefficiencies=[
                ("/" + path, item[2], item[0]) for path, item in top[:TOP_INEFFICIENCIES]
            ],
            aborted_layers=list(self.aborted),
        )
