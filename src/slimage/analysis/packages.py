"""Which OS packages only a build needs, and what removing them would take away.

:func:`build_only_category` names the kind of a build-only package (compilers and build
tools, version control, install-time package managers, download tools).
:func:`removable_packages` computes what ``apt-get purge`` of the build-only packages plus
``apt-get autoremove`` would take away: everything not reachable, through Depends and
Pre-Depends, from the packages that stay (:mod:`slimage.analysis.package_db` reads the
database). A build-only package that a staying package depends on stays too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fnmatch import fnmatchcase, translate
from functools import lru_cache

from slimage.analysis.package_db import OsPackage, PackageDb

# Packages only a build needs (compilers, headers, build tools, VCS, install-time package
# managers, download tools). Globs, dpkg and apk names.
BUILD_ONLY_CATEGORIES: dict[str, tuple[str, ...]] = {
    "compilers and build tools": (
        "build-essential",
        "build-base",
        "gcc",
        "gcc-[0-9]*",
        "g++",
        "g++-[0-9]*",
        "cpp",
        "cpp-[0-9]*",
        "gfortran*",
        "clang",
        "clang-[0-9]*",
        "llvm",
        "llvm-[0-9]*",
        "lld*",
        "binutils",
        "binutils-*",
        "make",
        "cmake",
        "cmake-data",
        "ninja-build",
        "samurai",
        "autoconf",
        "automake",
        "autotools-dev",
        "libtool",
        "libtool-bin",
        "pkg-config",
        "pkgconf",
        "pkgconf-bin",
        "bison",
        "flex",
        "m4",
        "patch",
        "dpkg-dev",
        "fakeroot",
        "*-dev",
        "*-dev-bin",
        "*-headers",
        "linux-libc-dev",
        "fortify-headers",
        "golang",
        "golang-go",
        "golang-[0-9]*",
        "golang-src",
        "go",
        "rustc",
        "rustc-*",
        "cargo",
        "rust",
        "openjdk-*-jdk",
        "openjdk-*-jdk-headless",
        "default-jdk",
        "default-jdk-headless",
        "openjdk*-jdk",
        "maven",
        "gradle",
        "ant",
        "node-gyp",
        "python3-pip",
        "python3-setuptools",
        "python3-wheel",
        "python3-venv",
        "py3-pip",
        "py3-setuptools",
    ),
    "version control": ("git", "git-man", "subversion", "mercurial", "bzr", "git-lfs"),
    "npm (install-time only)": ("npm",),
    "download tools": ("curl", "wget", "gnupg", "gnupg2", "dirmngr"),
}

# Runtime packages whose names look like build tools (libgcc-s1 depends on gcc-12-base).
NOT_BUILD_ONLY = ("gcc-*-base", "cpp-*-base")

# Installed-by-default install-time plumbing: runtime closures do not walk into these.
INSTALL_TIME_PLUMBING = frozenset(
    {
        "dpkg",
        "debconf",
        "install-info",
        "ucf",
        "sensible-utils",
        "init-system-helpers",
        "lsb-base",
        "sysvinit-utils",
        "adduser",
        "apt",
        "apk-tools",
    }
)
ALWAYS_KEPT_PRIORITIES = frozenset({"required"})
# apk has no Priority: the alpine base image's own packages play the role of "required".
APK_BASE = frozenset(
    {
        "musl",
        "busybox",
        "busybox-binsh",
        "alpine-baselayout",
        "alpine-baselayout-data",
        "alpine-keys",
        "apk-tools",
        "libc-utils",
        "musl-utils",
        "ca-certificates-bundle",
    }
)
# Data the app most likely reads at run time (TLS roots, time zones): never charged to a build.
RUNTIME_DATA_PACKAGES = frozenset({"ca-certificates", "tzdata"})


def _category_matcher() -> re.Pattern[str]:
    """One regex for every category: group ``n`` is category ``n - 1`` (the first
    match wins, as the categories are listed); group 1 the exceptions."""
    alternatives = [
        "|".join(translate(pattern) for pattern in patterns)
        for patterns in (NOT_BUILD_ONLY, *BUILD_ONLY_CATEGORIES.values())
    ]
    return re.compile("|".join(f"({alternative})" for alternative in alternatives))


_CATEGORY_NAMES: tuple[str | None, ...] = (None, None, *BUILD_ONLY_CATEGORIES)
_category_regex: re.Pattern[str] | None = None


@lru_cache(maxsize=8192)
def build_only_category(name: str) -> str | None:
    """The category of a build-only package name, or None for a runtime package."""
    global _category_regex
    if _category_regex is None:
        _category_regex = _category_matcher()
    match = _category_regex.match(name.split(":", 1)[0])
    return _CATEGORY_NAMES[match.lastindex or 0] if match else None


# ---- dependency closures -------------------------------------------------------------


def _providers(packages: Mapping[str, OsPackage]) -> dict[str, list[str]]:
    providers: dict[str, list[str]] = {}
    for package in packages.values():
        providers.setdefault(package.name, []).append(package.name)
        for virtual in package.provides:
            providers.setdefault(virtual, []).append(package.name)
    return providers


def dependency_closure(
    packages: Mapping[str, OsPackage],
    roots: Iterable[str],
    *,
    skip: frozenset[str] = frozenset(),
    recommends_skip: frozenset[str] | None = None,
) -> set[str]:
    """Installed packages reachable from ``roots`` through Depends/Pre-Depends.

    For alternatives ``a | b``, a dependency already satisfied by a reached package adds
    nothing; otherwise the first installed alternative is taken (apt's choice). Packages in
    ``skip`` are neither entered nor walked through. With ``recommends_skip`` given,
    Recommends are followed too (apt's autoremove keeps what a kept package recommends),
    except into the packages it names.
    """
    providers = _providers(packages)
    reached: set[str] = set()
    stack = [name for name in roots if name in packages and name not in skip]
    while stack:
        name = stack.pop()
        if name in reached:
            continue
        reached.add(name)
        package = packages[name]
        edges = [(alternatives, skip) for alternatives in package.depends]
        if recommends_skip is not None:
            edges += [(alternatives, recommends_skip | skip) for alternatives in package.recommends]
        for alternatives, excluded in edges:
            candidates = [p for alt in alternatives for p in providers.get(alt, ())]
            candidates = [p for p in candidates if p not in excluded]
            if not candidates or any(p in reached for p in candidates):
                continue
            stack.append(candidates[0])
    return reached


def dev_runtime_libraries(db: PackageDb) -> set[str]:
    """The shared libraries behind the ``-dev`` packages someone asked for (libpq5 behind
    libpq-dev), with their dependencies: what a native extension built against those
    headers links to at run time, and what a runtime stage would install instead.

    Only requested ``-dev`` packages count (apt's manual marks, or without marks those no
    other build-only package depends on): libc6-dev or libstdc++-12-dev come with the
    compiler, and their libraries are the C runtime every program has anyway. Only their
    direct ``lib*`` dependencies: python3-dev's chain of -dev packages adds nothing.
    """
    dev = [name for name in db.packages if fnmatchcase(name, "*-dev")]
    pulled_in = {
        alternative
        for name in db.packages
        if build_only_category(name) is not None
        for alternatives in db.packages[name].depends
        for alternative in alternatives
    }
    requested = [
        name
        for name in dev
        if (
            not db.packages[name].auto_installed
            if db.knows_auto_installed
            else name not in pulled_in
        )
    ]
    libraries = {
        alternative
        for name in requested
        for alternatives in db.packages[name].depends
        for alternative in alternatives
        if alternative.startswith("lib") and build_only_category(alternative) is None
    }
    return dependency_closure(db.packages, sorted(libraries))


@dataclass
class Removal:
    """What removing the build-only packages (plus autoremove) would take away."""

    build_only: dict[str, str]  # build-only package -> category
    removable: dict[str, str]  # every removable package -> category it is charged to
    kept_build_only: list[str]  # build-only packages a staying package needs


def _kept_roots(db: PackageDb, build_only: Mapping[str, str]) -> list[str]:
    packages = db.packages
    depended_on: set[str] = set()
    providers = _providers(packages)
    for package in packages.values():
        for alternatives in package.depends:
            for alt in alternatives:
                depended_on.update(providers.get(alt, ()))
    roots = []
    for name, package in packages.items():
        if package.essential or package.priority in ALWAYS_KEPT_PRIORITIES:
            roots.append(name)  # dpkg refuses to remove these without force
        elif (db.manager == "apk" and name in APK_BASE) or name in RUNTIME_DATA_PACKAGES:
            roots.append(name)  # the alpine base; TLS roots and time zones
        elif name in build_only:
            continue
        elif db.requested is not None:
            if name in db.requested:
                roots.append(name)
        elif db.knows_auto_installed:
            if not package.auto_installed:
                roots.append(name)
        elif name not in depended_on:
            # No apt marks: a package nothing depends on was asked for by someone.
            roots.append(name)
    return roots


def removable_packages(db: PackageDb, keep: Iterable[str] = ()) -> Removal:
    """Build-only packages and their dependencies nothing that stays needs (autoremove).

    ``keep``: packages the caller knows the runtime needs (they and their dependencies
    stay even if only build tools depend on them).
    """
    build_only = {
        name: category
        for name in db.packages
        if (category := build_only_category(name)) is not None
    }
    roots = _kept_roots(db, build_only) + [name for name in keep if name in db.packages]
    kept = dependency_closure(db.packages, roots, recommends_skip=frozenset(build_only))
    removable_names = set(db.packages) - kept
    # Charge each removable package to the first build-only package that pulls it in,
    # category by category, so a finding can say "gcc-12 and 20 packages it pulled in".
    removable: dict[str, str] = {}
    order = list(BUILD_ONLY_CATEGORIES)
    for category in order:
        members = [n for n, c in sorted(build_only.items()) if c == category]
        members = [n for n in members if n in removable_names]
        # apt installs Recommends by default: what a build tool recommended came with it.
        pulled = dependency_closure(
            db.packages, members, skip=frozenset(kept), recommends_skip=frozenset()
        )
        for name in pulled:
            removable.setdefault(name, category)
    for name in removable_names:
        removable.setdefault(name, "no longer needed")
    kept_build_only = sorted(name for name in build_only if name in kept)
    return Removal(build_only, removable, kept_build_only)
