from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from slimage.dockerfile.spans import word_span
from slimage.findings import Applicability, Edit, Fix, Severity
from slimage.rules.base import Rule, Violation

if TYPE_CHECKING:
    from slimage.dockerfile.stages import Stage
    from slimage.rules.context import LintContext

_PLAIN_RELATIVE = re.compile(r"^[A-Za-z0-9_.\-][A-Za-z0-9_./\-]*$")


def is_absolute(path: str) -> bool:
    """POSIX absolute, a variable (resolved at build time) or a Windows drive path."""
    return (
        path.startswith(("/", "$", "\\"))
        or re.match(r"^[A-Za-z]:[\\/]", path) is not None
        or path.startswith(('"/', "'/"))
    )


class RelativeWorkdir(Rule):
    """
    What it does
    ------------
    Reports a relative `WORKDIR` in a stage where no absolute `WORKDIR` came
    before it (in the stage or the stages it builds `FROM`), as BuildKit's
    `WorkdirRelativePath` check does.

    Why is this bad?
    ----------------
    A relative `WORKDIR` is resolved against the base image's working directory,
    which the Dockerfile does not show and which changes between images (`/` in
    `debian`, `/go` in `golang`, `/usr/src/app` elsewhere). Files then land
    somewhere the rest of the file does not expect.

    Example
    -------
    ```dockerfile
    FROM node:20-slim
    WORKDIR app
    ```

    Use instead
    -----------
    ```dockerfile
    FROM node:20-slim
    WORKDIR /app
    ```

    Fix safety
    ----------
    Only for a stage built `FROM scratch` (whose working directory is `/`), the
    fix prefixes the path with `/`, which is exactly what the builder resolves it
    to; this fix is safe. Elsewhere the base image decides, so no fix is offered.
    """

    code = "SL3005"
    name = "relative-workdir"
    title = "Use an absolute WORKDIR"
    severity = Severity.WARNING
    hadolint = ("DL3000",)
    fix_safety = "safe"

    def check(self, context: LintContext) -> Iterator[Violation]:
        df = context.dockerfile
        stages = context.stages.stages
        absolute_set: dict[int, bool] = {}
        for stage in stages:
            inherited = stage.base_stage is not None and absolute_set.get(stage.base_stage, False)
            seen_absolute = inherited
            for instruction in stage.instructions:
                if instruction.keyword != "WORKDIR" or not instruction.args:
                    continue
                path = instruction.args[0]
                if is_absolute(path):
                    seen_absolute = True
                    continue
                if seen_absolute:
                    continue
                fix = None
                if _from_scratch(stages, stage) and _PLAIN_RELATIVE.match(path):
                    start = word_span(df, instruction, path).start
                    fix = Fix(
                        title=f"Use WORKDIR /{path}",
                        edits=(Edit(start, start, "/"),),
                        applicability=Applicability.SAFE,
                    )
                yield Violation(
                    message=f"WORKDIR {path} is relative to the base image's working "
                    "directory, which this file does not set",
                    span=word_span(df, instruction, path),
                    fix=fix,
                    help=f"use an absolute path, e.g. `WORKDIR /{path.lstrip('./') or 'app'}`",
                )
                seen_absolute = True  # later relative WORKDIRs build on this one
            absolute_set[stage.index] = seen_absolute


def _from_scratch(stages: list[Stage], stage: Stage) -> bool:
    current = stage
    seen: set[int] = set()
    while current.base_stage is not None and current.index not in seen:
        seen.add(current.index)
        current = stages[current.base_stage]
    return current.base.lower() == "scratch"
