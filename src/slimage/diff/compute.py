"""``diff_images``: two images in, one :class:`~slimage.diff.model.ImageDiff` out.

Each image is read once by the analysis (:func:`slimage.api.analyze`) with
``digest_files``: the same streaming pass that explains it also gives each file a
content digest (or, where its layer can be read again, keeps where the file is, so that
only same-size pairs are read again and compared, see :mod:`slimage.diff.files`).
Memory holds the two final filesystems' records and digests, never contents.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from slimage.diff.config import compare_config, compare_inventory
from slimage.diff.files import compare_files, group_by_cause, group_by_directory, same_contents
from slimage.diff.model import ClassChange, DiffOptions, GrowthGate, ImageDiff, ImageTotals
from slimage.diff.packages import compare_packages
from slimage.diff.side import Side, side_of

if TYPE_CHECKING:
    from slimage.analysis.result import AnalysisResult
    from slimage.image.model import Image


def diff_images(
    before: str | Image,
    after: str | Image,
    options: DiffOptions | None = None,
) -> ImageDiff:
    """Compare ``before`` and ``after`` (IMAGE references as the CLI takes them, or images
    opened with :func:`slimage.api.open_image`) by content.

    With ``options.parallel`` (the default), the after image is read by a forked process
    at the same time as the before image here (see :mod:`slimage.diff.parallel`).
    """
    from slimage.api import AnalyzeOptions
    from slimage.diff.parallel import read_sides

    options = options if options is not None else DiffOptions()
    analyze_options = AnalyzeOptions(
        platform=options.platform,
        insecure_registry=options.insecure_registry,
        credentials=options.credentials,
        use_cache=False,
        digest_files=True,
    )
    before_pair, after_pair = read_sides(before, after, options, analyze_options)
    return compare_sides(before_pair, after_pair, options)


def compare(
    before_image: Image,
    before: AnalysisResult,
    after_image: Image,
    after: AnalysisResult,
    options: DiffOptions,
) -> ImageDiff:
    """The diff of two images already analysed with ``digest_files``."""
    return compare_sides((before_image, side_of(before)), (after_image, side_of(after)), options)


def compare_sides(
    before_pair: tuple[Image, Side], after_pair: tuple[Image, Side], options: DiffOptions
) -> ImageDiff:
    before, after = before_pair[1], after_pair[1]
    equal, notes = same_contents(before_pair, after_pair)
    file_totals, files = compare_files(before, after, equal)
    before_ids = set(before.diff_ids)
    new_layers = [
        size
        for diff_id, size in zip(after.diff_ids, after.compressed_sizes, strict=True)
        if diff_id not in before_ids
    ]
    diff = ImageDiff(
        before=_totals(before, options.bandwidth_bits),
        after=_totals(after, options.bandwidth_bits),
        bandwidth_bits=options.bandwidth_bits,
        shared_layers=len(after.diff_ids) - len(new_layers),
        new_layer_bytes=sum(new_layers),
        file_totals=file_totals,
        files=files,
        directories=group_by_directory(files, options.directory_depth),
        causes=group_by_cause(files, before, after),
        waste_classes=_classes(before, after),
        packages=compare_packages(before.inventory, after.inventory),
        inventory=compare_inventory(before.inventory, after.inventory),
        config=compare_config(before.config, after.config),
        notes=notes,
    )
    diff.gates = _gates(diff, options)
    return diff


def _totals(side: Side, bandwidth_bits: int) -> ImageTotals:
    compressed = side.compressed_bytes
    return ImageTotals(
        source=side.source,
        platform=side.platform,
        size_bytes=side.size_bytes,
        final_bytes=side.final_bytes,
        compressed_bytes=compressed,
        layers=len(side.diff_ids),
        files=len(side.files),
        waste_bytes=side.waste_bytes,
        pull_seconds=compressed * 8 / bandwidth_bits if bandwidth_bits > 0 else math.inf,
    )


def _classes(before: Side, after: Side) -> list[ClassChange]:
    old, new = before.classes, after.classes
    changes = [
        ClassChange(name, old.get(name, 0), new.get(name, 0))
        for name in dict.fromkeys([*old, *new])
        if old.get(name, 0) != new.get(name, 0)
    ]
    return sorted(changes, key=lambda change: (change.delta, change.waste_class))


def _gates(diff: ImageDiff, options: DiffOptions) -> list[GrowthGate]:
    gates: list[GrowthGate] = []
    growth = diff.size_delta
    if options.max_growth_bytes is not None:
        limit = options.max_growth_bytes
        gates.append(GrowthGate(limit, "bytes", growth, growth <= limit))
    if options.max_growth_ratio is not None:
        base = diff.before.size_bytes
        ratio = growth / base if base else (math.inf if growth > 0 else 0.0)
        limit_ratio = options.max_growth_ratio
        gates.append(GrowthGate(limit_ratio, "ratio", ratio, ratio <= limit_ratio))
    return gates
