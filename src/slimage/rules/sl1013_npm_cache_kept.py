from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, ClassVar

from slimage.dockerfile import spans
from slimage.rules import _edits, _stage_walk
from slimage.rules.base import Rule, Violation
from slimage.stacks.caches import CACHE_DIRS, has_cache_mount
from slimage.stacks.dependencies import dependency_install, may_install_dependencies

if TYPE_CHECKING:
    from slimage.dockerfile.model import Instruction
    from slimage.dockerfile.run_commands import ShellCommand as Command
    from slimage.rules.context import LintContext

# The command that empties each tool's cache, and how to recognise it in a RUN.
CLEAN = {
    "npm": "npm cache clean --force",
    "yarn": "yarn cache clean",
    "pnpm": "pnpm store prune",
}
# Path fragments of the caches, for `rm -rf ~/.npm` and the like.
_CACHE_FRAGMENTS = {
    "npm": (".npm",),
    "yarn": (".cache/yarn", "yarn/berry/cache", ".yarn-cache"),
    "pnpm": ("pnpm/store", ".pnpm-store"),
}


class NpmCacheKept(Rule):
    """
    What it does
    ------------
    Flags `npm install`/`npm ci`, `yarn install` and `pnpm install` in the image's layers
    when the same RUN neither cleans the package cache nor mounts a cache on it.

    Why is this bad?
    ----------------
    npm, yarn and pnpm keep a copy of every package tarball they fetch (`~/.npm`, yarn's
    cache folder, pnpm's store). In an image that copy is dead weight, often as large as
    `node_modules` itself.

    Example
    -------
    ```dockerfile
    RUN npm ci --omit=dev
    ```

    Use instead
    -----------
    ```dockerfile
    RUN npm ci --omit=dev && npm cache clean --force
    ```
    or, in a build stage, `RUN --mount=type=cache,target=/root/.npm npm ci`.

    Fix safety
    ----------
    The fix appends `&& npm cache clean --force` (`yarn cache clean`, `pnpm store prune`)
    after the last command of the RUN; installed packages are unchanged. No fix is
    offered when the last command sits inside a loop or conditional.
    """

    code: ClassVar[str] = "SL1013"
    name: ClassVar[str] = "npm-cache-kept"
    title: ClassVar[str] = "Clean the npm/yarn/pnpm cache in the same RUN"
    hadolint: ClassVar[tuple[str, ...]] = ("DL3060",)
    fix_safety: ClassVar[str] = "safe"

    def check(self, context: LintContext) -> Iterator[Violation]:
        for stage in _stage_walk.image_layer_stages(context):
            for instruction in context.runs_running(stage, may_install_dependencies):
                commands = _stage_walk.commands(context, instruction)
                tools: dict[str, Command] = {}
                for command in commands:
                    tool = dependency_install(command)
                    if tool in CLEAN and tool not in tools:
                        tools[tool] = command
                for tool, command in tools.items():
                    if _cleaned(context, instruction, tool):
                        continue
                    clean = CLEAN[tool]
                    edit = _edits.append_to_run(context, instruction, clean)
                    yield Violation(
                        message=f"the {tool} package cache stays in this layer",
                        span=spans.command_span(context.dockerfile, instruction, command),
                        help=f"end the RUN with `&& {clean}` or mount a cache on it",
                        fix=_edits.fix(f"Run `{clean}`", edit),
                    )


def _cleaned(context: LintContext, instruction: Instruction, tool: str) -> bool:
    if has_cache_mount(instruction, tool):
        return True
    for command in _stage_walk.commands(context, instruction):
        words = command.argv
        if command.program == tool and words[1:3] in (["cache", "clean"], ["store", "prune"]):
            return True
        if tool == "npm" and command.program == "npm" and words[1:3] == ["cache", "rm"]:
            return True
        if command.program == "rm" and any(
            fragment in word for word in words[1:] for fragment in _CACHE_FRAGMENTS[tool]
        ):
            return True
    return any(_stage_walk.removes_path(context, instruction, d) for d in CACHE_DIRS[tool])
