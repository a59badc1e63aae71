from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from slimage.dockerfile.spans import command_span
from slimage.findings import Severity
from slimage.rules._checks import mentions
from slimage.rules.base import Rule, Violation
from slimage.stacks.packages import package_manager

if TYPE_CHECKING:
    from slimage.dockerfile.run_commands import ShellCommand as Command
    from slimage.rules.context import LintContext

# Subcommands that upgrade every installed package, per package manager.
_UPGRADES = {
    "apt": frozenset({"upgrade", "dist-upgrade", "full-upgrade"}),
    "apk": frozenset({"upgrade"}),
    "yum": frozenset({"update", "upgrade", "distro-sync", "update-minimal"}),
    "dnf": frozenset({"update", "upgrade", "distro-sync", "upgrade-minimal"}),
    "zypper": frozenset({"update", "up", "dist-upgrade", "dup"}),
}


def upgrades_all(command: Command) -> bool:
    """``apt-get upgrade``, ``apk upgrade``, ``yum update`` (no packages named), ..."""
    manager = package_manager(command)
    if manager is None:
        return False
    sub = command.subcommand
    if sub not in _UPGRADES[manager]:
        return False
    if manager in ("yum", "dnf"):
        # `yum update pkg` updates one package (often a security fix): only the
        # bare form upgrades the whole system.
        argv = command.argv
        after = argv[argv.index(sub) + 1 :] if sub in argv else []
        return not [w for w in after if not w.startswith("-")]
    return True


class PackageUpgrade(Rule):
    """
    What it does
    ------------
    Reports a system-wide package upgrade in a `RUN`: `apt-get upgrade` /
    `dist-upgrade`, `apk upgrade`, `yum`/`dnf update` without package names,
    `zypper update`/`dist-upgrade`.

    Why is this bad?
    ----------------
    Every upgraded package is written again into a new layer while the old files
    stay in the base layers, so the image grows by the size of everything upgraded.
    The result also depends on the day of the build, not on the Dockerfile, and a
    distribution upgrade inside a container can break the base image's assumptions.
    A newer base image tag brings the same fixes without the duplicate bytes.

    Example
    -------
    ```dockerfile
    FROM debian:12
    RUN apt-get update && apt-get upgrade -y
    ```

    Use instead
    -----------
    ```dockerfile
    FROM debian:12.8-slim
    ```
    (rebuild on new base image releases), or upgrade only the packages a scanner
    flagged: `apt-get install --only-upgrade -y openssl`.
    """

    code = "SL2009"
    name = "package-upgrade"
    title = "Do not upgrade all packages in the image; use a newer base image"
    severity = Severity.WARNING
    hadolint = ("DL3035",)

    def check(self, context: LintContext) -> Iterator[Violation]:
        df = context.dockerfile
        for instruction in df.instructions:
            if instruction.keyword != "RUN" or not mentions(
                instruction, "upgrade", "update", "dup"
            ):
                continue
            for command in context.commands(instruction):
                if upgrades_all(command):
                    yield Violation(
                        message=f"{command.program} {command.subcommand} upgrades every "
                        "package into a new layer",
                        span=command_span(df, instruction, command),
                        help="use a newer base image tag instead, or upgrade only the packages "
                        "that need it (`apt-get install --only-upgrade <pkg>`)",
                    )
