from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, ClassVar

from slimage.dockerfile import spans
from slimage.findings import Edit, Severity
from slimage.rules import _edits, _stage_walk
from slimage.rules.base import Rule, Violation
from slimage.stacks.caches import SUGGESTED_MOUNTS, has_cache_mount, may_fill_cache, package_tool

if TYPE_CHECKING:
    from slimage.dockerfile.model import Instruction
    from slimage.dockerfile.run_commands import ShellCommand as Command
    from slimage.rules.context import LintContext

# Options with which the user explicitly turned the tool's cache off.
_CACHE_OFF = {
    "pip": ("--no-cache-dir",),
    "apk": ("--no-cache",),
    "uv": ("--no-cache", "-n"),
    "poetry": ("--no-cache",),
}


class NoCacheMount(Rule):
    """
    What it does
    ------------
    Flags a package manager run in a build stage (one whose layers do not become the
    image) without a BuildKit cache mount on its cache directory, and suggests the
    mount for the tool: apt, apk, yum/dnf/zypper, pip, uv, poetry, npm, yarn, pnpm, go,
    cargo, maven, gradle, composer, bundler.

    Why is this bad?
    ----------------
    Every change to the dependency list re-downloads every package. A cache mount keeps
    the downloads between builds on the build machine, outside every layer, so builds
    get faster and the cache never ends up in an image.

    Example
    -------
    ```dockerfile
    FROM node:20 AS build
    COPY package.json package-lock.json ./
    RUN npm ci
    ```

    Use instead
    -----------
    ```dockerfile
    FROM node:20 AS build
    COPY package.json package-lock.json ./
    RUN --mount=type=cache,target=/root/.npm npm ci
    ```
    For apt on the official Debian and Ubuntu images also remove
    `/etc/apt/apt.conf.d/docker-clean`, which deletes downloaded packages after each install.

    Fix safety
    ----------
    The fix adds the `--mount=type=cache,...` flags to the RUN (except for apt, which
    needs the docker-clean change too). It is unsafe: it needs BuildKit, and a cache
    directory under a non-root user's home differs from the suggested target.
    """

    code: ClassVar[str] = "SL1020"
    name: ClassVar[str] = "no-cache-mount"
    title: ClassVar[str] = "Use a BuildKit cache mount for package downloads in build stages"
    severity: ClassVar[Severity] = Severity.INFO
    fix_safety: ClassVar[str] = "unsafe"

    def check(self, context: LintContext) -> Iterator[Violation]:
        for stage in _stage_walk.build_only_stages(context):
            for instruction in context.runs_running(stage, may_fill_cache):
                seen: set[str] = set()
                for command in _stage_walk.commands(context, instruction):
                    tool = package_tool(command)
                    if tool is None or tool in seen or tool not in SUGGESTED_MOUNTS:
                        continue
                    if tool == "apt" and command.subcommand == "update":
                        continue  # reported on the install
                    seen.add(tool)
                    if has_cache_mount(instruction, tool) or _cache_off(tool, command):
                        continue
                    mounts = SUGGESTED_MOUNTS[tool]
                    yield Violation(
                        message=f"{tool} downloads again on every build: no cache mount",
                        span=spans.command_span(context.dockerfile, instruction, command),
                        help="add " + " ".join(f"`{m}`" for m in mounts),
                        fix=None
                        if tool == "apt"
                        else _edits.fix(
                            "Add a cache mount", _add_mounts(instruction, mounts), safe=False
                        ),
                    )


def _cache_off(tool: str, command: Command) -> bool:
    return command.has_option(*_CACHE_OFF.get(tool, ("--no-such-option",)))


def _add_mounts(instruction: Instruction, mounts: tuple[str, ...]) -> Edit | None:
    if instruction.json or not instruction.rest_offsets:
        return None
    start = instruction.flags[0].span.start if instruction.flags else instruction.source_offset(0)
    return Edit(start, start, " ".join(mounts) + " ")
