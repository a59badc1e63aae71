"""The treemap data of the HTML report: the image's bytes as a bounded tree.

The tree's root holds every byte the layers carry (``summary.content_bytes`` of the JSON
report): one child per top-level directory of the final filesystem, and one ``hidden``
child for the bytes later layers hide (per source layer, exact, with the biggest hidden
paths under each). Each file's bytes carry the *family* of the waste class
:func:`~slimage.analysis.explain.explain` charged them to (its colour) and the layer that
wrote them (for the layer filter).

A 200k-file image must stay a page of well under 1 MB, so the tree is bounded: directories
are expanded biggest first until :data:`MAX_NODES` nodes are out, and within an expanded
directory the children too small to be seen (under 1/:data:`MIN_SHARE_DIVISOR` of the
image) are merged into one "N more files" node. A node that stands for many files keeps
its bytes per layer, so filtering by layer stays exact at every level.

Node shape (JSON, short keys to keep the page small): ``n`` name, ``s`` bytes, ``f``
family (the family of most of its bytes), ``l`` bytes per layer index (``{"3": 1200}``),
``k`` number of files it stands for, ``c`` children (directories only), ``m`` 1 for a
merged "more files" node, ``h`` 1 for the hidden-bytes subtree.
"""

from __future__ import annotations

import heapq
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from slimage.filesystem import FileKind

if TYPE_CHECKING:
    from slimage.analysis.result import AnalysisResult

MAX_NODES = 4000
MIN_SHARE_DIVISOR = 5000

# Colour families: the causes a reader tells apart at a glance. Each waste class of
# slimage.analysis.path_rules.WasteClass belongs to one; unclaimed bytes are "kept".
FAMILIES: dict[str, tuple[str, tuple[str, ...]]] = {
    "kept": ("kept (the app and what it needs)", ()),
    "base": ("heavy base image", ("heavy-base",)),
    "toolchain": ("build toolchain and leftovers", ("build-toolchain", "build-leftovers")),
    "caches": ("package and bytecode caches", ("package-cache", "bytecode-cache")),
    "dev": ("dev dependencies, tests, source maps", ("dev-dependencies", "tests", "source-maps")),
    "docs": ("docs and locales", ("docs", "locales")),
    "vcs": ("VCS directories and secrets", ("vcs", "secrets")),
    "duplicates": ("duplicate files", ("duplicates",)),
    "hidden": ("hidden by a later layer", ()),
}
FAMILY_OF_CLASS = {waste: family for family, (_, classes) in FAMILIES.items() for waste in classes}


def family_of(waste_class: str | None) -> str:
    if waste_class is None:
        return "kept"
    return FAMILY_OF_CLASS.get(waste_class, "kept")


@dataclass
class _Dir:
    """A directory of the full tree while it is built: its files and subdirectories."""

    name: str
    size: int = 0
    files: int = 0
    layers: dict[int, int] = field(default_factory=dict)
    families: dict[str, int] = field(default_factory=dict)
    dirs: dict[str, _Dir] = field(default_factory=dict)
    # name -> (size, layer, family) of the regular files directly in this directory
    leaves: dict[str, tuple[int, int, str]] = field(default_factory=dict)


def _add(target: _Dir, size: int, layer: int, family: str) -> None:
    target.size += size
    target.files += 1
    target.layers[layer] = target.layers.get(layer, 0) + size
    target.families[family] = target.families.get(family, 0) + size


def build_tree(files: Mapping[str, Any], waste_by_path: Mapping[str, str]) -> _Dir:
    """The full directory tree of the regular files with bytes (empty files have no area).

    Each file is added to its own directory only; directories' totals are then summed
    bottom-up once per directory (a 200k-file image has a few thousand directories).
    """
    root = _Dir("/")
    directories: dict[str, _Dir] = {"": root}
    file_kind = FileKind.FILE
    for path, record in files.items():
        if record.kind is not file_kind or record.size <= 0:
            continue
        head, _, name = path.rpartition("/")
        node = directories.get(head)
        if node is None:
            node = _directory(directories, head)
        family = family_of(waste_by_path.get(path))
        node.leaves[name] = (record.size, record.layer_index, family)
        _add(node, record.size, record.layer_index, family)
    # Deepest first, so a directory's total is complete before it goes to its parent.
    for path in sorted(directories, key=lambda path: -path.count("/")):
        if not path:
            continue
        node = directories[path]
        parent = directories[path.rpartition("/")[0]]
        parent.size += node.size
        parent.files += node.files
        for index, size in node.layers.items():
            parent.layers[index] = parent.layers.get(index, 0) + size
        for family, size in node.families.items():
            parent.families[family] = parent.families.get(family, 0) + size
    return root


def _directory(directories: dict[str, _Dir], path: str) -> _Dir:
    """The directory at ``path``, created with its missing parents."""
    head, _, name = path.rpartition("/")
    parent = directories.get(head)
    if parent is None:
        parent = _directory(directories, head)
    node = directories[path] = _Dir(name)
    parent.dirs[name] = node
    return node


