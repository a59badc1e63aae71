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
from slimage.diff.side import Side

if TYPE_CHECKING:
    from slimage.image.model import Image

UNCLAIMED_TITLE = "not classified as waste (application, runtime and base files)"
# Bytes of each file compared at a time (the layer readers' own window).
COMPARE_STEP = 1 << 20

# (path, size, before (layer, offset), after (layer, offset))
_Pair = tuple[str, int, tuple[int, int], tuple[int, int]]


def chain_keys(side: Side) -> list[tuple[str, ...]]:
    """Per layer, the diff_ids of it and every layer below it (what a ChainID hashes)."""
    keys: list[tuple[str, ...]] = []
    chain: tuple[str, ...] = ()
    for diff_id in side.diff_ids:
        chain = (*chain, diff_id)
        keys.append(chain)
    return keys


def same_contents(
    before: tuple[Image, Side], after: tuple[Image, Side]
) -> tuple[set[str], list[str]]:
    """Settle every same-size pair without digests on both sides: returns the paths known
    equal without digests (same layer stack, or compared byte for byte) and notes on what
    could not be read; digests needed to compare the other pairs are filled in."""
    (before_image, old_side), (after_image, new_side) = before, after
    before_files, after_files = old_side.files, new_side.files
    before_places, after_places = old_side.unhashed, new_side.unhashed
    before_chains, after_chains = chain_keys(old_side), chain_keys(new_side)
    equal: set[str] = set()
    pairs: list[_Pair] = []
    wanted: tuple[list[str], list[str]] = ([], [])
    for path, (size, old_layer, old_digest) in before_files.items():
        new = after_files.get(path)
        if new is None or new[0] != size or not size:
            continue
        new_layer, new_digest = new[1], new[2]
        if old_digest is not None and new_digest is not None:
            continue
        if before_chains[old_layer] == after_chains[new_layer]:
            equal.add(path)
            continue
        old_place, new_place = before_places.get(path), after_places.get(path)
        if old_digest is None and new_digest is None and old_place and new_place:
            pairs.append((path, size, old_place, new_place))
            continue
        if old_digest is None:
            wanted[0].append(path)
        if new_digest is None:
            wanted[1].append(path)
    notes: list[str] = []
    sides = ((before_image, old_side, wanted[0]), (after_image, new_side, wanted[1]))
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


def _hash_paths(image: Image, side: Side, paths: Sequence[str]) -> list[str]:
    """Hash ``paths`` where the pass left them (their place in a re-readable layer)."""
    files, unhashed = side.files, side.unhashed
    by_layer: dict[int, list[tuple[str, int, int]]] = {}
    missing = 0
    for path in paths:
        place = unhashed.get(path)
        if place is None:
            missing += 1
            continue
        by_layer.setdefault(place[0], []).append((path, place[1], files[path][0]))
    for index, items in sorted(by_layer.items()):
        layer: Any = image.layers[index]
        digests = layer.content_digests([(offset, size) for _, offset, size in items])
        for (path, _, _), digest in zip(items, digests, strict=True):
            files[path][2] = digest
    if missing:
        return [
            f"{side.source}: {missing} files could not be hashed; where their size is "
            "unchanged they are counted as changed"
        ]
    return []


def compare_files(
    before: Side, after: Side, equal: set[str]
) -> tuple[FileTotals, list[FileChange]]:
    """Every regular file added, removed or changed, biggest first, and the totals.

    A path that is a regular file on one side only (absent, or a directory or link on the
    other) counts as added or removed.
    """
    before_files, after_files = before.files, after.files
    before_causes, after_causes = before.causes, after.causes
    totals = FileTotals()
    changes: list[FileChange] = []
    for path, (size, _, digest) in before_files.items():
        new = after_files.get(path)
        if new is None:
            changes.append(FileChange(f"/{path}", "removed", size, 0, before_causes.get(path, "")))
            totals.removed_files += 1
            totals.removed_bytes += size
        elif new[0] == size and (
            not size or path in equal or (digest is not None and digest == new[2])
        ):
            totals.unchanged_files += 1
            totals.unchanged_bytes += size
        else:
            cause = after_causes.get(path) or before_causes.get(path, "")
            changes.append(FileChange(f"/{path}", "changed", size, new[0], cause))
            totals.changed_files += 1
            totals.changed_before_bytes += size
            totals.changed_after_bytes += new[0]
    for path, (size, _, _) in after_files.items():
        if path not in before_files:
            changes.append(FileChange(f"/{path}", "added", 0, size, after_causes.get(path, "")))
            totals.added_files += 1
            totals.added_bytes += size
    changes.sort(key=lambda change: (-change.weight, change.path))
    return totals, changes


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


def group_by_cause(changes: Sequence[FileChange], before: Side, after: Side) -> list[ChangeGroup]:
    """Changes summed per analysis cause (a removed file by the cause the before image's
    analysis charged it to, an added or changed one by the after image's)."""
    titles = {**before.cause_titles, **after.cause_titles}
    groups: dict[str, ChangeGroup] = {}
    for change in changes:
        group = groups.get(change.cause)
        if group is None:
            title, waste_class = titles.get(change.cause, (UNCLAIMED_TITLE, ""))
            group = groups[change.cause] = ChangeGroup(change.cause, title, waste_class)
        group.add(change)
    return sorted(groups.values(), key=lambda group: (-group.weight, group.key))
