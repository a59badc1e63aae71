"""Running an audit: resolve every target to an image ID, analyse each new image once.

An image's identity is its image ID, the digest of its config (what ``docker images``
shows): two tags of the same build are one image, analysed once. The store remembers
every image analysed by any earlier run, so a re-audit of an unchanged fleet opens the
manifests and analyses nothing. Layers go through slimage's layer cache, keyed by layer
digest, so a base layer shared by forty images is downloaded and read once.

Work is spread over ``jobs`` processes on one machine and over ``shard`` (I/N) across
machines: shard I takes the images whose ID, read as a number, is I modulo N, so N
workers writing to one store cover the fleet exactly once, whatever order they run in.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from slimage.audit.sources import Target
from slimage.audit.store import EntryRow, ImageRow, LayerRow, Resolution, Store
from slimage.errors import SlimageError, UsageError

if TYPE_CHECKING:  # httpx is imported only when an image is in a registry
    from slimage.image.registry_client import RegistrySession

TOP_FINDINGS = 5
IDENTIFY_THREADS = 8
REGISTRY = "docker://"


@dataclass(frozen=True)
class Shard:
    index: int
    count: int

    @classmethod
    def parse(cls, text: str) -> Shard:
        """``"2/4"`` -> Shard(2, 4); shards are numbered from 0, as Kubernetes'
        JOB_COMPLETION_INDEX is."""
        left, sep, right = text.partition("/")
        try:
            index, count = int(left), int(right)
        except ValueError:
            index, count = -1, 0
        if not sep or count < 1 or not 0 <= index < count:
            raise UsageError(f"--shard {text!r}: expected I/N with 0 <= I < N (e.g. 0/4)")
        return cls(index, count)

    def owns(self, image_id: str) -> bool:
        return int(image_id.rpartition(":")[2][:16] or "0", 16) % self.count == self.index


@dataclass(frozen=True)
class AuditOptions:
    run: str
    scope: str
    jobs: int = 1
    shard: Shard = Shard(0, 1)
    tags_per_repository: int | None = None
    insecure_registry: bool = False
    credentials: Any = None
    use_cache: bool = True


@dataclass
class AuditOutcome:
    """What one run (or one shard of it) did."""

    targets: int = 0
    images: int = 0  # unique images this shard owns
    analysed: int = 0  # of which read now (the rest were in the store)
    failed: int = 0


def default_run_name() -> str:
    return "audit-" + datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")


def run_audit(
    targets: Sequence[Target],
    store: Store,
    options: AuditOptions,
    *,
    progress: Callable[[str], None] | None = None,
    session: RegistrySession | None = None,
) -> AuditOutcome:
    """Audit ``targets`` into ``store`` under ``options.run``. Registry images are
    identified through ``session`` (one is made when none is given): one connection
    pool and one authorization per registry for the whole fleet."""
    say = progress or (lambda _message: None)
    store.start_run(options.run, options.scope)
    outcome = AuditOutcome(targets=len(targets))
    resolved: list[tuple[Target, str, str | None]] = []  # target, image ID, created
    entries: list[EntryRow] = []  # written together at the end: one commit per run
    resolutions: list[Resolution] = []  # registry references resolved anew
    layer_digests: dict[str, tuple[str, ...]] = {}
    for target, identity in zip(
        targets, _identify_all(targets, store, options, session), strict=True
    ):
        if isinstance(identity, str):
            if options.shard.owns(_reference_key(target.reference)):
                entries.append(_entry(target, None, identity))
                outcome.failed += 1
            continue
        resolved.append((target, identity.image_id, identity.created))
        layer_digests[identity.image_id] = identity.layers
        if identity.resolution is not None and options.shard.owns(identity.image_id):
            resolutions.append(identity.resolution)
    resolved = _newest_tags(resolved, options.tags_per_repository)
    mine = [(t, i) for t, i, _ in resolved if options.shard.owns(i)]
    first_reference: dict[str, str] = {}
    for target, image_id in mine:
        first_reference.setdefault(image_id, target.reference)
    outcome.images = len(first_reference)
    known = store.known_images(first_reference)
    todo = {i: ref for i, ref in first_reference.items() if i not in known}
    say(f"{len(first_reference)} images, {len(todo)} to analyse")
    errors: dict[str, str] = {}
    for image_id, result in _analyse_all(todo, layer_digests, options):
        if isinstance(result, str):
            errors[image_id] = result
            outcome.failed += 1
        else:
            store.add_image(*result)
            outcome.analysed += 1
            say(f"analysed {todo[image_id]}")
    for target, image_id in mine:
        failure = errors.get(image_id)
        entries.append(_entry(target, None if failure else image_id, failure))
    store.record_entries(options.run, entries, resolutions)
    return outcome


def _entry(target: Target, image_id: str | None, error: str | None) -> EntryRow:
    return EntryRow(target.reference, target.origin, target.repository, image_id, error)


def _reference_key(reference: str) -> str:
    """A failure to open has no image ID: its shard is chosen by the reference instead."""
    return "sha256:" + hashlib.sha256(reference.encode()).hexdigest()


@dataclass(frozen=True)
class Identity:
    """What a reference resolves to, from its manifest and config alone."""

    image_id: str
    created: str | None
    layers: tuple[str, ...]  # layer digests, bottom first
    resolution: Resolution | None = None  # a registry reference looked up anew: to store


def _identify_all(
    targets: Sequence[Target],
    store: Store,
    options: AuditOptions,
    session: RegistrySession | None,
) -> list[Identity | str]:
    """Each target's identity, or the message saying why it has none.

    Manifests and configs are small requests that mostly wait on the network: they are
    fetched a few at a time, over one session (connections, authorization) per audit.
    A registry reference the store has resolved before costs one HEAD of its manifest:
    while the digest the registry answers is the stored one, the image is the stored
    one, and its manifest and config are not fetched again.
    """
    registry = [t.reference for t in targets if t.reference.startswith(REGISTRY)]
    platform: str | None = None
    remembered: dict[str, Resolution] = {}
    with contextlib.ExitStack() as stack:
        if registry:
            from slimage.image.platforms import host_platform_name

            platform = host_platform_name()  # an index's image is chosen for this machine
            remembered = store.resolutions(registry, platform)
            if session is None:
                from slimage.image.registry_client import RegistrySession

                session = stack.enter_context(contextlib.closing(RegistrySession()))
        pool = stack.enter_context(ThreadPoolExecutor(max_workers=IDENTIFY_THREADS))

        def identify(target: Target) -> Identity | str:
            known = remembered.get(target.reference)
            if known is not None and session is not None and _unchanged(known, options, session):
                return Identity(known.image_id, known.created, known.layers)
            return _identify_or_error(target.reference, options, session, platform)

        return list(pool.map(identify, targets))


def _unchanged(known: Resolution, options: AuditOptions, session: RegistrySession) -> bool:
    """Whether the reference still names the manifest ``known`` was resolved from (one
    HEAD request). A failure answers no: the full look that follows reports it."""
    from slimage.image.registry_client import RegistryClient
    from slimage.reference import parse_reference

    try:
        reference = parse_reference(known.reference[len(REGISTRY) :])
        client = RegistryClient(
            reference,
            credentials=options.credentials or session.credentials(reference.registry),
            insecure=options.insecure_registry,
            session=session,
        )
        return client.head_manifest(reference.reference) == known.manifest_digest
    except SlimageError:
        return False


def _identify_or_error(
    reference: str,
    options: AuditOptions,
    session: RegistrySession | None,
    platform: str | None,
) -> Identity | str:
    try:
        return _identify(reference, options, session, platform)
    except SlimageError as error:
        return error.message


def _identify(
    reference: str,
    options: AuditOptions,
    session: RegistrySession | None,
    platform: str | None,
) -> Identity:
    """The image ID, creation time and layer digests, from the manifest and config
    alone; for a registry reference (read through ``session``), what to remember of it."""
    image: Any
    if session is not None and reference.startswith(REGISTRY):
        from slimage.image.registry import open_registry_image

        text = reference[len(REGISTRY) :]
        image = open_registry_image(
            text,
            insecure=options.insecure_registry,
            credentials=options.credentials,
            session=session,
        )
    else:
        from slimage.api import open_image

        image = open_image(
            reference,
            insecure_registry=options.insecure_registry,
            credentials=options.credentials,
        )
    try:
        created = image.config.get("created")
        identity = Identity(
            image_id_of(image.manifest, image.config),
            created if isinstance(created, str) else None,
            tuple(layer.digest for layer in image.layers),
        )
        digest = getattr(image, "reference_digest", "")
        if platform is not None and digest:
            resolution = Resolution(
                reference, platform, digest, identity.image_id, identity.created, identity.layers
            )
            identity = dataclasses.replace(identity, resolution=resolution)
        return identity
    finally:
        close = getattr(image, "close", None)
        if callable(close):
            close()


def image_id_of(manifest: Mapping[str, Any], config: Mapping[str, Any]) -> str:
    """The config's digest, as the manifest names it (canonical JSON of the config when
    an old archive's synthesised manifest has none)."""
    descriptor = manifest.get("config")
    if isinstance(descriptor, Mapping):
        digest = descriptor.get("digest")
        if isinstance(digest, str) and digest.startswith("sha256:"):
            return digest
    canonical = json.dumps(config, sort_keys=True, separators=(",", ":")).encode()
    return "sha256:" + hashlib.sha256(canonical).hexdigest()


