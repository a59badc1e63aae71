"""Local stand-ins for official base images, built from Debian packages.

Docker Hub cannot be reached here, so the tests that build generated Dockerfiles for real
substitute ``golang``, ``node``, ``python``, ``rust``, ``maven``, the JREs and the distroless
bases with images made by ``mmdebstrap`` and imported with ``buildah``. They trust the
host's extra CA certificates (``/usr/local/share/ca-certificates``) because HTTPS from
builds passes through a re-signing proxy: that is a fixture concern only, never something slimage
writes into a user's Dockerfile.

Root filesystems and the buildah store are cached under ``$SLIMAGE_TEST_CACHE``
(default ``/var/tmp/slimage-test-cache``), keyed by the package list, so a second test
run reuses them; :mod:`support.buildah` makes and imports them.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from support.buildah import CACHE, PATH_ENV, Buildah, debian_rootfs
from support.tools import require_root, require_tool


@dataclass(frozen=True)
class StandIn:
    name: str  # local image name, e.g. localhost/standin/golang:bookworm
    packages: tuple[str, ...]
    env: tuple[str, ...] = ()
    hooks: tuple[str, ...] = ()  # extra mmdebstrap --customize-hook commands


# The plugins of Maven's default lifecycle (all of which `dependency:go-offline` resolves)
# and the dependency plugin, at the versions bookworm packages: clean 3.2.0, resources
# 3.3.0, compiler 3.10.1, surefire 2.22.3, jar 3.3.0, install 3.1.0, deploy 3.0.0, site
# 3.12.1, dependency 3.5.0 (tests/data/samples/java-maven/pom.xml pins exactly these).
MAVEN_PLUGIN_PACKAGES = (
    "libmaven-clean-plugin-java",
    "libmaven-resources-plugin-java",
    "libmaven-compiler-plugin-java",
    "libsurefire-java",
    "libmaven-jar-plugin-java",
    "libmaven-install-plugin-java",
    "libmaven-deploy-plugin-java",
    "libmaven-site-plugin-java",
    "libmaven-dependency-plugin-java",
)
MAVEN_SETTINGS = (
    '<settings xmlns="http://maven.apache.org/SETTINGS/1.0.0"><mirrors><mirror>'
    "<id>debian</id><mirrorOf>*</mirrorOf><url>file:///usr/share/maven-repo</url>"
    "</mirror></mirrors></settings>"
)

# What the official full language images (node:22, python:3.12, golang:1.22, rust:1) are
# built on: buildpack-deps's compilers, headers and version-control tools (its package
# list for bookworm, without ImageMagick's and the database servers' headers). The fat
# Dockerfiles that `slimage rewrite` is proven on start from these.
BUILDPACK_DEPS = (
    "ca-certificates",
    "curl",
    "wget",
    "gnupg",
    "netbase",
    "git",
    "openssh-client",
    "procps",
    "autoconf",
    "automake",
    "bzip2",
    "dpkg-dev",
    "file",
    "g++",
    "gcc",
    "libbz2-dev",
    "libc6-dev",
    "libcurl4-openssl-dev",
    "libffi-dev",
    "libgdbm-dev",
    "libglib2.0-dev",
    "libgmp-dev",
    "libjpeg-dev",
    "libkrb5-dev",
    "liblzma-dev",
    "libncurses-dev",
    "libpng-dev",
    "libpq-dev",
    "libreadline-dev",
    "libsqlite3-dev",
    "libssl-dev",
    "libtool",
    "libxml2-dev",
    "libxslt1-dev",
    "libyaml-dev",
    "make",
    "patch",
    "unzip",
    "xz-utils",
    "zlib1g-dev",
)
_PYTHON_CERTS = (
    "PIP_CERT=/etc/ssl/certs/ca-certificates.crt",
    "SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt",
    "REQUESTS_CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt",
)

# The images the generated Dockerfiles name, mapped to stand-ins.
STANDINS = {
    "debian": StandIn("localhost/standin/debian:bookworm", ("ca-certificates",)),
    "golang": StandIn(
        "localhost/standin/golang:bookworm", ("ca-certificates", "golang-go", "tzdata")
    ),
    "python": StandIn(
        "localhost/standin/python:bookworm",
        ("ca-certificates", "python3", "python3-venv"),
        # pip, uv and Poetry carry their own CA bundles; point them at the system one.
        env=(
            "PIP_CERT=/etc/ssl/certs/ca-certificates.crt",
            "SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt",
            "REQUESTS_CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt",
            "UV_SYSTEM_CERTS=1",
        ),
    ),
    "node": StandIn(
        "localhost/standin/node:bookworm",
        ("ca-certificates", "nodejs", "npm"),
        # Debian's nodejs has no corepack; the official images do.
        # The registry proxy here serves packuments without npm's signatures, which
        # corepack would verify; a fixture-only setting, never in generated files.
        env=(
            "NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt",
            "COREPACK_INTEGRITY_KEYS=0",
            "COREPACK_ENABLE_DOWNLOAD_PROMPT=0",
        ),
        hooks=('chroot "$1" npm install --global --no-audit --no-fund corepack@0.31.0',),
    ),
    "rust": StandIn("localhost/standin/rust:bookworm", ("ca-certificates", "rustc", "cargo")),
    # Maven Central cannot be reached here. Debian's Maven plugins ship a file repository
    # (/usr/share/maven-repo); the global settings mirror every repository to it, so a
    # pom that pins the plugin versions Debian packages builds offline.
    "maven": StandIn(
        "localhost/standin/maven:bookworm",
        (
            "ca-certificates",
            "maven",
            "openjdk-17-jdk-headless",
            *MAVEN_PLUGIN_PACKAGES,
        ),
        hooks=(f"printf '%s\\n' '{MAVEN_SETTINGS}' > \"$1/etc/maven/settings.xml\"",),
    ),
    # Stands in for gradle:8-jdk17. Debian packages Gradle 4.4.1, which builds a plain
    # `java` project offline (no dependencies to fetch: no repository is reachable here).
    "gradle": StandIn(
        "localhost/standin/gradle:bookworm",
        ("ca-certificates", "gradle", "openjdk-17-jdk-headless"),
    ),
    # Stands in for gcr.io/distroless/java17-debian12 and eclipse-temurin:17-jre.
    "jre": StandIn(
        "localhost/standin/jre:bookworm", ("ca-certificates", "openjdk-17-jre-headless")
    ),
    # The full (non-slim) official images, for the fat Dockerfiles `rewrite` slims.
    "golang-full": StandIn(
        "localhost/standin/golang-full:bookworm", (*BUILDPACK_DEPS, "golang-go")
    ),
    "node-full": StandIn(
        "localhost/standin/node-full:bookworm",
        (*BUILDPACK_DEPS, "nodejs", "npm", "python3"),
        env=("NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt",),
    ),
    # python:3.12 has pip on PATH and installs into its own site-packages: Debian's marker
    # that refuses that (PEP 668) is dropped.
    "python-full": StandIn(
        "localhost/standin/python-full:bookworm",
        (
            *BUILDPACK_DEPS,
            "python3",
            "python3-venv",
            "python3-pip",
            "python3-dev",
            "python-is-python3",
        ),
        env=_PYTHON_CERTS,
        hooks=('rm -f "$1"/usr/lib/python3*/EXTERNALLY-MANAGED',),
    ),
    "rust-full": StandIn(
        "localhost/standin/rust-full:bookworm", (*BUILDPACK_DEPS, "rustc", "cargo")
    ),
    # node:<v>-slim as a runtime: node without npm (Debian's npm pulls in 400 packages
    # the official slim images do not have).
    "node-slim": StandIn(
        "localhost/standin/node-slim:bookworm",
        ("ca-certificates", "nodejs"),
        env=("NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt",),
    ),
    # python:<v>-slim as the official images ship it: the interpreter with its C headers
    # (the official images build Python from source and keep Python.h), so pip can build
    # a package from source once the build stage installs gcc and the library's headers.
    "python-slim-headers": StandIn(
        "localhost/standin/python-slim-headers:bookworm",
        ("ca-certificates", "python3", "python3-venv", "python3-dev"),
        env=_PYTHON_CERTS,
    ),
    # debian:bookworm for a Dockerfile that installs Node itself with apt: npm must trust
    # the re-signing proxy's CA (a fixture-only setting, harmless without Node).
    "debian-node-ca": StandIn(
        "localhost/standin/debian-node-ca:bookworm",
        ("ca-certificates",),
        env=("NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt",),
    ),
    # eclipse-temurin:17-jdk: a JDK, for a plain javac build script.
    "jdk": StandIn(
        "localhost/standin/jdk:bookworm", ("ca-certificates", "openjdk-17-jdk-headless")
    ),
}


# Distroless images run their interpreter as ENTRYPOINT, so CMD holds only its arguments
# (GoogleContainerTools/distroless: nodejs, java). Their stand-ins are the Debian ones
# above with the same ENTRYPOINT, so a generated CMD that repeats the interpreter fails
# here as it would on the real image (`node node server.js`).
DISTROLESS_ENTRYPOINTS = {
    "distroless-nodejs": ("node", ("/usr/bin/node",)),
    "distroless-java": ("jre", ("/usr/bin/java", "-jar")),
}


def ensure_distroless_standin(buildah: Buildah, key: str) -> str:
    """The stand-in of ``key`` in :data:`DISTROLESS_ENTRYPOINTS`: its Debian stand-in with
    the distroless ENTRYPOINT (and no CMD); built once, cached."""
    base_key, entrypoint = DISTROLESS_ENTRYPOINTS[key]
    base = ensure_standin(buildah, base_key)
    digest = hashlib.sha256(repr((base, entrypoint)).encode()).hexdigest()[:12]
    tagged = f"localhost/standin/{key}:bookworm-{digest}"
    with _lock(CACHE / f"{key}.lock"):
        if buildah.exists(tagged):
            return tagged
        container = buildah("from", "-q", base).strip()
        try:
            buildah("config", "--entrypoint", json.dumps(list(entrypoint)), "--cmd", "", container)
            buildah("commit", "-q", container, tagged)
        finally:
            buildah("rm", container)
    return tagged


def standin_store() -> Buildah:
    """The buildah store that keeps the stand-ins between test runs."""
    require_root()
    require_tool("buildah")
    require_tool("mmdebstrap")
    CACHE.mkdir(parents=True, exist_ok=True)
    return Buildah(CACHE / "buildah")


def ensure_standin(buildah: Buildah, key: str) -> str:
    """Build (once, cached) the stand-in image for ``key``; return its name."""
    standin = STANDINS[key]
    digest = hashlib.sha256(repr(standin).encode()).hexdigest()[:12]
    tagged = f"{standin.name}-{digest}"
    with _lock(CACHE / f"{key}.lock"):
        if buildah.exists(tagged):
            return tagged
        rootfs = debian_rootfs(
            CACHE / f"{key}-{digest}.tar", standin.packages, hooks=standin.hooks, lean=True
        )
        buildah.import_rootfs(rootfs, tagged, env=(PATH_ENV, *standin.env))
        rootfs.unlink()
    return tagged


@contextlib.contextmanager
def _lock(path: Path) -> Iterator[None]:
    with path.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
