"""The waste classes and the path rules: what a file's path alone says about its bytes.

Data, not code: :data:`PATH_RULES` is the table :mod:`slimage.analysis.classify` matches
paths against. A new kind of cache or toolchain is a new row here. Each rule names its
paths in up to three shapes:

- ``prefixes``: anchored at the image root, ``/`` separated; a segment may be a glob
  (``usr/lib/go-*/``) and a leading ``~/`` stands for ``root/`` and every ``home/<user>/``.
- ``components``: a run of directory names found anywhere (``.git``, ``__pycache__``),
  optionally only ``inside`` a directory of a given name (``tests`` inside ``node_modules``).
- ``suffixes``: the end of a file name (``.js.map``), optionally only ``under`` a prefix.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from slimage.findings import Severity


class WasteClass(enum.StrEnum):
    """Why bytes are avoidable. Definition order is precedence: earlier classes win."""

    SECRETS = "secrets"
    VCS = "vcs"
    PACKAGE_CACHE = "package-cache"
    DEV_DEPENDENCIES = "dev-dependencies"
    BUILD_TOOLCHAIN = "build-toolchain"
    BUILD_LEFTOVERS = "build-leftovers"
    BYTECODE_CACHE = "bytecode-cache"
    SOURCE_MAPS = "source-maps"
    TESTS = "tests"
    DOCS = "docs"
    LOCALES = "locales"
    DUPLICATES = "duplicates"
    HEAVY_BASE = "heavy-base"


PRECEDENCE: dict[WasteClass, int] = {waste: rank for rank, waste in enumerate(WasteClass)}


@dataclass(frozen=True)
class PathRule:
    """One row of :data:`PATH_RULES`: where one kind of avoidable bytes lives, and its fix."""

    id: str  # kebab-case, stable: "apt-lists"
    waste_class: WasteClass
    code: str  # lint code (SL1xxx) for the same cause, else an analysis code (SA1xx)
    title: str  # what the bytes are: "apt package lists"
    help: str  # the Dockerfile change that saves them
    prefixes: tuple[str, ...] = ()
    components: tuple[tuple[str, ...], ...] = ()
    inside: frozenset[str] = frozenset()  # components: only below one of these names
    suffixes: tuple[str, ...] = ()
    under: tuple[str, ...] = ()  # suffixes: only below one of these prefixes
    # Words of the build step that likely wrote the bytes, to name it in a squashed layer.
    keywords: tuple[str, ...] = ()
    severity: Severity = Severity.WARNING


@dataclass(frozen=True)
class PathMatch:
    """A rule that matched a path, and the directory or file it matched."""

    rule: PathRule
    group: str  # the directory (or file) the rule matched, e.g. "var/lib/apt/lists"


# Codes shared with the lint rules (slimage/rules/sl1*.py) for the same causes: SL1002
# single-stage-build (SDKs, build outputs), SL1003 toolchain-in-runtime, SL1009 apt lists,
# SL1011-SL1014 package caches. Other causes have analysis codes (docs/findings.md).
CODE_APT_LISTS = "SL1009"  # apt-lists-kept

PACKAGE_INSTALL = (
    "apt-get install",
    "apt install",
    "apk add",
    "dnf install",
    "yum install",
    "microdnf install",
    "zypper install",
)
_LANG_MARKERS = frozenset({"node_modules", "site-packages", "dist-packages"})

PATH_RULES: tuple[PathRule, ...] = (
    PathRule(
        "vcs-directory",
        WasteClass.VCS,
        "SA106",
        "version control metadata",
        "add the directory to .dockerignore (or copy only what the app needs)",
        components=((".git",), (".svn",), (".hg",), (".bzr",)),
        keywords=("COPY", "ADD", "git clone"),
    ),
    PathRule(
        "apt-lists",
        WasteClass.PACKAGE_CACHE,
        CODE_APT_LISTS,
        "apt package lists",
        "add `&& rm -rf /var/lib/apt/lists/*` to the RUN that ran `apt-get update`",
        prefixes=("var/lib/apt/lists/",),
        keywords=("apt-get update", "apt update"),
    ),
    PathRule(
        "apt-archives",
        WasteClass.PACKAGE_CACHE,
        "SA102",
        "downloaded .deb archives and apt's package caches",
        "run `apt-get clean` in the same RUN as `apt-get install` "
        "(or use `--mount=type=cache,target=/var/cache/apt`)",
        prefixes=("var/cache/apt/", "var/cache/debconf/templates.dat-old"),
        keywords=("apt-get install", "apt install"),
    ),
    PathRule(
        "apk-cache",
        WasteClass.PACKAGE_CACHE,
        "SL1011",
        "apk package cache",
        "use `apk add --no-cache`",
        prefixes=("var/cache/apk/", "etc/apk/cache/"),
        keywords=("apk add", "apk update"),
    ),
    PathRule(
        "rpm-cache",
        WasteClass.PACKAGE_CACHE,
        "SL1014",
        "yum/dnf/zypper package cache",
        "add `&& dnf clean all` (or `yum clean all`, `zypper clean -a`) to the installing RUN",
        prefixes=("var/cache/yum/", "var/cache/dnf/", "var/cache/zypp/", "var/lib/dnf/repos/"),
        keywords=("dnf ", "yum ", "zypper "),
    ),
    PathRule(
        "pip-cache",
        WasteClass.PACKAGE_CACHE,
        "SL1012",
        "pip/uv/poetry download cache",
        "use `pip install --no-cache-dir` (uv: `UV_NO_CACHE=1`) or a cache mount",
        prefixes=(
            "~/.cache/pip/",
            "~/.cache/uv/",
            "~/.cache/pypoetry/",
            "~/.cache/pipenv/",
            "~/.cache/pdm/",
        ),
        keywords=("pip ", "uv ", "poetry "),
    ),
    PathRule(
        "node-cache",
        WasteClass.PACKAGE_CACHE,
        "SL1013",
        "npm/yarn/pnpm cache",
        "add `&& npm cache clean --force` (yarn: `yarn cache clean`) to the installing RUN, "
        "or use a cache mount",
        prefixes=(
            "~/.npm/_cacache/",
            "~/.npm/_logs/",
            "~/.npm/_npx/",
            "~/.cache/yarn/",
            "usr/local/share/.cache/yarn/",
            "~/.yarn/berry/cache/",
            "~/.cache/pnpm/",
            "~/.local/share/pnpm/store/",
            "~/.pnpm-store/",
        ),
        keywords=("npm ", "yarn", "pnpm"),
    ),
    PathRule(
        "go-cache",
        WasteClass.PACKAGE_CACHE,
        "SA103",
        "Go module and build caches",
        "build in a builder stage (or use `--mount=type=cache` for /go/pkg/mod and "
        "/root/.cache/go-build) and copy only the binary",
        prefixes=("go/pkg/mod/", "~/go/pkg/mod/", "~/.cache/go-build/", "go/pkg/sumdb/"),
        keywords=("go build", "go mod", "go install", "go get"),
    ),
    PathRule(
        "cargo-cache",
        WasteClass.PACKAGE_CACHE,
        "SA103",
        "cargo registry and git caches",
        "build in a builder stage (or use `--mount=type=cache,target=/usr/local/cargo/registry`)",
        prefixes=(
            "~/.cargo/registry/",
            "~/.cargo/git/",
            "usr/local/cargo/registry/",
            "usr/local/cargo/git/",
        ),
        keywords=("cargo ",),
    ),
    PathRule(
        "jvm-cache",
        WasteClass.PACKAGE_CACHE,
        "SA103",
        "maven/gradle dependency caches",
        "build in a builder stage and copy only the jar (or use a cache mount for ~/.m2)",
        prefixes=("~/.m2/repository/", "~/.gradle/caches/", "~/.gradle/wrapper/dists/"),
        keywords=("mvn", "gradle"),
    ),
    PathRule(
        "misc-cache",
        WasteClass.PACKAGE_CACHE,
        "SA103",
        "composer/bundler/nuget caches",
        "clear the cache in the RUN that filled it, or use a cache mount",
        prefixes=(
            "~/.composer/cache/",
            "~/.cache/composer/",
            "~/.nuget/packages/",
            "usr/local/bundle/cache/",
        ),
        keywords=("composer", "bundle", "dotnet"),
    ),
    PathRule(
        "go-sdk",
        WasteClass.BUILD_TOOLCHAIN,
        "SL1002",
        "the Go SDK",
        "build in a `golang` builder stage and copy only the binary into the runtime stage",
        prefixes=("usr/local/go/", "usr/lib/go-*/", "usr/lib/go/", "usr/share/go-*/"),
    ),
    PathRule(
        "rust-toolchain",
        WasteClass.BUILD_TOOLCHAIN,
        "SL1002",
        "the Rust toolchain (rustup, rustc, cargo)",
        "build in a `rust` builder stage and copy only the binary into the runtime stage",
        prefixes=("usr/local/rustup/", "~/.rustup/", "usr/local/cargo/bin/", "~/.cargo/bin/"),
    ),
    PathRule(
        "c-toolchain",
        WasteClass.BUILD_TOOLCHAIN,
        "SL1003",
        "C/C++ compiler internals and headers",
        "compile in a builder stage; copy only the results into the runtime stage",
        prefixes=(
            "usr/lib/gcc/",
            "usr/libexec/gcc/",
            "usr/lib/gcc-cross/",
            "usr/include/",
            "usr/local/include/",
            "usr/local/lib/python3.*/config-3.*/",
            "usr/lib/python3.*/config-3.*/",
        ),
        keywords=PACKAGE_INSTALL,
    ),
    PathRule(
        "static-libraries",
        WasteClass.BUILD_TOOLCHAIN,
        "SL1003",
        "static libraries and object files (link-time only)",
        "link in a builder stage; the runtime needs no .a or .o files",
        suffixes=(".a", ".o"),
        under=("usr/lib/", "usr/local/lib/", "lib/", "opt/"),
        keywords=PACKAGE_INSTALL,
    ),
    PathRule(
        "jdk-only",
        WasteClass.BUILD_TOOLCHAIN,
        "SL1002",
        "JDK parts a JRE does not need (jmods, javac, sources)",
        "run on a JRE (e.g. `eclipse-temurin:21-jre`) or a `jlink`ed runtime",
        components=(("jmods",),),
        suffixes=("/lib/src.zip", "/bin/javac", "/lib/ct.sym", "/lib/tools.jar"),
        under=("usr/lib/jvm/", "opt/java/", "usr/local/openjdk-", "opt/"),
    ),
    PathRule(
        "node-gyp",
        WasteClass.BUILD_TOOLCHAIN,
        "SL1003",
        "node-gyp headers and build tools",
        "build native modules in a builder stage and copy node_modules",
        prefixes=("~/.cache/node-gyp/", "~/.node-gyp/"),
        components=(("node-gyp",),),
        inside=frozenset({"node_modules"}),
        keywords=("npm ", "yarn", "node-gyp"),
    ),
    PathRule(
        "node-package-manager",
        WasteClass.BUILD_TOOLCHAIN,
        "SA119",
        "npm, yarn and corepack (install-time only)",
        "install dependencies in a builder stage and run `node` directly on a runtime "
        "without npm (e.g. a distroless nodejs image)",
        prefixes=(
            "usr/local/lib/node_modules/npm/",
            "usr/local/lib/node_modules/corepack/",
            "usr/lib/node_modules/npm/",
            "usr/lib/node_modules/corepack/",
            "opt/yarn-*/",
            "usr/local/lib/node_modules/yarn/",
            "usr/local/lib/node_modules/pnpm/",
        ),
        keywords=PACKAGE_INSTALL,
    ),
    PathRule(
        "temporary-files",
        WasteClass.BUILD_LEFTOVERS,
        "SA118",
        "files left in /tmp and /var/tmp",
        "remove them in the RUN that created them (or use `--mount=type=tmpfs,target=/tmp`)",
        prefixes=("tmp/", "var/tmp/"),
    ),
    PathRule(
        "package-logs",
        WasteClass.BUILD_LEFTOVERS,
        "SA118",
        "package manager logs",
        "remove /var/log/apt, /var/log/dpkg.log and friends in the installing RUN",
        prefixes=(
            "var/log/apt/",
            "var/log/dpkg.log",
            "var/log/alternatives.log",
            "var/log/bootstrap.log",
            "var/log/yum.log",
            "var/log/dnf.log",
            "var/log/dnf.librepo.log",
            "var/log/dnf.rpm.log",
            "var/log/hawkey.log",
            "~/.npm/_logs/",
        ),
        keywords=PACKAGE_INSTALL,
        severity=Severity.INFO,
    ),
    PathRule(
        "rust-build-directory",
        WasteClass.BUILD_LEFTOVERS,
        "SL1002",
        "cargo build intermediates (target/*/deps, build, incremental)",
        "build in a builder stage and copy only `target/release/<binary>`",
        components=(
            ("target", "release", "deps"),
            ("target", "release", "build"),
            ("target", "release", "incremental"),
            ("target", "release", ".fingerprint"),
            ("target", "debug"),
        ),
        keywords=("cargo build",),
    ),
    PathRule(
        "python-bytecode",
        WasteClass.BYTECODE_CACHE,
        "SA110",
        "Python bytecode caches in app directories",
        "set `PYTHONDONTWRITEBYTECODE=1` for build steps that run the app or its tests, and "
        "add `__pycache__` to .dockerignore; the standard library's and site-packages' .pyc "
        "files are not counted (removing them slows every start-up)",
        components=(("__pycache__",),),
        keywords=("pip ", "python"),
        severity=Severity.INFO,
    ),
    PathRule(
        "source-maps",
        WasteClass.SOURCE_MAPS,
        "SA111",
        "JavaScript/CSS source maps",
        "build without source maps for production (or delete `*.map` in the build stage)",
        suffixes=(".js.map", ".css.map", ".ts.map"),
        keywords=("build", "COPY"),
        severity=Severity.INFO,
    ),
    PathRule(
        "dependency-tests",
        WasteClass.TESTS,
        "SA109",
        "test suites shipped inside dependencies",
        "delete test directories from site-packages/node_modules in the installing RUN",
        components=(("tests",), ("test",), ("__tests__",)),
        inside=_LANG_MARKERS,
        keywords=("npm ", "pip ", "yarn", "pnpm"),
        severity=Severity.INFO,
    ),
    PathRule(
        "python-stdlib-tests",
        WasteClass.TESTS,
        "SA109",
        "the Python standard library's own test suite",
        "delete it in the RUN that installed Python (the official images do: "
        "`find /usr/local -depth -type d -name test -exec rm -rf '{}' +`)",
        prefixes=(
            "usr/local/lib/python3.*/test/",
            "usr/lib/python3.*/test/",
            "usr/local/lib/python3.*/idlelib/idle_test/",
        ),
        severity=Severity.INFO,
    ),
    PathRule(
        "documentation",
        WasteClass.DOCS,
        "SA107",
        "documentation, man and info pages",
        "install with `--no-install-recommends` and add a dpkg path-exclude for "
        "/usr/share/doc, /usr/share/man and /usr/share/info (or use a slim base)",
        prefixes=(
            "usr/share/doc/",
            "usr/share/man/",
            "usr/share/info/",
            "usr/share/gtk-doc/",
            "usr/share/help/",
            "usr/local/share/doc/",
            "usr/local/share/man/",
            "usr/local/man/",
        ),
        components=(("docs",), ("doc",), ("man",), ("examples",), ("example",)),
        inside=frozenset({"node_modules"}),
        keywords=PACKAGE_INSTALL,
        severity=Severity.INFO,
    ),
    PathRule(
        "locales",
        WasteClass.LOCALES,
        "SA108",
        "translations and locale data the configured locale does not use",
        "add a dpkg path-exclude for /usr/share/locale (keeping the locale you use), "
        "or use a slim base",
        prefixes=(
            "usr/share/locale/",
            "usr/local/share/locale/",
            "usr/share/i18n/",
            "usr/lib/locale/locale-archive",
        ),
        keywords=PACKAGE_INSTALL,
        severity=Severity.INFO,
    ),
)
