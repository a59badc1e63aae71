"""Local stand-ins for official base images, built from Debian packages.

Docker Hub cannot be reached here, so the tests that build generated Dockerfiles for real
substitute ``golang``, ``node``, ``python``, ``rust``, ``maven``, the JREs and the distroless
bases with images made by ``mmdebstrap`` and imported with ``buildah``. They trust the
host's extra CA certificates (``/usr/local/share/ca-certificates``) because HTTPS from
builds passes through a re-signing proxy: that is a fixture concern only, never something slimage
writes into a user's Dockerfile.

Root filesystems and the buildah storage are cached under ``$SLIMAGE_TEST_CACHE``
(default ``/var/tmp/slimage-test-cache``), keyed by the package list, so a second test
run reuses them.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from support.tools import require_root, require_tool

CACHE = Path(os.environ.get("SLIMAGE_TEST_CACHE", "/var/tmp/slimage-test-cache"))
HOST_CA_DIR = Path("/usr/local/share/ca-certificates")
PATH_ENV = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


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
    # Stands in for gcr.io/distroless/java17-debian12 and eclipse-temurin:17-jre.
    "jre": StandIn(
        "localhost/standin/jre:bookworm", ("ca-certificates", "openjdk-17-jre-headless")
    ),
}


class Buildah:
    """buildah with a private storage root (vfs, chroot isolation), as root."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.base = [
            "buildah",
            "--root",
            str(root / "storage"),
            "--runroot",
            str(root / "run"),
            "--storage-driver",
            "vfs",
        ]

    def __call__(self, *args: str, timeout: float = 900) -> str:
        result = subprocess.run(
            [*self.base, *args],
            capture_output=True,
            text=True,
            timeout=timeout,
            env={**os.environ, "STORAGE_DRIVER": "vfs", "BUILDAH_ISOLATION": "chroot"},
        )
        if result.returncode != 0:
            raise AssertionError(
                f"buildah {' '.join(args)} failed ({result.returncode}):\n"
                f"{result.stdout[-3000:]}\n{result.stderr[-5000:]}"
            )
        return result.stdout

    def exists(self, image: str) -> bool:
        result = subprocess.run(
            [*self.base, "inspect", "--type", "image", image], capture_output=True, timeout=120
        )
        return result.returncode == 0

    def build(self, context: Path, tag: str) -> None:
        self("bud", "--isolation", "chroot", "--layers=false", "-q", "-t", tag, str(context))

    def config(self, image: str) -> dict[str, object]:
        data = json.loads(self("inspect", "--type", "image", image))
        config: dict[str, object] = data["OCIv1"]["config"]
        return config

    def export(self, image: str, destination: str) -> None:
        self("push", "-q", image, destination)

    def remove_image(self, image: str) -> None:
        subprocess.run([*self.base, "rmi", "-f", image], capture_output=True, timeout=300)

    def http_answer(self, image: str, port: int, env: dict[str, str] | None = None) -> str:
        """Run the image's own ENTRYPOINT/CMD and return what GET / on ``port`` answers.

        The container runs in a private network namespace (``unshare --net``), so a
        server binding 0.0.0.0 is reachable only from the probe started beside it.
        """
        container = self("from", "-q", image).strip()
        try:
            command = self._command(image)
            env_args = [a for k, v in (env or {}).items() for a in ("--env", f"{k}={v}")]
            run = [*self.base, "run", "--isolation", "chroot", *env_args, container, "--", *command]
            result = subprocess.run(
                [
                    "unshare",
                    "--net",
                    sys.executable,
                    str(Path(__file__).with_name("probe.py")),
                    str(port),
                    *run,
                ],
                capture_output=True,
                text=True,
                timeout=180,
                env={**os.environ, "STORAGE_DRIVER": "vfs"},
            )
            if result.returncode != 0:
                raise AssertionError(f"the app did not answer:\n{result.stdout}\n{result.stderr}")
            return result.stdout
        finally:
            subprocess.run([*self.base, "rm", container], capture_output=True, timeout=120)

    def _command(self, image: str) -> list[str]:
        config = self.config(image)
        entrypoint = config.get("Entrypoint") or []
        cmd = config.get("Cmd") or []
        assert isinstance(entrypoint, list) and isinstance(cmd, list)
        return [str(word) for word in [*entrypoint, *cmd]]

    def run_command(self, image: str, args: list[str] | None = None) -> str:
        """Run the image's ENTRYPOINT/CMD (or ``args``) to completion; return its output."""
        container = self("from", "-q", image).strip()
        command = args or self._command(image)
        try:
            return self("run", "--isolation", "chroot", container, "--", *command, timeout=300)
        finally:
            subprocess.run([*self.base, "rm", container], capture_output=True, timeout=120)


def buildah_session() -> Buildah:
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
        rootfs = CACHE / f"{key}-{digest}.tar"
        if not rootfs.exists():
            _mmdebstrap(standin, rootfs)
        container = buildah("from", "-q", "scratch").strip()
        try:
            buildah("add", container, str(rootfs), "/")
            buildah(
                "config",
                "--env",
                PATH_ENV,
                *[a for e in standin.env for a in ("--env", e)],
                container,
            )
            buildah("commit", "-q", container, tagged)
        finally:
            subprocess.run([*buildah.base, "rm", container], capture_output=True, timeout=120)
        rootfs.unlink()
    return tagged


def _mmdebstrap(standin: StandIn, output: Path) -> None:
    partial = output.with_suffix(".partial")
    hooks = []
    certificates = sorted(HOST_CA_DIR.glob("*.crt")) if HOST_CA_DIR.is_dir() else []
    if certificates:
        hooks.append(f'mkdir -p "$1{HOST_CA_DIR}"')
        hooks += [f'cp {c} "$1{HOST_CA_DIR}/"' for c in certificates]
        hooks.append('chroot "$1" update-ca-certificates')
    hooks += list(standin.hooks)
    # Keep the stand-ins lean, like the official slim images.
    hooks.append('rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*.bin')
    command = [
        "mmdebstrap",
        "--variant=minbase",
        "--format=tar",
        "--quiet",
        f"--include={','.join(standin.packages)}",
    ]
    command += [f"--customize-hook={hook}" for hook in hooks]
    command += ["bookworm", str(partial)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=1200)
    if result.returncode != 0:
        raise AssertionError(f"mmdebstrap failed:\n{result.stderr[-5000:]}")
    partial.rename(output)


@contextlib.contextmanager
def _lock(path: Path) -> Iterator[None]:
    with path.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
