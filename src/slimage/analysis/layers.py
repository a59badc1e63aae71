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
files :func:`~slimage.analysis.explain.content_wanted` asks for (capped in total), one
layer's list of paths for dive's efficiency, which is computed in the same pass
(:mod:`slimage.analysis.efficiency`), and, while a compressed layer is read, the
recording of the next one, read ahead on a worker thread
(:mod:`~slimage.analysis.read_ahead`).

This module drives the pass; each job has its module: the overlay/whiteout model
(:mod:`~slimage.analysis.overlay`), the records it returns
(:mod:`~slimage.analysis.layer_records`), reading one layer's entries
(:mod:`~slimage.analysis.layer_reading`), which files to hash after it
(:mod:`~slimage.analysis.dedup_hashing`), progress (:mod:`~slimage.analysis.progress`)
and the history -> step mapping (:mod:`slimage.image.history`). Their public names are
importable from here. The layer cache is not one of them: it wraps the image
(:class:`~slimage.analysis.layer_recording.CachedImage`), and the pass reads the
wrapper's layers as any others.
"""

from __future__ import annotations

from collections.abc import Callable

from slimage.analysis.dedup_hashing import _hash_candidates
from slimage.analysis.layer_reading import read_layer
from slimage.analysis.layer_recording import replay
from slimage.analysis.layer_records import (
    _LAYER_SHIFT,
    _OFFSET_MASK,
    HASH_MIN_SIZE,
    HIDDEN_CAUSES,
    MAX_KEPT_CONTENT,
    MAX_WARNINGS,
    OPAQUE,
    SAMPLE,
    TOP_N,
    WHITEOUT,
    HiddenItem,
    LayerAnalysis,
    LayerSummary,
    PendingChecks,
    Progress,
)
from slimage.analysis.overlay import OverlayPass, _Pass
from slimage.analysis.read_ahead import ReadAhead
from slimage.image.history import map_history
from slimage.image.model import Closable, Image, PlansReads


def analyze_layers(
    image: Image,
    *,
    content_wanted: Callable[[str, int], bool],
    progress: Progress | None = None,
    ignore: Callable[[str], bool] | None = None,
    checks: PendingChecks | None = None,
    digest_files: bool = False,
) -> LayerAnalysis:
    """Read every layer of ``image`` once and return the final filesystem and its waste.

    ``ignore``: paths whose content and hidden bytes are also tallied apart (for gates).
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
    if isinstance(image, Closable):
        pending.closers.append(image.close)
    try:
        _read_layers(image, state, history_map, progress, pending)
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
    """Final files the pass left unhashed: path -> (layer index, offset in its tar)."""
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
    progress: Progress | None,
    pending: PendingChecks,
) -> None:
    # Sources that download (registries) may fetch the next layer to read while this one
    # is analysed: tell them which layers will be read (a cached image leaves out those
    # it replays).
    if isinstance(image, PlansReads):
        image.plan_reads(list(range(len(image.layers))))
    ahead = ReadAhead(image.layers, state.content_wanted, state.hash_min_size, progress)
    try:
        _read_each(image, state, history_map, progress, pending, ahead)
    except BaseException:
        ahead.abandon()
        raise
    _hash_candidates(state, image.layers)


def _read_each(
    image: Image,
    state: _Pass,
    history_map: list[tuple[int | None, str | None, int]],
    progress: Progress | None,
    pending: PendingChecks,
    ahead: ReadAhead,
) -> None:
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
        recorded = ahead.take(index)
        if recorded is not None:  # read on the worker while the layer before was read
            recording, read = recorded
            state.deferring = False  # its files were hashed as they streamed
            replay(state, recording)
        else:
            # The next layer inflates on the worker meanwhile, the one after it here.
            ahead.start(index + 1)
            read = read_layer(layer, state, progress)
        if read.pending_check is not None:
            pending.checks.append(read.pending_check)
        summary.uncompressed_size = read.uncompressed_size
        for warning in read.warnings:
            state.warn(warning)
        if progress is not None:
            progress(0)
        state.end_layer()


__all__ = [
    "HASH_MIN_SIZE",
    "HIDDEN_CAUSES",
    "MAX_KEPT_CONTENT",
    "MAX_WARNINGS",
    "OPAQUE",
    "SAMPLE",
    "TOP_N",
    "WHITEOUT",
    "HiddenItem",
    "LayerAnalysis",
    "LayerSummary",
    "OverlayPass",
    "PendingChecks",
    "Progress",
    "analyze_layers",
    "map_history",
]