def _dominant(families: Mapping[str, int]) -> str:
    return max(families.items(), key=lambda item: (item[1], item[0]))[0] if families else "kept"


def _layers(layers: Mapping[int, int]) -> dict[str, int]:
    return {str(index): size for index, size in sorted(layers.items()) if size}


def _summary_node(directory: _Dir) -> dict[str, Any]:
    """A directory shown as one cell (not expanded): its bytes, files, layers, family."""
    return {
        "n": directory.name,
        "s": directory.size,
        "f": _dominant(directory.families),
        "l": _layers(directory.layers),
        "k": directory.files,
    }


def bound_tree(root: _Dir, max_nodes: int = MAX_NODES) -> dict[str, Any]:
    """The tree as nested nodes, at most about ``max_nodes`` of them (see the module doc)."""
    min_size = max(1, root.size // MIN_SHARE_DIVISOR)
    out_root = _summary_node(root)
    out_root["c"] = []
    count = 1
    order = 0  # a tie-breaker: heap entries never compare their dicts
    heap: list[tuple[int, int, _Dir, dict[str, Any]]] = [(-root.size, order, root, out_root)]
    while heap and count < max_nodes:
        _, _, directory, out = heapq.heappop(heap)
        children: list[dict[str, Any]] = []
        out["c"] = children
        out.pop("k", None)
        merged = _Dir("")
        for name, (size, layer, family) in directory.leaves.items():
            if size >= min_size:
                children.append({"n": name, "s": size, "f": family, "l": {str(layer): size}})
            else:
                _add(merged, size, layer, family)
        for sub in directory.dirs.values():
            if sub.size < min_size:
                merged.size += sub.size
                merged.files += sub.files
                for index, size in sub.layers.items():
                    merged.layers[index] = merged.layers.get(index, 0) + size
                for family, size in sub.families.items():
                    merged.families[family] = merged.families.get(family, 0) + size
                continue
            node = _summary_node(sub)
            children.append(node)
            order += 1
            heapq.heappush(heap, (-sub.size, order, sub, node))
        if merged.size:
            node = _summary_node(merged)
            node["n"] = f"{merged.files} more files" if merged.files != 1 else "1 more file"
            node["m"] = 1
            children.append(node)
        children.sort(key=lambda node: -int(node["s"]))
        count += len(children)
    # Directories left unexpanded by the budget are leaves that stand for their files.
    return out_root


def hidden_subtree(result: AnalysisResult) -> dict[str, Any] | None:
    """The bytes later layers hide: per layer that wrote them (exact), biggest paths under."""
    layers = result.layers
    total = layers.hidden_bytes
    if total <= 0:
        return None
    children: list[dict[str, Any]] = []
    for layer in layers.layers:
        hidden = layer.hidden_later_bytes
        if hidden <= 0:
            continue
        items = [item for item in layers.hidden_items if item.from_layer == layer.index]
        listed = sum(item.size for item in items)
        node: dict[str, Any] = {
            "n": f"from layer {layer.index + 1}",
            "s": hidden,
            "f": "hidden",
            "l": {str(layer.index): hidden},
            "h": 1,
        }
        # A deleted directory's item names its biggest writer, so the listed items of a
        # layer may exceed what it lost; then the layer stays one cell, exact.
        if items and listed <= hidden:
            node["c"] = [
                {
                    "n": "/" + item.path,
                    "s": item.size,
                    "f": "hidden",
                    "l": {str(layer.index): item.size},
                    "h": 1,
                    "cause": item.cause,
                }
                for item in items
                if item.size > 0
            ]
            if hidden > listed:
                node["c"].append(
                    {
                        "n": "other hidden bytes",
                        "s": hidden - listed,
                        "f": "hidden",
                        "l": {str(layer.index): hidden - listed},
                        "h": 1,
                        "m": 1,
                    }
                )
        children.append(node)
    by_layer = {str(layer.index): layer.hidden_later_bytes for layer in layers.layers}
    return {
        "n": "hidden by later layers",
        "s": total,
        "f": "hidden",
        "l": {index: size for index, size in by_layer.items() if size},
        "h": 1,
        "c": sorted(children, key=lambda node: -node["s"]),
    }


def treemap_data(result: AnalysisResult, max_nodes: int = MAX_NODES) -> dict[str, Any]:
    """The root node: the final filesystem's top-level directories plus the hidden bytes."""
    waste = {
        path: str(claim.waste_class) for path, claim in result.explanation.claims.by_path.items()
    }
    tree = bound_tree(build_tree(result.layers.files, waste), max_nodes)
    hidden = hidden_subtree(result)
    root = {
        "n": "/",
        "s": tree["s"],
        "f": tree["f"],
        "l": dict(tree["l"]),
        "c": list(tree.get("c", [])),
    }
    if hidden is not None:
        root["s"] += hidden["s"]
        for index, size in hidden["l"].items():
            root["l"][index] = root["l"].get(index, 0) + size
        root["c"].append(hidden)
        root["c"].sort(key=lambda node: -node["s"])
    return root
