"""Which regular files two final filesystems add, remove and change, by content digest.

Two files at the same path are the same when their sizes are equal and either their
content digests are equal, or both were last written by a layer whose whole stack of
layers below it is the same in both images (equal chain of diff_ids, as the OCI image
spec's ChainID says): the filesystem at that point is then identical, so is the file,
and nothing needs hashing. A file whose size changed has changed; only same-size pairs
need digests. The pass (``digest_files``) hashed what streamed once; files of layers
that can be read again were left unhashed, and only the pairs that need it are hashed
here, both images at once on two threads (hashlib and ``pread`` release the GIL).
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from slimage.diff.model import ChangeGroup, FileChange, FileTotals
from slimage.filesystem import FileKind, FileRecord

if TYPE_CHECKING:
    from slimage.analysis.result import AnalysisResult
    from slimage.image.model import Image

UNCLAIMED_TITLE = "not classified as waste (application, runtime and base files)"


def chain_keys(result: AnalysisResult) -> list[tuple[str, ...]]:
    """Per layer, the diff_ids of it and every layer below it (what a ChainID hashes)."""
    keys: list[tuple[str, ...]] = []
    chain: tuple[str, ...] = ()
    for layer in result.layers.layers:
        chain = (*chain, layer.diff_id)
        keys.append(chain)
    return keys


def fill_digests(
    before: tuple[Image, AnalysisResult], after: tuple[Image, AnalysisResult]
) -> tuple[set[str], list[str]]:
    """Give a digest to every same-size pair that needs one; returns the paths known
    equal by their layer stacks (no digest needed) and notes on what could not be hashed."""
    (before_image, before_result), (after_image, after_result) = before, after
    before_files, after_files = before_result.layers.files, after_result.layers.files
    before_chains, after_chains = chain_keys(before_result), chain_keys(after_result)
    same_stack: set[str] = set()
    wanted: tuple[list[str], list[str]] = ([], [])
    file_kind = FileKind.FILE
    for path, old in before_files.items():
        if old.kind is not file_kind or not old.size:
            continue
        new = after_files.get(path)
        if new is None or new.kind is not file_kind or new.size != old.size:
            continue
        if old.digest is not None and new.digest is not None:
            continue
        if before_chains[old.layer_index] == after_chains[new.layer_index]:
            same_stack.add(path)
            continue
        if old.digest is None:
            wanted[0].append(path)
        if new.digest is None:
            wanted[1].append(path)
    notes: list[str] = []
    sides = ((before_image, before_result, wanted[0]), (after_image, after_result, wanted[1]))
    jobs = [side for side in sides if side[2]]
    if len(jobs) == 2:
        with ThreadPoolExecutor(max_workers=2, thread_name_prefix="slimage-diff") as pool:
            for found in pool.map(lambda job: _hash_paths(*job), jobs):
                notes.extend(found)
    elif jobs:
        notes.extend(_hash_paths(*jobs[0]))
    return same_stack, notes


def _hash_paths(image: Image, result: AnalysisResult, paths: Sequence[str]) -> list[str]:
    """Hash ``paths`` where the pass left them (their place in a re-readable layer)."""
    files, unhashed = result.layers.files, result.layers.unhashed
    by_layer: dict[int, list[tuple[str, int, int]]] = {}
    missing = 0
    for path in paths:
        place = unhashed.get(path)
        if place is None:
            missing += 1
            continue
        by_layer.setdefault(place[0], []).append((path, place[1], files[path].size))
    for index, items in sorted(by_layer.items()):
        layer: Any = image.layers[index]
        digests = layer.content_digests([(offset, size) for _, offset, size in items])
        for (path, _, _), digest in zip(items, digests, strict=True):
            files[path].digest = digest
    if missing:
        return [
            f"{image.source}: {missing} files could not be hashed; where their size is "
            "unchanged they are counted as changed"
        ]
    return []


def _cause(result: AnalysisResult, path: str) -> str:
    claim = result.explanation.claims.by_path.get(path)
    return claim.cause if claim is not None else ""


def compare_files(
    before: AnalysisResult, after: AnalysisResult, same_stack: set[str]
) -> tuple[FileTotals, list[FileChange]]:
    """Every regular file added, removed or changed, biggest first, and the totals.

    A path that is a regular file on one side only (absent, or a directory or link on the
    other) counts as added or removed.
    """
    before_files, after_files = before.layers.files, after.layers.files
    totals = FileTotals()
    changes: list[FileChange] = []
    file_kind = FileKind.FILE
    for path, old in before_files.items():
        if old.kind is not file_kind:
            continue
        new = after_files.get(path)
        if new is None or new.kind is not file_kind:
            changes.append(FileChange(f"/{path}", "removed", old.size, 0, _cause(before, path)))
            totals.removed_files += 1
            totals.removed_bytes += old.size
        elif _same(old, new, path, same_stack):
            totals.unchanged_files += 1
            totals.unchanged_bytes += new.size
        else:
            cause = _cause(after, path) or _cause(before, path)
            changes.append(FileChange(f"/{path}", "changed", old.size, new.size, cause))
            totals.changed_files += 1
            totals.changed_before_bytes += old.size
            totals.changed_after_bytes += new.size
    for path, new in after_files.items():
        if new.kind is not file_kind:
            continue
        previous = before_files.get(path)
        if previous is None or previous.kind is not file_kind:
            changes.append(FileChange(f"/{path}", "added", 0, new.size, _cause(after, path)))
            totals.added_files += 1
            totals.added_bytes += new.size
    changes.sort(key=lambda change: (-change.weight, change.path))
    return totals, changes


def _same(old: FileRecord, new: FileRecord, path: str, same_stack: set[str]) -> bool:
    if old.size != new.size:
        return False
    if not old.size or path in same_stack:
        return True
    return old.digest is not None and old.digest == new.digest


def group_by_directory(changes: Sequence[FileChange], depth: int) -> list[ChangeGroup]:
    """Changes summed per directory, cut at ``depth`` levels (``/usr/lib/gcc``)."""
    groups: dict[str, ChangeGroup] = {}
    for change in changes:
        parts = change.path.strip("/").split("/")[:-1][: max(depth, 1)]
        key = "/" + "/".join(parts)
        group = groups.get(key)
        if group is None:
            group = groups[key] = ChangeGroup(key, key)
        group.add(change)
    return sorted(groups.values(), key=lambda group: (-group.weight, group.key))


def group_by_cause(
    changes: Sequence[FileChange], before: AnalysisResult, after: AnalysisResult
) -> list[ChangeGroup]:
    """Changes summed per analysis cause (a removed file by the cause the before image's
    analysis charged it to, an added or changed one by the after image's)."""
    causes = {**before.explanation.claims.causes, **after.explanation.claims.causes}
    classes: dict[str, str] = {}
    for result in (before, after):
        for claim in result.explanation.claims.by_path.values():
            classes.setdefault(claim.cause, str(claim.waste_class))
    groups: dict[str, ChangeGroup] = {}
    for change in changes:
        group = groups.get(change.cause)
        if group is None:
            cause = causes.get(change.cause)
            title = cause.title if cause is not None else UNCLAIMED_TITLE
            group = groups[change.cause] = ChangeGroup(
                change.cause, title, classes.get(change.cause, "")
            )
        group.add(change)
    return sorted(groups.values(), key=lambda group: (-group.weight, group.key))
