from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from slimage.findings import Severity
from slimage.rules._security import parse_image_ref, word_span
from slimage.rules.base import Rule, Violation

if TYPE_CHECKING:
    from slimage.rules.context import LintContext


class BaseImageLatest(Rule):
    """
    What it does
    ------------
    Reports a `FROM` whose image has no tag, or the `latest` tag, after `ARG`
    values are expanded. `scratch`, references to earlier stages and images
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
                message=f"Base image {shown} {problem}, which changes under you",
                span=word_span(df, stage.from_instruction, raw),
                help=f"Pin a version tag ({ref.short_name}:<version>), or better a digest "
                f"({ref.short_name}:<version>@sha256:...)",
            )
