"""OS package managers (apt, apk, yum/dnf, zypper): which command runs one, what it
installs, and which packages are toolchains (compilers, headers, -dev packages).
"""

from __future__ import annotations

import fnmatch
import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from slimage.dockerfile.run_commands import ShellCommand as Command


APT_PROGRAMS = frozenset({"apt-get", "apt"})


YUM_PROGRAMS = frozenset({"yum", "dnf", "microdnf", "tdnf"})


# Options that take a separate value word, so the value is not mistaken for a package.
_OPTIONS_WITH_VALUE = {
    "apt": {"-o", "-t", "--target-release", "-c", "--config-file", "--option"},
    "apk": {"-t", "--virtual", "-X", "--repository", "--repositories-file", "--arch", "-p"},
    "yum": {
        "--enablerepo",
        "--disablerepo",
        "--setopt",
        "--installroot",
        "--releasever",
        "-c",
        "--config",
        "--repo",
        "--repoid",
        "-x",
        "--exclude",
    },
    "zypper": {"-r", "--repo", "--from", "-t", "--type"},
}


@dataclass(frozen=True, slots=True)
class PackageInstall:
    """What one install command asks a system package manager for: the manager and the packages."""

    manager: str  # "apt", "apk", "yum", "dnf", "zypper"
    packages: list[str]


# Program -> package manager, normalised (one lookup: rules ask for every command).
_PACKAGE_MANAGERS: dict[str, str] = {
    **dict.fromkeys(APT_PROGRAMS, "apt"),
    "apk": "apk",
    "yum": "yum",
    **dict.fromkeys(("dnf", "microdnf", "tdnf"), "dnf"),
    "zypper": "zypper",
}


def package_manager(command: Command) -> str | None:
    """The system package manager ``command`` runs, normalised: apt, apk, yum, dnf, zypper."""
    return _PACKAGE_MANAGERS.get(command.program)


def runs_package_manager(program: str) -> bool:
    """Whether a command running ``program`` has a :func:`package_manager`."""
    return program in _PACKAGE_MANAGERS


def package_install(command: Command) -> PackageInstall | None:
    """The packages an apt/apk/yum/dnf/zypper install command installs, options dropped."""
    manager = package_manager(command)
    if manager is None:
        return None
    install_words = {"apk": ("add",), "zypper": ("install", "in")}.get(manager, ("install",))
    argv = command.argv
    takes_value = _OPTIONS_WITH_VALUE["yum" if manager == "dnf" else manager]
    packages: list[str] = []
    seen_sub = False
    skip = False
    for word in argv[1:]:
        if skip:
            skip = False
            continue
        if word.startswith("-"):
            skip = word in takes_value
            continue
        if not seen_sub:
            if word not in install_words:
                return None
            seen_sub = True
            continue
        packages.append(word)
    return PackageInstall(manager, packages) if seen_sub else None


def package_base_name(package: str) -> str:
    """ "gcc=4:12.2" -> "gcc", "curl~=8" -> "curl", "libpq-dev:amd64" -> "libpq-dev"."""
    for sep in ("=", "<", ">", "~"):
        package = package.split(sep, 1)[0]
    return package.split(":", 1)[0].lower()


# Packages that build software and have no business in a runtime image.
TOOLCHAIN_PACKAGES = frozenset(
    {
        "build-essential",
        "build-base",
        "alpine-sdk",
        "gcc",
        "g++",
        "gcc-c++",
        "cpp",
        "clang",
        "llvm",
        "make",
        "cmake",
        "ninja",
        "ninja-build",
        "autoconf",
        "automake",
        "libtool",
        "pkg-config",
        "pkgconf",
        "pkgconfig",
        "git",
        "golang",
        "golang-go",
        "go",
        "rustc",
        "cargo",
        "default-jdk",
        "default-jdk-headless",
        "maven",
        "gradle",
        "musl-dev",
        "linux-headers",
        "gfortran",
        "bison",
        "flex",
        "swig",
    }
)


_TOOLCHAIN_PATTERNS = (
    "*-dev",
    "*-devel",
    "gcc-*",
    "g++-*",
    "clang-*",
    "llvm-*",
    "openjdk-*-jdk",
    "openjdk-*-jdk-headless",
    "openjdk*-jdk",
    "java-*-openjdk-devel",
    "@development*",
)


# Development packages kept at runtime on purpose often enough that flagging them is noise.
_NOT_TOOLCHAIN = frozenset({"libc-dev-bin"})


@functools.cache
def any_glob(patterns: tuple[str, ...]) -> re.Pattern[str]:
    """One regex that matches what ``fnmatch.fnmatchcase`` matches for any of ``patterns``
    (one match instead of a call per pattern); compiled on first use, not at start-up."""
    return re.compile("|".join(fnmatch.translate(pattern) for pattern in patterns))


def is_toolchain_package(package: str) -> bool:
    name = package_base_name(package)
    if name in _NOT_TOOLCHAIN or name.startswith("$"):
        return False
    return name in TOOLCHAIN_PACKAGES or any_glob(_TOOLCHAIN_PATTERNS).match(name) is not None


def removes_packages_in_same_run(commands: Sequence[Command]) -> bool:
    """Whether a RUN uninstalls what it installed: `apt-get purge --auto-remove` after
    `apt-mark auto` (the docker-library idiom), `apt-get autoremove`, or `apk del`."""
    marked_auto = any(c.program == "apt-mark" and c.subcommand == "auto" for c in commands)
    for command in commands:
        manager = package_manager(command)
        sub = command.subcommand
        if manager == "apk" and sub == "del":
            return True
        if manager == "apt" and (
            sub == "autoremove" or (sub in ("purge", "remove") and marked_auto)
        ):
            return True
        if manager in ("yum", "dnf") and sub in ("remove", "erase", "autoremove", "history"):
            return True
    return False
