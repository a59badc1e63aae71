from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from slimage.dockerfile.spans import as_keyword_span
from slimage.findings import Applicability, Edit, Fix, Severity
from slimage.rules.base import Rule, Violation

if TYPE_CHECKING:
    from slimage.rules.context import LintContext


class FromAsCasing(Rule):
    """
    What it does
    ------------
    Reports `FROM image as name` where the `AS` keyword is not in the case of
    `FROM` (upper with upper, lower with lower), as BuildKit's `FromAsCasing`
    check does.

    Why is this bad?
    ----------------
    Mixed keyword casing is harder to read and scan; BuildKit warns about it on
    every build.

    Example
    -------
    ```dockerfile
    FROM debian:12 as builder
    ```

    Use instead
    -----------
    ```dockerfile
    FROM debian:12 AS builder
    ```

    Fix safety
    ----------
    The fix changes the case of `AS` only; keywords are case-insensitive: safe.
    """

    code = "SL3012"
    name = "from-as-casing"
    title = "Match the case of AS to FROM"
    severity = Severity.WARNING
    fix_safety = "safe"

    def check(self, context: LintContext) -> Iterator[Violation]:
        df = context.dockerfile
        for instruction in df.instructions:
            if instruction.keyword != "FROM" or len(instruction.args) < 3:
                continue
            keyword = instruction.keyword_raw
            written = instruction.args[1]
            if keyword.isupper():
                wanted = "AS"
            elif keyword.islower():
                wanted = "as"
            else:
                continue  # "From": no clear case to match
            if written == wanted:
                continue
            span = as_keyword_span(df, instruction)
            if span is None:
                continue
            yield Violation(
                message=f"'{written}' and '{keyword}' keywords' casing do not match",
                span=span,
                fix=Fix(
                    title=f"Write {wanted}",
                    edits=(Edit(span.start, span.end, wanted),),
                    applicability=Applicability.SAFE,
                ),
            )
