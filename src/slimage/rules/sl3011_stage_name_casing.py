from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from slimage.dockerfile.spans import stage_name_span, stage_name_word
from slimage.findings import Applicability, Edit, Fix, Severity
from slimage.rules.base import Rule, Violation

if TYPE_CHECKING:
    from slimage.rules.context import LintContext


class StageNameCasing(Rule):
    """
    What it does
    ------------
    Reports a stage name with upper-case letters (`FROM node AS Builder`), as
    BuildKit's `StageNameCasing` check does.

    Why is this bad?
    ----------------
    Stage names are case-insensitive (BuildKit lower-cases them), so `Builder` and
    `builder` are the same stage; upper case makes names look like instruction
    keywords and invites two spellings of one name across the file.

    Example
    -------
    ```dockerfile
    FROM golang:1.22 AS BuildStage
    ```

    Use instead
    -----------
    ```dockerfile
    FROM golang:1.22 AS build-stage
    ```

    Fix safety
    ----------
    The fix lower-cases the name in the `FROM`. References elsewhere
    (`COPY --from=Builder`, `--target`) keep working because the builder matches
    names case-insensitively: safe.
    """

    code = "SL3011"
    name = "stage-name-casing"
    title = "Write stage names in lower case"
    severity = Severity.WARNING
    fix_safety = "safe"

    def check(self, context: LintContext) -> Iterator[Violation]:
        df = context.dockerfile
        for stage in context.stages.stages:
            name = stage_name_word(stage.from_instruction)
            if name is None or name == name.lower() or "$" in name:
                continue
            span = stage_name_span(df, stage.from_instruction)
            fix = None
            if span != stage.from_instruction.span:
                fix = Fix(
                    title=f"Rename the stage to {name.lower()!r}",
                    edits=(Edit(span.start, span.end, name.lower()),),
                    applicability=Applicability.SAFE,
                )
            yield Violation(
                message=f"stage name {name!r} should be lower case",
                span=span,
                fix=fix,
            )
