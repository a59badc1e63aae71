"""OS package managers (apt, apk, yum/dnf, zypper): which command runs one, what it
installs, and which packages only a build needs (compilers, headers, -dev packages,
install-time tools), by category.
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


@functools.cache
def any_glob(patterns: tuple[str, ...]) -> re.Pattern[str]:
    """One regex that matches what ``fnmatch.fnmatchcase`` matches for any of ``patterns``
    (one match instead of a call per pattern); compiled on first use, not at start-up."""
    return re.compile("|".join(fnmatch.translate(pattern) for pattern in patterns))


# ---- packages only a build needs -----------------------------------------------------

# The one table of OS packages a build needs and a running app (as a rule) does not:
# globs over dpkg, apk, rpm and zypper names, each listed once, under its kind. The first
# category that matches names a package. Consumers pick the categories they mean:
# analysis (analysis/packages.py) all of them, lint's SL1003 and rewrite's saving
# (rules/sl1003_toolchain_in_runtime.py) the toolchains, rewrite's runtime stage
# (rewrite/classify.py) all but what apps also run.
BUILD_PACKAGE_CATEGORIES: dict[str, tuple[str, ...]] = {
    "compilers and build tools": (
        "build-essential",
        "build-base",
        "alpine-sdk",
        "@development*",  # yum/dnf groups: @development-tools
        "gcc",
        "gcc-*",  # gcc-12, gcc-c++ (rpm), cross compilers
        "g++",
        "g++-*",
        "cpp",
        "cpp-[0-9]*",
        "gfortran*",
        "clang",
        "clang-*",
        "llvm",
        "llvm-*",
        "lld*",
        "make",
        "cmake",
        "cmake-data",
        "ninja",
        "ninja-build",
        "samurai",
        "autoconf",
        "automake",
        "libtool",
        "libtool-bin",
        "pkg-config",
        "pkgconf",
        "pkgconf-bin",
        "pkgconfig",
        "bison",
        "flex",
        "m4",
        "swig",
        "fakeroot",
        "node-gyp",
    ),
    # Build tools an app may also run: ctypes.util.find_library runs objdump where
    # `ldconfig -p` cannot answer (musl); apps apply patches.
    "build tools apps also run": ("binutils", "binutils-*", "patch"),
    # Headers, static libraries and -dev build helpers: musl-dev, linux-headers,
    # python3-dev, dpkg-dev, autotools-dev, openssl-devel, java-17-openjdk-devel.
    "headers and -dev packages": ("*-dev", "*-dev-bin", "*-devel", "*-headers"),
    "language toolchains": (
        "golang",
        "golang-go",
        "golang-[0-9]*",
        "golang-src",
        "go",
        "rustc",
        "rustc-*",
        "rust",
        "cargo",
        "default-jdk",
        "default-jdk-headless",
        "openjdk*-jdk",
        "openjdk-*-jdk-headless",
        "maven",
        "gradle",
        "ant",
    ),
    "python install tools": (
        "python3-pip",
        "python-pip",
        "py3-pip",
        "python3-setuptools",
        "py3-setuptools",
        "python3-wheel",
        "python3-venv",
    ),
    "version control": ("git", "git-man", "git-lfs", "subversion", "mercurial", "bzr"),
    "node package managers": ("npm", "yarn", "yarnpkg"),
    "download tools": ("wget", "gnupg", "gnupg2", "dirmngr"),
    # The download tool apps and HEALTHCHECKs also run: curl -f http://localhost/.
    "download tools apps also run": ("curl",),
    "repository setup": ("software-properties-common", "apt-transport-https"),
    "archive tools": ("unzip",),
}

# Runtime packages whose names look like build tools: libgcc-s1 depends on gcc-12-base;
# libc-dev-bin (gencat) is kept at runtime on purpose often enough that flagging it is noise.
NOT_BUILD_ONLY = ("gcc-*-base", "cpp-*-base", "libc-dev-bin")

_CATEGORY_NAMES: tuple[str | None, ...] = (None, None, *BUILD_PACKAGE_CATEGORIES)


@functools.cache
def _category_regex() -> re.Pattern[str]:
    """One regex for every category: group ``n`` is category ``n - 2`` (the first match
    wins, as the categories are listed); group 1 the exceptions."""
    alternatives = [
        "|".join(fnmatch.translate(pattern) for pattern in patterns)
        for patterns in (NOT_BUILD_ONLY, *BUILD_PACKAGE_CATEGORIES.values())
    ]
    return re.compile("|".join(f"({alternative})" for alternative in alternatives))


@functools.lru_cache(maxsize=8192)
def build_package_category(package: str) -> str | None:
    """The :data:`BUILD_PACKAGE_CATEGORIES` category of a package (a name as installed or
    as asked for: ``gcc=4:12.2``, ``libpq-dev:amd64``), or None for a runtime package."""
    name = package_base_name(package)
    if name.startswith("$"):  # a variable: $PHPIZE_DEPS
        return None
    match = _category_regex().match(name)
    return _CATEGORY_NAMES[match.lastindex or 0] if match else None


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
