"""Package-manager and build-tool knowledge shared by the size rules (SL1xxx).

Everything here is pure: it reads :class:`~slimage.dockerfile.model.Instruction` s and
:class:`~slimage.dockerfile.run_commands.ShellCommand` s, never the file system (the one
exception, :func:`read_context_text`, is an explicit I/O edge for the build context).
"""

from __future__ import annotations

import fnmatch
import functools
import posixpath
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from slimage.dockerfile.mounts import cache_mount_targets

if TYPE_CHECKING:
    from slimage.dockerfile.model import Instruction
    from slimage.dockerfile.run_commands import ShellCommand as Command


# --- cache directories ------------------------------------------------------------------

# Where each tool keeps its download cache when run as root in the official images.
# A BuildKit cache mount on one of these (or a parent) keeps the cache out of the layer.
CACHE_DIRS: dict[str, tuple[str, ...]] = {
    "apt": ("/var/cache/apt", "/var/lib/apt"),
    "apk": ("/var/cache/apk", "/etc/apk/cache"),
    "pip": ("/root/.cache/pip",),
    "uv": ("/root/.cache/uv",),
    "poetry": ("/root/.cache/pypoetry",),
    "npm": ("/root/.npm",),
    "yarn": ("/usr/local/share/.cache/yarn", "/root/.cache/yarn", "/root/.yarn/berry/cache"),
    "pnpm": ("/root/.local/share/pnpm/store", "/pnpm/store", "/root/.cache/pnpm"),
    "go": ("/go/pkg/mod", "/root/.cache/go-build"),
    "cargo": ("/usr/local/cargo/registry", "/usr/local/cargo/git"),
    "maven": ("/root/.m2",),
    "gradle": ("/root/.gradle",),
    "yum": ("/var/cache/yum",),
    "dnf": ("/var/cache/dnf", "/var/cache/libdnf5"),
    "zypper": ("/var/cache/zypp",),
    "composer": ("/root/.composer/cache", "/tmp/cache"),
    "bundle": ("/usr/local/bundle/cache", "/root/.bundle/cache"),
}

# The mount each tool's no-cache-mount suggestion uses (first dir; apt needs both, and a
# lock because apt refuses to share its own lock between concurrent builds). apt's lock is
# on the last mount only: buildah before 1.29 (podman 4.3, Debian 12) releases only the
# last locked cache mount of a RUN, and a later RUN mounting an earlier one waits forever;
# locking /var/lib/apt alone still keeps two apt runs on these caches apart.
SUGGESTED_MOUNTS: dict[str, tuple[str, ...]] = {
    "apt": (
        "--mount=type=cache,target=/var/cache/apt",
        "--mount=type=cache,target=/var/lib/apt,sharing=locked",
    ),
    "apk": ("--mount=type=cache,target=/var/cache/apk",),
    "pip": ("--mount=type=cache,target=/root/.cache/pip",),
    "uv": ("--mount=type=cache,target=/root/.cache/uv",),
    "poetry": ("--mount=type=cache,target=/root/.cache/pypoetry",),
    "npm": ("--mount=type=cache,target=/root/.npm",),
    "yarn": ("--mount=type=cache,target=/usr/local/share/.cache/yarn",),
    "pnpm": ("--mount=type=cache,target=/root/.local/share/pnpm/store",),
    "go": (
        "--mount=type=cache,target=/go/pkg/mod",
        "--mount=type=cache,target=/root/.cache/go-build",
    ),
    "cargo": (
        "--mount=type=cache,target=/usr/local/cargo/registry",
        "--mount=type=cache,target=/usr/local/cargo/git",
    ),
    "maven": ("--mount=type=cache,target=/root/.m2",),
    "gradle": ("--mount=type=cache,target=/root/.gradle",),
    "yum": ("--mount=type=cache,target=/var/cache/yum,sharing=locked",),
    "dnf": ("--mount=type=cache,target=/var/cache/dnf,sharing=locked",),
    "zypper": ("--mount=type=cache,target=/var/cache/zypp,sharing=locked",),
    "composer": ("--mount=type=cache,target=/root/.composer/cache",),
    "bundle": ("--mount=type=cache,target=/usr/local/bundle/cache",),
}


def _covers(target: str, directory: str) -> bool:
    target = posixpath.normpath(target)
    if target == directory or directory.startswith(target.rstrip("/") + "/"):
        return True
    # A non-root user's home: "/home/node/.npm" covers "/root/.npm", "/home/app/.cache"
    # covers "/root/.cache/pip".
    if directory.startswith("/root/"):
        parts = directory.removeprefix("/root/").split("/")
        return any(target.endswith("/" + "/".join(parts[:n])) for n in range(1, len(parts) + 1))
    return False


def has_cache_mount(instruction: Instruction, tool: str, *, all_dirs: bool = False) -> bool:
    """Whether a cache mount holds ``tool``'s cache (any of its dirs, or all with all_dirs)."""
    targets = cache_mount_targets(instruction)
    if not targets:
        return False
    dirs = CACHE_DIRS.get(tool, ())
    hits = [any(_covers(t, d) for t in targets) for d in dirs]
    return all(hits) if all_dirs else any(hits)


