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

# apt subcommands that apt-get has under the same name.
_SAME_IN_APT_GET = frozenset(
    {"install", "update", "upgrade", "dist-upgrade", "remove", "purge", "autoremove", "clean"}
)


class AptInsteadOfAptGet(Rule):
    """
    What it does
    ------------
    Reports `apt` (the interactive front end) in a `RUN`.

    Why is this bad?
    ----------------
    `apt` is meant for people at a terminal: its command line is not stable
    (it prints "WARNING: apt does not have a stable CLI interface"), it draws
    progress bars into the build log, and its defaults may change between
    releases. `apt-get` and `apt-cache` are the scripting interfaces.

    Example
    -------
    ```dockerfile
    RUN apt update && apt install -y curl
    ```

    Use instead
    -----------
    ```dockerfile
    RUN apt-get update && apt-get install -y --no-install-recommends curl
    ```

    Fix safety
    ----------
    For subcommands `apt-get` has under the same name (`install`, `update`,
    `remove`, ...) the fix replaces the program word. It is unsafe: the two
    programs read some settings differently (`apt` does not keep downloaded
    packages by default, `apt-get` does unless the image configures otherwise).
    """

    code = "SL3025"
    name = "apt-instead-of-apt-get"
    title = "Use apt-get or apt-cache in scripts, not apt"
    severity = Severity.WARNING
    hadolint = ("DL3027",)
    fix_safety = "unsafe"

    def check(self, context: LintContext) -> Iterator[Violation]:
        df = context.dockerfile
        for instruction in df.instructions:
            if instruction.keyword != "RUN" or not mentions(instruction, "apt"):
                continue
            for command in context.commands(instruction):
                if command.program != "apt":
                    continue
                yield Violation(
                    message="apt is an interactive tool; scripts should use apt-get",
                    span=command_span(df, instruction, command),
                    fix=_fix(df.source, command),
                    help="use apt-get (install, update, ...) or apt-cache (search, show)",
                )


def _fix(source: str, command: Command) -> Fix | None:
    if command.subcommand not in _SAME_IN_APT_GET or command.word_source_spans is None:
        return None
    index = command.program_index
    if command.words[index] != "apt" or index >= len(command.word_source_spans):
        return None
    start, end = command.word_source_spans[index]
    if source[start:end] != "apt":
        return None
    return Fix(
        title="Use apt-get",
        edits=(Edit(start, end, "apt-get"),),
        applicability=Applicability.UNSAFE,
    )
