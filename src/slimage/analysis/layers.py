"""The single streaming pass over an image's layers.

Each layer's tar is read once, in manifest order, and never extracted: entries become
:class:`~slimage.filesystem.FileRecord` s of the final filesystem, whiteouts are
applied as the OCI image spec's layer.md says, and every byte a later layer hides is
counted once, under one cause:

- ``overwritten``: a later entry (or a later entry of the same layer) at the same path
  replaced a file, or a non-directory replaced a directory and so hid what was under it;
- ``deleted_file``: a whiteout ``.wh.NAME`` removed a file of a lower layer;
- ``deleted_dir``: a whiteout removed a directory, and with it every file below it;
- ``opaque``: an opaque whiteout ``DIR/.wh..wh..opq`` hid all lower-layer children of DIR.

Whiteouts apply only to lower layers (layer.md, "Whiteouts": entries of the same layer
are never hidden by them), so a record written by the current layer survives them.
The identity ``sum(layer content) == final filesystem + hidden`` holds exactly.

Memory holds one record per final path (never contents), the bytes of the few small
files :func:`~slimage.analysis.explain.content_wanted` asks for (capped in total), and
one layer's list of paths for dive's efficiency, which is computed in the same pass
(:mod:`slimage.analysis.efficiency`).
"""

from __future__ import annotations

import hashlib
import heapq
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from slimage.analysis.efficiency import DiveEfficiency, DiveTracker
from slimage.analysis.steps import instruction_text
from slimage.filesystem import FileKind, FileRecord
from slimage.image.model import Image
from slimage.image.tarstream import (
    Chunk,
    ContentSink,
    HashBatch,
    LayerStream,
    TarEntry,
    scan_tar,
)
from slimage.wording import plural

if TYPE_CHECKING:
    # Only registry images use the layer cache: its module is imported when one is given.
    from slimage.analysis.layer_cache import LayerCache, LayerRecording

WHITEOUT = ".wh."
OPAQUE = ".wh..wh..opq"
# An enum member is looked up through a descriptor (~0.15 us in Python 3.11, ten times a
# plain name); the pass compares kinds several times per entry, so it uses these names.
_FILE, _DIR = FileKind.FILE, FileKind.DIR
_SYMLINK, _HARDLINK = FileKind.SYMLINK, FileKind.HARDLINK
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
        return sum(r.size for r in self.files.values() if r.kind is _FILE)

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


def map_history(
    history: Sequence[Mapping[str, Any]], layer_count: int
) -> tuple[list[tuple[int | None, str | None, int]], list[str]]:
    """Per layer: (history index, created_by, steps it stands for); plus notes.

    History entries with ``empty_layer`` made no layer and are skipped (config.md). When a
    builder squashed steps there are more layer-making entries than layers: the base
    layers pair off in order and the top layer stands for all remaining steps.
    """
    making = [
        (position, str(entry.get("created_by") or ""))
        for position, entry in enumerate(history)
        if not entry.get("empty_layer")
    ]
    notes: list[str] = []
    mapping: list[tuple[int | None, str | None, int]] = []
    if len(making) > layer_count and layer_count:
        extra = len(making) - layer_count + 1
        notes.append(
            f"the history lists {plural(len(making), 'layer-making step')} for "
            f"{plural(layer_count, 'layer')}: a builder squashed the last {extra} steps "
            f"into layer {layer_count}"
        )
        for index in range(layer_count - 1):
            mapping.append((making[index][0], making[index][1], 1))
        rest = making[layer_count - 1 :]
        mapping.append((rest[0][0], " && ".join(text for _, text in rest), len(rest)))
        return mapping, notes
    if history and len(making) < layer_count:
        notes.append(
            f"the history lists {plural(len(making), 'layer-making step')} for "
            f"{plural(layer_count, 'layer')}: the top layers have no recorded step"
        )
    for index in range(layer_count):
        if index < len(making):
            mapping.append((making[index][0], making[index][1], 1))
        else:
            mapping.append((None, None, 0))
    _note_squashed_into_layers(history, making, mapping, notes)
    return mapping, notes


