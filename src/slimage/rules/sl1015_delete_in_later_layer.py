from __future__ import annotations

import posixpath
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from slimage.dockerfile import spans
from slimage.dockerfile import workdir as workdirs
from slimage.rules import _stage_walk
from slimage.rules.base import Rule, Violation
from slimage.stacks.caches import CACHE_DIRS, mounts_cover, package_tool

if TYPE_CHECKING:
    from slimage.dockerfile.model import Instruction
    from slimage.dockerfile.run_commands import ShellCommand as Command
    from slimage.dockerfile.stages import Stage
    from slimage.rules.context import LintContext

# What a package tool leaves behind on its own, beyond what it was asked to install.
_TOOL_LEFTOVERS: dict[str, tuple[str, ...]] = {
    "apt": ("/var/lib/apt/lists",),
    **{tool: dirs for tool, dirs in CACHE_DIRS.items() if tool != "apt"},
}


@dataclass(frozen=True, slots=True)
class Added:
    """An absolute path an instruction put in the image, and that instruction."""

    path: str
    instruction: Instruction


class DeleteInLaterLayer(Rule):
    """
    What it does
    ------------
    Flags a RUN that deletes (`rm`) files an earlier layer of the image added: a COPY or
    ADD destination, a download (`curl -o`, `wget -O`, `git clone`), or a package cache
    (`/var/lib/apt/lists`, `~/.npm`, `~/.cache/pip`, ...).

    Why is this bad?
    ----------------
    Layers only add. Deleting a file in a later layer writes a whiteout that hides it, but
    the bytes are still in the earlier layer and still pulled with the image. The delete
    must happen in the same RUN that created the files, or the files must never enter
    the image (`.dockerignore`, a build stage, a cache mount).

    Example
    -------
    ```dockerfile
    COPY . /app
    RUN rm -rf /app/tests
    RUN curl -fsSLo /tmp/tool.tgz https://example.com/tool.tgz
    RUN tar -xzf /tmp/tool.tgz -C /opt && rm /tmp/tool.tgz
    ```

    Use instead
    -----------
    ```dockerfile
    # tests/ excluded in .dockerignore
    COPY . /app
    RUN curl -fsSLo /tmp/tool.tgz https://example.com/tool.tgz \\
        && tar -xzf /tmp/tool.tgz -C /opt && rm /tmp/tool.tgz
    ```
    """

    code: ClassVar[str] = "SL1015"
    name: ClassVar[str] = "delete-in-later-layer"
    title: ClassVar[str] = "Delete files in the layer that creates them"

    def check(self, context: LintContext) -> Iterator[Violation]:
        stages = list(_stage_walk.image_layer_stages(context))
        # Only an `rm` is reported: without one in the image's layers there is nothing
        # to follow through them.
        if not any(
            context.runs_running(stage, lambda program: program == "rm") for stage in stages
        ):
            return
        added: list[Added] = []
        for stage in stages:
            yield from self._check_stage(context, stage, added)

    def _check_stage(
        self, context: LintContext, stage: Stage, added: list[Added]
    ) -> Iterator[Violation]:
        workdir = context.workdirs.initial(stage)
        for instruction in stage.instructions:
            keyword = instruction.keyword
            if keyword == "WORKDIR":
                workdir = workdirs.after(workdir, instruction)
            elif (
                keyword in ("COPY", "ADD")
                and len(instruction.args) >= 2
                and not instruction.heredocs
            ):
                destination = _absolute(workdir, instruction.args[-1])
                if destination is not None:
                    added.append(Added(destination, instruction))
            elif keyword == "RUN":
                commands = _stage_walk.commands(context, instruction)
                relative_ok = not any(c.program in ("cd", "pushd") for c in commands)
                for command in commands:
                    if command.program != "rm":
                        continue
                    for word in _operands(command):
                        target = _absolute(workdir, word) if relative_ok else _absolute("", word)
                        if target is None:
                            continue
                        hit = _find_added(added, target)
                        if hit is None:
                            continue
                        yield Violation(
                            message=f"`rm {word}` only hides files that line "
                            f"{hit.instruction.line} added; they still take space there",
                            span=spans.command_span(context.dockerfile, instruction, command),
                            help="delete them in the instruction that adds them, or keep them "
                            "out of the image (.dockerignore, a build stage, a cache mount)",
                        )
                        break
                added.extend(
                    Added(p, instruction) for p in _run_adds(context, instruction, workdir)
                )


def _operands(command: Command) -> list[str]:
    words = command.argv[1:]
    if "--" in words:
        return words[words.index("--") + 1 :]
    return [w for w in words if not w.startswith("-")]


def _absolute(workdir: str, path: str) -> str | None:
    """``path`` made absolute against WORKDIR; None when it has variables or globs only."""
    if not path or "$" in path or path.startswith("~"):
        return None
    path = path.rstrip("*").rstrip("/") if path not in ("/", "/*") else "/"
    if not path.startswith("/"):
        if not workdir:
            return None
        path = posixpath.join(workdir, path)
    normalized = posixpath.normpath(path)
    return None if normalized == "/" else normalized


def _find_added(added: list[Added], target: str) -> Added | None:
    """The latest earlier addition at ``target``, below it, or containing it."""
    for entry in reversed(added):
        path = entry.path
        if path == target or path.startswith(target + "/") or target.startswith(path + "/"):
            return entry
    return None


def _run_adds(context: LintContext, instruction: Instruction, workdir: str) -> list[str]:
    """Paths a RUN leaves behind that a later `rm` would only hide."""
    paths: list[str] = []
    commands = _stage_walk.commands(context, instruction)
    removed = {
        p
        for c in commands
        if c.program == "rm"
        for p in (_absolute(workdir, w) for w in _operands(c))
        if p is not None
    }
    for command in commands:
        program, argv = command.program, command.argv
        tool = package_tool(command)
        if tool is not None:
            for leftover in _TOOL_LEFTOVERS.get(tool, ()):
                if tool == "apt" and command.subcommand != "update":
                    continue
                if not mounts_cover(instruction, leftover):
                    paths.append(leftover)
        elif program == "curl":
            paths.extend(_option_values(argv, ("-o", "--output")))
        elif program == "wget":
            paths.extend(_option_values(argv, ("-O", "--output-document")))
        elif program == "git" and command.subcommand == "clone":
            operands = [w for w in argv[2:] if not w.startswith("-")]
            if len(operands) >= 2:
                paths.append(operands[1])
        elif program in ("cp", "mv") and len(_operands(command)) >= 2:
            paths.append(_operands(command)[-1])
    result = []
    for path in paths:
        absolute = _absolute(workdir, path)
        if absolute is None or absolute in removed or absolute.startswith("/dev"):
            continue
        if any(absolute.startswith(r + "/") for r in removed):
            continue
        result.append(absolute)
    return result


def _option_values(argv: list[str], names: tuple[str, ...]) -> list[str]:
    values = []
    for i, word in enumerate(argv):
        short = [n[1:] for n in names if not n.startswith("--")]
        cluster = word.startswith("-") and not word.startswith("--") and word[-1:] in short
        if (word in names or cluster) and i + 1 < len(argv):
            values.append(argv[i + 1])
            continue
        for name in names:
            if name.startswith("--") and word.startswith(name + "="):
                values.append(word.split("=", 1)[1])
            elif not name.startswith("--") and word.startswith(name) and len(word) > len(name):
                values.append(word[len(name) :])
    return [v for v in values if v != "-"]