def _newest_tags(
    resolved: list[tuple[Target, str, str | None]], keep: int | None
) -> list[tuple[Target, str, str | None]]:
    """At most ``keep`` references per repository, the newest images first."""
    if keep is None:
        return resolved
    by_repository: dict[str, list[tuple[Target, str, str | None]]] = {}
    for item in resolved:
        by_repository.setdefault(item[0].repository or item[0].reference, []).append(item)
    kept: set[str] = set()
    for items in by_repository.values():
        items.sort(key=lambda item: (item[2] or "", item[0].reference), reverse=True)
        kept.update(item[0].reference for item in items[:keep])
    return [item for item in resolved if item[0].reference in kept]


_Result = tuple[ImageRow, list[LayerRow]] | str


def _analyse_all(
    todo: Mapping[str, str],
    layer_digests: Mapping[str, Sequence[str]],
    options: AuditOptions,
) -> list[tuple[str, _Result]]:
    """Analyse each image (ID -> reference); an error is returned as its message.

    With several jobs, images run in a process pool, in waves: no two images of a wave
    share a layer that no earlier wave read, so every layer is read once and the images
    after the first that carry it replay it from the layer cache.
    """
    results: list[tuple[str, _Result]] = []
    remaining = sorted(todo, key=lambda image_id: todo[image_id])
    read: set[str] = set()
    pool = None
    if options.jobs > 1 and len(remaining) > 1:
        # Imported here: multiprocessing is ~40 ms of a re-audit that analyses nothing.
        from concurrent.futures import ProcessPoolExecutor

        pool = ProcessPoolExecutor(max_workers=min(options.jobs, len(remaining)))
    try:
        while remaining:
            wave: list[str] = []
            later: list[str] = []
            claimed: set[str] = set()
            for image_id in remaining:
                new = set(layer_digests.get(image_id, ())) - read
                if new & claimed:
                    later.append(image_id)
                else:
                    wave.append(image_id)
                    claimed |= new
            arguments = [(todo[image_id], options) for image_id in wave]
            done = (
                pool.map(_analyse_packed, arguments)
                if pool is not None
                else (analyse_one(*args) for args in arguments)
            )
            results += zip(wave, done, strict=True)
            read |= claimed
            remaining = later
    finally:
        if pool is not None:
            pool.shutdown()
    return results