def _note_squashed_into_layers(
    history: Sequence[Mapping[str, Any]],
    making: list[tuple[int, str]],
    mapping: list[tuple[int | None, str | None, int]],
    notes: list[str],
) -> None:
    """buildah without ``--layers`` commits one layer for a whole build and marks the
    earlier RUN/COPY/ADD steps ``empty_layer``: count those into the layer that follows."""
    previous = -1
    for layer, (position, text) in enumerate(making[: len(mapping)]):
        folded = [
            str(history[earlier].get("created_by") or "")
            for earlier in range(previous + 1, position)
            if instruction_text(str(history[earlier].get("created_by") or "")).startswith(
                ("RUN ", "COPY ", "ADD ")
            )
        ]
        previous = position
        if folded:
            mapping[layer] = (position, " && ".join([*folded, text]), len(folded) + 1)
            notes.append(
                f"layer {layer + 1} also holds {len(folded)} earlier RUN/COPY/ADD steps marked "
                "empty_layer: the builder squashed them into it (or they changed nothing)"
            )


class _Pass:
    """State of the streaming pass; one instance per analysis."""

    def __init__(
        self,
        content_wanted: Callable[[str, int], bool],
        ignore: Callable[[str], bool] | None,
        hash_min_size: int = HASH_MIN_SIZE,
    ) -> None:
        self.ignore = ignore
        self.hash_min_size = hash_min_size
        self.ignored_content = 0
        self.ignored_hidden = 0
        self.files: dict[str, FileRecord] = {}
        self.children: dict[str, set[str]] = {}
        self.contents: dict[str, bytes] = {}
        self.kept_content = 0
        self.content_wanted = content_wanted
        self.hidden = dict.fromkeys(HIDDEN_CAUSES, 0)
        self.hidden_heap: list[tuple[int, int, HiddenItem]] = []
        self.hidden_seq = 0
        self.layers: list[LayerSummary] = []
        self.warnings: list[str] = []
        self.dive = DiveTracker()
        self.layer_index = 0
        self.summary: LayerSummary | None = None
        self.pending: tuple[FileRecord, Any, bytearray | None] | None = None
        # Content hashes run on the hashing thread; digests are filled in by batches.
        self.hashes = HashBatch()
        self.unhashed: list[tuple[FileRecord, Any]] = []
        # When the layer's tar can be read again (an uncompressed layer in a file), contents
        # are not hashed as they pass: only files that end up sharing their size with
        # another final file can be duplicates, and those are hashed after the pass from
        # where they are (path -> packed layer and offset; see _hash_candidates).
        self.deferring = False
        self.locations: dict[str, int] = {}
        # Hard links: id(target record) -> (target, link paths); link path -> id(target).
        self.link_groups: dict[int, tuple[FileRecord, list[str]]] = {}
        self.link_of: dict[str, int] = {}
        self.top_files: list[tuple[int, str]] = []
        self.dir_bytes: dict[str, int] = {}
        self.missing_links = 0
        # Totals of the last _remove_subtree call, for callers that note a hidden item.
        self._last_subtree_hidden = 0
        self._last_main = 0

    # -- bookkeeping -------------------------------------------------------------------

    def warn(self, message: str) -> None:
        if len(self.warnings) < MAX_WARNINGS:
            self.warnings.append(message)
        elif len(self.warnings) == MAX_WARNINGS:
            self.warnings.append("(further warnings not shown)")

    def _hide(self, record: FileRecord, cause: str) -> int:
        """Account for ``record`` leaving the final filesystem; returns its bytes."""
        content = self.contents.pop(record.path, None)
        size = record.size if record.kind is _FILE else 0
        location = self.locations.pop(record.path, None) if self.locations else None
        if size and self.link_groups and self._promote_link(record, content, location):
            return 0
        if size:
            if self.ignore is not None and self.ignore(record.path):
                self.ignored_hidden += size
            self.hidden[cause] += size
            self.layers[record.layer_index].hidden_later_bytes += size
            self.layers[self.layer_index].hides_bytes += size
        return size

    def _promote_link(
        self, record: FileRecord, content: bytes | None, location: int | None
    ) -> bool:
        """A removed file whose bytes a surviving hard link still shows is not hidden.

        The link keeps the inode (overlayfs copies up, never rewrites a lower inode), so
        the first surviving link becomes the file, and the other links point to it.
        """
        group = self.link_groups.pop(id(record), None)
        if group is None:
            return False
        survivors = [
            path
            for path in group[1]
            if (link := self.files.get(path)) is not None
            and link.kind is _HARDLINK
            and self.link_of.get(path) == id(record)
        ]
        for path in group[1]:
            if self.link_of.get(path) == id(record):
                del self.link_of[path]
        if not survivors:
            return False
        if record.digest is None and record.size >= HASH_MIN_SIZE:
            self._fill_digests()
        heir = self.files[survivors[0]]
        heir.kind, heir.size, heir.digest, heir.link_target = (
            _FILE,
            record.size,
            record.digest,
            "",
        )
        if content is not None:
            self.contents[heir.path] = content
        if location is not None:
            self.locations[heir.path] = location
        if len(survivors) > 1:
            self.link_groups[id(heir)] = (heir, survivors[1:])
            for path in survivors[1:]:
                self.link_of[path] = id(heir)
                self.files[path].link_target = heir.path
        return True

    def _note_hidden(self, path: str, size: int, cause: str, from_layer: int) -> None:
        if size <= 0:
            return
        item = HiddenItem(path, size, cause, from_layer, self.layer_index)
        self.hidden_seq += 1
        entry = (size, self.hidden_seq, item)
        if len(self.hidden_heap) < 4 * TOP_N:
            heapq.heappush(self.hidden_heap, entry)
        elif size > self.hidden_heap[0][0]:
            heapq.heappushpop(self.hidden_heap, entry)

    def _remove_subtree(
        self, top: str, cause: str, keep_current: bool, *, ghosts: bool = False
    ) -> tuple[int, int, int]:
        """Remove everything below ``top``; returns (hidden bytes, dive bytes, main layer).

        ``keep_current``: leave records the current layer wrote (whiteouts never hide
        entries of their own layer).
        """
        hidden = 0
        dive_bytes = 0
        by_layer: dict[int, int] = {}
        directories = []
        stack = [top]
        while stack:
            directory = stack.pop()
            kids = self.children.get(directory)
            if kids:
                directories.append(directory)
                stack.extend(kids)
        # Deepest first, so a directory knows whether anything survived below each child.
        for directory in reversed(directories):
            kids = self.children.pop(directory)
            survivors: set[str] = set()
            for child in kids:
                record = self.files.get(child)
                if record is not None:
                    if keep_current and record.layer_index == self.layer_index:
                        survivors.add(child)
                        continue
                    del self.files[child]
                    if ghosts:
                        self.dive.add_ghost(child, record.size, record.kind is _DIR)
                    size = self._hide(record, cause)
                    hidden += size
                    dive_bytes += record.size
                    if size:
                        by_layer[record.layer_index] = by_layer.get(record.layer_index, 0) + size
                if child in self.children:
                    survivors.add(child)
            if survivors:
                self.children[directory] = survivors
        main = max(by_layer, key=by_layer.__getitem__) if by_layer else self.layer_index
        self._last_subtree_hidden = hidden
        self._last_main = main
        return hidden, dive_bytes, main

    def _unlink(self, path: str) -> None:
        slash = path.rfind("/")
        kids = self.children.get(path[:slash] if slash > 0 else "")
        if kids is not None:
            kids.discard(path)

    def _link(self, path: str) -> None:
        """Register ``path`` under its parents, creating implicit directories."""
        while True:
            slash = path.rfind("/")
            parent = path[:slash] if slash > 0 else ""
            kids = self.children.get(parent)
            if kids is not None:
                kids.add(path)
                return
            self.children[parent] = {path}
            if not parent:
                return
            # A parent that so far was a file (or link) becomes a directory: the
            # file is replaced, as extracting the tar over it would do.
            record = self.files.get(parent)
            if record is not None and record.kind is not _DIR:
                del self.files[parent]
                size = self._hide(record, "overwritten")
                self._note_hidden(parent, size, "overwritten", record.layer_index)
            path = parent

    # -- whiteouts ---------------------------------------------------------------------

    def _whiteout(self, parent: str, name: str, raw_path: str) -> None:
        summary = self.summary
        assert summary is not None
        if name == OPAQUE[len(WHITEOUT) :]:
            summary.opaque_dirs += 1
            self._opaque(parent)
            self.dive.add_opaque_parent(parent)
            return
        if name.startswith(WHITEOUT):
            self.warn(f"layer {self.layer_index + 1}: ignoring reserved whiteout name {raw_path!r}")
            self.dive.add_opaque_parent(parent)
            return
        summary.whiteouts += 1
        target = f"{parent}/{name}" if parent else name
        record = self.files.get(target)
        if record is not None and record.layer_index == self.layer_index:
            record = None  # written by this very layer: not hidden (layer.md)
        has_children = target in self.children
        ghost = self.dive.ghost(target)
        if record is None and not has_children and ghost is None:
            self.dive.add_whiteout(raw_path, target, None)
            return
        dive_size = 0
        if record is not None:
            del self.files[target]
            if record.kind is _DIR or has_children:
                _, dive_bytes, _ = self._remove_subtree(target, "deleted_dir", True)
                size = self._hide(record, "deleted_dir")
                hidden_total = size + self._last_subtree_hidden
                self._note_hidden(target, hidden_total, "deleted_dir", self._last_main)
                if record.kind is _DIR:
                    dive_size = dive_bytes + record.size + self.dive.take_ghosts(target)
            else:
                size = self._hide(record, "deleted_file")
                self._note_hidden(target, size, "deleted_file", record.layer_index)
        elif has_children:
            # A directory that no layer gave a header: dive sees a non-directory node.
            self._remove_subtree(target, "deleted_dir", True)
            self._note_hidden(target, self._last_subtree_hidden, "deleted_dir", self._last_main)
        elif ghost is not None and ghost[1]:
            dive_size = ghost[0] + self.dive.take_ghosts(target)
        if target not in self.children:
            self._unlink(target)
        self.dive.add_whiteout(raw_path, target, dive_size)

    def _opaque(self, directory: str) -> None:
        kids = self.children.get(directory)
        if not kids:
            return
        removed = 0
        by_layer: dict[int, int] = {}
        for child in list(kids):
            record = self.files.get(child)
            if record is not None and record.layer_index != self.layer_index:
                del self.files[child]
                self.dive.add_ghost(child, record.size, record.kind is _DIR)
                size = self._hide(record, "opaque")
                removed += size
                if size:
                    by_layer[record.layer_index] = by_layer.get(record.layer_index, 0) + size
                record = None
            if child in self.children:
                hidden, _, main = self._remove_subtree(child, "opaque", True, ghosts=True)
                removed += hidden
                if hidden:
                    by_layer[main] = by_layer.get(main, 0) + hidden
            if record is None and child not in self.children:
                kids.discard(child)
        main = max(by_layer, key=by_layer.__getitem__) if by_layer else self.layer_index
        self._note_hidden(directory + "/", removed, "opaque", main)

    # -- entries -----------------------------------------------------------------------

    def _finish_pending(self) -> None:
        if self.pending is None:
            return
        record, hasher, buffer = self.pending
        self.pending = None
        if hasher is not None:
            self.unhashed.append((record, hasher))
            if len(self.unhashed) >= 4096:
                self._fill_digests()
        if buffer is not None and self.files.get(record.path) is record:
            self.contents[record.path] = bytes(buffer)

    def _fill_digests(self) -> None:
        self.hashes.wait()
        for record, hasher in self.unhashed:
            record.digest = "sha256:" + hasher.hexdigest()
        self.unhashed = []

    def handle(self, entry: TarEntry) -> ContentSink | None:
        if self.pending is not None:
            self._finish_pending()
        summary = self.summary
        assert summary is not None
        path = entry.path
        summary.entries += 1
        slash = path.rfind("/")
        parent = path[:slash] if slash > 0 else ""
        if path.startswith(WHITEOUT, slash + 1):
            self._whiteout(parent, path[slash + 1 + len(WHITEOUT) :], path)
            return None
        kind = entry.kind
        size = entry.size
        layer = self.layer_index
        old = self.files.get(path)
        if old is not None:
            if kind is not _DIR or old.kind is not _DIR:
                hidden = self._hide(old, "overwritten")
                if kind is not _DIR and path in self.children:
                    self._remove_subtree(path, "overwritten", False)
                    hidden += self._last_subtree_hidden
                self._note_hidden(path, hidden, "overwritten", old.layer_index)
        elif kind is not _DIR and path in self.children:
            self._remove_subtree(path, "overwritten", False)
            self._note_hidden(path, self._last_subtree_hidden, "overwritten", self._last_main)
        record = FileRecord(
            path, kind, size, entry.mode, entry.uid, entry.gid, layer, entry.link_target
        )
        self.files[path] = record
        kids = self.children.get(parent)
        if kids is not None:
            kids.add(path)  # the common case: the parent is already known
        else:
            self._link(path)
        self.dive.add_entry(path, size, kind is _DIR)
        if kind is _FILE:
            summary.files += 1
            summary.content_bytes += size
            if self.ignore is not None and self.ignore(path):
                self.ignored_content += size
            self.dir_bytes[parent] = self.dir_bytes.get(parent, 0) + size
            if len(self.top_files) < TOP_N:
                heapq.heappush(self.top_files, (size, path))
            elif size > self.top_files[0][0]:
                heapq.heappushpop(self.top_files, (size, path))
            hasher = None
            if size >= self.hash_min_size:
                if self.deferring:
                    self.locations[path] = (layer << _LAYER_SHIFT) | entry.offset
                else:
                    hasher = hashlib.sha256()
            buffer = None
            if self.kept_content + size <= MAX_KEPT_CONTENT and self.content_wanted(path, size):
                buffer = bytearray()
                self.kept_content += size
            if hasher is None and buffer is None:
                return None
            self.pending = (record, hasher, buffer)
            if buffer is None:
                return self.hashes.sink(hasher)
            if hasher is None:
                return buffer.extend
            hash_sink, extend = self.hashes.sink(hasher), buffer.extend

            def both(data: memoryview) -> None:
                hash_sink(data)
                extend(data)

            return both
        if kind is _DIR:
            summary.dirs += 1
        elif kind is _SYMLINK:
            summary.symlinks += 1
        elif kind is _HARDLINK:
            summary.hardlinks += 1
            if self.link_of:
                self.link_of.pop(path, None)
            target = self.files.get(entry.link_target)
            if target is not None and target.kind is _HARDLINK:
                target_id = self.link_of.get(target.path)
                target = self.link_groups[target_id][0] if target_id in self.link_groups else None
            if target is not None and target.kind is _FILE:
                self.link_groups.setdefault(id(target), (target, []))[1].append(path)
                self.link_of[path] = id(target)
            elif entry.link_target not in self.files:
                self.missing_links += 1
                if self.missing_links <= 5:
                    self.warn(
                        f"layer {layer + 1}: hard link {path!r} points to missing "
                        f"{entry.link_target!r}"
                    )
        else:
            summary.other += 1
        return None

    # -- layers ------------------------------------------------------------------------

    def start_layer(self, summary: LayerSummary) -> None:
        self.layer_index = summary.index
        self.summary = summary
        self.layers.append(summary)
        self.top_files = []
        self.dir_bytes = {}
        self.dive.start_layer(summary.index)

    def end_layer(self) -> None:
        self._finish_pending()
        self._fill_digests()
        summary = self.summary
        assert summary is not None
        summary.biggest_files = [
            (path, size) for size, path in sorted(self.top_files, reverse=True)
        ]
        totals: dict[str, int] = {}
        for directory, size in self.dir_bytes.items():
            while directory:
                totals[directory] = totals.get(directory, 0) + size
                slash = directory.rfind("/")
                directory = directory[:slash] if slash > 0 else ""
        biggest = heapq.nsmallest(TOP_N, totals.items(), key=lambda item: (-item[1], item[0]))
        summary.biggest_dirs = [(path, size) for path, size in biggest if size]
        self.dive.end_layer()


