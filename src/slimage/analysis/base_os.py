"""The base OS as a cause: what of it the entry program needs at run time, and what not.

For an interpreted app (node, python, java, ...) the runtime needs the interpreter's
package and its dependency closure, the shell when the entry goes through one, TLS roots
and time zones; a slim or distroless base ships little more. For a compiled binary, the
runtime needs the binary, CA certificates, time zones and (unless it is a static Go
binary) the C runtime libraries: ``FROM scratch`` or distroless/static ships that.

Decisions that cannot be made from paths are made conservatively: when the app carries
native extensions (``*.node``, ``*.so`` in site-packages), the runtime libraries behind
the ``-dev`` packages it was built with (libpq5 behind libpq-dev) are taken as needed,
since the extensions were most likely linked against them (see
:func:`slimage.analysis.packages.dev_runtime_libraries`).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from fnmatch import fnmatchcase

from slimage.analysis.package_db import PackageDb
from slimage.analysis.packages import (
    INSTALL_TIME_PLUMBING,
    RUNTIME_DATA_PACKAGES,
    build_only_category,
    dependency_closure,
)
from slimage.analysis.runtime import EntryPoint
from slimage.filesystem import FileRecord

# Shared libraries a runtime that is not an OS package (/usr/local/bin/node from the
# official images, a compiled app) links to. dpkg and apk names; absent ones are ignored.
C_RUNTIME = ("libc6", "libgcc-s1", "libstdc++6", "musl", "libgcc", "libstdc++", "libc-utils")
RUNTIME_LIBRARIES: dict[str, tuple[str, ...]] = {
    "node": C_RUNTIME,
    "python": (
        *C_RUNTIME,
        "libssl3",
        "libssl1.1",
        "libcrypto3",
        "libffi8",
        "libffi7",
        "libffi",
        "zlib1g",
        "zlib",
        "libbz2-1.0",
        "libbz2",
        "liblzma5",
        "xz-libs",
        "libsqlite3-0",
        "sqlite-libs",
        "libreadline8",
        "readline",
        "libncursesw6",
        "libtinfo6",
        "ncurses-libs",
        "libexpat1",
        "libuuid1",
        "libgdbm6",
        "libnsl2",
        "libtirpc3",
        "libcrypt1",
    ),
    "binary": (*C_RUNTIME, "libssl3", "libssl1.1", "libcrypto3", "zlib1g", "zlib"),
}
# Distribution packages of the language's own libraries: the app may import any of them.
LANGUAGE_PACKAGE_GLOBS: dict[str, tuple[str, ...]] = {
    "python": ("python3", "python3-*", "python3.*", "py3-*"),
    "node": ("node-*", "nodejs*"),
    "ruby": ("ruby-*", "ruby*"),
    "perl": ("lib*-perl", "perl*"),
    "java": ("lib*-java", "openjdk-*-jre*"),
    "php": ("php*",),
}
# Files any runtime keeps: TLS roots, time zones, user and name-service databases.
NEEDED_PREFIXES = (
    "etc/ssl/",
    "etc/ca-certificates",
    "usr/share/ca-certificates/",
    "usr/lib/ssl/",
    "etc/pki/",
    "usr/share/zoneinfo/",
    "etc/passwd",
    "etc/group",
    "etc/nsswitch.conf",
    "etc/hosts",
    "etc/localtime",
)
# What a compiled binary on scratch keeps (the article's Go pattern copies just the CA
# bundle): the certificate bundle, time zones, user and name-service databases.
COMPILED_NEEDED_PREFIXES = (
    "etc/ssl/certs/",
    "etc/pki/tls/certs/",
    "etc/pki/ca-trust/extracted/",
    "usr/share/zoneinfo/",
    "etc/passwd",
    "etc/group",
    "etc/nsswitch.conf",
    "etc/localtime",
)
# Sources and build inputs of a compiled app: not needed next to the binary.
SOURCE_SUFFIXES = (
    ".go",
    ".rs",
    ".c",
    ".cc",
    ".cpp",
    ".h",
    ".hpp",
    ".zig",
    ".mod",
    ".sum",
)
SOURCE_NAMES = frozenset({"Cargo.toml", "Cargo.lock", "Makefile", "CMakeLists.txt", "go.work"})
NATIVE_EXTENSION_SUFFIXES = (".node", ".so")
# Where package-manager state lives: part of the base OS, not of the app.
OS_STATE_PREFIXES = ("var/lib/dpkg/", "var/lib/apt/", "var/cache/debconf/", "lib/apk/", "var/log/")

# What to suggest instead of the current base, per language.
SLIM_BASES: dict[str, str] = {
    "node": "`node:<version>-slim` or `gcr.io/distroless/nodejs<version>-debian12`",
    "python": "`python:<version>-slim` or `gcr.io/distroless/python3-debian12`",
    "java": "`eclipse-temurin:<version>-jre` or `gcr.io/distroless/java<version>-debian12`",
    "binary": "`FROM scratch` (static binary) or `gcr.io/distroless/cc-debian12`",
    "binary-static": "`FROM scratch` or `gcr.io/distroless/static-debian12`",
    "package": "a slim base (`debian:bookworm-slim`) installing only the program's package "
    "with `--no-install-recommends`",
}


@dataclass
class BaseVerdict:
    """Which files a runtime-only image would keep; everything else the base is charged."""

    language: str
    needed_packages: set[str]
    needed_paths: set[str]
    app_source: set[str]  # compiled apps: sources and build inputs left beside the binary
    compiled: bool
    static: bool  # compiled and needs no C library (Go without cgo, assumed for Go)


def has_native_extensions(paths: Iterable[str]) -> bool:
    """Whether compiled extension modules (``*.node``, ``*.so`` in site-packages) are in
    ``paths``: they may link to OS libraries the runtime's own closure does not hold."""
    for path in paths:
        if path.endswith(NATIVE_EXTENSION_SUFFIXES) and (
            "/node_modules/" in path or "-packages/" in path
        ):
            return True
    return False


