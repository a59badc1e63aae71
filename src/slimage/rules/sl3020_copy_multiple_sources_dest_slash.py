from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from slimage.dockerfile.spans import word_span
from slimage.dockerfile.variables import has_variable
from slimage.findings import Applicability, Edit, Fix, Severity
from slimage.rules._sources import copy_sources
from slimage.rules.base import Rule, Violation

if TYPE_CHECKING:
    from slimage.rules.context import LintContext


class CopyMultipleSourcesDestSlash(Rule):
    """
    What it does
    ------------
    Reports `COPY` and `ADD` with more than one source whose destination does
    not end with `/`.

    Why is this bad?
    ----------------
    With several sources the destination must be a directory, and the builder
    requires it to be written with a trailing `/`: the build fails with "When using
    COPY with more than one source file, the destination must be a directory and end
    with a /".

    Example
    -------
    ```dockerfile
    COPY package.json package-lock.json /app
    ```

    Use instead
    -----------
    ```dockerfile
    COPY package.json package-lock.json /app/
    ```

    Fix safety
    ----------
    The fix appends `/` to the destination, the only form the builder accepts:
    safe. Destinations with variables and JSON-form instructions get no fix.
    """

    code = "SL3020"
    name = "copy-multiple-sources-dest-slash"
    title = "End the destination with / when copying several sources"
    severity = Severity.ERROR
    hadolint = ("DL3021",)
    fix_safety = "safe"

    def check(self, context: LintContext) -> Iterator[Violation]:
        df = context.dockerfile
        for instruction in df.instructions:
            if instruction.keyword not in ("COPY", "ADD"):
                continue
            sources, destination = copy_sources(instruction)
            if destination is None or len(sources) < 2:
                continue
            if destination.endswith("/") or destination in (".", "..") or has_variable(destination):
                continue
            if destination.endswith(("/.", "/..")):
                continue
            span = word_span(
                df, instruction, destination, max(instruction.rest.rfind(destination), 0)
            )
            fix = None
            if not instruction.json and span != instruction.span:
                fix = Fix(
                    title=f"Write {destination}/",
                    edits=(Edit(span.end, span.end, "/"),),
                    applicability=Applicability.SAFE,
                )
            yield Violation(
                message=f"{instruction.keyword} with {len(sources)} sources needs a directory "
                f"destination ending with '/', not {destination!r}",
                span=span,
                fix=fix,
            )
