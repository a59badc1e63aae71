"""Which regular files two final filesystems add, remove and change, by content.

Two files at the same path are the same when their sizes are equal and their contents
are, which is known without reading them when both were last written by a layer whose
whole stack of layers below it is the same in both images (equal chain of diff_ids, as
the OCI image spec's ChainID says): the filesystem at that point is identical, so is the
file. A file whose size changed has changed; only same-size pairs are looked at.

The pass (``digest_files``) gave a sha256 digest to every file of a layer it could read
only once (a compressed or downloaded one), as it streamed. Files of layers that can be
read again (uncompressed tars in local files) were left where they are: a same-size pair
with both sides there is compared byte for byte (a few times faster than hashing both
sides, and it stops at the first difference), and a pair with one side hashed gets the
other side hashed. Memory holds at most a window of each file, never a whole one.
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
# Bytes of each file compared at a time (the layer readers' own window).
COMPARE_STEP = 1 << 20

# (path, size, before (layer, offset), after (layer, offset))
_Pair = tuple[str, int, tuple[int, int], tuple[int, int]]


def chain_keys(result: AnalysisResult) -> list[tuple[str, ...]]:
    """Per layer, the diff_ids of it and every layer below it (what a ChainID hashes)."""
    keys: list[tuple[str, ...]] = []
    chain: tuple[str, ...] = ()
    for layer in result.layers.layers:
        chain = (*chain, layer.diff_id)
        keys.append(chain)
    return keys


def same_contents(
    before: tuple[Image, AnalysisResult], after: tuple[Image, AnalysisResult]
) -> tuple[set[str], list[str]]:
    """Settle every same-size pair without digests on both sides: returns the paths known
    equal without digests (same layer stack, or compared byte for byte) and notes on what
    could not be read; digests needed to compare the other pairs are filled in."""
    (before_image, before_result), (after_image, after_result) = before, after
    before_files, after_files = before_result.layers.files, after_result.layers.files
    before_places, after_places = before_result.layers.unhashed, after_result.layers.unhashed
    before_chains, after_chains = chain_keys(before_result), chain_keys(after_result)
    equal: set[str] = set()
    pairs: list[_Pair] = []
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
            equal.add(path)
            continue
        old_place, new_place = before_places.get(path), after_places.get(path)
        if old.digest is None and new.digest is None and old_place and new_place:
            pairs.append((path, old.size, old_place, new_place))
            continue
        if old.digest is None:
            wanted[0].append(path)
        if new.digest is None:
            wanted[1].append(path)
    notes: list[str] = []
    sides = ((before_image, before_result, wanted[0]), (after_image, after_result, wanted[1]))
    jobs = [side for side in sides if side[2]]
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="slimage-diff") as pool:
        hashing = [pool.submit(_hash_paths, *job) for job in jobs]
        equal |= _compare_pairs(before_image, after_image, pairs)
        for job in hashing:
            notes.extend(job.result())
    return equal, notes


def _compare_pairs(before: Image, after: Image, pairs: list[_Pair]) -> set[str]:
    """The paths of ``pairs`` whose bytes are equal, read in the before layers' order."""
    pairs.sort(key=lambda pair: pair[2])
    readers: dict[tuple[int, int], Any] = {}
    equal: set[str] = set()
    try:
        for path, size, (old_layer, old_offset), (new_layer, new_offset) in pairs:
            old = readers.get((0, old_layer))
            if old is None:
                old = readers[(0, old_layer)] = _contents(before, old_layer)
            new = readers.get((1, new_layer))
            if new is None:
                new = readers[(1, new_layer)] = _contents(after, new_layer)
            position = 0
            while position < size:
                step = min(COMPARE_STEP, size - position)
                left = old.read(old_offset + position, step).tobytes()
                if left != new.read(new_offset + position, step).tobytes():
                    break
                position += step
            else:
                equal.add(path)
    finally:
        for reader in readers.values():
            reader.close()
    return equal


def _contents(image: Image, index: int) -> Any:
    layer: Any = image.layers[index]
    return layer.open_contents()


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
    before: AnalysisResult, after: AnalysisResult, equal: set[str]
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
        elif _same(old, new, path, equal):
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


def _same(old: FileRecord, new: FileRecord, path: str, equal: set[str]) -> bool:
    if old.size != new.size:
        return False
    if not old.size or path in equal:
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