def analyze_layers(
    image: Image,
    *,
    content_wanted: Callable[[str, int], bool],
    progress: Progress | None = None,
    ignore: Callable[[str], bool] | None = None,
    cache: LayerCache | None = None,
    checks: PendingChecks | None = None,
    digest_files: bool = False,
) -> LayerAnalysis:
    """Read every layer of ``image`` once and return the final filesystem and its waste.

    ``ignore``: paths whose content and hidden bytes are also tallied apart (for gates).
    ``cache``: replay layers recorded by an earlier run instead of reading them, and
    record the layers read now (see :mod:`slimage.analysis.layer_cache`).
    ``checks``: when given, digest checks still running on another thread are left in it
    instead of being waited for; the result is not verified until ``checks.run()``
    returns (so the caller can go on with the result meanwhile).
    ``digest_files``: every non-empty final file gets a content digest (``slimage diff``
    compares images by them): hashed as it streams, or, where its layer can be read again,
    left in :attr:`LayerAnalysis.unhashed` for the caller to hash only what it needs.
    """
    state = _Pass(content_wanted, ignore, 1 if digest_files else HASH_MIN_SIZE)
    history_map, notes = map_history(image.history, len(image.layers))
    pending = checks if checks is not None else PendingChecks()
    close = getattr(image, "close", None)
    if callable(close):
        pending.closers.append(close)
    try:
        _read_layers(image, state, history_map, content_wanted, progress, cache, pending)
    except Exception:
        # A layer whose digest is wrong explains whatever broke after it: say that.
        pending.run()
        raise
    except BaseException:  # Ctrl-C: do not wait for digests
        pending.checks.clear()
        pending.run()
        raise
    if checks is None:
        pending.run()
    if state.missing_links > 5:
        state.warn(f"{state.missing_links} hard links point to missing targets in all")
    hidden_items = [item for _, _, item in sorted(state.hidden_heap, reverse=True)]
    return LayerAnalysis(
        layers=state.layers,
        files=state.files,
        contents=state.contents,
        hidden=state.hidden,
        hidden_items=hidden_items[: 2 * TOP_N],
        dive=state.dive.result([nodes.dive_size for nodes in state.dive.layers]),
        warnings=state.warnings,
        notes=notes,
        ignored_content_bytes=state.ignored_content,
        ignored_hidden_bytes=state.ignored_hidden,
        unhashed=_unhashed(state) if digest_files else {},
    )


