from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, ClassVar

from slimage.dockerfile import spans
from slimage.rules import _edits, _stage_walk
from slimage.rules.base import Rule, Violation
from slimage.stacks.caches import CACHE_DIRS, has_cache_mount
from slimage.stacks.packages import package_manager, runs_package_manager

if TYPE_CHECKING:
    from slimage.dockerfile.model import Instruction
    from slimage.dockerfile.run_commands import ShellCommand as Command
    from slimage.rules.context import LintContext

_INSTALLS = frozenset({"install", "in", "groupinstall", "update", "upgrade", "up", "reinstall"})
# dnf/yum metadata for the base repositories of a RHEL-like release is 50-150 MB.
TYPICAL_METADATA_BYTES = 60 * _stage_walk.MEGABYTE


class YumDnfZypperClean(Rule):
    """
    What it does
    ------------
    Flags `yum`, `dnf`, `microdnf` and `zypper` installs in the image's layers when the
    same RUN does not clean the package manager's cache (or mount a cache on it).

    Why is this bad?
    ----------------
    These package managers keep repository metadata and downloaded packages under
    `/var/cache/yum`, `/var/cache/dnf` or `/var/cache/zypp`: often 50 MB or more that
    the running container never needs.

    Example
    -------
    ```dockerfile
    RUN dnf install -y python3
    ```

    Use instead
    -----------
    ```dockerfile
    RUN dnf install -y python3 && dnf clean all
    ```

    Fix safety
    ----------
    The fix appends `&& yum clean all` (`dnf clean all`, `microdnf clean all`,
    `zypper clean --all`) after the last command of the RUN; installed packages are
    unchanged. No fix is offered when the last command sits inside a loop or conditional.
    """

    code: ClassVar[str] = "SL1014"
    name: ClassVar[str] = "yum-dnf-zypper-clean"
    title: ClassVar[str] = "Clean the yum/dnf/zypper cache in the same RUN"
    hadolint: ClassVar[tuple[str, ...]] = ("DL3032", "DL3040", "DL3036")
    fix_safety: ClassVar[str] = "safe"

    def check(self, context: LintContext) -> Iterator[Violation]:
        for stage in _stage_walk.image_layer_stages(context):
            for instruction in context.runs_running(stage, runs_package_manager):
                installs = [
                    c
                    for c in _stage_walk.commands(context, instruction)
                    if package_manager(c) in ("yum", "dnf", "zypper") and c.subcommand in _INSTALLS
                ]
                if not installs:
                    continue
                command = installs[0]
                manager = package_manager(command) or "yum"
                if _cleaned(context, instruction, manager):
                    continue
                clean = _clean_command(command)
                edit = _edits.append_to_run(context, instruction, clean)
                yield Violation(
                    message=f"{command.program}'s cache stays in this layer",
                    span=spans.command_span(context.dockerfile, instruction, command),
                    help=f"end the RUN with `&& {clean}`",
                    fix=_edits.fix(f"Run `{clean}`", edit),
                    bytes_saved=TYPICAL_METADATA_BYTES,
                    bytes_estimated=True,
                )


def _clean_command(command: Command) -> str:
    if command.program == "zypper":
        return "zypper clean --all"
    return f"{command.program} clean all"


def _cleaned(context: LintContext, instruction: Instruction, manager: str) -> bool:
    if has_cache_mount(instruction, manager):
        return True
    for command in _stage_walk.commands(context, instruction):
        if package_manager(command) == manager and command.subcommand in ("clean", "cc"):
            return True
    return any(_stage_walk.removes_path(context, instruction, d) for d in CACHE_DIRS[manager])
