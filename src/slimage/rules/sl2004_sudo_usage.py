from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from slimage.dockerfile.spans import command_span
from slimage.findings import Severity
from slimage.rules._checks import mentions
from slimage.rules.base import Rule, Violation

if TYPE_CHECKING:
    from slimage.dockerfile.model import Instruction, Span
    from slimage.dockerfile.run_commands import ShellCommand as Command
    from slimage.rules.context import LintContext


def runs_sudo(command: Command) -> bool:
    """Whether the command word (after ``VAR=x`` prefixes) is ``sudo``."""
    for word in command.words:
        if "=" in word and not word.startswith(("-", "=")) and word.split("=", 1)[0].isidentifier():
            continue  # an assignment prefix: FOO=bar sudo ...
        return word == "sudo" or word.endswith("/sudo")
    return False


class SudoUsage(Rule):
    """
    What it does
    ------------
    Reports `sudo` in a `RUN` command, and a `RUN` that grants passwordless sudo
    (`NOPASSWD` written into a sudoers file).

    Why is this bad?
    ----------------
    Build steps already run as the current `USER`; `sudo` is only there when the
    image ships it, which means a setuid root binary and a sudoers policy in the
    runtime image, and it behaves unpredictably without a TTY. Switch users with
    `USER` instead, or use `gosu`/`su-exec` in an entrypoint to drop root. A
    `NOPASSWD` rule makes the non-root `USER` root in all but name: any process of
    the container can become root with one command.

    Example
    -------
    ```dockerfile
    USER app
    RUN sudo apt-get update
    ```

    Use instead
    -----------
    ```dockerfile
    USER root
    RUN apt-get update
    USER app
    ```
    """

    code = "SL2004"
    name = "sudo-usage"
    title = "Do not use sudo; switch users with USER"
    severity = Severity.WARNING
    hadolint = ("DL3004",)

    def check(self, context: LintContext) -> Iterator[Violation]:
        df = context.dockerfile
        for instruction in df.instructions:
            if instruction.keyword != "RUN" or not mentions(instruction, "sudo", "NOPASSWD"):
                continue
            if mentions(instruction, "NOPASSWD"):
                yield Violation(
                    message="passwordless sudo (NOPASSWD) lets any process of the container "
                    "become root",
                    span=_nopasswd_span(context, instruction),
                    help="do not install sudo in the image; run root steps at build time "
                    "under `USER root`",
                )
            for command in context.commands(instruction):
                if runs_sudo(command):
                    yield Violation(
                        message="sudo in a build step: use USER to change users",
                        span=command_span(df, instruction, command),
                        help="drop `sudo` and run the step under `USER root` (then switch back)",
                    )


def _nopasswd_span(context: LintContext, instruction: Instruction) -> Span:
    for command in context.commands(instruction):
        if "NOPASSWD" in command.text:
            return command_span(context.dockerfile, instruction, command)
    return instruction.span