def _package_roots(
    entry: EntryPoint,
    db: PackageDb,
    owners: Mapping[str, str],
    language: str,
    removable: Collection[str],
) -> list[str]:
    roots = list(RUNTIME_DATA_PACKAGES)
    programs = [p for p in [entry.program, *entry.wrappers] if p]
    owned = [owners[p] for p in programs if p in owners]
    roots.extend(owned)
    # python3.11-minimal runs /usr/bin/python3.11; the full standard library is python3.11's.
    roots.extend(name.removesuffix("-minimal") for name in owned if name.endswith("-minimal"))
    globs = LANGUAGE_PACKAGE_GLOBS.get(language, ())
    # Language packages a build tool brought (npm's node-*, node-gyp's python3) are the
    # build's, not the runtime's.
    roots.extend(
        name
        for name in db.packages
        if any(fnmatchcase(name, glob) for glob in globs)
        and build_only_category(name) is None
        and name not in removable
    )
    if entry.program not in owners:
        roots.extend(RUNTIME_LIBRARIES.get(language, C_RUNTIME))
    return [name for name in roots if name in db.packages]


def judge_base(
    entry: EntryPoint,
    regular: Mapping[str, FileRecord],
    db: PackageDb | None,
    owners: Mapping[str, str],
    *,
    go_app: bool,
    removable: Collection[str] = (),
    native_link_libraries: Collection[str] = (),
) -> BaseVerdict | None:
    """What the runtime needs, or None when the entry program is unknown (nothing judged)."""
    language = entry.language
    if language is None or entry.program is None:
        return None
    compiled = language == "binary" and entry.program not in owners
    if language == "binary" and not compiled:
        language = "package"  # a program the OS packages provide (nginx, postgres)
    static = compiled and go_app
    needed_packages: set[str] = set()
    if db is not None:
        plumbing = frozenset(INSTALL_TIME_PLUMBING)
        if compiled:
            # Only the C runtime's own files; the CA bundle and zones by path (the
            # ca-certificates and tzdata packages also carry scripts a binary never runs).
            libraries = [] if static else RUNTIME_LIBRARIES["binary"]
            needed_packages = {name for name in libraries if name in db.packages}
        else:
            roots = _package_roots(entry, db, owners, language, removable)
            needed_packages = dependency_closure(db.packages, roots, skip=plumbing - set(roots))
            needed_packages |= dependency_closure(db.packages, native_link_libraries, skip=plumbing)
    needed_paths = {entry.program}
    app_source: set[str] = set()
    if compiled:
        prefix = f"{entry.workdir}/" if entry.workdir else None
        for path in regular:
            if prefix is None or not path.startswith(prefix):
                continue
            name = path.rsplit("/", 1)[-1]
            if name.endswith(SOURCE_SUFFIXES) or name in SOURCE_NAMES:
                app_source.add(path)
            else:
                needed_paths.add(path)  # assets beside the binary: assume the app reads them
    return BaseVerdict(
        language="binary-static" if static else language,
        needed_packages=needed_packages,
        needed_paths=needed_paths,
        app_source=app_source,
        compiled=compiled,
        static=static,
    )


def base_waste(
    verdict: BaseVerdict, regular: Mapping[str, FileRecord], owners: Mapping[str, str]
) -> dict[str, str]:
    """Files the base is charged with: path -> group (owning package, or a directory)."""
    charged: dict[str, str] = {}
    for path in regular:
        if path in verdict.needed_paths or path in verdict.app_source:
            continue
        if path.startswith(COMPILED_NEEDED_PREFIXES if verdict.compiled else NEEDED_PREFIXES):
            continue
        owner = owners.get(path)
        if owner is not None:
            if owner not in verdict.needed_packages:
                charged[path] = f"pkg:{owner}"  # claims.PACKAGE_GROUP
        elif verdict.compiled:
            charged[path] = "/".join(path.split("/", 2)[:2])
        elif path.startswith(OS_STATE_PREFIXES):
            charged[path] = next(p for p in OS_STATE_PREFIXES if path.startswith(p)).rstrip("/")
    return charged
