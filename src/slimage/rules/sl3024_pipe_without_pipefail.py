from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from slimage.dockerfile.spans import span_at
from slimage.findings import Severity
from slimage.reference import image_ref
from slimage.rules._checks import mentions
from slimage.rules.base import Rule, Violation

if TYPE_CHECKING:
    from slimage.dockerfile.model import Instruction
    from slimage.dockerfile.run_commands import ShellCommand
    from slimage.rules.context import LintContext

# Commands whose failure in front of a pipe loses nothing (they print what they are given).
_HARMLESS_PRODUCERS = frozenset({"echo", "printf", "yes", "true"})
# Checksum tools: with -c/--check they fail on empty or malformed input (GNU coreutils
# and BusyBox alike: "no properly formatted checksum lines found"), so a producer that
# fails and prints nothing (`grep "$file" SHASUMS | sha256sum -c -`) fails the pipeline.
_CHECKSUM_TOOLS = frozenset(
    {"md5sum", "sha1sum", "sha224sum", "sha256sum", "sha384sum", "sha512sum", "b2sum"}
)
_BASH_HELP = 'add `SHELL ["/bin/bash", "-o", "pipefail", "-c"]` before this RUN, or '
_SCRIPT_HELP = "start the script with `set -o pipefail &&`"


class PipeWithoutPipefail(Rule):
    """
    What it does
    ------------
    Reports a `RUN` that pipes one command into another (`curl ... | tar -x`)
    while neither the `SHELL` nor the script sets `-o pipefail`. Pipelines fed
    only by `echo`/`printf` pass, and so do pipelines ending in a checksum check
    (`grep ... SHASUMS256.txt | sha256sum -c -`: the check fails on empty input, so a
    failing producer fails the step) and non-POSIX shells (PowerShell, cmd).
    On Alpine and other BusyBox bases, which have no bash, the help suggests only
    `set -o pipefail`, which BusyBox ash supports.

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
        shells_and_bases: dict[int, tuple[list[str], str]] | None = None
        for instruction in df.instructions:
            if instruction.keyword != "RUN" or not mentions(instruction, "|"):
                continue
            if shells_and_bases is None:
                shells_and_bases = _shells_and_bases(context)
            shell, base = shells_and_bases.get(id(instruction), ([], ""))
            if _pipefail_set(instruction, shell):
                continue
            commands = context.commands(instruction)
            for index, command in enumerate(commands):
                if command.connector != "|" or index == 0:
                    continue
                first = index - 1
                while first > 0 and commands[first].connector == "|":
                    first -= 1
                producers = {c.program for c in commands[first:index]}
                if producers <= _HARMLESS_PRODUCERS or _checks_sums(
                    commands[first:], index - first
                ):
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
                    help=_SCRIPT_HELP
                    if _busybox_base(base) and "bash" not in "".join(shell[:1])
                    else _BASH_HELP + _SCRIPT_HELP,
                )
                break


def _checks_sums(pipeline: Sequence[ShellCommand], consumer: int) -> bool:
    """Whether the pipeline ends (from ``consumer`` on) in ``sha256sum -c`` or the like."""
    last = consumer
    while last + 1 < len(pipeline) and pipeline[last + 1].connector == "|":
        last += 1
    end = pipeline[last]
    return end.program in _CHECKSUM_TOOLS and end.has_option("-c", "--check")


def _shells_and_bases(context: LintContext) -> dict[int, tuple[list[str], str]]:
    """For each RUN of a stage (by ``id``): the exec-form SHELL in force ([] for the
    default) and the external image its stage chain starts from.

    The nearest stage's last SHELL wins: the RUN's own stage's before it, else the last
    one of its base stage, of that one's base, and so on. One pass over the stages (a
    base stage is always an earlier one), not a walk back from every RUN.
    """
    found: dict[int, tuple[list[str], str]] = {}
    last_shell: dict[int, list[str]] = {}  # each stage's last SHELL, [] for none
    inherited: dict[int, list[str]] = {}  # the nearest SHELL of the stages it builds on
    root_base: dict[int, str] = {}
    for stage in context.stages.stages:
        parent = stage.base_stage
        if parent is None:
            inherited[stage.index], root_base[stage.index] = [], stage.base
        else:
            inherited[stage.index] = last_shell[parent] or inherited[parent]
            root_base[stage.index] = root_base[parent]
        stage_shell: list[str] = []
        for instruction in stage.instructions:
            if instruction.keyword == "RUN":
                found[id(instruction)] = (
                    stage_shell or inherited[stage.index],
                    root_base[stage.index],
                )
            elif instruction.keyword == "SHELL" and instruction.json:
                stage_shell = list(instruction.args)
        last_shell[stage.index] = stage_shell
    return found


def _busybox_base(base: str) -> bool:
    """Whether ``base`` is Alpine or BusyBox: /bin/sh is ash, and there is no bash."""
    ref = image_ref(base)
    name = ref.repository.rsplit("/", 1)[-1]
    return name in ("alpine", "busybox") or "alpine" in (ref.tag or "").lower()


def _pipefail_set(instruction: Instruction, shell: list[str]) -> bool:
    """Whether the RUN's shell or its own script enables pipefail (or is not POSIX)."""
    if "pipefail" in instruction.rest or any("pipefail" in h.content for h in instruction.heredocs):
        return True
    if not shell:
        return False
    program = shell[0].lower()
    if any(name in program for name in ("pwsh", "powershell", "cmd")):
        return True
    return any("pipefail" in word for word in shell)
