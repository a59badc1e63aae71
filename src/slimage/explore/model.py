"""What the explorer shows, as plain data: the file tree of a view, built from the analysis.

The analysis keeps one record per path of the *final* filesystem, each with the layer that
last wrote it (:attr:`slimage.analysis.layers.LayerAnalysis.files`), the waste class of
every claimed file (:attr:`slimage.analysis.explain.Explanation.claims`) and the
biggest hidden paths (:attr:`~slimage.analysis.layers.LayerAnalysis.hidden_items`). It does
not keep each layer's full list of entries (that would cost memory per layer entry on a
200k-file image), so a layer's tree is the final filesystem's files that layer last wrote,
plus the biggest paths it deleted or overwrote and the biggest of its bytes a later layer
hid. Marks:

- ``A``: written by this layer and still in the final filesystem (added, or changed when
  the file it replaced is not among the biggest hidden paths);
- ``M``: written by this layer over a lower layer's file (known from the hidden paths);
- ``D``: deleted by this layer (a whiteout), from the hidden paths;
- ``H``: written by this layer, hidden by a later one, from the hidden paths.

A :class:`TreeIndex` holds one view (final filesystem or one layer, waste only or not, a
search) and is built in one pass over the records: per directory its total bytes and its
children's names. Entries (:class:`Entry`) are made, sorted, only when a directory is
listed, so the widget builds a directory's children when it is expanded.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from slimage.filesystem import FileKind, FileRecord
from slimage.report.html_treemap import FAMILIES, family_of

if TYPE_CHECKING:
    from slimage.analysis.layers import HiddenItem
    from slimage.analysis.result import AnalysisResult

_DIR = FileKind.DIR
_FILE = FileKind.FILE
MAX_EXPANDED_MATCHES = 50


@dataclass(frozen=True)
class View:
    """Which tree to show: a layer's (its index) or the final filesystem's (None); with
    ``waste`` only waste: ``"all"``, or one colour family of the HTML report
    (``"toolchain"``, ``"caches"``, ..., ``"hidden"``); ``query``: paths containing it."""

    layer: int | None = None
    waste: str | None = None
    query: str = ""


@dataclass(frozen=True)
class Entry:
    """One row of the tree: a directory or a path, with its bytes and why they are there."""

    name: str
    path: str
    is_dir: bool
    size: int  # a directory: the bytes of the files of this view below it
    files: int  # a directory: how many files of this view are below it; a file: 1
    layer: int | None  # the layer that wrote it (files)
    mark: str  # "A", "M", "D", "H" in a layer's view; "" in the final filesystem's
    cause: str | None  # the waste class, or the hidden cause ("deleted_file", ...)
    family: str  # the colour family of the HTML report (slimage.report.html_treemap)
    kind: str = "file"


# A file of a view: (size, layer, mark, cause, kind); tuples, as a view holds 200k of them.
_Leaf = tuple[int, int | None, str, str | None, str]


@dataclass
class TreeIndex:
    """One view's tree: directory sizes and children, entries made when listed."""

    view: View
    sizes: dict[str, int] = field(default_factory=lambda: {"": 0})
    counts: dict[str, int] = field(default_factory=lambda: {"": 0})
    # directory -> child name -> _Leaf (a file) or None (a directory)
    children: dict[str, dict[str, _Leaf | None]] = field(default_factory=lambda: {"": {}})
    matches: list[str] = field(default_factory=list)  # paths the search found, sorted
    _listed: dict[str, list[Entry]] = field(default_factory=dict)

    @property
    def total_bytes(self) -> int:
        return self.sizes[""]

    @property
    def file_count(self) -> int:
        return self.counts[""]

    def _ensure_dir(self, path: str) -> dict[str, _Leaf | None]:
        missing: list[str] = []
        while path not in self.children:
            missing.append(path)
            path = path.rpartition("/")[0]
        for directory in reversed(missing):
            parent, _, name = directory.rpartition("/")
            self.children[parent][name] = None
            self.children[directory] = {}
            self.sizes[directory] = 0
            self.counts[directory] = 0
        return self.children[directory if missing else path]

    def add_dir(self, path: str) -> None:
        self._ensure_dir(path)

    def add_file(self, path: str, leaf: _Leaf) -> None:
        """Add a file; its bytes count in its directory only until :meth:`finish` adds
        each directory's total to its parents."""
        parent, _, name = path.rpartition("/")
        siblings = self.children.get(parent)
        if siblings is None:
            siblings = self._ensure_dir(parent)
        if name in siblings:  # a hidden path where this view has another: keep both
            name = f"{name} ({leaf[2]})"
        siblings[name] = leaf
        self.sizes[parent] += leaf[0]
        self.counts[parent] += 1

    def finish(self) -> None:
        """Add each directory's bytes and files to its ancestors' (deepest first)."""
        sizes, counts = self.sizes, self.counts
        for directory in sorted(self.children, key=lambda path: path.count("/"), reverse=True):
            if directory:
                parent = directory.rpartition("/")[0]
                sizes[parent] += sizes[directory]
                counts[parent] += counts[directory]

    def is_dir(self, path: str) -> bool:
        return path in self.children

    def entries(self, path: str = "") -> list[Entry]:
        """The children of directory ``path`` ("" is the root), biggest first."""
        cached = self._listed.get(path)
        if cached is not None:
            return cached
        prefix = f"{path}/" if path else ""
        listed: list[Entry] = []
        for name, leaf in self.children.get(path, {}).items():
            child = prefix + name
            if leaf is None:
                listed.append(
                    Entry(
                        name=name,
                        path=child,
                        is_dir=True,
                        size=self.sizes[child],
                        files=self.counts[child],
                        layer=None,
                        mark="",
                        cause=None,
                        family="kept",
                        kind="dir",
                    )
                )
            else:
                size, layer, mark, cause, kind = leaf
                listed.append(
                    Entry(
                        name=name,
                        path=child,
                        is_dir=False,
                        size=size,
                        files=1,
                        layer=layer,
                        mark=mark,
                        cause=cause,
                        family="hidden" if kind == "hidden" else family_of(cause),
                        kind=kind,
                    )
                )
        listed.sort(key=lambda entry: (-entry.size, not entry.is_dir, entry.name))
        self._listed[path] = listed
        return listed

    def ancestors_to_expand(self, limit: int = MAX_EXPANDED_MATCHES) -> list[str]:
        """The directories to open so that the first ``limit`` search matches show."""
        wanted: dict[str, None] = {}
        for path in self.matches[:limit]:
            parts = path.split("/")
            for end in range(1, len(parts)):
                wanted["/".join(parts[:end])] = None
            if path in self.children:
                wanted[path] = None
        return list(wanted)


