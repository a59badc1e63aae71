from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from slimage.dockerfile.spans import word_span
from slimage.dockerfile.variables import AUTOMATIC_ARGS, variable_names
from slimage.findings import Severity
from slimage.rules._checks import close_matches
from slimage.rules.base import Rule, Violation

if TYPE_CHECKING:
    from slimage.rules.context import LintContext


class UndefinedArgInFrom(Rule):
    """
    What it does
    ------------
    Reports a variable in `FROM` (image or `--platform`) that no `ARG` before
    the first `FROM` declares, as BuildKit's `UndefinedArgInFrom` check does.
    BuildKit's automatic platform arguments (`BUILDPLATFORM`, `TARGETARCH`, ...)
    count as declared.

    Why is this bad?
    ----------------
    `FROM` only sees global `ARG` s: an `ARG` declared inside a stage, an `ENV`
    or a `--build-arg` without a matching global `ARG` all leave the variable
    empty, so `FROM node:${NODE_VERSION}` becomes `FROM node:` and the build
    fails, or silently pulls another image.

    Example
    -------
    ```dockerfile
    FROM node:${NODE_VERSION}-slim
    ```

    Use instead
    -----------
    ```dockerfile
    ARG NODE_VERSION=20
    FROM node:${NODE_VERSION}-slim
    ```
    """

    code = "SL3015"
    name = "undefined-arg-in-from"
    title = "Declare the ARGs a FROM uses before the first FROM"
    severity = Severity.WARNING

    def check(self, context: LintContext) -> Iterator[Violation]:
        df = context.dockerfile
        declared = set(context.stages.global_args) | AUTOMATIC_ARGS
        for stage in context.stages.stages:
            instruction = stage.from_instruction
            texts = [stage.base_raw, *instruction.flag_values("platform")]
            reported: set[str] = set()
            for text in texts:
                for name in variable_names(text):
                    if name in declared or name in reported:
                        continue
                    reported.add(name)
                    close = close_matches(name, sorted(declared))
                    hint = f" (did you mean {close[0]}?)" if close else ""
                    yield Violation(
                        message=f"FROM uses ${name}, which no ARG before the first FROM "
                        f"declares{hint}",
                        span=word_span(df, instruction, text),
                        help=f"add `ARG {name}=<default>` at the top of the file, before the "
                        "first FROM",
                    )
