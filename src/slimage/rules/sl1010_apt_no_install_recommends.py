from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, ClassVar

from slimage.dockerfile import spans
from slimage.findings import Severity
from slimage.rules import _edits, _stage_walk
from slimage.rules.base import Rule, Violation
from slimage.stacks.packages import package_manager, runs_package_manager

if TYPE_CHECKING:
    from slimage.dockerfile.stages import Stage
    from slimage.rules.context import LintContext

FLAG = "--no-install-recommends"
# apt.conf settings and apt-get options that turn recommends off as well.
_CONFIG_OFF = ("install-recommends=false", "install-recommends=0", 'install-recommends "false"')


class AptNoInstallRecommends(Rule):
    """
    What it does
    ------------
    Flags `apt-get install` (or `apt install`) in the image's layers without
    `--no-install-recommends`.

    Why is this bad?
    ----------------
    By default apt also installs every package the requested ones *recommend*:
    documentation, optional helpers, sometimes whole compiler toolchains (`python3-pip`
    recommends `build-essential`). They are rarely needed in a container and often add
    tens or hundreds of megabytes.

    Example
    -------
    ```dockerfile
    RUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*
    ```

    Use instead
    -----------
    ```dockerfile
    RUN apt-get update && apt-get install -y --no-install-recommends curl \\
        && rm -rf /var/lib/apt/lists/*
    ```

    Fix safety
    ----------
    The fix inserts `--no-install-recommends` after `install`. It is unsafe: a program
    may rely on a package that was only recommended (a TLS root store, a locale), so
    the image must be tested after the change.
    """

    code: ClassVar[str] = "SL1010"
    name: ClassVar[str] = "apt-no-install-recommends"
    title: ClassVar[str] = "Install apt packages with --no-install-recommends"
    severity: ClassVar[Severity] = Severity.WARNING
    hadolint: ClassVar[tuple[str, ...]] = ("DL3015",)
    fix_safety: ClassVar[str] = "unsafe"

    def check(self, context: LintContext) -> Iterator[Violation]:
        for stage in _stage_walk.image_layer_stages(context):
            installs = context.runs_running(stage, runs_package_manager)
            if not installs or _recommends_disabled(context, stage):
                continue
            for instruction in installs:
                for command in context.commands(instruction):
                    if package_manager(command) != "apt" or command.subcommand != "install":
                        continue
                    if command.has_option(FLAG) or _disables_in_options(command.argv):
                        continue
                    edit = _edits.insert_after_subcommand(
                        context.dockerfile, command, ("install",), FLAG
                    )
                    yield Violation(
                        message="`apt-get install` without `--no-install-recommends` pulls in "
                        "recommended packages too",
                        span=spans.command_span(context.dockerfile, instruction, command),
                        help=f"add `{FLAG}` after `install`",
                        fix=_edits.fix(f"Add `{FLAG}`", edit, safe=False),
                    )


def _disables_in_options(argv: list[str]) -> bool:
    text = " ".join(argv).lower().replace("apt::", "")
    return any(setting in text for setting in _CONFIG_OFF)


def _recommends_disabled(context: LintContext, stage: Stage) -> bool:
    """A RUN of the stage writes an apt.conf that turns recommends off for later installs."""
    for instruction in _stage_walk.runs(stage):
        text = instruction.original.lower()
        if "install-recommends" in text and ("false" in text or '"0"' in text):
            return True
    return False
