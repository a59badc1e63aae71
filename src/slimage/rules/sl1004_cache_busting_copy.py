from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, ClassVar

from slimage.dockerfile.spans import instruction_head_span
from slimage.rules import _sources, _stage_walk
from slimage.rules.base import Rule, Violation
from slimage.stacks.dependencies import (
    MANIFESTS,
    dependency_install,
    is_manifest,
    may_install_dependencies,
)

if TYPE_CHECKING:
    from slimage.dockerfile.model import Instruction
    from slimage.dockerfile.stages import Stage
    from slimage.rules.context import LintContext

# What to copy first, per ecosystem, for the help text.
_FIRST = {
    "npm": "package.json package-lock.json",
    "yarn": "package.json yarn.lock",
    "pnpm": "package.json pnpm-lock.yaml",
    "pip": "requirements.txt",
    "poetry": "pyproject.toml poetry.lock",
    "uv": "pyproject.toml uv.lock",
    "pipenv": "Pipfile Pipfile.lock",
    "go": "go.mod go.sum",
    "cargo": "Cargo.toml Cargo.lock",
    "maven": "pom.xml",
    "gradle": "build.gradle settings.gradle",
    "bundle": "Gemfile Gemfile.lock",
    "composer": "composer.json composer.lock",
}
_FETCH = {
    "go": "go mod download",
    "maven": "mvn dependency:go-offline",
    "cargo": "cargo fetch",
    "gradle": "gradle dependencies",
}


class CacheBustingCopy(Rule):
    """
    What it does
    ------------
    Flags a `COPY . .` (the whole build context) that comes before the stage installs
    its dependencies (npm/yarn/pnpm, pip/poetry/uv/pipenv, go, cargo, maven/gradle,
    bundler, composer), when the dependency manifests were not copied on their own
    first.

    Why is this bad?
    ----------------
    Docker reuses a cached layer only while everything before it is unchanged. With
    the whole source tree copied first, editing any file re-runs the dependency install:
    minutes of downloads on every build, and a fresh dependency layer to push and pull.

    Example
    -------
    ```dockerfile
    COPY . /app
    RUN npm ci
    ```

    Use instead
    -----------
    ```dockerfile
    COPY package.json package-lock.json /app/
    RUN npm ci
    COPY . /app
    ```
    """

    code: ClassVar[str] = "SL1004"
    name: ClassVar[str] = "cache-busting-copy"
    title: ClassVar[str] = "Copy dependency manifests and install before copying the source"

    def check(self, context: LintContext) -> Iterator[Violation]:
        for stage in context.stages.stages:
            # Only a dependency install is reported: a stage without one is left alone.
            if not context.runs_running(stage, may_install_dependencies):
                continue
            violation = self._check_stage(context, stage)
            if violation is not None:
                yield violation

    def _check_stage(self, context: LintContext, stage: Stage) -> Violation | None:
        whole_copy: Instruction | None = None
        manifests_first = False
        for instruction in stage.instructions:
            sources = _sources.context_sources(instruction)
            if sources and whole_copy is None:
                if any(_sources.is_whole_context(s) for s in sources):
                    whole_copy = instruction
                elif all(
                    is_manifest(s) or s.rstrip("*") in ("package", "requirements") for s in sources
                ):
                    manifests_first = True
                continue
            if instruction.keyword != "RUN":
                continue
            for command in _stage_walk.commands(context, instruction):
                ecosystem = dependency_install(command)
                if ecosystem is None or _installs_named_packages(command.argv, ecosystem):
                    continue
                if whole_copy is None or manifests_first:
                    return None  # dependencies install before the source arrives
                first = _FIRST.get(ecosystem, " ".join(MANIFESTS.get(ecosystem, ())[:2]))
                fetch = _FETCH.get(ecosystem, " ".join(command.argv[:2]))
                step = " ".join(command.argv[:2])
                return Violation(
                    message=f"the whole build context is copied before `{step}` "
                    f"(line {instruction.line}): any source change re-runs it",
                    span=instruction_head_span(context.dockerfile, whole_copy),
                    help=f"copy {first} first, run `{fetch}`, then copy the rest",
                    extra={"ecosystem": ecosystem},
                )
        return None


def _installs_named_packages(argv: list[str], ecosystem: str) -> bool:
    """`npm install -g pm2`, `pip install gunicorn`: not the project's dependency list."""
    if ecosystem in ("npm", "pnpm", "yarn"):
        if "-g" in argv or "--global" in argv or (ecosystem == "yarn" and "global" in argv):
            return True
        operands = [w for w in argv[2:] if not w.startswith("-")]
        return bool(operands) and argv[1] in ("install", "i", "add")
    if ecosystem == "pip":
        if any(
            w in ("-r", "--requirement", "-e", "--editable") or w.startswith("-r") for w in argv
        ):
            return False
        operands = [w for w in argv[2:] if not w.startswith("-") and w not in ("install", "pip")]
        return bool(operands) and not any(w.startswith((".", "/")) for w in operands)
    return ecosystem == "go" and argv[1:2] == ["install"] and any("@" in w for w in argv)
