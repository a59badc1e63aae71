"""The fleet report's model: per image, per base image, totals and trend, from the store.

Figures with sharing count each layer once, as a registry stores it and a node pulls it;
figures without sharing add up what each image would cost alone. The "if every finding
were applied" figures subtract each image's reclaimable bytes, scaled by that image's
compression ratio for the compressed figures: an estimate, and said to be one.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from slimage.audit.store import EntryRow, ImageRow, LayerRow, Store
from slimage.errors import UsageError

GB = 1000**3


@dataclass
class FleetImage:
    references: list[str]
    image: ImageRow
    layers: list[LayerRow]
    base: str  # the base's key (see BaseImage)


@dataclass
class BaseImage:
    """Layers several images share at their bottom: what a node pulls once for all."""

    key: str  # the top layer digest of the shared prefix
    name: str  # a reference of the fleet that is exactly this base, or its last step
    layers: int
    compressed_bytes: int
    content_bytes: int
    images: list[str] = field(default_factory=list)  # first reference of each image


@dataclass(frozen=True)
class Totals:
    references: int
    images: int
    failed: int
    content_bytes: int  # each image alone, uncompressed
    compressed_bytes: int  # each image alone: pulling every image with no sharing
    stored_bytes: int  # unique layers, compressed: registry storage and a cold node's pull
    reclaimable_bytes: int
    stored_bytes_after: int  # estimate with every finding applied
    pull_seconds: float  # a cold node pulling every image at the bandwidth
    pull_seconds_after: float
    monthly_cost: float
    monthly_cost_after: float
    bases: int
    bases_stored_bytes: int  # every distinct base, compressed
    consolidation_saving_bytes: int  # if every image used the most used base


@dataclass(frozen=True)
class Change:
    reference: str
    before_bytes: int | None  # None: new in this run
    after_bytes: int | None  # None: gone since the last run


@dataclass
class Fleet:
    run: str
    previous_run: str | None
    bandwidth_bits: float
    price_per_gb: float
    images: list[FleetImage]
    bases: list[BaseImage]
    failures: list[EntryRow]
    totals: Totals
    changes: list[Change]


def build_fleet(
    store: Store, run: str | None, *, bandwidth_bits: float, price_per_gb: float
) -> Fleet:
    """The report of ``run`` (the newest when None), compared with the run before it."""
    runs = [name for name, _ in store.runs()]
    if not runs:
        raise UsageError(f"{store.url}: the store holds no audit yet")
    if run is None:
        run = runs[-1]
    elif run not in runs:
        raise UsageError(f"--run {run!r}: no such run in {store.url} (runs: {', '.join(runs)})")
    position = runs.index(run)
    previous = runs[position - 1] if position > 0 else None
    entries = store.entries(run)
    fleet_images, failures = _images(store, entries)
    bases = _bases(fleet_images)
    totals = _totals(entries, fleet_images, failures, bases, bandwidth_bits, price_per_gb)
    changes = _changes(store, previous, entries, fleet_images) if previous else []
    return Fleet(
        run=run,
        previous_run=previous,
        bandwidth_bits=bandwidth_bits,
        price_per_gb=price_per_gb,
        images=fleet_images,
        bases=bases,
        failures=failures,
        totals=totals,
        changes=changes,
    )


def _images(store: Store, entries: Sequence[EntryRow]) -> tuple[list[FleetImage], list[EntryRow]]:
    references: dict[str, list[str]] = {}
    failures = []
    for entry in entries:
        if entry.image_id is None:
            failures.append(entry)
        else:
            references.setdefault(entry.image_id, []).append(entry.reference)
    rows = store.images(references)
    images = [
        FleetImage(sorted(refs), rows[image_id][0], rows[image_id][1], base="")
        for image_id, refs in references.items()
        if image_id in rows
    ]
    images.sort(key=lambda item: (-item.image.content_bytes, item.references[0]))
    return images, failures


def _bases(images: list[FleetImage]) -> list[BaseImage]:
    """Each image's base: the longest bottom run of layers it shares with an image that
    is not itself (an image the fleet has that is exactly that run names it). An image
    that shares nothing is its own base (its bottom layer)."""
    prefix_users: Counter[tuple[str, ...]] = Counter()
    for item in images:
        digests = tuple(layer.digest for layer in item.layers)
        for length in range(1, len(digests) + 1):
            prefix_users[digests[:length]] += 1
    exact = {tuple(layer.digest for layer in item.layers): item for item in images}
    bases: dict[str, BaseImage] = {}
    for item in images:
        digests = tuple(layer.digest for layer in item.layers)
        length = 0
        for candidate in range(len(digests), 0, -1):
            shared = prefix_users[digests[:candidate]] > 1
            if shared and (candidate < len(digests) or digests[:candidate] in exact):
                length = candidate
                break
        if length == 0:
            length = min(1, len(digests))
        prefix = digests[:length]
        key = prefix[-1] if prefix else "none"
        base = bases.get(key)
        if base is None:
            owner = exact.get(prefix)
            if owner is not None and owner is not item:
                name = owner.references[0]
            else:
                step = item.image.steps[length - 1] if 0 < length <= len(item.image.steps) else ""
                name = f"{key[:19]} ({length} layer{'s' if length != 1 else ''}"
                name += f": {_short(step)})" if step else ")"
            base = BaseImage(
                key=key,
                name=name,
                layers=length,
                compressed_bytes=sum(layer.compressed_bytes for layer in item.layers[:length]),
                content_bytes=sum(layer.content_bytes for layer in item.layers[:length]),
            )
            bases[key] = base
        base.images.append(item.references[0])
        item.base = key
    return sorted(bases.values(), key=lambda base: (-len(base.images), -base.compressed_bytes))


def _short(step: str, width: int = 48) -> str:
    step = " ".join(step.split())
    for prefix in ("/bin/sh -c #(nop) ", "/bin/sh -c "):
        step = step.removeprefix(prefix)
    return step if len(step) <= width else step[: width - 1] + "…"


def _totals(
    entries: Sequence[EntryRow],
    images: Sequence[FleetImage],
    failures: Sequence[EntryRow],
    bases: Sequence[BaseImage],
    bandwidth_bits: float,
    price_per_gb: float,
) -> Totals:
    unique: dict[str, LayerRow] = {}
    for item in images:
        for layer in item.layers:
            unique[layer.digest] = layer
    stored = sum(layer.compressed_bytes for layer in unique.values())
    saved_compressed = 0
    for item in images:
        ratio = (
            item.image.compressed_bytes / item.image.content_bytes
            if item.image.content_bytes
            else 1
        )
        saved_compressed += int(item.image.reclaimable_bytes * ratio)
    stored_after = max(0, stored - saved_compressed)
    bases_stored = sum(base.compressed_bytes for base in bases)
    most_used = bases[0].compressed_bytes if bases else 0
    bytes_per_second = bandwidth_bits / 8
    return Totals(
        references=len(entries),
        images=len(images),
        failed=len(failures),
        content_bytes=sum(item.image.content_bytes for item in images),
        compressed_bytes=sum(item.image.compressed_bytes for item in images),
        stored_bytes=stored,
        reclaimable_bytes=sum(item.image.reclaimable_bytes for item in images),
        stored_bytes_after=stored_after,
        pull_seconds=stored / bytes_per_second,
        pull_seconds_after=stored_after / bytes_per_second,
        monthly_cost=stored / GB * price_per_gb,
        monthly_cost_after=stored_after / GB * price_per_gb,
        bases=len(bases),
        bases_stored_bytes=bases_stored,
        consolidation_saving_bytes=max(0, bases_stored - most_used),
    )


def _changes(
    store: Store, previous: str, entries: Sequence[EntryRow], images: Sequence[FleetImage]
) -> list[Change]:
    now = {ref: item.image.content_bytes for item in images for ref in item.references}
    before_entries = store.entries(previous)
    # Images of both runs are read once: only those the previous run alone had are asked for.
    sizes = {item.image.image_id: item.image.content_bytes for item in images}
    gone = {e.image_id for e in before_entries if e.image_id and e.image_id not in sizes}
    if gone:
        sizes.update((i, rows[0].content_bytes) for i, rows in store.images(gone).items())
    before = {
        e.reference: sizes[e.image_id] for e in before_entries if e.image_id and e.image_id in sizes
    }
    changes = []
    for reference in sorted(set(now) | set(before)):
        old, new = before.get(reference), now.get(reference)
        if old != new:
            changes.append(Change(reference, old, new))
    changes.sort(key=lambda c: -abs((c.after_bytes or 0) - (c.before_bytes or 0)))
    return changes


def by_cause_totals(fleet: Fleet) -> Mapping[str, int]:
    """Reclaimable bytes of the whole fleet by cause, biggest first."""
    totals: Counter[str] = Counter()
    for item in fleet.images:
        totals.update(item.image.by_cause)
    return dict(totals.most_common())
