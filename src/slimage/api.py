"""The library API: what the CLI does, as functions a program can call.

::

    import slimage

    result = slimage.analyze("app.tar")                 # any IMAGE the CLI takes
    print(result.size_bytes, result.waste_bytes)
    for finding in result.explanation.findings:
        print(finding.code, finding.message)

    report = slimage.lint_path("Dockerfile")            # the config is discovered
    findings = slimage.lint("FROM ubuntu\\nRUN apt-get update\\n").findings

The CLI commands are thin shells over these functions: they parse options, call them and
render the result. Errors are :class:`slimage.SlimageError` subclasses, as in the CLI.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from slimage.analysis.gates import GateLimits

if TYPE_CHECKING:
    from slimage.analysis.layer_cache import LayerCache
    from slimage.analysis.result import AnalysisResult
    from slimage.image.credentials import Credentials
    from slimage.image.model import Image

__all__ = ["AnalyzeOptions", "analyze", "open_image"]


@dataclass(frozen=True)
class AnalyzeOptions:
    """How :func:`analyze` reads an image and which CI gates it checks.

    ``select`` / ``ignore``: finding codes, prefixes or names to keep or leave out, as
    lint's options (the most specific wins); left-out findings count for no gate.

    ``use_cache``: registry layers already analysed by an earlier run are replayed from
    the layer cache (``~/.cache/slimage/layers``) instead of downloaded again; local
    archives are always read, they are as fast to read as the cache.
    """

    platform: str | None = None
    insecure_registry: bool = False
    credentials: Credentials | None = None
    use_cache: bool = True
    limits: GateLimits = field(default_factory=GateLimits)
    digest_files: bool = False
    # Which findings to keep (``analyze --select/--ignore``, see slimage.analysis.selection).
    select: Sequence[str] = ()
    ignore: Sequence[str] = ()


def open_image(
    reference: str,
    *,
    platform: str | None = None,
    insecure_registry: bool = False,
    credentials: Credentials | None = None,
) -> Image:
    """Open an image from any source slimage reads (see ``docs/sources.md``): an archive
    or OCI layout path, ``oci:``, ``docker-archive:``, ``docker://``, ``docker-daemon:``,
    ``containers-storage:`` or a plain name. Nothing is read beyond the manifest and
    config until the layers are asked for."""
    from slimage.image.open import open_image as open_reference

    return open_reference(
        reference, platform=platform, insecure=insecure_registry, credentials=credentials
    )


def analyze(
    image: str | Image,
    options: AnalyzeOptions | None = None,
    *,
    progress: Callable[[int], None] | None = None,
) -> AnalysisResult:
    """Explain an image's bytes in one streaming pass and check the gates of ``options``.

    ``image`` is an IMAGE reference as the CLI takes it, or an image already opened with
    :func:`open_image`. ``progress`` is called with the number of stored bytes read as
    the pass goes.
    """
    from slimage.analysis.result import analyze_image, evaluate_gates

    options = options if options is not None else AnalyzeOptions()
    opened = (
        open_image(
            image,
            platform=options.platform,
            insecure_registry=options.insecure_registry,
            credentials=options.credentials,
        )
        if isinstance(image, str)
        else image
    )
    cache = layer_cache(opened) if options.use_cache and not options.digest_files else None
    if cache is None:
        start_digest_checks(opened)
    else:
        from slimage.analysis.layer_recording import CachedImage

        opened = CachedImage(opened, cache)
    result = analyze_image(
        opened,
        progress=progress,
        gate_ignore=options.limits.ignore,
        digest_files=options.digest_files,
    )
    if options.select or options.ignore:
        from slimage.analysis.selection import select_findings

        result.explanation.findings = select_findings(
            result.explanation.findings, options.select, options.ignore
        )
    result.gates = evaluate_gates(result, options.limits)
    return result


def layer_cache(image: Image) -> LayerCache | None:
    """The layer cache for registry images; None for local sources, which are as fast to
    read again as the cache would be."""
    if not str(image.source).startswith("docker://"):
        return None
    from slimage.analysis.layer_cache import LayerCache

    return LayerCache.default()


def start_digest_checks(image: Image, layers: Sequence[int] | None = None) -> None:
    """Let a local source start hashing its layers (their digest check) on another
    thread now, so that the hashing overlaps with whatever the caller does next."""
    from slimage.image.model import PlansReads

    if isinstance(image, PlansReads):
        image.plan_reads(list(range(len(image.layers))) if layers is None else list(layers))
