"""Real images for integration tests, built with buildah from a Debian minbase.

Once per test session, :func:`base_image` (a session fixture) makes a Debian bookworm
minbase root filesystem with ``mmdebstrap`` (cached between sessions under the system temp
directory, since it takes minutes), trusting the host's extra CA certificates from
``/usr/local/share/ca-certificates`` so that apt, pip and npm inside builds work through
the network's TLS proxy, and imports it into a private buildah store
(``buildah from scratch`` + ``add`` + ``commit``). Then, in tests::

    name = session.build("FROM {base}\\nRUN ...", {"data/x": b"..."})
    path = session.export(name, "docker-archive")   # or "oci-archive", "oci"

Builds use ``STORAGE_DRIVER=vfs buildah bud --layers --isolation chroot`` (one layer per
step, like ``docker build``) with ``--root``/``--runroot`` in the session's temp dir, so
parallel sessions never share a store. Needs root, buildah and mmdebstrap.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

from support.tools import require_root, require_tool

SUITE = "bookworm"
BASE_NAME = "localhost/slimage-test/bookworm-minbase:latest"
CA_DIR = Path("/usr/local/share/ca-certificates")
FORMATS = ("docker-archive", "oci-archive", "oci")


def _ca_files() -> list[Path]:
    return sorted(CA_DIR.glob("*.crt")) if CA_DIR.is_dir() else []


def _cache_dir() -> Path:
    root = Path(
        os.environ.get("SLIMAGE_TEST_CACHE", Path(tempfile.gettempdir()) / "slimage-test-cache")
    )
    root.mkdir(parents=True, exist_ok=True)
    return root


def minbase_rootfs() -> Path:
    """The mmdebstrap minbase tarball (with the host's CAs), built once and cached."""
    certificates = _ca_files()
    key = hashlib.sha256(b"".join(path.read_bytes() for path in certificates)).hexdigest()[:12]
    target = _cache_dir() / f"{SUITE}-minbase-{key}.tar"
    if target.exists():
        return target
    partial = target.with_suffix(".partial.tar")
    command = [
        "mmdebstrap",
        "--variant=minbase",
        "--mode=root",
        "--include=ca-certificates",
        "--quiet",
    ]
    if certificates:
        command.append('--customize-hook=mkdir -p "$1/usr/local/share/ca-certificates"')
        command.append(
            "--customize-hook=copy-in "
            + " ".join(str(path) for path in certificates)
            + " /usr/local/share/ca-certificates"
        )
        command.append('--customize-hook=chroot "$1" update-ca-certificates')
    command += [SUITE, str(partial)]
    subprocess.run(command, check=True, capture_output=True, timeout=1800)
    partial.rename(target)
    return target


class BuildahSession:
    """A private buildah store holding the base image and what tests build on it."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.root = workdir / "root"
        self.runroot = workdir / "runroot"
        self._names = itertools.count(1)
        self.env = {**os.environ, "STORAGE_DRIVER": "vfs"}
        self.base = BASE_NAME

    def run(self, *args: str, cwd: Path | None = None, timeout: int = 1800) -> str:
        command = [
            "buildah",
            "--root",
            str(self.root),
            "--runroot",
            str(self.runroot),
            "--storage-driver",
            "vfs",
            *args,
        ]
        done = subprocess.run(
            command,
            capture_output=True,
            text=True,
            env=self.env,
            cwd=cwd,
            timeout=timeout,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout.strip()

    def import_base(self, rootfs: Path) -> str:
        container = self.run("from", "scratch")
        self.run("add", container, str(rootfs), "/")
        self.run("config", "--cmd", "/bin/bash", "--created-by", "mmdebstrap minbase", container)
        self.run("commit", "--quiet", container, self.base)
        self.run("rm", container)
        return self.base

    def build(self, dockerfile: str, context_files: Mapping[str, bytes | str] | None = None) -> str:
        """Build ``dockerfile`` (``{base}`` is replaced by the base image) -> image name."""
        name = f"localhost/slimage-test/build-{next(self._names)}:latest"
        context = self.workdir / f"context-{name.rsplit('-', 1)[1].split(':')[0]}"
        context.mkdir(parents=True)
        (context / "Dockerfile").write_text(dockerfile.replace("{base}", self.base))
        for relative, data in (context_files or {}).items():
            path = context / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data.encode() if isinstance(data, str) else data)
        self.run("bud", "--layers", "--isolation", "chroot", "--quiet", "-t", name, str(context))
        return name

    def export(self, image: str, fmt: str) -> Path:
        """Push ``image`` to a ``docker-archive`` or ``oci-archive`` file, or an ``oci`` dir."""
        if fmt not in FORMATS:
            raise ValueError(fmt)
        stem = image.rsplit("/", 1)[1].replace(":", "-")
        target = self.workdir / "exports" / f"{stem}.{fmt}"
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.exists():
            destination = (
                f"{fmt}:{target}:{image}" if fmt == "docker-archive" else f"{fmt}:{target}"
            )
            self.run("push", "--quiet", image, destination)
        return target

    def close(self) -> None:
        with contextlib.suppress(RuntimeError):
            self.run("rm", "--all")
        shutil.rmtree(self.workdir, ignore_errors=True)


@pytest.fixture(scope="session")
def buildah_session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BuildahSession]:
    """A buildah store with the Debian minbase imported (see the module docstring)."""
    require_root()
    require_tool("buildah")
    require_tool("mmdebstrap")
    session = BuildahSession(tmp_path_factory.mktemp("buildah"))
    session.import_base(minbase_rootfs())
    yield session
    session.close()


@pytest.fixture(scope="session")
def base_image(buildah_session: BuildahSession) -> str:
    """The name of the Debian bookworm minbase image in the session's store."""
    return buildah_session.base
