from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, ClassVar

from slimage.dockerfile.spans import instruction_head_span
from slimage.findings import Edit, Severity
from slimage.rules import _edits, _stage_walk
from slimage.rules.base import Rule, Violation
from slimage.stacks.packages import package_manager, runs_package_manager

if TYPE_CHECKING:
    from slimage.dockerfile.model import Instruction
    from slimage.rules.context import LintContext

_INSTALL = frozenset({"install", "add", "in", "groupinstall"})


class ConsecutiveRun(Rule):
    """
    What it does
    ------------
    Flags two adjacent RUN instructions that belong in one layer: a package index update
    followed by the install that uses it (`apt-get update` / `apt-get install`), or two
    installs with the same package manager one after the other.

    Why is this bad?
    ----------------
    An `apt-get update` in its own layer is cached on its own: later builds reuse the
    stale index and the install in the next RUN fails or installs outdated packages.
    Split installs each pay the package manager's overhead (index, caches) once more and
    add a layer. Other adjacent RUNs are often split on purpose (for the build cache), so
    this rule only looks at package managers and stays informational.

    Example
    -------
    ```dockerfile
    RUN apt-get update
    RUN apt-get install -y --no-install-recommends curl
    ```

    Use instead
    -----------
    ```dockerfile
    RUN apt-get update \\
        && apt-get install -y --no-install-recommends curl
    ```

    Fix safety
    ----------
    The fix joins the second RUN onto the first with `&&` and a line continuation. It is
    unsafe: the layers change, and so does which steps the build cache reuses. No fix is
    offered for exec-form or heredoc RUNs, or when the first RUN ends in a comment or a
    compound command.
    """

    code: ClassVar[str] = "SL1016"
    name: ClassVar[str] = "consecutive-run"
    title: ClassVar[str] = "Join consecutive package-manager RUNs into one layer"
    severity: ClassVar[Severity] = Severity.INFO
    hadolint: ClassVar[tuple[str, ...]] = ("DL3059",)
    fix_safety: ClassVar[str] = "unsafe"

    def check(self, context: LintContext) -> Iterator[Violation]:
        for stage in context.stages.stages:
            # Only two RUNs that both run a package manager can belong together.
            managing = {id(i) for i in context.runs_running(stage, runs_package_manager)}
            if len(managing) < 2:
                continue
            previous: Instruction | None = None
            for instruction in stage.instructions:
                if id(instruction) not in managing:
                    previous = instruction if instruction.keyword == "RUN" else None
                    continue
                if previous is not None and _flags(previous) == _flags(instruction):
                    reason = _belong_together(context, previous, instruction)
                    if reason:
                        yield Violation(
                            message=f"this RUN continues line {previous.line}: {reason}",
                            span=instruction_head_span(context.dockerfile, instruction),
                            help="join the two RUNs with `&&`",
                            fix=_edits.fix(
                                "Join the RUNs", _join(context, previous, instruction), safe=False
                            ),
                        )
                previous = instruction


def _flags(instruction: Instruction) -> tuple[str, ...]:
    return tuple(sorted(flag.raw for flag in instruction.flags))


def _steps(context: LintContext, instruction: Instruction) -> list[tuple[str, str]]:
    steps = []
    for command in _stage_walk.commands(context, instruction):
        manager = package_manager(command)
        if manager is not None and command.subcommand is not None:
            steps.append((manager, command.subcommand))
    return steps


def _belong_together(context: LintContext, first: Instruction, second: Instruction) -> str | None:
    before = _steps(context, first)
    after = _steps(context, second)
    if not before or not after:
        return None
    last_manager, last_sub = before[-1]
    first_manager, first_sub = after[0]
    if last_manager != first_manager:
        return None
    if last_sub == "update" and first_sub in _INSTALL | {"upgrade"}:
        return f"the {last_manager} index update belongs with the install that uses it"
    if last_sub in _INSTALL and first_sub in _INSTALL:
        return f"two {last_manager} installs in separate layers"
    return None


def _join(context: LintContext, first: Instruction, second: Instruction) -> Edit | None:
    if first.json or second.json or first.heredocs or second.heredocs or second.flags:
        return None
    source = context.dockerfile.source
    commands = [c for c in _stage_walk.commands(context, first) if not c.in_heredoc]
    if not commands or commands[-1].source_end is None:
        return None
    end = commands[-1].source_end
    # Only blanks may follow the last command of the first RUN: a trailing comment or
    # `fi`/`done` would swallow or misplace the joined text.
    if source[end : first.span.end].strip(" \t;\r\n"):
        return None
    between = source[first.span.end : second.span.start]
    if between.strip():
        return None  # comments between the RUNs: leave the layout to the author
    rest_start = second.source_offset(0) if second.rest else second.span.end
    escape = context.dockerfile.escape
    return Edit(end, rest_start, f" {escape}\n    && ")
