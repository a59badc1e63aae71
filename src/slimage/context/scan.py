"""Walk a build context the way BuildKit sends it (tonistiigi/fsutil ``filter.go``).

One pass with :func:`os.scandir`, entries in lexical order, symlinks never followed.
For every path the ignore patterns are evaluated with the parent directory's
:class:`MatchInfo`, as fsutil does. An excluded directory is skipped unless an
exception pattern could re-include something inside it; an excluded directory that is
walked is still sent (bare) when one of its descendants is re-included. What is left
out is measured too (without matching) so the report can say what the ignore file saves.

Problems never raise: an unreadable directory becomes a warning (and, when Docker
would need to read it, a predicted build error), a symlink loop a warning.
"""

from __future__ import annotations

import errno
import heapq
import operator
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from slimage.context.ignore import MatchInfo, PatternMatcher
from slimage.errors import InputError, InputNotFound

FILE = "file"
DIR = "dir"
SYMLINK = "symlink"
OTHER = "other"  # fifos, sockets, devices: sent as they are


class ContextEntry(NamedTuple):
    """One path the build would send, relative to the context, '/'-separated."""

    path: str
    kind: str  # FILE, DIR, SYMLINK or OTHER
    size: int  # bytes of file data (0 for anything but regular files)


@dataclass(slots=True)
class ExcludedItem:
    """A path the ignore file leaves out, with everything under it that stays out."""

    path: str
    kind: str
    files: int = 0
    bytes: int = 0
    walked: bool = False  # Docker walks into it because an exception might apply


@dataclass(slots=True)
class TopLevelUsage:
    """What one entry at the context root contributes to what is sent."""

    path: str
    kind: str
    files: int = 0
    bytes: int = 0


@dataclass
class ContextScan:
    """The result of :func:`scan_context`."""

    root: Path
    entries: list[ContextEntry] = field(default_factory=list)
    excluded: list[ExcludedItem] = field(default_factory=list)
    top_level: dict[str, TopLevelUsage] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    build_errors: list[str] = field(default_factory=list)  # Docker would fail the build

    @property
    def sent_files(self) -> int:
        return sum(1 for entry in self.entries if entry.kind != DIR)

    @property
    def sent_dirs(self) -> int:
        return sum(1 for entry in self.entries if entry.kind == DIR)

    @property
    def sent_bytes(self) -> int:
        return sum(entry.size for entry in self.entries)

    @property
    def excluded_files(self) -> int:
        return sum(item.files for item in self.excluded)

    @property
    def excluded_bytes(self) -> int:
        return sum(item.bytes for item in self.excluded)

    def biggest_files(self, count: int = 10) -> list[ContextEntry]:
        files = (entry for entry in self.entries if entry.kind == FILE)
        return heapq.nlargest(count, files, key=lambda entry: entry.size)

    def biggest_top_level(self, count: int = 10) -> list[TopLevelUsage]:
        return heapq.nlargest(count, self.top_level.values(), key=lambda usage: usage.bytes)

    def sent_paths(self) -> set[str]:
        return {entry.path for entry in self.entries}


class _Frame:
    """A directory being walked."""

    __slots__ = ("emitted", "excluded_root", "info", "parent", "path", "top")

    def __init__(
        self,
        path: str,
        info: MatchInfo,
        parent: _Frame | None,
        *,
        emitted: bool,
        excluded_root: ExcludedItem | None,
        top: TopLevelUsage | None,
    ) -> None:
        self.path = path
        self.info = info
        self.parent = parent
        self.emitted = emitted
        self.excluded_root = excluded_root
        self.top = top


_name = operator.attrgetter("name")


def _sorted_entries(path: str) -> list[os.DirEntry[str]]:
    with os.scandir(path) as iterator:
        entries = list(iterator)
    # Go's os.ReadDir order: by name, byte-wise. Code-point order is the same for
    # valid UTF-8; names with undecodable bytes need the bytes themselves.
    entries.sort(key=_name)
    if not "".join([entry.name for entry in entries]).isascii():
        entries.sort(key=lambda entry: os.fsencode(entry.name))
    return entries


