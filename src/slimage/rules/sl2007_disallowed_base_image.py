from __future__ import annotations

import fnmatch
from collections.abc import Iterator
from typing import TYPE_CHECKING

from slimage.dockerfile.spans import word_span
from slimage.findings import Severity
from slimage.reference import ImageRef, parse_image_ref
from slimage.rules.base import Rule, Violation

if TYPE_CHECKING:
    from slimage.rules.context import LintContext


def registry_allowed(ref: ImageRef, allowed: tuple[str, ...]) -> bool:
    """``docker.io`` also answers to ``hub.docker.com``/``index.docker.io``; globs work."""
    names = {ref.registry}
    if ref.registry == "docker.io":
        names.update({"index.docker.io", "hub.docker.com", "registry-1.docker.io"})
    return any(fnmatch.fnmatchcase(name, pattern.lower()) for name in names for pattern in allowed)


def image_allowed(ref: ImageRef, written: str, allowed: tuple[str, ...]) -> bool:
    """Patterns match the image with or without its tag, short (``python``) or full
    (``docker.io/library/python``)."""
    full = f"{ref.registry}/{ref.repository}"
    forms = {ref.short_name, full, written}
    if ref.tag:
        forms.update({f"{ref.short_name}:{ref.tag}", f"{full}:{ref.tag}"})
    if ref.registry == "docker.io":
        forms.add(ref.repository)
    return any(fnmatch.fnmatchcase(form, pattern) for form in forms for pattern in allowed)


class DisallowedBaseImage(Rule):
    """
    What it does
    ------------
    When the configuration lists `allowed-registries` or `allowed-base-images`,
    reports a `FROM` (after `ARG` expansion) whose image comes from another
    registry or is not on the list. Patterns are globs: `registry.example.com`,
    `*.example.com`, `python`, `gcr.io/distroless/*`. `scratch` and stage
    references always pass. With neither list set, the rule is silent.

    Why is this bad?
    ----------------
    Organisations vet base images (patching, licences, provenance) and mirror them in
    their own registry; an image from elsewhere skips that review and may vanish or
    be rate limited at build time.

    Example
    -------
    With `allowed-registries = ["registry.example.com"]`:
    ```dockerfile
    FROM node:20-slim
    ```

    Use instead
    -----------
    ```dockerfile
    FROM registry.example.com/mirror/node:20-slim
    ```
    """

    code = "SL2007"
    name = "disallowed-base-image"
    title = "Use only allowed registries and base images"
    severity = Severity.ERROR
    hadolint = ("DL3026",)

    def check(self, context: LintContext) -> Iterator[Violation]:
        config = context.config
        registries = tuple(config.allowed_registries)
        images = tuple(config.allowed_base_images)
        if not registries and not images:
            return
        df = context.dockerfile
        for stage in context.stages.stages:
            if stage.base_stage is not None or stage.base.lower() in ("scratch", ""):
                continue
            ref = parse_image_ref(stage.base)
            if ref is None:
                continue
            span = word_span(df, stage.from_instruction, stage.base_raw)
            if registries and not registry_allowed(ref, registries):
                yield Violation(
                    message=f"base image {stage.base} comes from {ref.registry}, which is not "
                    f"an allowed registry ({', '.join(registries)})",
                    span=span,
                    help="pull the image through an allowed registry (a mirror), or add the "
                    "registry to allowed-registries",
                )
            elif images and not image_allowed(ref, stage.base, images):
                yield Violation(
                    message=f"base image {stage.base} is not in allowed-base-images",
                    span=span,
                    help=f"use one of: {', '.join(images)}",
                )
