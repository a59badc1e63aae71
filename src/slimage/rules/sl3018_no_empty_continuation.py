from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from slimage.dockerfile.spans import span_at
from slimage.findings import Severity
from slimage.rules.base import Rule, Violation

if TYPE_CHECKING:
    from slimage.rules.context import LintContext


# A line of nothing but white space after a newline (what ``text.strip()`` empties): the
# only kind of line the check below reports, found in one search before splitting lines.
_BLANK_LINE = re.compile(r"\n[^\S\n]*(?=\n|\Z)")


class NoEmptyContinuation(Rule):
    """
    What it does
    ------------
    Reports an empty line inside an instruction continued with `\\` (heredoc
    bodies excluded), as BuildKit's `NoEmptyContinuation` check does.

    Why is this bad?
    ----------------
    The builder skips the empty line and joins what follows to the instruction, so
    an instruction seems to end where it does not: a `RUN` swallows the next line
    the reader took for a new instruction. BuildKit warns that this will become an
    error.

    Example
    -------
    ```dockerfile
    RUN apk add --no-cache \\

        curl
    ```

    Use instead
    -----------
    ```dockerfile
    RUN apk add --no-cache \\
        curl
    ```
    """

    code = "SL3018"
    name = "no-empty-continuation"
    title = "Do not leave empty lines inside a continued instruction"
    severity = Severity.WARNING

    def check(self, context: LintContext) -> Iterator[Violation]:
        df = context.dockerfile
        source = df.source
        for instruction in df.instructions:
            span = instruction.span
            if span.end_line == span.line or not _BLANK_LINE.search(source, span.start, span.end):
                continue  # one line, or no blank line after the first: nothing to report
            heredoc_lines = {
                number
                for heredoc in instruction.heredocs
                for number in range(heredoc.span.line, heredoc.span.end_line + 1)
            }
            offset = span.start
            for number, text in enumerate(source[span.start : span.end].split("\n"), span.line):
                line_start, offset = offset, offset + len(text) + 1
                if number == span.line or number in heredoc_lines or text.strip():
                    continue
                yield Violation(
                    message=f"empty continuation line inside {instruction.keyword}",
                    span=span_at(df, line_start, line_start + len(text)),
                    help="delete the empty line (a comment line is fine)",
                )
                break
