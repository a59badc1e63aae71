from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from slimage.dockerfile.spans import stage_name_span
from slimage.findings import Severity
from slimage.rules.base import Rule, Violation

if TYPE_CHECKING:
    from slimage.rules.context import LintContext

# BuildKit's reservedStageNames (frontend/dockerfile/dockerfile2llb).
RESERVED_STAGE_NAMES = frozenset({"scratch", "context"})


class ReservedStageName(Rule):
    """
    What it does
    ------------
    Reports a stage named `scratch` or `context`, the names BuildKit reserves
    (`ReservedStageName`).

    Why is this bad?
    ----------------
    `scratch` is the empty base image and `context` the build context in
    `--build-context` and `COPY --from`; a stage with either name is ambiguous:
    `FROM scratch` after it still means the empty image, not your stage.

    Example
    -------
    ```dockerfile
    FROM alpine AS scratch
    ```

    Use instead
    -----------
    ```dockerfile
    FROM alpine AS base
    ```
    """

    code = "SL3013"
    name = "reserved-stage-name"
    title = "Do not name a stage scratch or context"
    severity = Severity.ERROR
    hadolint = ("DL3063",)

    def check(self, context: LintContext) -> Iterator[Violation]:
        df = context.dockerfile
        for stage in context.stages.stages:
            if stage.name in RESERVED_STAGE_NAMES:
                yield Violation(
                    message=f"{stage.name!r} is a reserved word and should not name a stage",
                    span=stage_name_span(df, stage.from_instruction),
                    help="pick another stage name",
                )
