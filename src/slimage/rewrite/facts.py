"""What the final stage of a Dockerfile does, read once: commands, paths, packages, entry.

Everything the classifier, the artifact finder and the planner ask about an instruction
is computed here from the BuildKit-exact model (:mod:`slimage.dockerfile`), so the rest
of the rewrite works on plain data.
"""

from __future__ import annotations

import posixpath
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path

from slimage.dockerfile.model import Dockerfile, Instruction
from slimage.dockerfile.run_commands import ShellCommand, run_commands
from slimage.dockerfile.stages import Stage, StageGraph
from slimage.stacks.build_steps import build_step
from slimage.stacks.dependencies import dependency_install
from slimage.stacks.packages import package_install

# Programs that run a test suite: build-only.
TEST_PROGRAMS = frozenset({"pytest", "tox", "nox", "jest", "vitest", "mocha", "ava", "karma"})
# `go test`, `cargo test`, `npm test`, `mvn test`, `gradle test`...
TEST_SUBCOMMANDS = frozenset({"test", "check", "lint", "vet", "clippy", "fmt"})
# Commands that only set up files and users: both stages may need what they do.
SETUP_PROGRAMS = frozenset(
    {
        "useradd",
        "adduser",
        "groupadd",
        "addgroup",
        "mkdir",
        "chown",
        "chmod",
        "ln",
        "touch",
        "echo",
        "printf",
        "true",
        "set",
        "cd",
    }
)
# The official images' default working directories, when the file sets none.
IMAGE_WORKDIRS = {"golang": "/go"}


@dataclass
class Step:
    """One instruction of the final stage, with what slimage read from it."""

    instruction: Instruction
    text: str  # the instruction's source text, continuations and heredocs included
    workdir: str  # in effect for the instruction
    commands: list[ShellCommand] = field(default_factory=list)
    packages: list[str] = field(default_factory=list)  # system packages it installs
    package_manager: str | None = None
    dependency_installs: list[str] = field(default_factory=list)  # ecosystems
    builds: list[str] = field(default_factory=list)  # stacks it compiles or bundles
    tests: bool = False
    setup_only: bool = False  # only user/file set-up commands
    inherited: bool = False  # from a stage the final stage builds FROM (already built there)

    @property
    def keyword(self) -> str:
        return self.instruction.keyword

    @property
    def line(self) -> int:
        return self.instruction.line


@dataclass
class StageFacts:
    """The final stage, read."""

    dockerfile: Dockerfile
    graph: StageGraph
    stage: Stage
    steps: list[Step]
    prefix: str  # the text before the final stage's FROM (directives, ARGs, other stages)
    context_dir: Path | None
    final_workdir: str
    entry: list[str]  # ENTRYPOINT + CMD words as the runtime runs them (exec form)
    entry_is_shell: bool
    user: str | None  # the last USER, as written

    def env(self) -> dict[str, str]:
        last = self.stage.instructions[-1] if self.stage.instructions else None
        if last is None:
            return {}
        env = dict(self.graph.env_before(last))
        if last.keyword == "ENV":
            env.update(_env_pairs(last))
        return env


def source_text(dockerfile: Dockerfile, instruction: Instruction) -> str:
    """The instruction as written (comments before it excluded)."""
    return dockerfile.source[instruction.span.start : instruction.span.end].rstrip("\n")


def read_stage(
    dockerfile: Dockerfile, graph: StageGraph, context_dir: Path | None, family: str | None
) -> StageFacts:
    stage = graph.final
    workdir = IMAGE_WORKDIRS.get(family or "", "/")
    steps: list[Step] = []
    user: str | None = None
    entrypoint: tuple[list[str], bool] | None = None
    cmd: tuple[list[str], bool] | None = None
    # The final stage and the stages it builds FROM, oldest first: what they did is in it.
    chain = [stage]
    while chain[0].base_stage is not None and len(chain) <= len(graph.stages):
        chain.insert(0, graph.stages[chain[0].base_stage])
    owned = [(i, s is stage) for s in chain for i in s.instructions]
    for instruction, own in owned:
        step = Step(instruction, source_text(dockerfile, instruction), workdir)
        step.inherited = not own
        keyword = instruction.keyword
        if keyword == "WORKDIR" and instruction.args:
            workdir = posixpath.normpath(posixpath.join(workdir, instruction.args[0]))
            step.workdir = workdir
        elif keyword == "USER" and instruction.args:
            user = instruction.args[0]
        elif keyword == "ENTRYPOINT":
            entrypoint = (list(instruction.args), not instruction.json)
            cmd = None  # as Docker: a new ENTRYPOINT resets CMD set before it
        elif keyword == "CMD":
            cmd = (list(instruction.args), not instruction.json)
        elif keyword == "RUN":
            _read_run(step, graph)
        steps.append(step)
    entry, shell = _entry(entrypoint, cmd)
    return StageFacts(
        dockerfile=dockerfile,
        graph=graph,
        stage=stage,
        steps=steps,
        prefix=dockerfile.source[: stage.from_instruction.span.start],
        context_dir=context_dir,
        final_workdir=workdir,
        entry=entry,
        entry_is_shell=shell,
        user=user,
    )


def _entry(
    entrypoint: tuple[list[str], bool] | None, cmd: tuple[list[str], bool] | None
) -> tuple[list[str], bool]:
    words: list[str] = []
    shell = False
    for part in (entrypoint, cmd):
        if part is None:
            continue
        args, is_shell = part
        if is_shell:
            shell = True
            script = args[0] if args else ""
            plain = re.search(r"[|&;<>()$`\\\"'*?\[\]#~=%{}\n]", script) is None
            words += shlex.split(script) if plain else ["/bin/sh", "-c", script]
        else:
            words += args
        if is_shell and part is entrypoint:
            break  # a shell-form ENTRYPOINT ignores CMD
    return words, shell


def _read_run(step: Step, graph: StageGraph) -> None:
    instruction = step.instruction
    try:
        commands = run_commands(instruction, graph.shell_for(instruction))
    except Exception:  # a script slimage cannot split: treated as opaque
        commands = []
    step.commands = commands
    setup = bool(commands)
    for command in commands:
        install = package_install(command)
        if install is not None:
            step.packages += install.packages
            step.package_manager = install.manager
            setup = False
            continue
        ecosystem = dependency_install(command)
        built = build_step(command)
        if built is not None and built not in step.builds:
            step.builds.append(built)
        if ecosystem is not None and built is None:
            step.dependency_installs.append(ecosystem)
        if command.program in TEST_PROGRAMS or (
            command.subcommand in TEST_SUBCOMMANDS
            and command.program in {"go", "cargo", "npm", "yarn", "pnpm", "mvn", "gradle"}
        ):
            step.tests = True
        if command.program not in SETUP_PROGRAMS and command.program != "rm":
            setup = False
    step.setup_only = setup


def _env_pairs(instruction: Instruction) -> dict[str, str]:
    args = instruction.args  # BuildKit's triples: key, value, separator
    return {args[i]: args[i + 1].strip("\"'") for i in range(0, len(args) - 1, 3)}


def copy_sources(step: Step) -> list[str]:
    """The context sources of a COPY/ADD (none for --from, URLs and heredocs)."""
    from slimage.rules._sources import context_sources

    return context_sources(step.instruction)


def copy_destination(step: Step) -> str:
    """The absolute destination of a COPY/ADD."""
    dest = step.instruction.args[-1] if step.instruction.args else "."
    absolute = posixpath.normpath(posixpath.join(step.workdir, dest))
    return absolute + ("/" if dest.endswith("/") and absolute != "/" else "")
