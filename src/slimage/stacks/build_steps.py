"""Compile and bundle steps: which commands build the app (a compiler, `go build`,
`cargo build`, `npm run build`, a bundler, Maven/Gradle packaging).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from slimage.dockerfile.run_commands import ShellCommand as Command


_NODE_BUILD_SCRIPTS = frozenset(
    {"build", "compile", "bundle", "dist", "prod", "build:prod", "production"}
)


_NODE_BUNDLERS = frozenset(
    {"tsc", "webpack", "vite", "rollup", "esbuild", "parcel", "ng", "next", "nuxt"}
)


_C_COMPILERS = frozenset({"gcc", "g++", "cc", "c++", "clang", "clang++"})


# The programs build_step knows (and python*): one set lookup turns the rest away.
_BUILD_PROGRAMS = frozenset(
    {"go", "cargo", "mvn", "mvnw", "gradle", "gradlew", "npm", "yarn", "pnpm", "bun", "npx"}
    | {"pnpx", "make", "ninja", "cmake", "pip", "pip3"}
    | _NODE_BUNDLERS
    | _C_COMPILERS
)


def may_build(program: str) -> bool:
    """False when no command running ``program`` is a :func:`build_step`."""
    return program in _BUILD_PROGRAMS or program.startswith("python")


def build_step(command: Command) -> str | None:
    """The stack (go, rust, java, node, c, python) when ``command`` compiles or bundles."""
    program = command.program
    if not may_build(program):
        return None
    argv = command.argv
    sub = command.subcommand
    if program == "go" and sub in ("build", "install"):
        return "go"
    if program == "cargo" and sub in ("build", "install"):
        return "rust"
    if program in ("mvn", "mvnw") and any(
        w in ("package", "install", "verify", "compile") or w.endswith(":repackage")
        for w in argv[1:]
    ):
        return "java"
    if program in ("gradle", "gradlew") and any(
        w in ("build", "assemble", "bootJar", "jar", "shadowJar", "installDist", "bootDistZip")
        for w in argv[1:]
    ):
        return "java"
    if program in ("npm", "yarn", "pnpm", "bun"):
        script = _run_subcommand(argv) or (sub if program != "npm" else None)
        if script in _NODE_BUILD_SCRIPTS:
            return "node"
        return None
    if program in ("npx", "pnpx") and len(argv) > 1 and argv[1] in _NODE_BUNDLERS:
        return "node"
    if (program in _NODE_BUNDLERS and program not in ("next", "nuxt", "ng")) or (
        program in ("next", "nuxt", "ng") and sub == "build"
    ):
        return "node"
    if (
        program in _C_COMPILERS
        or program in ("make", "ninja")
        or (program == "cmake" and "--build" in argv)
    ):
        return "c"
    if program in ("pip", "pip3") and sub == "wheel":
        return "python"
    if program.startswith("python") and (
        ("setup.py" in argv and any(w in ("build", "bdist_wheel", "build_ext") for w in argv))
        or argv[1:3] == ["-m", "build"]
    ):
        return "python"
    return None


def _run_subcommand(argv: Sequence[str]) -> str | None:
    """For ``npm run build`` style commands: the script name after run/run-script."""
    for i, word in enumerate(argv[1:], 1):
        if word.startswith("-"):
            continue
        if word in ("run", "run-script"):
            rest = [w for w in argv[i + 1 :] if not w.startswith("-")]
            return rest[0] if rest else None
        return None
    return None
