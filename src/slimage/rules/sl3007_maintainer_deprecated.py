from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from slimage.dockerfile.spans import keyword_span
from slimage.findings import Applicability, Edit, Fix, Severity
from slimage.rules._edits import same_case
from slimage.rules.base import Rule, Violation

if TYPE_CHECKING:
    from slimage.dockerfile.model import Instruction
    from slimage.rules.context import LintContext

AUTHORS_LABEL = "org.opencontainers.image.authors"


class MaintainerDeprecated(Rule):
    """
    What it does
    ------------
    Reports the `MAINTAINER` instruction.

    Why is this bad?
    ----------------
    `MAINTAINER` has been deprecated since Docker 1.13. It sets a field of the
    image config that tools no longer read; the OCI annotation
    `org.opencontainers.image.authors` is the standard place for the author.

    Example
    -------
    ```dockerfile
    MAINTAINER Jane Doe <jane@example.com>
    ```

    Use instead
    -----------
    ```dockerfile
    LABEL org.opencontainers.image.authors="Jane Doe <jane@example.com>"
    ```

    Fix safety
    ----------
    The fix rewrites the instruction as that `LABEL`. It is offered only when the
    value can be put between double quotes unchanged: on one line, with no `"`,
    backslash or `$` (`LABEL` expands variables and escapes, `MAINTAINER`
    does not). Then it is safe.
    """

    code = "SL3007"
    name = "maintainer-deprecated"
    title = "Replace MAINTAINER with LABEL org.opencontainers.image.authors"
    severity = Severity.WARNING
    hadolint = ("DL4000",)
    fix_safety = "safe"

    def check(self, context: LintContext) -> Iterator[Violation]:
        df = context.dockerfile
        for instruction in df.instructions:
            if instruction.keyword != "MAINTAINER":
                continue
            yield Violation(
                message="MAINTAINER is deprecated",
                span=keyword_span(df, instruction),
                fix=_fix(instruction),
                help=f'use `LABEL {AUTHORS_LABEL}="..."`',
            )


def _fix(instruction: Instruction) -> Fix | None:
    value = instruction.rest.strip()
    if not value or any(c in value for c in '"\\$\n') or instruction.heredocs:
        return None
    if instruction.span.line != instruction.span.end_line:
        return None
    offsets = instruction.rest_offsets
    if not offsets:
        return None
    trailing = len(instruction.rest) - len(instruction.rest.rstrip())
    end = offsets[len(instruction.rest) - trailing - 1] + 1
    label = same_case(instruction.keyword_raw, "LABEL")
    replacement = f'{label} {AUTHORS_LABEL}="{value}"'
    return Fix(
        title=f'Replace with LABEL {AUTHORS_LABEL}="..."',
        edits=(Edit(instruction.span.start, end, replacement),),
        applicability=Applicability.SAFE,
    )
