from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, ClassVar

from slimage.dockerfile import spans
from slimage.rules import _edits, _stage_walk
from slimage.rules.base import Rule, Violation
from slimage.stacks.build_steps import build_step
from slimage.stacks.dependencies import dependency_install, may_install_dependencies

if TYPE_CHECKING:
    from slimage.dockerfile.model import Instruction
    from slimage.dockerfile.run_commands import ShellCommand
    from slimage.dockerfile.stages import Stage
    from slimage.rules.context import LintContext

_DEV_REQUIREMENTS = re.compile(
    r"(^|[/_.-])(dev|devel|develop|test|tests|testing|lint|docs)([/_.-]|$)", re.I
)
_DEV_EXTRAS = re.compile(r"\[[^\]]*\b(dev|test|tests|lint|docs)\b[^\]]*\]", re.I)


class DevDependenciesInRuntime(Rule):
    """
    What it does
    ------------
    Flags dependency installs that include development dependencies in a stage whose
    layers become the image: `npm install`/`npm ci` without `--omit=dev` (or
    `--production`, or `NODE_ENV=production`), `yarn install` without `--production`,
    `pnpm install` without `--prod`, `poetry install` without `--only main` /
    `--without dev`, `uv sync` without `--no-dev`, `composer install` without `--no-dev`,
    `pipenv install --dev`, and `pip install` of dev/test requirement files or extras.
    A later `npm prune --omit=dev` (or `--production`) in the stage clears it.

    Why is this bad?
    ----------------
    Test runners, linters, bundlers and type checkers are often larger than the
    application's own dependencies, and every one of them is attack surface that
    production never uses.

    Example
    -------
    ```dockerfile
    FROM node:20-slim
    COPY package*.json ./
    RUN npm ci
    ```

    Use instead
    -----------
    ```dockerfile
    FROM node:20-slim
    COPY package*.json ./
    RUN npm ci --omit=dev
    ```
    If the build needs dev dependencies (`npm run build`), build in a separate stage
    and copy the output.

    Fix safety
    ----------
    For `npm ci` / `npm install` the fix inserts `--omit=dev` after the subcommand. It is
    unsafe: a postinstall script may need a dev dependency. It is never offered when a
    later step of the same stage uses dev dependencies (`npm run build`, `tsc`, `jest`,
    `pytest`, ...): that build needs a separate stage, which `slimage rewrite` writes.
    """

    code: ClassVar[str] = "SL1005"
    name: ClassVar[str] = "dev-dependencies-in-runtime"
    title: ClassVar[str] = "Install only production dependencies in the runtime image"
    fix_safety: ClassVar[str] = "unsafe"

    def check(self, context: LintContext) -> Iterator[Violation]:
        for stage in _stage_walk.image_layer_stages(context):
            installs = context.runs_running(stage, may_install_dependencies)
            if not installs or _pruned(context, stage):
                continue
            later_uses: dict[int, str | None] | None = None  # built on the first finding
            for instruction in installs:
                for command in context.commands(instruction):
                    problem = _dev_install(context, instruction, command)
                    if problem is None:
                        continue
                    if later_uses is None:
                        later_uses = _later_dev_uses(context, stage)
                    yield self._violation(context, instruction, command, problem, later_uses)

    @staticmethod
    def _violation(
        context: LintContext,
        instruction: Instruction,
        command: ShellCommand,
        problem: tuple[str, str],
        later_uses: dict[int, str | None],
    ) -> Violation:
        message, help_text = problem
        edit = None
        user = later_uses[id(instruction)]
        if user is not None:
            # The fix would break the build: that case is the rewrite's.
            help_text = (
                f"a later step (`{user}`) needs the dev dependencies: build in a "
                "separate stage and install production dependencies for the runtime "
                "(`slimage rewrite` writes both)"
            )
        elif command.program == "npm" and command.subcommand in ("ci", "install", "i"):
            edit = _edits.insert_after_subcommand(
                context.dockerfile, command, ("ci", "install", "i"), "--omit=dev"
            )
        return Violation(
            message=message,
            span=spans.command_span(context.dockerfile, instruction, command),
            help=help_text,
            fix=_edits.fix("Add `--omit=dev`", edit, safe=False) if edit else None,
        )


