"""Duplicates: the same content stored at several paths of the final filesystem.

Regular files are compared by the content digest the streaming pass computed
(``FileRecord.digest``). Hard links are one file stored once, so they are never
duplicates (tar stores a hard link as a ``HARDLINK`` entry without content). In each set
of equal files one copy is kept -- the entry program if it is one of them, else the one
written by the earliest layer, then the shortest path -- and the others' bytes are
reclaimable by hard-linking or not copying them.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

from slimage.filesystem import FileKind, FileRecord


@dataclass(frozen=True)
class DuplicateSet:
    """One regular file's bytes stored under several paths: the kept path and its copies."""

    digest: str
    size: int  # bytes of one copy
    kept: str  # the copy that stays
    copies: tuple[str, ...]  # the others, reclaimable

    @property
    def reclaimable_bytes(self) -> int:
        return self.size * len(self.copies)


def find_duplicates(
    regular: Mapping[str, FileRecord],
    already_removed: Collection[str] = (),
    keep: Collection[str] = (),
) -> list[DuplicateSet]:
    """Sets of equal non-empty files; paths in ``already_removed`` (claimed by another
    cause) neither count as copies nor as the kept one; a path in ``keep`` (the entry
    program) is the kept copy of its set."""
    by_digest: dict[tuple[str, int], list[FileRecord]] = {}
    file_kind = FileKind.FILE  # a local name: an enum lookup per file costs more
    for path, record in regular.items():
        if record.kind is not file_kind or not record.digest or record.size <= 0:
            continue
        if path in already_removed:
            continue
        by_digest.setdefault((record.digest, record.size), []).append(record)
    sets = []
    for (digest, size), records in by_digest.items():
        if len(records) < 2:
            continue
        records.sort(key=lambda r: (r.path not in keep, r.layer_index, len(r.path), r.path))
        kept, *copies = records
        sets.append(DuplicateSet(digest, size, kept.path, tuple(r.path for r in copies)))
    sets.sort(key=lambda s: (-s.reclaimable_bytes, s.kept))
    return sets


def reclaimable_bytes(sets: Collection[DuplicateSet]) -> int:
    return sum(duplicate.reclaimable_bytes for duplicate in sets)
