"""``diff_images``: two images in, one :class:`~slimage.diff.model.ImageDiff` out.

Each image is read once by the analysis (:func:`slimage.api.analyze`) with
``digest_files``: the same streaming pass that explains it also gives each file a
content digest (or, where its layer can be read again, keeps where the file is, so that
only same-size pairs are read again and compared, see :mod:`slimage.diff.files`).
Memory holds the two final filesystems' records and digests, never contents.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING

from slimage.diff.config import compare_config, compare_inventory
from slimage.diff.files import compare_files, group_by_cause, group_by_directory, same_contents
from slimage.diff.model import ClassChange, DiffOptions, GrowthGate, ImageDiff, ImageTotals
from slimage.diff.packages import compare_packages
from slimage.filesystem import FileKind

if TYPE_CHECKING:
    from slimage.analysis.result import AnalysisResult
    from slimage.image.model import Image


def diff_images(
    before: str | Image,
    after: str | Image,
    options: DiffOptions | None = None,
    *,
    progress: Callable[[int], None] | None = None,
) -> ImageDiff:
    """Compare ``before`` and ``after`` (IMAGE references as the CLI takes them, or images
    opened with :func:`slimage.api.open_image`) by content.

    ``progress`` is called with the number of stored bytes read, over both images.
    """
    from slimage.api import AnalyzeOptions, analyze, open_image, start_digest_checks

    options = options if options is not None else DiffOptions()
    images = [
        open_image(
            image,
            platform=options.platform,
            insecure_registry=options.insecure_registry,
            credentials=options.credentials,
        )
        if isinstance(image, str)
        else image
        for image in (before, after)
    ]
    # The after image's layer digests are checked on another thread while the before
    # image is read (local sources only; registries fetch as they are read).
    start_digest_checks(images[1])
    analyze_options = AnalyzeOptions(
        platform=options.platform,
        insecure_registry=options.insecure_registry,
        credentials=options.credentials,
        use_cache=False,
        digest_files=True,
    )
    results = [analyze(image, analyze_options, progress=progress) for image in images]
    return compare(images[0], results[0], images[1], results[1], options)


def compare(
    before_image: Image,
    before: AnalysisResult,
    after_image: Image,
    after: AnalysisResult,
    options: DiffOptions,
) -> ImageDiff:
    """The diff of two images already analysed with ``digest_files``."""
    equal, notes = same_contents((before_image, before), (after_image, after))
    file_totals, files = compare_files(before, after, equal)
    before_ids = {layer.diff_id for layer in before.layers.layers}
    new_layers = [layer for layer in after.layers.layers if layer.diff_id not in before_ids]
    diff = ImageDiff(
        before=_totals(before, options.bandwidth_bits),
        after=_totals(after, options.bandwidth_bits),
        bandwidth_bits=options.bandwidth_bits,
        shared_layers=len(after.layers.layers) - len(new_layers),
        new_layer_bytes=sum(layer.compressed_size for layer in new_layers),
        file_totals=file_totals,
        files=files,
        directories=group_by_directory(files, options.directory_depth),
        causes=group_by_cause(files, before, after),
        waste_classes=_classes(before, after),
        packages=compare_packages(before.explanation.inventory, after.explanation.inventory),
        inventory=compare_inventory(before.explanation.inventory, after.explanation.inventory),
        config=compare_config(before.config, after.config),
        notes=notes,
    )
    diff.gates = _gates(diff, options)
    return diff


def _totals(result: AnalysisResult, bandwidth_bits: int) -> ImageTotals:
    layers = result.layers
    compressed = layers.compressed_bytes
    return ImageTotals(
        source=result.source,
        platform=result.platform,
        size_bytes=result.size_bytes,
        final_bytes=layers.final_bytes,
        compressed_bytes=compressed,
        layers=len(layers.layers),
        files=sum(1 for record in layers.files.values() if record.kind is FileKind.FILE),
        waste_bytes=result.waste_bytes,
        pull_seconds=compressed * 8 / bandwidth_bits if bandwidth_bits > 0 else math.inf,
    )


def _classes(before: AnalysisResult, after: AnalysisResult) -> list[ClassChange]:
    old, new = before.explanation.classes, after.explanation.classes
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
