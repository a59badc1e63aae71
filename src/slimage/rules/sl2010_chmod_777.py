from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from slimage.dockerfile.spans import command_span
from slimage.findings import Severity
from slimage.rules._checks import mentions
from slimage.rules.base import Rule, Violation

if TYPE_CHECKING:
    from slimage.dockerfile.run_commands import ShellCommand as Command
    from slimage.rules.context import LintContext

_SYMBOLIC_CLAUSE = re.compile(r"^([ugoa]*)([+=])([rwxXst]*)$")


def world_writable(mode: str) -> bool:
    """Whether a chmod mode gives every user write access without the sticky bit.

    ``1777`` (sticky, like /tmp) is the standard way to share a scratch directory and
    passes; ``777``, ``0666``, ``a+rwx``, ``o+w`` do not. A bare ``+w`` is filtered by
    the umask, so it passes too.
    """
    if re.fullmatch(r"[0-7]{1,4}", mode):
        digits = mode.rjust(4, "0")
        return int(digits[3]) & 2 != 0 and int(digits[0]) & 1 == 0
    writable = sticky = False
    for clause in mode.split(","):
        match = _SYMBOLIC_CLAUSE.match(clause)
        if match is None:
            return False
        who, _op, perms = match.groups()
        if "t" in perms:
            sticky = True
        if ("o" in who or "a" in who) and "w" in perms:
            writable = True
    return writable and not sticky


def chmod_mode(command: Command) -> str | None:
    """The mode word of a ``chmod`` command (options skipped), or None."""
    if command.program != "chmod":
        return None
    for word in command.argv[1:]:
        if word.startswith("--"):
            continue
        if re.fullmatch(r"-[RvfcH]+", word):
            continue
        return word
    return None


class Chmod777(Rule):
    """
    What it does
    ------------
    Reports `chmod` modes that make files writable by every user (`777`,
    `666`, `a+rwx`, `o+w`) in `RUN`, and the same modes in `COPY --chmod` /
    `ADD --chmod`. Modes with the sticky bit (`1777`, the `/tmp` idiom for
    shared scratch directories) pass.

    Why is this bad?
    ----------------
    Any process in the container, whatever its user, can then rewrite the files:
    application code, configuration and scripts that a root process may run later.
    It is usually a shortcut around a wrong owner.

    Example
    -------
    ```dockerfile
    COPY . /app
    RUN chmod -R 777 /app
    ```

    Use instead
    -----------
    ```dockerfile
    COPY --chown=app:app . /app
    ```
    or `chmod 755` for directories and `644` for files, writable only by their
    owner.
    """

    code = "SL2010"
    name = "chmod-777"
    title = "Do not make files world-writable (chmod 777); fix the owner instead"
    severity = Severity.WARNING

    def check(self, context: LintContext) -> Iterator[Violation]:
        df = context.dockerfile
        help_text = (
            "set the owner (`chown`, `COPY --chown`) and use 755/644, or 1777 for a shared dir"
        )
        for instruction in df.instructions:
            if instruction.keyword in ("COPY", "ADD"):
                flag = instruction.flag("chmod")
                if flag is not None and flag.value and world_writable(flag.value):
                    yield Violation(
                        message=f"--chmod={flag.value} makes the copied files writable by "
                        "every user",
                        span=flag.span,
                        help=help_text,
                    )
            elif instruction.keyword == "RUN" and mentions(instruction, "chmod"):
                for command in context.commands(instruction):
                    mode = chmod_mode(command)
                    if mode is not None and world_writable(mode):
                        yield Violation(
                            message=f"chmod {mode} makes files writable by every user",
                            span=command_span(df, instruction, command),
                            help=help_text,
                        )
