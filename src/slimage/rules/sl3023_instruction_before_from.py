from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from slimage.dockerfile.spans import keyword_span
from slimage.findings import Severity
from slimage.rules.base import Rule, Violation

if TYPE_CHECKING:
    from slimage.rules.context import LintContext


class InstructionBeforeFrom(Rule):
    """
    What it does
    ------------
    Reports any instruction other than `ARG` before the first `FROM`.

    Why is this bad?
    ----------------
    Only global `ARG` s may come before the first stage; the builder stops with
    "no build stage in current context" on anything else.

    Example
    -------
    ```dockerfile
    ENV NODE_ENV=production
    FROM node:20-slim
    ```

    Use instead
    -----------
    ```dockerfile
    FROM node:20-slim
    ENV NODE_ENV=production
    ```
    """

    code = "SL3023"
    name = "instruction-before-from"
    title = "Start the file with FROM (only ARG may come before it)"
    severity = Severity.ERROR
    hadolint = ("DL3061",)

    def check(self, context: LintContext) -> Iterator[Violation]:
        df = context.dockerfile
        for instruction in df.instructions:
            if instruction.keyword == "FROM":
                return
            if instruction.keyword != "ARG":
                yield Violation(
                    message=f"{instruction.keyword} before the first FROM: only ARG may come "
                    "before the first stage",
                    span=keyword_span(df, instruction),
                    help="move it below the FROM of the stage it belongs to",
                )
