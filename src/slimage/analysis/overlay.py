"""The overlay model: entries of each layer applied, in order, to the final filesystem.

Whiteouts apply as the OCI image spec's layer.md says (only to lower layers), every byte
a later layer hides is counted once under one cause, hard links keep the bytes of a
removed target, and dive's efficiency is tracked as entries pass. :class:`OverlayPass`
holds the state of one analysis; :func:`slimage.analysis.layers.analyze_layers` feeds it.
"""

from __future__ import annotations

import hashlib
import heapq
from collections.abc import Callable
from typing import Any

from slimage.analysis.efficiency import DiveTracker
from slimage.analysis.layer_records import (
    _LAYER_SHIFT,
    HASH_MIN_SIZE,
    HIDDEN_CAUSES,
    MAX_KEPT_CONTENT,
    MAX_WARNINGS,
    OPAQUE,
    TOP_N,
    WHITEOUT,
    HiddenItem,
    LayerSummary,
)
from slimage.filesystem import FileKind, FileRecord
from slimage.image.tarstream import ContentSink, HashBatch, TarEntry


class _Pass:
    """State of the streaming pass; one instance per analysis."""

    def __init__(
        self,
        content_wanted: Callable[[str, int], bool],
        ignore: Callable[[str], bool] | None,
        hash_min_size: int = HASH_MIN_SIZE,
    ) -> None:
        self.ignore = ignore
        # Files at least this big get a content digest as they stream (1 with
        # ``digest_files``: every non-empty file, for ``slimage diff``).
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
        size = record.size if record.kind is FileKind.FILE else 0
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
            and link.kind is FileKind.HARDLINK
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
            FileKind.FILE,
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
                        self.dive.add_ghost(child, record.size, record.kind is FileKind.DIR)
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
            if record is not None and record.kind is not FileKind.DIR:
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
            if record.kind is FileKind.DIR or has_children:
                _, dive_bytes, _ = self._remove_subtree(target, "deleted_dir", True)
                size = self._hide(record, "deleted_dir")
                hidden_total = size + self._last_subtree_hidden
                self._note_hidden(target, hidden_total, "deleted_dir", self._last_main)
                if record.kind is FileKind.DIR:
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
                self.dive.add_ghost(child, record.size, record.kind is FileKind.DIR)
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
            if kind is not FileKind.DIR or old.kind is not FileKind.DIR:
                hidden = self._hide(old, "overwritten")
                if kind is not FileKind.DIR and path in self.children:
                    self._remove_subtree(path, "overwritten", False)
                    hidden += self._last_subtree_hidden
                self._note_hidden(path, hidden, "overwritten", old.layer_index)
        elif kind is not FileKind.DIR and path in self.children:
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
        self.dive.add_entry(path, size, kind is FileKind.DIR)
        if kind is FileKind.FILE:
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
        if kind is FileKind.DIR:
            summary.dirs += 1
        elif kind is FileKind.SYMLINK:
            summary.symlinks += 1
        elif kind is FileKind.HARDLINK:
            summary.hardlinks += 1
            if self.link_of:
                self.link_of.pop(path, None)
            target = self.files.get(entry.link_target)
            if target is not None and target.kind is FileKind.HARDLINK:
                target_id = self.link_of.get(target.path)
                target = self.link_groups[target_id][0] if target_id in self.link_groups else None
            if target is not None and target.kind is FileKind.FILE:
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


OverlayPass = _Pass
