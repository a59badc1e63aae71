from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, ClassVar

from slimage.dockerfile import spans
from slimage.rules import _stage_walk
from slimage.rules.base import Rule, Violation
from slimage.stacks.packages import (
    build_package_category,
    package_base_name,
    package_install,
    package_manager,
    runs_package_manager,
)

if TYPE_CHECKING:
    from slimage.dockerfile.model import Instruction
    from slimage.dockerfile.run_commands import ShellCommand
    from slimage.rules.context import LintContext

# What this rule calls a toolchain (of stacks/packages.py's table): compilers, headers,
# language SDKs and version control. Not install-time tools (pip, npm, wget, unzip):
# smaller, and an entry point may run them (npm start); nor the build tools apps also
# run (binutils, patch). Rewrite's saving (rewrite/savings.py) counts the same packages.
TOOLCHAIN_CATEGORIES = frozenset(
    {
        "compilers and build tools",
        "headers and -dev packages",
        "language toolchains",
        "version control",
    }
)


def is_toolchain_package(package: str) -> bool:
    """Whether ``package`` (as an install command names it) is a build toolchain."""
    return build_package_category(package) in TOOLCHAIN_CATEGORIES


# Typical installed sizes (Debian bookworm / Alpine 3.20, with dependencies), for the
# estimate: the largest toolchain package of the command counts.
TYPICAL_BYTES = {
    "build-essential": 230_000_000,
    "build-base": 200_000_000,
    "alpine-sdk": 220_000_000,
    "g++": 190_000_000,
    "gcc": 150_000_000,
    "clang": 400_000_000,
    "default-jdk": 300_000_000,
    "golang": 500_000_000,
    "golang-go": 500_000_000,
    "cmake": 45_000_000,
    "git": 40_000_000,
}
_REMOVE = frozenset({"purge", "remove", "autoremove", "del", "erase"})


class ToolchainInRuntime(Rule):
    """
    What it does
    ------------
    Flags build toolchains installed with apt, apk, yum, dnf or zypper in a stage whose
    layers become the image: `build-essential`, `build-base`, `gcc`, `g++`, `make`,
    `cmake`, `*-dev`/`*-devel` headers, `git`, compilers and language SDKs. Packages
    removed again in the same RUN (`apk add --virtual .deps ... && apk del .deps`,
    `apt-get purge`) are fine.

    Why is this bad?
    ----------------
    Compilers and headers are only needed to build; in the image they add hundreds of
    megabytes and give an attacker a compiler. Removing them in a later RUN does not
    shrink the image, their bytes stay in the earlier layer.

    Example
    -------
    ```dockerfile
    FROM python:3.12-slim
    RUN apt-get update && apt-get install -y build-essential libpq-dev \\
        && rm -rf /var/lib/apt/lists/*
    RUN pip install --no-cache-dir psycopg2
    ```

    Use instead
    -----------
    ```dockerfile
    FROM python:3.12-slim AS build
    RUN apt-get update && apt-get install -y build-essential libpq-dev
    RUN pip wheel --wheel-dir /wheels psycopg2

    FROM python:3.12-slim
    RUN apt-get update && apt-get install -y --no-install-recommends libpq5 \\
        && rm -rf /var/lib/apt/lists/*
    COPY --from=build /wheels /wheels
    RUN pip install --no-cache-dir /wheels/* && rm -rf /wheels
    ```
    """

    code: ClassVar[str] = "SL1003"
    name: ClassVar[str] = "toolchain-in-runtime"
    title: ClassVar[str] = "Keep build toolchains out of the runtime image"

    def check(self, context: LintContext) -> Iterator[Violation]:
        for stage in _stage_walk.image_layer_stages(context):
            # Only an install by a system package manager can add a toolchain.
            for instruction in context.runs_running(stage, runs_package_manager):
                removed = _removed_in(context, instruction)
                commands = _stage_walk.commands(context, instruction)
                if _purges_all_auto(commands):
                    continue
                for command in _stage_walk.commands(context, instruction):
                    install = package_install(command)
                    if install is None:
                        continue
                    if install.manager == "apk" and _virtual_removed(command.argv, removed):
                        continue
                    tools = [
                        package_base_name(p)
                        for p in install.packages
                        if is_toolchain_package(p) and package_base_name(p) not in removed
                    ]
                    if not tools:
                        continue
                    estimate = max((TYPICAL_BYTES.get(t, 0) for t in tools), default=0)
                    shown = ", ".join(tools[:5]) + (" ..." if len(tools) > 5 else "")
                    yield Violation(
                        message=f"build tools in the runtime image: {shown}",
                        span=spans.command_span(context.dockerfile, instruction, command),
                        help="install them in a build stage and copy only the result "
                        "(`slimage rewrite` writes it); or remove them in the same RUN",
                        bytes_saved=estimate or None,
                        bytes_estimated=True,
                        extra={"packages": tools},
                    )


def _purges_all_auto(commands: list[ShellCommand]) -> bool:
    """`apt-mark auto '.*'` then `apt-get purge --auto-remove`: everything installed in the
    RUN and not marked manual again goes (the docker-library idiom)."""
    marked = any(c.program == "apt-mark" and c.subcommand == "auto" for c in commands)
    return marked and any(
        package_manager(c) == "apt" and c.subcommand in ("purge", "remove", "autoremove")
        for c in commands
    )


def _removed_in(context: LintContext, instruction: Instruction) -> set[str]:
    """Packages (and apk virtual names) the RUN removes again."""
    removed: set[str] = set()
    for command in _stage_walk.commands(context, instruction):
        if package_manager(command) is None or command.subcommand not in _REMOVE:
            continue
        removed.update(package_base_name(w) for w in command.argv[2:] if not w.startswith("-"))
    return removed


def _virtual_removed(argv: list[str], removed: set[str]) -> bool:
    for i, word in enumerate(argv):
        if word in ("-t", "--virtual") and i + 1 < len(argv):
            return argv[i + 1].lower() in removed
        if word.startswith("--virtual="):
            return word.split("=", 1)[1].lower() in removed
    return False
