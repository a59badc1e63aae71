from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from slimage.dockerfile.spans import stage_name_word
from slimage.findings import Severity
from slimage.rules.base import Rule, Violation

if TYPE_CHECKING:
    from slimage.rules.context import LintContext


class FromPlatformFlagConst(Rule):
    """
    What it does
    ------------
    Reports `FROM --platform=linux/amd64` with a constant platform, as BuildKit's
    `FromPlatformFlagConstDisallowed` check does. Variables (`$BUILDPLATFORM`)
    pass, and so does a stage whose name carries the platform's OS or architecture
    (`AS build-arm64`), the documented pattern for per-platform stages.

    Why is this bad?
    ----------------
    A constant platform pins the stage to one architecture: the file can no longer
    build a multi-platform image, and on another machine it silently runs under
    emulation, many times slower.

    Example
    -------
    ```dockerfile
    FROM --platform=linux/amd64 golang:1.22 AS build
    ```

    Use instead
    -----------
    ```dockerfile
    FROM --platform=$BUILDPLATFORM golang:1.22 AS build
    ARG TARGETOS TARGETARCH
    RUN GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /app .
    ```
    or drop `--platform` and pass it on the command line.
    """

    code = "SL3019"
    name = "from-platform-flag-const"
    title = "Do not pin FROM --platform to a constant"
    severity = Severity.WARNING
    hadolint = ("DL3029",)

    def check(self, context: LintContext) -> Iterator[Violation]:
        for stage in context.stages.stages:
            instruction = stage.from_instruction
            flag = instruction.flag("platform")
            if flag is None or not flag.value or "$" in flag.value:
                continue
            name = (stage_name_word(instruction) or "").lower()
            parts = [p for p in flag.value.lower().split("/") if p]
            if name and any(part in name for part in parts):
                continue
            yield Violation(
                message=f'FROM --platform flag should not use constant value "{flag.value}"',
                span=flag.span,
                help="use `--platform=$BUILDPLATFORM` (cross-compile) or drop the flag and pass "
                "`--platform` to the build",
            )
