from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from slimage.findings import Severity
from slimage.rules._security import mentions, span_at
from slimage.rules.base import Rule, Violation

if TYPE_CHECKING:
    from slimage.dockerfile.model import Instruction
    from slimage.rules.context import LintContext

# Commands whose failure in front of a pipe loses nothing (they print what they are given).
_HARMLESS_PRODUCERS = frozenset({"echo", "printf", "yes", "true"})


class PipeWithoutPipefail(Rule):
    """
    What it does
    ------------
    Reports a `RUN` that pipes one command into another (`curl ... | tar -x`)
    while neither the `SHELL` nor the script sets `-o pipefail`. Pipelines fed
    only by `echo`/`printf` pass, and so do non-POSIX shells (PowerShell, cmd).

    Why is this bad?
    ----------------
    A pipeline's status is that of its last command: when `curl` fails (404,
    network error) and `tar` reads an empty stream, the step may still succeed, and
    the image is built without what it was meant to contain. The failure shows up
    later, at run time.

    Example
    -------
    ```dockerfile
    RUN curl -fsSL https://example.com/tool.tgz | tar -xz -C /usr/local
    ```

    Use instead
    -----------
    ```dockerfile
    SHELL ["/bin/bash", "-o", "pipefail", "-c"]
    RUN curl -fsSL https://example.com/tool.tgz | tar -xz -C /usr/local
    ```
    or start the script with `set -o pipefail &&` where `/bin/sh` supports it
    (BusyBox ash, bash, recent dash).
    """

    code = "SL3024"
    name = "pipe-without-pipefail"
    title = "Set -o pipefail before piping in RUN"
    severity = Severity.WARNING
    hadolint = ("DL4006",)

    def check(self, context: LintContext) -> Iterator[Violation]:
        df = context.dockerfile
        for instruction in df.instructions:
            if instruction.keyword != "RUN" or not mentions(instruction, "|"):
                continue
            if _pipefail_set(context, instruction):
                continue
            commands = context.commands(instruction)
            for index, command in enumerate(commands):
                if command.connector != "|" or index == 0:
                    continue
                first = index - 1
                while first > 0 and commands[first].connector == "|":
                    first -= 1
                producers = {c.program for c in commands[first:index]}
                if producers <= _HARMLESS_PRODUCERS:
                    continue
                start = commands[first].source_start
                end = command.source_end
                span = (
                    span_at(df, start, end)
                    if start is not None and end is not None
                    else instruction.span
                )
                yield Violation(
                    message=f"a failing {commands[first].program} in this pipeline goes "
                    f"unnoticed: only {command.program}'s status counts without pipefail",
                    span=span,
                    help='add `SHELL ["/bin/bash", "-o", "pipefail", "-c"]` before this RUN, or '
                    "start the script with `set -o pipefail`",
                )
                break


def _pipefail_set(context: LintContext, instruction: Instruction) -> bool:
    """Whether the RUN's shell or its own script enables pipefail (or is not POSIX)."""
    if "pipefail" in instruction.rest or any("pipefail" in h.content for h in instruction.heredocs):
        return True
    stage = context.stages.stage_of(instruction)
    shell: list[str] = []
    current = stage
    seen: set[int] = set()
    while current is not None and current.index not in seen and not shell:
        seen.add(current.index)
        for candidate in current.instructions:
            if candidate is instruction:
                break
            if candidate.keyword == "SHELL" and candidate.json:
                shell = list(candidate.args)
        base = current.base_stage
        current = context.stages.stages[base] if base is not None and not shell else None
    if not shell:
        return False
    program = shell[0].lower()
    if any(name in program for name in ("pwsh", "powershell", "cmd")):
        return True
    return any("pipefail" in word for word in shell)