def _unhashed(state: _Pass) -> dict[str, tuple[int, int]]:
    files = state.files
    return {
        path: (location >> _LAYER_SHIFT, location & _OFFSET_MASK)
        for path, location in state.locations.items()
        if (record := files.get(path)) is not None and record.digest is None
    }


def _read_layers(
    image: Image,
    state: _Pass,
    history_map: list[tuple[int | None, str | None, int]],
    content_wanted: Callable[[str, int], bool],
    progress: Progress | None,
    cache: LayerCache | None,
    pending: PendingChecks,
) -> None:
    # Sources that download (registries) may fetch the next layer to read while this one
    # is analysed: tell them which layers will be read, cached ones left out.
    plan_reads = getattr(image, "plan_reads", None)
    if callable(plan_reads):
        plan_reads(
            [
                index
                for index, layer in enumerate(image.layers)
                if cache is None or not cache.has(layer.digest, layer.diff_id)
            ]
        )
    for index, layer in enumerate(image.layers):
        history_index, created_by, steps = history_map[index]
        summary = LayerSummary(
            index=index,
            digest=layer.digest,
            diff_id=layer.diff_id,
            media_type=layer.media_type,
            compressed_size=layer.compressed_size,
            created_by=created_by,
            history_index=history_index,
            squashed_steps=steps,
        )
        state.start_layer(summary)
        recording = cache.load(layer.digest, layer.diff_id) if cache is not None else None
        captured: list[tuple[TarEntry, FileRecord | None, bytearray | None]] | None = None
        if recording is not None:
            _replay(state, recording)
            summary.uncompressed_size = recording.uncompressed_size
            for warning in recording.warnings:
                state.warn(warning)
            if progress is not None:
                progress(layer.compressed_size)
        else:
            handle: Callable[[TarEntry], ContentSink | None] = state.handle
            if cache is not None:
                captured = []
                handle = _recorder(state, captured, content_wanted)
            with layer.open_uncompressed() as stream:
                # A recording needs every digest now; otherwise hash after the pass
                # what can be read again.
                state.deferring = (
                    cache is None
                    and stream.rereadable
                    and callable(getattr(layer, "open_contents", None))
                )
                stream.defer_check = True
                source = _Counted(stream, progress) if progress is not None else stream
                scan_tar(source, handle)
                state._finish_pending()
                stream.finish()
                if stream.pending_check is not None:
                    pending.checks.append(stream.pending_check)
                summary.uncompressed_size = stream.uncompressed_size
                for warning in stream.warnings:
                    state.warn(warning)
        if progress is not None:
            progress(0)
        state.end_layer()
        if cache is not None and captured is not None:
            from slimage.analysis.layer_cache import LayerRecording, RecordedEntry

            # Digests are filled in by end_layer; the layer was verified to its end.
            cache.store(
                layer.digest,
                layer.diff_id,
                LayerRecording(
                    [
                        RecordedEntry(
                            entry,
                            record.digest if record else None,
                            bytes(kept) if kept is not None else None,
                        )
                        for entry, record, kept in captured
                    ],
                    summary.uncompressed_size,
                    list(stream.warnings),
                ),
            )
    _hash_candidates(state, image.layers)


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
        if record.kind is _FILE and record.size >= HASH_MIN_SIZE:
            counts[record.size] = counts.get(record.size, 0) + 1
            if record.digest is not None:
                hashed_sizes.add(record.size)
    candidates: list[tuple[int, FileRecord]] = []
    for path, location in state.locations.items():
        final = files.get(path)
        if (
            final is not None
            and final.kind is _FILE
            and final.digest is None
            and counts.get(final.size, 0) > 1
        ):
            candidates.append((location, final))
    if not candidates:
        return
    candidates.sort(key=lambda item: item[0])  # by layer, then by offset
    readers: dict[int, Any] = {}
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