def _analyse_packed(args: tuple[str, AuditOptions]) -> _Result:
    return analyse_one(*args)


def analyse_one(reference: str, options: AuditOptions) -> _Result:
    """Analyse one image; the rows to store, or the one-line error."""
    from slimage.analysis.layer_cache import LayerCache
    from slimage.analysis.layer_recording import CachedImage
    from slimage.analysis.result import analyze_image
    from slimage.api import open_image, start_digest_checks

    try:
        image = open_image(
            reference,
            insecure_registry=options.insecure_registry,
            credentials=options.credentials,
        )
        # Every source goes through the layer cache here, archives too: a fleet's images
        # share their base layers, and each is then read once.
        cache = LayerCache.default() if options.use_cache else None
        if cache is None:
            start_digest_checks(image)
        result = analyze_image(CachedImage(image, cache) if cache is not None else image)
    except SlimageError as error:
        return error.message
    except (OSError, MemoryError) as error:
        return f"{reference}: {error}"
    return summarise(result, image_id_of(image.manifest, image.config))


def summarise(result: Any, image_id: str) -> tuple[ImageRow, list[LayerRow]]:
    """What the store keeps of an analysis: sizes, waste by cause, the top findings."""
    layers = result.layers
    explanation = result.explanation
    by_cause = {name: size for name, size in explanation.classes.items() if size}
    for cause, size in layers.hidden.items():
        if size:
            by_cause[f"hidden: {cause}"] = size
    findings = sorted(
        explanation.findings, key=lambda f: (-(f.bytes_saved or 0), f.code, f.message)
    )[:TOP_FINDINGS]
    inventory = explanation.inventory
    created = result.config.get("created")
    image = ImageRow(
        image_id=image_id,
        platform=result.platform,
        created=created if isinstance(created, str) else None,
        content_bytes=layers.content_bytes,
        compressed_bytes=layers.compressed_bytes,
        hidden_bytes=layers.hidden_bytes,
        waste_bytes=explanation.explained_bytes,
        reclaimable_bytes=layers.hidden_bytes + explanation.explained_bytes,
        by_cause=by_cause,
        findings=[
            {"code": f.code, "message": f.message, "bytes": f.bytes_saved or 0, "help": f.help}
            for f in findings
        ],
        user=inventory.user or None,
        os_name=inventory.os.pretty_name if inventory.os else None,
        steps=[layer.created_by or "" for layer in layers.layers],
    )
    rows = [
        LayerRow(layer.digest, layer.compressed_size, layer.content_bytes)
        for layer in layers.layers
    ]
    return image, rows


def cpu_jobs() -> int:
    return max(1, min(os.cpu_count() or 1, 8))
