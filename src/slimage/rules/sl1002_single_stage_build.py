from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, ClassVar

from slimage.dockerfile import spans
from slimage.rules import _stage_walk
from slimage.rules.base import Rule, Violation
from slimage.stacks.build_steps import build_step, may_build
from slimage.stacks.packages import removes_packages_in_same_run

if TYPE_CHECKING:
    from slimage.rules.context import LintContext


def pattern(stack: str) -> str:
    """The multi-stage pattern for ``stack``: where to build, what to copy, what to run on."""
    from slimage.stacks import all_stacks
    from slimage.stacks.images import DISTROLESS, SUITE

    if stack == "c":
        return (
            "compile in a stage with the toolchain, then copy the (stripped) binaries into "
            f"`gcr.io/distroless/cc-{DISTROLESS}` or `debian:{SUITE}-slim`"
        )
    return all_stacks()[stack].pattern


class SingleStageBuild(Rule):
    """
    What it does
    ------------
    Flags a build that compiles or bundles in the stage that becomes the image:
    `go build`, `cargo build`, `mvn package`, `gradle build`, `npm run build` (yarn,
    pnpm, tsc, webpack, vite...), `gcc`/`make`/`cmake`, `pip wheel` and `setup.py
    build`. It recommends the multi-stage pattern for that stack.

    Why is this bad?
    ----------------
    The compiler, the SDK, the dev dependencies and the intermediate files all ship
    with the application. A Go service built in one stage is an 800 MB image; built in
    one stage and copied to `scratch` it is the size of its binary.

    Example
    -------
    ```dockerfile
    FROM golang:1.22
    WORKDIR /src
    COPY . .
    RUN go build -o /server ./cmd/server
    CMD ["/server"]
    ```

    Use instead
    -----------
    ```dockerfile
    FROM golang:1.22 AS build
    WORKDIR /src
    COPY . .
    RUN CGO_ENABLED=0 go build -ldflags="-s -w" -o /server ./cmd/server

    FROM gcr.io/distroless/static-debian13
    COPY --from=build /server /server
    CMD ["/server"]
    ```
    """

    code: ClassVar[str] = "SL1002"
    name: ClassVar[str] = "single-stage-build"
    title: ClassVar[str] = "Build in a separate stage and copy only the result"

    def check(self, context: LintContext) -> Iterator[Violation]:
        reported: set[str] = set()
        for stage in _stage_walk.image_layer_stages(context):
            for instruction in context.runs_running(stage, may_build):
                commands = _stage_walk.commands(context, instruction)
                # The docker-library idiom: install the toolchain, build, and uninstall it
                # again in one RUN. Nothing of the toolchain ships.
                if removes_packages_in_same_run(commands):
                    continue
                for command in commands:
                    stack = build_step(command)
                    if stack is None or stack in reported:
                        continue
                    reported.add(stack)
                    yield Violation(
                        message=f"`{_short(command.argv)}` builds in the stage that becomes "
                        "the image: its toolchain and intermediate files ship too",
                        span=spans.command_span(context.dockerfile, instruction, command),
                        help="multi-stage: "
                        + pattern(stack)
                        + "; `slimage rewrite` writes it from this file",
                        extra={"stack": stack},
                    )


def _short(argv: list[str]) -> str:
    text = " ".join(argv[:3])
    return text if len(argv) <= 3 else text + " ..."
