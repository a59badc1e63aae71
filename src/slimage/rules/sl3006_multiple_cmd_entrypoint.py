from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from slimage.dockerfile.spans import keyword_span
from slimage.findings import Applicability, Edit, Fix, Severity
from slimage.rules.base import Rule, Violation

if TYPE_CHECKING:
    from slimage.dockerfile.model import Dockerfile, Instruction
    from slimage.rules.context import LintContext

_ONCE = ("CMD", "ENTRYPOINT", "HEALTHCHECK")


class MultipleCmdEntrypoint(Rule):
    """
    What it does
    ------------
    Reports a `CMD`, `ENTRYPOINT` or `HEALTHCHECK` that a later one of the same
    kind in the same stage overrides (BuildKit's `MultipleInstructionsDisallowed`).

    Why is this bad?
    ----------------
    Only the last one takes effect. The earlier one is dead code that misleads the
    reader about what the container runs, often left over from an edit.

    Example
    -------
    ```dockerfile
    CMD ["node", "server.js"]
    CMD ["npm", "start"]
    ```

    Use instead
    -----------
    ```dockerfile
    CMD ["npm", "start"]
    ```

    Fix safety
    ----------
    The fix deletes the overridden instruction. The image configuration is the same
    afterwards, but the author may have meant the first one, so the fix is unsafe.
    """

    code = "SL3006"
    name = "multiple-cmd-entrypoint"
    title = "Keep one CMD, ENTRYPOINT and HEALTHCHECK per stage"
    severity = Severity.WARNING
    hadolint = ("DL4003", "DL4004", "DL3012")
    fix_safety = "unsafe"

    def check(self, context: LintContext) -> Iterator[Violation]:
        df = context.dockerfile
        for stage in context.stages.stages:
            last: dict[str, Instruction] = {}
            for instruction in stage.instructions:
                if instruction.keyword in _ONCE:
                    last[instruction.keyword] = instruction
            for index, instruction in enumerate(stage.instructions):
                keyword = instruction.keyword
                if keyword not in _ONCE or last[keyword] is instruction:
                    continue
                winner = last[keyword]
                fix = None
                if not _twin_follows(stage.instructions, index):
                    fix = Fix(
                        title=f"Remove the overridden {keyword}",
                        edits=(_delete_lines(df, instruction),),
                        applicability=Applicability.UNSAFE,
                    )
                yield Violation(
                    message=f"this {keyword} is overridden by the {keyword} on line "
                    f"{winner.span.line}; only the last one takes effect",
                    span=keyword_span(df, instruction),
                    fix=fix,
                    help=f"keep a single {keyword} in the stage",
                )


def _twin_follows(instructions: list[Instruction], index: int) -> bool:
    """Whether the instruction after ``instructions[index]`` is the same text: deleting
    either one gives the same file, and the fix verification cannot tell which one went,
    so no fix is offered."""
    instruction = instructions[index]
    if index + 1 >= len(instructions):
        return False
    following = instructions[index + 1]
    return (following.keyword, following.args, following.json, following.rest) == (
        instruction.keyword,
        instruction.args,
        instruction.json,
        instruction.rest,
    )


def _delete_lines(df: Dockerfile, instruction: Instruction) -> Edit:
    """Remove the instruction's whole lines, its line break included."""
    source = df.source
    start = source.rfind("\n", 0, instruction.span.start) + 1
    end = source.find("\n", max(instruction.span.end - 1, instruction.span.start))
    end = len(source) if end < 0 else end + 1
    if source[start : instruction.span.start].strip():
        start = instruction.span.start  # something else on the line (cannot happen)
    return Edit(start, end, "")
