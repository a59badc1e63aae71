from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from slimage.dockerfile.spans import keyword_span
from slimage.findings import Severity
from slimage.rules.base import Rule, Violation

if TYPE_CHECKING:
    from slimage.dockerfile.model import Instruction
    from slimage.rules.context import LintContext


def _all_keywords(instructions: list[Instruction]) -> Iterator[Instruction]:
    for instruction in instructions:
        yield instruction
        if instruction.trigger is not None:
            yield instruction.trigger


class ConsistentInstructionCasing(Rule):
    """
    What it does
    ------------
    Reports an instruction keyword that is mixed case (`Run`) or does not follow
    the casing most instructions of the file use (`run` in a file of `RUN`), as
    BuildKit's `ConsistentInstructionCasing` check does.

    Why is this bad?
    ----------------
    Keywords are case-insensitive, but a file that mixes `RUN` and `run` is
    harder to scan, and upper-case keywords are what readers and tools expect to
    tell instructions from their arguments.

    Example
    -------
    ```dockerfile
    FROM alpine:3.20
    run apk add --no-cache curl
    ```

    Use instead
    -----------
    ```dockerfile
    FROM alpine:3.20
    RUN apk add --no-cache curl
    ```
    """

    code = "SL3017"
    name = "consistent-instruction-casing"
    title = "Write all instruction keywords in the same case"
    severity = Severity.INFO

    def check(self, context: LintContext) -> Iterator[Violation]:
        df = context.dockerfile
        keywords = list(_all_keywords(df.instructions))
        lower = sum(1 for i in keywords if i.keyword_raw.islower())
        upper = sum(1 for i in keywords if i.keyword_raw.isupper())
        majority = "lowercase" if lower > upper else "uppercase"
        for instruction in keywords:
            raw = instruction.keyword_raw
            if (raw.isupper() and majority == "uppercase") or (
                raw.islower() and majority == "lowercase"
            ):
                continue
            wanted = raw.lower() if majority == "lowercase" else raw.upper()
            if raw.isupper() or raw.islower():
                message = f"instruction {raw!r} should match the case of the majority ({majority})"
            else:
                message = f"instruction {raw!r} should be consistently cased"
            yield Violation(
                message=message, span=keyword_span(df, instruction), help=f"write `{wanted}`"
            )