def _dev_install(
    context: LintContext, instruction: Instruction, command: ShellCommand
) -> tuple[str, str] | None:
    ecosystem = dependency_install(command)
    if ecosystem is None:
        return None  # most commands: skip the environment lookup below
    argv = command.argv
    env = _stage_walk.env_before(context, instruction)
    prefix = {
        w.split("=", 1)[0]: w.split("=", 1)[1]
        for w in command.words[: command.program_index]
        if "=" in w
    }
    production = (prefix.get("NODE_ENV") or env.get("NODE_ENV", "")).strip().lower() == "production"
    if ecosystem == "npm" and command.subcommand in ("ci", "install", "i"):
        if _named_or_global(argv) or production:
            return None
        if _has(argv, "--omit=dev", "--production", "--only=prod", "--only=production", "--prod"):
            return None
        if any(w.startswith("--omit") and "dev" in w for w in argv) or _pair(argv, "--omit", "dev"):
            return None
        if (
            env.get("NPM_CONFIG_OMIT", "") == "dev"
            or env.get("NPM_CONFIG_PRODUCTION", "") == "true"
        ):
            return None
        return "`npm " + str(
            command.subcommand
        ) + "` installs devDependencies too", "add `--omit=dev`"
    if ecosystem == "yarn" and command.subcommand in (None, "install"):
        if production or _has(argv, "--production", "--prod") or "focus" in argv:
            return None
        return (
            "`yarn install` installs devDependencies too",
            "add `--production` (yarn 1) or use `yarn workspaces focus --production`",
        )
    if ecosystem == "pnpm" and command.subcommand in ("install", "i"):
        if production or _has(argv, "--prod", "-P", "--production"):
            return None
        return "`pnpm install` installs devDependencies too", "add `--prod`"
    if ecosystem == "poetry" and command.subcommand == "install":
        if (
            _has(argv, "--no-dev", "--only-root")
            or _pair(argv, "--only", "main")
            or _pair(argv, "--without", "dev")
        ):
            return None
        if any(w.startswith(("--only=", "--without=")) for w in argv):
            return None
        return (
            "`poetry install` installs the dev group too",
            "add `--only main` (or `--without dev`)",
        )
    if ecosystem == "uv" and command.subcommand == "sync":
        if _has(argv, "--no-dev", "--only-group") or any(w.startswith("--no-group") for w in argv):
            return None
        return "`uv sync` installs the dev dependency group too", "add `--no-dev`"
    if ecosystem == "pipenv" and _has(argv, "--dev", "-d"):
        return "`pipenv install --dev` installs dev packages", "drop `--dev`"
    if ecosystem == "composer" and command.subcommand == "install" and not _has(argv, "--no-dev"):
        return "`composer install` installs require-dev packages too", "add `--no-dev`"
    if ecosystem == "pip":
        for i, word in enumerate(argv):
            target = ""
            if word in ("-r", "--requirement") and i + 1 < len(argv):
                target = argv[i + 1]
            elif word.startswith("-r") and len(word) > 2:
                target = word[2:]
            elif word.startswith("--requirement="):
                target = word.split("=", 1)[1]
            if target and _DEV_REQUIREMENTS.search(target.rsplit("/", 1)[-1].removesuffix(".txt")):
                return (
                    f"`pip install -r {target}` installs development requirements",
                    "install only the runtime requirements file",
                )
            if _DEV_EXTRAS.search(word):
                return (
                    f"`pip install {word}` installs development extras",
                    "drop the dev/test extras",
                )
    return None


# Programs that run from devDependencies / dev requirements: test runners, compilers,
# bundlers, linters.
_DEV_TOOLS = frozenset(
    {
        "tsc",
        "jest",
        "vitest",
        "mocha",
        "ava",
        "eslint",
        "prettier",
        "webpack",
        "vite",
        "rollup",
        "esbuild",
        "parcel",
        "babel",
        "ts-node",
        "tsx",
        "pytest",
        "tox",
        "nox",
        "mypy",
        "ruff",
        "flake8",
        "black",
        "coverage",
    }
)


def _later_dev_uses(context: LintContext, stage: Stage) -> dict[int, str | None]:
    """For each RUN of ``stage`` (by ``id``), the first command of a later RUN that needs
    dev dependencies, or None: one pass from the end of the stage, for all its findings."""
    later: dict[int, str | None] = {}
    found: str | None = None
    for instruction in reversed(list(_stage_walk.runs(stage))):
        later[id(instruction)] = found
        for command in context.commands(instruction):
            use = _dev_use(command)
            if use is not None:
                found = use
                break
    return later


def _dev_use(command: ShellCommand) -> str | None:
    """The command's first words when it needs dev dependencies, else None."""
    program = command.program.rsplit("/", 1)[-1]
    argv = command.argv
    if program in _DEV_TOOLS or build_step(command) is not None:
        return " ".join(argv[:3])
    if program in ("npm", "yarn", "pnpm", "bun") and (
        command.subcommand in ("run", "test", "t", "exec", "dlx")
        or command.subcommand in _DEV_TOOLS
    ):
        return " ".join(argv[:3])
    if program in ("npx", "pnpx") or (
        program.startswith("python") and argv[1:2] == ["-m"] and argv[2:3] and argv[2] in _DEV_TOOLS
    ):
        return " ".join(argv[:3])
    return None


def _has(argv: list[str], *names: str) -> bool:
    return any(w in names or w.split("=", 1)[0] in names for w in argv)


def _pair(argv: list[str], option: str, value: str) -> bool:
    for i, word in enumerate(argv):
        if word == option and i + 1 < len(argv) and value in argv[i + 1].split(","):
            return True
        if word.startswith(option + "=") and value in word.split("=", 1)[1].split(","):
            return True
    return False


def _named_or_global(argv: list[str]) -> bool:
    if "-g" in argv or "--global" in argv:
        return True
    return argv[1:2] != ["ci"] and any(not w.startswith("-") for w in argv[2:])


def _pruned(context: LintContext, stage: Stage) -> bool:
    for instruction in context.runs_running(stage, lambda program: program == "npm"):
        for command in context.commands(instruction):
            if (
                command.program == "npm"
                and command.subcommand == "prune"
                and (
                    _has(command.argv, "--production", "--omit=dev")
                    or _pair(command.argv, "--omit", "dev")
                )
            ):
                return True
    return False
