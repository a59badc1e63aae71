from __future__ import annotations

import posixpath
from collections.abc import Iterator
from typing import TYPE_CHECKING, ClassVar

from slimage.dockerfile import spans
from slimage.rules import _edits, _stage_walk
from slimage.rules.base import Rule, Violation

if TYPE_CHECKING:
    from slimage.dockerfile.model import Instruction
    from slimage.dockerfile.run_commands import ShellCommand as Command
    from slimage.dockerfile.stages import Stage
    from slimage.rules.context import LintContext

_NO_LIBC_KINDS = ("scratch",)
_NO_LIBC_IDS = ("distroless/static", "scratch/scratch")


class GoBuildNotStripped(Rule):
    """
    What it does
    ------------
    Flags `go build` / `go install` whose binary reaches the image when it is built
    without `-ldflags "-s -w"`, and, when the image runs on `scratch` or a static
    distroless base, without `CGO_ENABLED=0`.

    Why is this bad?
    ----------------
    `-s -w` drop the symbol table and DWARF debug data: typically 20-30% of a Go
    binary. Go keeps what it needs for stack traces, so panics still print them. On an
    image without a C library (scratch, `distroless/static`) a binary linked against
    glibc with cgo does not start at all: `CGO_ENABLED=0` makes it fully static.

    Example
    -------
    ```dockerfile
    FROM golang:1.22 AS build
    RUN go build -o /server ./cmd/server
    FROM scratch
    COPY --from=build /server /server
    ```

    Use instead
    -----------
    ```dockerfile
    FROM golang:1.22 AS build
    RUN CGO_ENABLED=0 go build -ldflags="-s -w" -o /server ./cmd/server
    FROM scratch
    COPY --from=build /server /server
    ```

    Fix safety
    ----------
    When the command has no `-ldflags` at all, the fix inserts `-ldflags="-s -w"` after
    `build`. It is unsafe: the binary loses its debug data, so a debugger or a profiler
    that needs symbols no longer works on it.
    """

    code: ClassVar[str] = "SL1017"
    name: ClassVar[str] = "go-build-not-stripped"
    title: ClassVar[str] = 'Build Go binaries with -ldflags "-s -w" (and CGO_ENABLED=0 for scratch)'
    fix_safety: ClassVar[str] = "unsafe"

    def check(self, context: LintContext) -> Iterator[Violation]:
        runtime = context.catalog.lookup(context.runtime_stage.base)
        needs_static = runtime is not None and runtime.id in _NO_LIBC_IDS
        for stage in context.stages.stages:
            if not context.reaches_runtime(stage):
                continue
            for instruction in context.runs_running(stage, lambda program: program == "go"):
                commands = _stage_walk.commands(context, instruction)
                for index, command in enumerate(commands):
                    if command.program != "go" or command.subcommand not in ("build", "install"):
                        continue
                    workdir = context.workdirs.at(instruction)
                    output = _output(command.argv, workdir)
                    if not _stage_walk.path_reaches_runtime(context, stage, output):
                        continue
                    yield from self._check_build(
                        context, stage, instruction, commands, index, needs_static
                    )

    def _check_build(
        self,
        context: LintContext,
        stage: Stage,
        instruction: Instruction,
        commands: list[Command],
        index: int,
        needs_static: bool,
    ) -> Iterator[Violation]:
        command = commands[index]
        env = dict(_stage_walk.env_before(context, instruction))  # extended below: a copy
        env.update(_exports(commands[:index]))
        env.update(command.prefix_assignments())
        span = spans.command_span(context.dockerfile, instruction, command)
        ldflags = _ldflags(command.argv) + _ldflags(env.get("GOFLAGS", "").split())
        if not ldflags:
            edit = _edits.insert_after_subcommand(
                context.dockerfile, command, ("build", "install"), '-ldflags="-s -w"'
            )
            yield Violation(
                message=f'`go {command.subcommand}` without `-ldflags "-s -w"` keeps debug data',
                span=span,
                help='add `-ldflags="-s -w"` (about 20-30% of the binary)',
                fix=_edits.fix('Add `-ldflags="-s -w"`', edit, safe=False),
            )
        elif not any("$" in f for f in ldflags) and not all(
            _has_flag(ldflags, f) for f in ("-s", "-w")
        ):
            yield Violation(
                message="the Go linker flags lack `-s -w`: debug data stays in the binary",
                span=span,
                help="add `-s -w` to `-ldflags`",
            )
        if (
            needs_static
            and env.get("CGO_ENABLED", "").strip() != "0"
            and not _static_anyway(stage, ldflags, command)
        ):
            yield Violation(
                message="the image has no C library, but this `go build` may link against one "
                "(CGO_ENABLED is not 0)",
                span=span,
                help="build with `CGO_ENABLED=0` so the binary is static",
            )


def _output(argv: list[str], workdir: str) -> str | None:
    """The absolute ``-o`` path of a go build, or None when it is not given."""
    for i, word in enumerate(argv):
        value = None
        if word == "-o" and i + 1 < len(argv):
            value = argv[i + 1]
        elif word.startswith("-o="):
            value = word[3:]
        if value:
            return posixpath.normpath(posixpath.join(workdir, value))
    return None


def _exports(commands: list[Command]) -> dict[str, str]:
    values: dict[str, str] = {}
    for command in commands:
        if command.program in ("export", "set"):
            for word in command.argv[1:]:
                name, sep, value = word.partition("=")
                if sep:
                    values[name] = value
    return values


def _ldflags(argv: list[str]) -> list[str]:
    flags: list[str] = []
    for i, word in enumerate(argv):
        for name in ("-ldflags", "--ldflags"):
            if word == name and i + 1 < len(argv):
                flags.extend(argv[i + 1].split())
            elif word.startswith(name + "="):
                flags.extend(word.split("=", 1)[1].strip("'\"").split())
    return flags


def _has_flag(ldflags: list[str], flag: str) -> bool:
    return any(f == flag or f.startswith(flag + "=") for f in ldflags)


def _static_anyway(stage: Stage, ldflags: list[str], command: Command) -> bool:
    """golang:*-alpine has no C compiler, so cgo is off (Go 1.20+); `-static` links statically."""
    if "alpine" in stage.base.lower():
        return True
    return any("-static" in f for f in ldflags) or any("netgo" in w for w in command.argv)
