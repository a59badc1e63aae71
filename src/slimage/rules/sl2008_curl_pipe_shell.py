from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from slimage.dockerfile.spans import span_at
from slimage.findings import Severity
from slimage.rules._checks import mentions
from slimage.rules.base import Rule, Violation

if TYPE_CHECKING:
    from slimage.dockerfile.model import Instruction, Span
    from slimage.dockerfile.run_commands import ShellCommand as Command
    from slimage.rules.context import LintContext

_DOWNLOADERS = frozenset({"curl", "wget", "fetch"})
_SHELLS = frozenset({"sh", "bash", "dash", "ash", "zsh", "ksh", "busybox"})
_INTERPRETERS = frozenset({"python", "python2", "python3", "perl", "ruby", "node", "php"})
# sh -c "$(curl ...)", bash <(wget -O- ...), . <(curl ...)
_SUBSTITUTED = re.compile(
    r"(?:\b(?:sh|bash|dash|ash|zsh|ksh)\b[^|;&\n]*?(?:\$\(|<\(|`)|(?:^|[\s;&|])(?:\.|source)\s+<\()"
    r"\s*(?:curl|wget)\b"
)


def _reads_stdin(command: Command) -> bool:
    """A shell or interpreter that runs what arrives on stdin (no script file, no -c)."""
    argv = command.argv
    program = command.program
    if program == "busybox":
        argv = argv[1:]
        if not argv or argv[0] not in _SHELLS:
            return False
    operands = [w for w in argv[1:] if not w.startswith("-") or w == "-"]
    if "-c" in argv or ("-e" in argv and program in _INTERPRETERS):
        return False
    return not operands or operands[0] == "-" or "-s" in argv


class CurlPipeShell(Rule):
    """
    What it does
    ------------
    Reports a download piped straight into a shell or interpreter
    (`curl ... | sh`, `wget -qO- ... | bash`, `curl ... | python3 -`) and the
    same through command or process substitution (`sh -c "$(curl ...)"`,
    `bash <(curl ...)`).

    Why is this bad?
    ----------------
    The script runs without being checked: a compromised or changed server, a
    truncated download (the shell runs half a script) or a hijacked DNS name all
    execute code as root in the build, and the next build may run a different
    script than the one you reviewed.

    Example
    -------
    ```dockerfile
    RUN curl -fsSL https://example.com/install.sh | sh
    ```

    Use instead
    -----------
    ```dockerfile
    RUN curl -fsSLo /tmp/install.sh https://example.com/install.sh \\
     && echo "<sha256>  /tmp/install.sh" | sha256sum -c - \\
     && sh /tmp/install.sh && rm /tmp/install.sh
    ```
    or install the tool from a package manager or a checksummed release archive.
    """

    code = "SL2008"
    name = "curl-pipe-shell"
    title = "Do not pipe downloads into a shell; download, verify, then run"
    severity = Severity.WARNING

    def check(self, context: LintContext) -> Iterator[Violation]:
        df = context.dockerfile
        for instruction in df.instructions:
            if instruction.keyword != "RUN" or not mentions(instruction, "curl", "wget", "fetch"):
                continue
            piped = mentions(instruction, "|")
            substituted = mentions(instruction, "$(", "<(", "`")
            if not piped and not substituted:
                continue
            commands = context.commands(instruction)
            reported = False
            for index, command in enumerate(commands):
                if command.connector != "|" or command.program not in _SHELLS | _INTERPRETERS:
                    continue
                if not _reads_stdin(command):
                    continue
                source = _piped_download(commands, index)
                if source is None:
                    continue
                reported = True
                yield Violation(
                    message=f"{source.program} output is piped into {command.program}: the "
                    "downloaded script runs unverified",
                    span=_pipeline_span(context, instruction, source, command),
                    help="download to a file, check it with `sha256sum -c`, then run it",
                )
            if not reported and substituted:
                yield from _substitutions(context, instruction, commands)


def _piped_download(commands: list[Command], index: int) -> Command | None:
    """The curl/wget command earlier in the same pipeline as ``commands[index]``."""
    position = index
    while position > 0 and commands[position].connector == "|":
        position -= 1
        if commands[position].program in _DOWNLOADERS:
            return commands[position]
    return None


def _pipeline_span(
    context: LintContext, instruction: Instruction, first: Command, last: Command
) -> Span:
    df = context.dockerfile
    if first.source_start is not None and last.source_end is not None:
        return span_at(df, first.source_start, last.source_end)
    return instruction.span


def _substitutions(
    context: LintContext, instruction: Instruction, commands: list[Command]
) -> Iterator[Violation]:
    for command in commands:
        text = command.text
        # Every _SUBSTITUTED match names curl or wget: the substring test spares most searches.
        if ("curl" not in text and "wget" not in text) or _SUBSTITUTED.search(text) is None:
            continue
        span = (
            span_at(context.dockerfile, command.source_start, command.source_end)
            if command.source_start is not None and command.source_end is not None
            else instruction.span
        )
        yield Violation(
            message="a downloaded script runs through command substitution, unverified",
            span=span,
            help="download to a file, check it with `sha256sum -c`, then run it",
        )
        return
