from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from slimage.dockerfile.spans import stage_name_span
from slimage.findings import Severity
from slimage.rules.base import Rule, Violation

if TYPE_CHECKING:
    from slimage.rules.context import LintContext


class DuplicateStageName(Rule):
    """
    What it does
    ------------
    Reports a `FROM ... AS name` whose name (compared case-insensitively, as
    BuildKit does) an earlier stage already uses.

    Why is this bad?
    ----------------
    BuildKit refuses to build the file (`duplicate stage name`); older builders
    silently let `COPY --from=name` pick one of the two stages.

    Example
    -------
    ```dockerfile
    FROM golang:1.22 AS build
    FROM node:20 AS build
    ```

    Use instead
    -----------
    ```dockerfile
    FROM golang:1.22 AS build-api
    FROM node:20 AS build-web
    ```
    """

    code = "SL3003"
    name = "duplicate-stage-name"
    title = "Give every stage a unique name"
    severity = Severity.ERROR
    hadolint = ("DL3024",)

    def check(self, context: LintContext) -> Iterator[Violation]:
        df = context.dockerfile
        first_line: dict[str, int] = {}
        for stage in context.stages.stages:
            if stage.name is None:
                continue
            if stage.name in first_line:
                yield Violation(
                    message=f"stage name {stage.name!r} is already used on line "
                    f"{first_line[stage.name]}",
                    span=stage_name_span(df, stage.from_instruction),
                    help="rename one of the stages (and the COPY --from that means it)",
                )
            else:
                first_line[stage.name] = stage.from_instruction.span.line