def mounts_cover(instruction: Instruction, directory: str) -> bool:
    return any(_covers(t, directory) for t in cache_mount_targets(instruction))


# --- package managers -------------------------------------------------------------------

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
def _any_glob(patterns: tuple[str, ...]) -> re.Pattern[str]:
    """One regex that matches what ``fnmatch.fnmatchcase`` matches for any of ``patterns``
    (one match instead of a call per pattern); compiled on first use, not at start-up."""
    return re.compile("|".join(fnmatch.translate(pattern) for pattern in patterns))


def is_toolchain_package(package: str) -> bool:
    name = package_base_name(package)
    if name in _NOT_TOOLCHAIN or name.startswith("$"):
        return False
    return name in TOOLCHAIN_PACKAGES or _any_glob(_TOOLCHAIN_PATTERNS).match(name) is not None


# --- language package managers ------------------------------------------------------------

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
    return _any_glob(MANIFESTS[ecosystem] if ecosystem else _ALL_MANIFESTS).match(name) is not None


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


def _asks_info(argv: Sequence[str]) -> bool:
    """`yarn --version`, `bundle -v`: the bare command only prints something."""
    return any(w in ("--version", "-v", "-V", "--help", "-h") for w in argv[1:])


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


def may_fill_cache(program: str) -> bool:
    """False when no command running ``program`` has a :func:`package_tool`."""
    return runs_package_manager(program) or may_install_dependencies(program)


def package_tool(command: Command) -> str | None:
    """The tool whose cache ``command`` fills (keys of CACHE_DIRS), system or language."""
    manager = package_manager(command)
    if manager is not None:
        sub = command.subcommand
        fills = {
            "apt": (
                "install",
                "update",
                "upgrade",
                "dist-upgrade",
                "full-upgrade",
                "build-dep",
                "source",
            )
        }
        if manager == "apt" and sub not in fills["apt"]:
            return None
        if manager == "apk" and sub not in ("add", "update", "upgrade", "fix"):
            return None
        if manager in ("yum", "dnf", "zypper") and sub not in (
            "install",
            "in",
            "update",
            "up",
            "upgrade",
            "groupinstall",
            "makecache",
            "reinstall",
            "builddep",
        ):
            return None
        return manager
    ecosystem = dependency_install(command)
    if ecosystem == "pipenv":
        return "pip"
    if ecosystem in ("maven", "gradle") and not _downloads_java(command):
        return None
    return ecosystem


def _downloads_java(command: Command) -> bool:
    words = [w for w in command.argv[1:] if not w.startswith("-")]
    return bool(words) and words != ["--version"]


# --- compile and bundle steps ---------------------------------------------------------------

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


# --- stacks and libc ------------------------------------------------------------------------

# Node addons that ship glibc prebuilt binaries or need node-gyp: alpine means a source build.
GLIBC_NODE_ADDONS = frozenset(
    {
        "bcrypt",
        "sharp",
        "better-sqlite3",
        "canvas",
        "node-gyp",
        "sqlite3",
        "argon2",
        "node-sass",
        "grpc",
        "@grpc/grpc-js-native",
        "re2",
        "cpu-features",
        "ssh2",
        "@swc/core",
        "puppeteer",
        "playwright",
        "@prisma/client",
        "prisma",
    }
)

# Python distributions that ship musllinux wheels or are pure Python: the only ones that let
# slimage suggest python:*-alpine. Anything else may need a source build on musl.
MUSL_SAFE_PYTHON = frozenset(
    {
        "flask",
        "django",
        "fastapi",
        "starlette",
        "uvicorn",
        "gunicorn",
        "requests",
        "httpx",
        "click",
        "jinja2",
        "werkzeug",
        "itsdangerous",
        "markupsafe",
        "pydantic",
        "pyyaml",
        "redis",
        "boto3",
        "botocore",
        "six",
        "certifi",
        "idna",
        "urllib3",
        "charset-normalizer",
        "python-dotenv",
        "typing-extensions",
        "pip",
        "setuptools",
        "wheel",
    }
)


def python_requirement_name(line: str) -> str | None:
    line = line.split("#", 1)[0].strip()
    if not line or line.startswith("-"):
        return None
    name = line
    for sep in ("[", "=", "<", ">", "~", "!", ";", "@", " "):
        name = name.split(sep, 1)[0]
    return name.strip().lower().replace("_", "-") or None


def read_context_text(context_dir: Path | None, relative: str, limit: int = 256_000) -> str | None:
    """A small text file of the build context, or None (absent, unreadable, too big)."""
    if context_dir is None:
        return None
    path = context_dir / relative
    try:
        if not path.is_file() or path.stat().st_size > limit:
            return None
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None


def words_after(argv: Sequence[str], subcommands: Iterable[str]) -> list[str]:
    """Non-option words after the first of ``subcommands``."""
    wanted = set(subcommands)
    for i, word in enumerate(argv):
        if word in wanted:
            return [w for w in argv[i + 1 :] if not w.startswith("-")]
    return []
