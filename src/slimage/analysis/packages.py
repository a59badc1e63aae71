"""Which OS packages only a build needs, and what removing them would take away.

:func:`build_only_category` names the kind of a build-only package as analysis reports it
(compilers and build tools, version control, npm, download tools), from the one table of
build-only packages (:data:`slimage.stacks.packages.BUILD_PACKAGE_CATEGORIES`).
:func:`removable_packages` computes what ``apt-get purge`` of the build-only packages plus
``apt-get autoremove`` would take away: everything not reachable, through Depends and
Pre-Depends, from the packages that stay (:mod:`slimage.analysis.package_db` reads the
database). A build-only package that a staying package depends on stays too.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fnmatch import fnmatchcase

from slimage.analysis.package_db import OsPackage, PackageDb
from slimage.stacks.packages import build_package_category

# What analysis reports: every category of the table (stacks/packages.py), grouped as the
# causes it names (claimers.PACKAGE_CAUSES): the toolchain and its install-time helpers
# (pip, setuptools) as one, version control, npm (its own cause: an entry point that runs
# npm keeps it), and the tools that fetch and unpack downloads. The groups are charged in
# this order.
REPORTED_CATEGORIES: dict[str, str] = {
    "compilers and build tools": "compilers and build tools",
    "build tools apps also run": "compilers and build tools",
    "headers and -dev packages": "compilers and build tools",
    "language toolchains": "compilers and build tools",
    "python install tools": "compilers and build tools",
    "version control": "version control",
    "node package managers": "npm (install-time only)",
    "download tools": "download tools",
    "download tools apps also run": "download tools",
    "repository setup": "download tools",
    "archive tools": "download tools",
}
REPORTED_GROUPS = tuple(dict.fromkeys(REPORTED_CATEGORIES.values()))

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


def build_only_category(name: str) -> str | None:
    """The reported category of a build-only package name, or None for a runtime package."""
    category = build_package_category(name)
    return None if category is None else REPORTED_CATEGORIES[category]


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
    for category in REPORTED_GROUPS:
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
