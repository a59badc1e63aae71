from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from slimage.dockerfile.spans import command_span
from slimage.findings import Applicability, Edit, Fix, Severity
from slimage.rules._checks import mentions
from slimage.rules.base import Rule, Violation

if TYPE_CHECKING:
    from slimage.dockerfile.run_commands import ShellCommand as Command
    from slimage.rules.context import LintContext

# Subcommands that ask "Do you want to continue? [Y/n]" before changing packages.
_PROMPTING = {
    "apt-get": frozenset(
        {
            "install",
            "upgrade",
            "dist-upgrade",
            "full-upgrade",
            "remove",
            "purge",
            "autoremove",
            "build-dep",
        }
    ),
    "yum": frozenset(
        {
            "install",
            "update",
            "upgrade",
            "remove",
            "erase",
            "reinstall",
            "downgrade",
            "groupinstall",
            "autoremove",
            "distro-sync",
            "localinstall",
        }
    ),
    "zypper": frozenset(
        {"install", "in", "remove", "rm", "update", "up", "dist-upgrade", "dup", "patch"}
    ),
}
_PROMPTING["apt"] = _PROMPTING["apt-get"]
_PROMPTING["dnf"] = _PROMPTING["yum"]
_PROMPTING["tdnf"] = _PROMPTING["yum"]
_YES = {
    "apt-get": ("-y", "--yes", "--assume-yes", "-qq", "--force-yes"),
    "yum": ("-y", "--assumeyes", "--assumeno"),
    "zypper": ("-n", "--non-interactive", "-y", "--no-confirm"),
}


def _family(program: str) -> str:
    if program in ("apt", "apt-get"):
        return "apt-get"
    if program in ("yum", "dnf", "tdnf"):
        return "yum"
    return program


def prompts(command: Command, previous: Command | None) -> bool:
    """Whether the command would stop at a confirmation prompt (and fail the build)."""
    if not any(name in command.text for name in ("apt", "yum", "dnf", "zypper")):
        return False
    program = command.program
    family = _family(program)
    sub = command.subcommand
    if family not in _YES or sub not in _PROMPTING[program]:
        return False
    if command.has_option(*_YES[family]) or "-q=2" in command.argv:
        return False
    if any("assume-yes" in w.lower() or "assumeyes" in w.lower() for w in command.argv):
        return False  # -o APT::Get::Assume-Yes=true, --setopt=assumeyes=1
    # `yes | apt-get install ...` answers the prompt.
    return not (command.connector == "|" and previous is not None and previous.program == "yes")


class InstallWithoutYes(Rule):
    """
    What it does
    ------------
    Reports `apt-get`/`apt`, `yum`/`dnf` and `zypper` commands that change packages
    without their non-interactive switch (`-y`, `--assumeyes`, `-n`), as hadolint's
    DL3014, DL3030, DL3034 and DL3038 do.

    Why is this bad?
    ----------------
    A build has no one to answer "Do you want to continue? [Y/n]": the tool reads end
    of input, prints "Abort." and the step fails as soon as there is something to
    install.

    Example
    -------
    ```dockerfile
    RUN apt-get update && apt-get install curl
    ```

    Use instead
    -----------
    ```dockerfile
    RUN apt-get update && apt-get install -y curl
    ```

    Fix safety
    ----------
    The fix adds `-y` after the subcommand (`zypper install -y` is zypper's own
    `--no-confirm`). It only answers the prompt the build cannot answer: safe.
    """

    code = "SL3026"
    name = "install-without-yes"
    title = "Pass -y to package managers in RUN"
    severity = Severity.ERROR
    hadolint = ("DL3014", "DL3030", "DL3034", "DL3038")
    fix_safety = "safe"

    def check(self, context: LintContext) -> Iterator[Violation]:
        df = context.dockerfile
        for instruction in df.instructions:
            if instruction.keyword != "RUN" or not mentions(
                instruction, "apt", "yum", "dnf", "zypper"
            ):
                continue
            commands = context.commands(instruction)
            for index, command in enumerate(commands):
                previous = commands[index - 1] if index else None
                if not prompts(command, previous):
                    continue
                yield Violation(
                    message=f"{command.program} {command.subcommand} without -y stops at a "
                    "confirmation prompt and fails the build",
                    span=command_span(df, instruction, command),
                    fix=_fix(command),
                    help=f"add -y: {command.program} {command.subcommand} -y ...",
                )


def _fix(command: Command) -> Fix | None:
    sub = command.subcommand
    start = command.program_index
    try:
        index = command.words.index(sub or "", start + 1)
    except ValueError:
        return None
    end = command.word_source_end(index)
    if end is None:
        return None
    return Fix(
        title=f"Add -y after {sub}",
        edits=(Edit(end, end, " -y"),),
        applicability=Applicability.SAFE,
    )