def _describe(error: OSError) -> str:
    return error.strerror or str(error)


def scan_context(
    root: Path,
    matcher: PatternMatcher | None = None,
    *,
    measure_excluded: bool = True,
) -> ContextScan:
    """Walk ``root`` as BuildKit would with ``matcher``'s ignore patterns.

    ``measure_excluded`` also walks the directories Docker skips, to size them.
    Raises :class:`InputNotFound` when ``root`` is missing and :class:`InputError`
    when it is not a readable directory; every other problem is a warning.
    """
    if not root.exists():
        raise InputNotFound(f"{root}: build context directory not found")
    if not root.is_dir():
        raise InputError(f"{root}: build context is not a directory")
    result = ContextScan(root=root)
    try:
        root_entries = _sorted_entries(str(root))
    except OSError as error:
        raise InputError(f"{root}: cannot read the build context: {_describe(error)}") from None
    if matcher is not None and not matcher.patterns:
        matcher = None
    walker = _Walker(result, matcher, measure_excluded)
    walker.walk(root, root_entries)
    return result


class _Walker:
    def __init__(
        self, result: ContextScan, matcher: PatternMatcher | None, measure_excluded: bool
    ) -> None:
        self.result = result
        self.matcher = matcher
        self.measure_excluded = measure_excluded

    def walk(self, root: Path, root_entries: list[os.DirEntry[str]]) -> None:
        matcher = self.matcher
        result = self.result
        top_level = result.top_level
        append = result.entries.append
        new_entry = tuple.__new__
        no_info = MatchInfo()
        # The common case, inlined: nothing matched the parent and the prefilter says
        # nothing matches the path (see PatternMatcher.matches_using_parent_results).
        all_false = matcher.all_false if matcher is not None else no_info
        prefilter = matcher.prefilter if matcher is not None else None
        root_frame = _Frame("", no_info, None, emitted=True, excluded_root=None, top=None)
        stack: list[tuple[_Frame, Iterator[os.DirEntry[str]]]] = [(root_frame, iter(root_entries))]
        while stack:
            frame, iterator = stack[-1]
            base = frame.path + "/" if frame.path else ""
            parent_info = frame.info
            descended = False
            for entry in iterator:
                rel = base + entry.name
                if entry.is_dir(follow_symlinks=False):
                    kind = DIR
                elif entry.is_file(follow_symlinks=False):
                    kind = FILE
                elif entry.is_symlink():
                    kind = SYMLINK
                else:
                    kind = OTHER
                top = frame.top
                if top is None:
                    top = TopLevelUsage(rel, kind)  # registered once something in it is sent
                if matcher is None:
                    excluded, info = False, no_info
                elif (
                    parent_info is all_false
                    and prefilter is not None
                    and rel.isascii()
                    and prefilter(rel) is None
                ):
                    excluded, info = False, all_false
                else:
                    excluded, info = matcher.matches_using_parent_results(rel, parent_info)
                if excluded:
                    if self._excluded(entry, rel, kind, frame, info, top, stack):
                        descended = True
                        break
                    continue
                size = 0
                if kind == FILE:
                    try:
                        size = entry.stat(follow_symlinks=False).st_size
                    except OSError as error:
                        result.warnings.append(f"{rel}: cannot stat ({_describe(error)})")
                elif kind == SYMLINK:
                    self._check_symlink(entry, rel)
                if not frame.emitted:
                    self._emit_parents(frame)
                if top.path not in top_level:
                    top_level[top.path] = top
                append(new_entry(ContextEntry, (rel, kind, size)))
                if kind == DIR:
                    children = self._list_dir(entry.path, rel, excluded=False)
                    child = _Frame(rel, info, frame, emitted=True, excluded_root=None, top=top)
                    stack.append((child, iter(children)))
                    descended = True
                    break
                top.files += 1
                top.bytes += size
            if not descended:
                stack.pop()

    def _emit_parents(self, frame: _Frame) -> None:
        pending: list[_Frame] = []
        walk: _Frame | None = frame
        while walk is not None and not walk.emitted:
            pending.append(walk)
            walk = walk.parent
        for parent in reversed(pending):
            parent.emitted = True
            self.result.entries.append(ContextEntry(parent.path, DIR, 0))

    def _excluded(
        self,
        entry: os.DirEntry[str],
        rel: str,
        kind: str,
        frame: _Frame,
        info: MatchInfo,
        top: TopLevelUsage,
        stack: list[tuple[_Frame, Iterator[os.DirEntry[str]]]],
    ) -> bool:
        """Account for an excluded entry; True when it pushed a directory to walk."""
        assert self.matcher is not None
        owner = frame.excluded_root
        if kind == DIR and self.matcher.excluded_dir_needs_walk(rel):
            if owner is None:
                owner = ExcludedItem(rel, DIR, walked=True)
                self.result.excluded.append(owner)
            children = self._list_dir(entry.path, rel, excluded=True)
            child = _Frame(rel, info, frame, emitted=False, excluded_root=owner, top=top)
            stack.append((child, iter(children)))
            return True
        if owner is None:
            owner = ExcludedItem(rel, kind)
            self.result.excluded.append(owner)
        if kind == DIR:
            if self.measure_excluded:
                files, size = self._measure(entry.path, rel)
                owner.files += files
                owner.bytes += size
        else:
            owner.files += 1
            if kind == FILE:
                owner.bytes += self._size(entry, rel)
        return False

    def _list_dir(self, path: str, rel: str, *, excluded: bool) -> list[os.DirEntry[str]]:
        try:
            return _sorted_entries(path)
        except OSError as error:
            reason = _describe(error)
            if error.errno in (errno.ENOENT, errno.ENOTDIR):
                self.result.warnings.append(f"{rel}: changed during the scan ({reason})")
            elif excluded and error.errno in (errno.EACCES, errno.EPERM):
                # fsutil ignores a permission error on a directory it only walks
                # because of an exception pattern.
                self.result.warnings.append(f"{rel}: unreadable ({reason}); excluded, so harmless")
            else:
                self.result.warnings.append(f"{rel}: unreadable directory ({reason})")
                self.result.build_errors.append(f"{rel}: {reason.lower()}")
            return []

    def _size(self, entry: os.DirEntry[str], rel: str) -> int:
        try:
            return entry.stat(follow_symlinks=False).st_size
        except OSError as error:
            self.result.warnings.append(f"{rel}: cannot stat ({_describe(error)})")
            return 0

    def _check_symlink(self, entry: os.DirEntry[str], rel: str) -> None:
        try:
            os.stat(entry.path)
        except OSError as error:
            if error.errno == errno.ELOOP:
                self.result.warnings.append(f"{rel}: symlink loop (sent as a link; never followed)")

    def _measure(self, path: str, rel: str) -> tuple[int, int]:
        """Files and bytes under an excluded directory (no matching, no entries)."""
        files = 0
        size = 0
        pending = [(path, rel)]
        while pending:
            current, current_rel = pending.pop()
            try:
                iterator = os.scandir(current)
            except OSError as error:
                self.result.warnings.append(
                    f"{current_rel}: unreadable ({_describe(error)}); excluded, so harmless"
                )
                continue
            with iterator:
                for entry in iterator:
                    try:
                        if entry.is_dir(follow_symlinks=False):
                            pending.append((entry.path, current_rel + "/" + entry.name))
                            continue
                        files += 1
                        if entry.is_file(follow_symlinks=False):
                            size += entry.stat(follow_symlinks=False).st_size
                    except OSError:
                        continue
        return files, size
