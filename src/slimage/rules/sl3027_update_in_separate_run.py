from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from slimage.dockerfile.spans import command_span
from slimage.findings import Severity
from slimage.rules._checks import mentions
from slimage.rules.base import Rule, Violation
from slimage.stacks.packages import package_install, package_manager

if TYPE_CHECKING:
    from slimage.dockerfile.model import Instruction
    from slimage.dockerfile.run_commands import ShellCommand as Command
    from slimage.rules.context import LintContext

# The subcommand that refreshes each manager's package index.
_REFRESH = {
    "apt": frozenset({"update"}),
    "apk": frozenset({"update"}),
    "yum": frozenset({"makecache"}),
    "dnf": frozenset({"makecache"}),
    "zypper": frozenset({"refresh", "ref"}),
}


def _refresh(command: Command) -> str | None:
    text = command.text
    if "update" not in text and "makecache" not in text and "ref" not in text:
        return None
    manager = package_manager(command)
    if manager is not None and command.subcommand in _REFRESH[manager]:
        return manager
    return None


class UpdateInSeparateRun(Rule):
    """
    What it does
    ------------
    Reports a `RUN` that refreshes a package index (`apt-get update`, `apk update`,
    `dnf makecache`, `zypper refresh`) without installing anything, when a later `RUN`
    of the same stage installs with that package manager.

    Why is this bad?
    ----------------
    Each `RUN` is cached on its own text. When you later add a package to the install
    line, the builder reuses the cached `update` layer from weeks ago, and the install
    fails on package versions that are gone from the mirror, or silently installs old
    ones. The index files also stay in a layer of their own.

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
     && apt-get install -y --no-install-recommends curl \\
     && rm -rf /var/lib/apt/lists/*
    ```
    """

    code = "SL3027"
    name = "update-in-separate-run"
    title = "Refresh the package index in the same RUN that installs"
    severity = Severity.WARNING

    def check(self, context: LintContext) -> Iterator[Violation]:
        df = context.dockerfile
        for stage in context.stages.stages:
            runs = [i for i in stage.instructions if i.keyword == "RUN"]
            for position, instruction in enumerate(runs):
                if not mentions(instruction, "update", "makecache", "refresh", "ref"):
                    continue
                commands = context.commands(instruction)
                refreshed = {m: c for c in commands if (m := _refresh(c)) is not None}
                installed = _installs(commands)
                for manager, command in refreshed.items():
                    if manager in installed:
                        continue
                    later = _later_install(context, runs[position + 1 :], manager)
                    if later is None:
                        continue
                    yield Violation(
                        message=f"{command.program} {command.subcommand} runs in its own RUN; "
                        f"the install on line {later.span.line} can reuse a stale cached index",
                        span=command_span(df, instruction, command),
                        help="refresh and install in the same RUN: "
                        f"{command.program} {command.subcommand} && ... install ...",
                    )


def _installs(commands: list[Command]) -> set[str]:
    managers: set[str] = set()
    for command in commands:
        install = package_install(command)
        if install is not None:
            # yum and dnf share one index on the distributions that ship both.
            same = {"yum", "dnf"} if install.manager in ("yum", "dnf") else {install.manager}
            managers.update(same)
    return managers


def _later_install(
    context: LintContext, runs: list[Instruction], manager: str
) -> Instruction | None:
    for instruction in runs:
        if not mentions(instruction, "update", "makecache", "refresh", "ref", "install", "add"):
            continue
        commands = context.commands(instruction)
        if any(_refresh(c) == manager for c in commands):
            return None  # refreshed again before installing
        if manager in _installs(commands):
            return instruction
    return None
