from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, ClassVar

from slimage.dockerfile import spans
from slimage.findings import Severity
from slimage.rules import _stage_walk
from slimage.rules.base import Rule, Violation
from slimage.stacks.build_steps import build_step, may_build

if TYPE_CHECKING:
    from slimage.dockerfile.run_commands import ShellCommand as Command
    from slimage.dockerfile.stages import Stage
    from slimage.rules.context import LintContext

# Stages on these images build with their own toolchain; a `make` there usually drives
# `go build`, `cargo`, `npm` or a PHP extension build, not a C binary of the app.
_LANGUAGE_IMAGES = (
    "golang",
    "rust",
    "node",
    "python",
    "ruby",
    "php",
    "maven",
    "gradle",
    "openjdk",
    "eclipse-temurin",
    "amazoncorretto",
)


class CBinaryNotStripped(Rule):
    """
    What it does
    ------------
    Flags a stage that compiles C or C++ (`gcc`, `g++`, `clang`, `make`, `cmake --build`)
    and whose output reaches the image, when nothing strips it: no `strip`, no `-s`
    linker flag, no `install -s` / `make install-strip`.

    Why is this bad?
    ----------------
    Unstripped binaries carry symbol tables and, with `-g` (the default of many
    builds), debug sections that are often larger than the code itself.

    Example
    -------
    ```dockerfile
    FROM debian:bookworm AS build
    RUN apt-get update && apt-get install -y build-essential
    COPY . /src
    RUN make -C /src
    FROM debian:bookworm-slim
    COPY --from=build /src/app /usr/local/bin/app
    ```

    Use instead
    -----------
    ```dockerfile
    RUN make -C /src && strip /src/app
    ```
    """

    code: ClassVar[str] = "SL1019"
    name: ClassVar[str] = "c-binary-not-stripped"
    title: ClassVar[str] = "Strip compiled C/C++ binaries"
    severity: ClassVar[Severity] = Severity.INFO

    def check(self, context: LintContext) -> Iterator[Violation]:
        # The cheap question first: which RUNs compile C at all (most files: none). The
        # strip and environment checks only matter for stages that have such a RUN.
        runtime_checked = False
        for stage in context.stages.stages:
            if not context.reaches_runtime(stage) or _language_image(stage):
                continue
            compiling = [
                (instruction, compiles)
                for instruction in context.runs_running(stage, may_build)
                if (compiles := [c for c in context.commands(instruction) if build_step(c) == "c"])
            ]
            if not compiling:
                continue
            if not runtime_checked:
                if _strips(context, context.runtime_stage):
                    return
                runtime_checked = True
            if _strips(context, stage) or any(
                "-s" in v.split()
                for v in _stage_walk.env_before(context, stage.from_instruction).values()
            ):
                continue
            for instruction, compiles in compiling:
                env = _stage_walk.env_before(context, instruction)
                if "-s" in env.get("LDFLAGS", "").split():
                    continue
                yield Violation(
                    message="compiled binaries of this stage reach the image unstripped",
                    span=spans.command_span(context.dockerfile, instruction, compiles[0]),
                    help="run `strip` on them (or link with `-s`, or `make install-strip`)",
                )
                break


def _language_image(stage: Stage) -> bool:
    name = stage.base.rsplit("/", 1)[-1].split(":", 1)[0].lower()
    return name in _LANGUAGE_IMAGES or stage.base_stage is not None


# `strip` as a word anywhere in a RUN, also nested in `find -exec sh -c '...'`, alone or
# as the end of a tool name (`llvm-strip`, `x86_64-linux-gnu-strip`): after a non-word
# character, so `-strip` counts and `mystrip` does not. Linker options that strip:
# `-Wl,--strip-all`, `-Wl,-s`, `--strip-unneeded` (not tar's `--strip-components`).
# Three patterns that each start with a literal, which the regex engine finds quickly
# (one alternation of them tries every position of a long RUN).
_STRIP_WORDS = (
    re.compile(r"strip(?<!\wstrip)(?![\w-])"),
    re.compile(r"--strip-(?:all|unneeded|debug)\b"),
    re.compile(r"-Wl,-[sS]\b"),
)


def _mentions_strip(text: str) -> bool:
    return any(pattern.search(text) for pattern in _STRIP_WORDS)


def _strips(context: LintContext, stage: Stage) -> bool:
    for instruction in _stage_walk.runs(stage):
        if _mentions_strip(instruction.original) or any(
            _mentions_strip(h.content) for h in instruction.heredocs
        ):
            return True
        for command in _stage_walk.commands(context, instruction):
            if _is_strip(command):
                return True
    return False


def _is_strip(command: Command) -> bool:
    program = command.program
    argv = command.argv
    if program in ("strip", "llvm-strip", "sstrip") or program.endswith("-strip"):
        return True
    if program == "install" and ("-s" in argv or "--strip" in argv):
        return True
    if program in ("make", "cmake", "ninja") and any(
        w in ("install-strip", "--strip")
        or (w.startswith("LDFLAGS=") and "-s" in w.split("=", 1)[1].split())
        for w in argv
    ):
        return True
    return program in ("gcc", "g++", "cc", "clang", "clang++") and (
        "-s" in argv or "-Wl,-s" in argv
    )