def _contents(readers: dict[int, Any], layers: Sequence[Any], index: int) -> Any:
    reader = readers.get(index)
    if reader is None:
        reader = readers[index] = layers[index].open_contents()
    return reader


def _recorder(
    state: _Pass,
    captured: list[tuple[TarEntry, FileRecord | None, bytearray | None]],
    content_wanted: Callable[[str, int], bool],
) -> Callable[[TarEntry], ContentSink | None]:
    """``state.handle`` that also notes each entry, its record and the wanted bytes."""

    def handle(entry: TarEntry) -> ContentSink | None:
        sink = state.handle(entry)
        if entry.kind is not _FILE:
            captured.append((entry, None, None))
            return sink
        record = state.files.get(entry.path)  # None for a whiteout
        # Keep wanted bytes whatever the pass's own cap says: a replay in another image
        # may want them.
        kept = (
            bytearray() if record is not None and content_wanted(entry.path, entry.size) else None
        )
        captured.append((entry, record, kept))
        if kept is None:
            return sink
        if sink is None:
            return kept.extend
        both_sink, extend = sink, kept.extend

        def both(data: memoryview) -> None:
            both_sink(data)
            extend(data)

        return both

    return handle


def _replay(state: _Pass, recording: LayerRecording) -> None:
    """Feed a recorded layer through the pass as if its tar were read."""
    for item in recording.entries:
        sink = state.handle(item.entry)
        if sink is None:
            continue
        if item.content is not None:
            sink(memoryview(item.content))
            continue
        pending = state.pending
        if pending is not None and pending[0].path == item.entry.path:
            record, _, buffer = pending
            record.digest = item.digest  # hashed when it was recorded
            state.pending = (record, None, buffer)
    state._finish_pending()


class _Counted:
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