class TreeModel:
    """The analysis' per-path data and the views made from it (each built once)."""

    def __init__(
        self,
        files: Mapping[str, FileRecord],
        waste_by_path: Mapping[str, str],
        hidden_items: Sequence[HiddenItem],
    ) -> None:
        self.files = files
        self.waste_by_path = waste_by_path
        self.hidden_items = list(hidden_items)
        self._views: dict[View, TreeIndex] = {}
        overwritten: set[tuple[int, str]] = set()
        for item in self.hidden_items:
            if item.cause == "overwritten":
                overwritten.add((item.by_layer, item.path))
        self._overwritten = overwritten

    @classmethod
    def from_result(cls, result: AnalysisResult) -> TreeModel:
        claims = result.explanation.claims.by_path
        waste = {path: str(claim.waste_class) for path, claim in claims.items()}
        return cls(result.layers.files, waste, result.layers.hidden_items)

    def waste_families(self) -> list[str]:
        """The colour families with waste in this image, in the HTML report's order."""
        present = {family_of(cause) for cause in self.waste_by_path.values()}
        if self.hidden_items:
            present.add("hidden")
        return [family for family in FAMILIES if family in present and family != "kept"]

    def index(self, view: View) -> TreeIndex:
        built = self._views.get(view)
        if built is None:
            built = self._build(view)
            self._views[view] = built
        return built

    def _build(self, view: View) -> TreeIndex:
        index = TreeIndex(view)
        layer = view.layer
        wanted = view.waste
        family = wanted if wanted not in (None, "all") else None
        query = view.query.lower()
        waste = self.waste_by_path
        matches: list[str] = []
        for path, record in self.files.items():
            if layer is not None and record.layer_index != layer:
                continue
            kind = record.kind
            cause = waste.get(path) if kind is _FILE else None
            if wanted is not None and (cause is None or (family and family_of(cause) != family)):
                continue
            if query and query not in path.lower():
                continue
            if query:
                matches.append(path)
            if kind is _DIR:
                index.add_dir(path)
                continue
            mark = ""
            if layer is not None:
                mark = "M" if (layer, path) in self._overwritten else "A"
            index.add_file(path, (record.size, record.layer_index, mark, cause, kind.value))
        if layer is not None and wanted in (None, "all", "hidden"):
            for item in self.hidden_items:
                if item.by_layer == layer and item.cause != "overwritten":
                    mark = "D"
                elif item.from_layer == layer:
                    mark = "H"
                else:
                    continue
                if query and query not in item.path.lower():
                    continue
                if query:
                    matches.append(item.path)
                index.add_file(item.path, (item.size, item.from_layer, mark, item.cause, "hidden"))
        index.finish()
        index.matches = sorted(matches)
        return index
