"""Where package managers and language tools keep their download caches, and whether a
BuildKit cache mount holds them; which tool's cache a command fills.
"""

from __future__ import annotations

import posixpath
from typing import TYPE_CHECKING

from slimage.dockerfile.mounts import cache_mount_targets
from slimage.stacks.dependencies import dependency_install, may_install_dependencies
from slimage.stacks.packages import package_manager, runs_package_manager

if TYPE_CHECKING:
    from slimage.dockerfile.model import Instruction
    from slimage.dockerfile.run_commands import ShellCommand as Command


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
