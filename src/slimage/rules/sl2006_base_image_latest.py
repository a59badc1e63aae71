from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from slimage.dockerfile.spans import word_span
from slimage.findings import Severity
from slimage.reference import parse_image_ref
from slimage.rules._sources import looks_like_image_ref
from slimage.rules.base import Rule, Violation

if TYPE_CHECKING:
    from slimage.rules.context import LintContext


class BaseImageLatest(Rule):
    """
    What it does
    ------------
    Reports a `FROM` whose image has no tag, or the `latest` tag, after `ARG`
    values are expanded, and the same for images named in `COPY --from=` and
    `RUN --mount=from=`. `scratch`, references to earlier stages and images
    pinned by digest pass.

    Why is this bad?
    ----------------
    `latest` (and no tag, which means `latest`) moves: the same Dockerfile builds
    a different image next week, a new major version can break the build or the
    application, and a cached base hides the change until the cache is cleared.
    A version tag says what you tested; a digest makes it exact.

    Example
    -------
    ```dockerfile
    FROM python
    ```

    Use instead
    -----------
    ```dockerfile
    FROM python:3.12-slim
    ```
    or, best, pinned by digest (`python:3.12-slim@sha256:...`), updated by a bot
    such as Renovate or Dependabot.
    """

    code = "SL2006"
    name = "base-image-latest"
    title = "Pin base images to a version tag or digest"
    severity = Severity.WARNING
    hadolint = ("DL3006", "DL3007")

    def check(self, context: LintContext) -> Iterator[Violation]:
        df = context.dockerfile
        for stage in context.stages.stages:
            if stage.base_stage is not None or not stage.base:
                continue
            if stage.base.lower() == "scratch":
                continue
            ref = parse_image_ref(stage.base)
            if ref is None or ref.digest is not None:
                continue
            if ref.tag is not None and ref.tag != "latest":
                continue
            raw = stage.base_raw
            shown = stage.base if stage.base == raw else f"{raw} ({stage.base})"
            problem = "has no tag, so it means :latest" if ref.tag is None else "uses :latest"
            yield Violation(
                message=f"base image {shown} {problem}, which changes under you",
                span=word_span(df, stage.from_instruction, raw),
                help=f"pin a version tag (`{ref.short_name}:<version>`), or better a digest "
                f"(`{ref.short_name}:<version>@sha256:...`)",
            )
        yield from _copied_images(context)


def _copied_images(context: LintContext) -> Iterator[Violation]:
    """``COPY --from=image`` and ``RUN --mount=from=image`` without a tag or with latest.

    Plain words (``--from=nginx``) are left to copy-from-unknown-stage, which asks
    whether a stage was meant.
    """
    for stage in context.stages.stages:
        for ref in (*stage.copies_from, *stage.mounts_from):
            if ref.stage is not None or not looks_like_image_ref(ref.ref) or "$" in ref.ref:
                continue
            image = parse_image_ref(ref.ref)
            if image is None or image.digest is not None:
                continue
            if image.tag is not None and image.tag != "latest":
                continue
            what = "RUN --mount=from" if ref.instruction.keyword == "RUN" else "COPY --from"
            problem = "has no tag, so it means :latest" if image.tag is None else "uses :latest"
            flag = next(
                (f for f in ref.instruction.flags if f.value and ref.ref in f.value),
                None,
            )
            yield Violation(
                message=f"{what}={ref.ref} {problem}, which changes under you",
                span=flag.span if flag is not None else ref.instruction.span,
                help=f"pin a version tag (`{image.short_name}:<version>`) or a digest",
            )
