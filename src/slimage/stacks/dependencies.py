"""Language dependency installs (npm, yarn, pnpm, pip, poetry, uv, pipenv, go, cargo,
Maven, Gradle, bundle, composer) and the manifest files they read.
"""

from __future__ import annotations

import posixpath
from collections.abc import Sequence
from typing import TYPE_CHECKING

from slimage.stacks.packages import any_glob

if TYPE_CHECKING:
    from slimage.dockerfile.run_commands import ShellCommand as Command


# Files that describe an ecosystem's dependencies: copy these first, install, then the rest.
MANIFESTS: dict[str, tuple[str, ...]] = {
    "npm": ("package.json", "package-lock.json", "npm-shrinkwrap.json", ".npmrc"),
    "yarn": ("package.json", "yarn.lock", ".yarnrc", ".yarnrc.yml", ".yarn"),
    "pnpm": ("package.json", "pnpm-lock.yaml", "pnpm-workspace.yaml", ".npmrc"),
    "pip": (
        "requirements*.txt",
        "requirements",
        "requirements/*",
        "setup.py",
        "setup.cfg",
        "pyproject.toml",
        "constraints*.txt",
    ),
    "poetry": ("pyproject.toml", "poetry.lock"),
    "uv": ("pyproject.toml", "uv.lock"),
    "pipenv": ("Pipfile", "Pipfile.lock"),
    "go": ("go.mod", "go.sum", "go.work", "go.work.sum"),
    "cargo": ("Cargo.toml", "Cargo.lock"),
    "maven": ("pom.xml", ".mvn", "mvnw"),
    "gradle": (
        "build.gradle",
        "build.gradle.kts",
        "settings.gradle",
        "settings.gradle.kts",
        "gradle",
        "gradlew",
        "gradle.properties",
    ),
    "bundle": ("Gemfile", "Gemfile.lock", "*.gemspec"),
    "composer": ("composer.json", "composer.lock"),
}


_ALL_MANIFESTS = tuple(name for names in MANIFESTS.values() for name in names)


def is_manifest(path: str, ecosystem: str | None = None) -> bool:
    name = posixpath.basename(path.rstrip("/")) or path
    return any_glob(MANIFESTS[ecosystem] if ecosystem else _ALL_MANIFESTS).match(name) is not None


def _asks_info(argv: Sequence[str]) -> bool:
    """`yarn --version`, `bundle -v`: the bare command only prints something."""
    return any(w in ("--version", "-v", "-V", "--help", "-h") for w in argv[1:])


# The programs dependency_install knows (and python* running `-m pip`): most commands of
# a RUN are none of them, and are turned away by one set lookup.
_DEPENDENCY_PROGRAMS = frozenset(
    {
        "npm",
        "yarn",
        "pnpm",
        "pip",
        "pip3",
        "poetry",
        "uv",
        "pipenv",
        "go",
        "cargo",
        "mvn",
        "mvnw",
        "./mvnw",
        "gradle",
        "gradlew",
        "bundle",
        "composer",
    }
)


def may_install_dependencies(program: str) -> bool:
    """False when no command running ``program`` is a :func:`dependency_install`."""
    return program in _DEPENDENCY_PROGRAMS or program.startswith("python")


def dependency_install(command: Command) -> str | None:
    """The ecosystem whose dependencies ``command`` downloads, if it does."""
    program = command.program
    if not may_install_dependencies(program):
        return None
    argv = command.argv
    sub = command.subcommand
    if program == "npm" and sub in ("install", "i", "ci", "add"):
        return "npm"
    if program == "yarn" and (sub in ("install", "add") or (sub is None and not _asks_info(argv))):
        return "yarn"
    if program == "pnpm" and sub in ("install", "i", "add", "fetch"):
        return "pnpm"
    if program in ("pip", "pip3") or (program.startswith("python") and argv[1:3] == ["-m", "pip"]):
        words = argv[3:] if argv[1:3] == ["-m", "pip"] else argv[1:]
        if words and words[0] in ("install", "wheel", "download"):
            return "pip"
        return None
    if program == "poetry" and sub in ("install", "add"):
        return "poetry"
    if program == "uv" and (sub == "sync" or argv[1:3] == ["pip", "install"]):
        return "uv"
    if program == "pipenv" and sub in ("install", "sync"):
        return "pipenv"
    if program == "go" and (argv[1:3] == ["mod", "download"] or sub in ("build", "install", "get")):
        return "go"
    if program == "cargo" and sub in ("build", "fetch", "install", "vendor"):
        return "cargo"
    if program in ("mvn", "mvnw", "./mvnw") or program == "mvnw":
        return "maven"
    if program in ("gradle", "gradlew"):
        return "gradle"
    if program == "bundle" and (sub == "install" or (sub is None and not _asks_info(argv))):
        return "bundle"
    if program == "composer" and sub in ("install", "update", "require"):
        return "composer"
    return None
