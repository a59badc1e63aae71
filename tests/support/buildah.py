"""Real images for the integration tests and the benchmarks: Debian root filesystems made
with ``mmdebstrap``, imported into a private buildah store, then built on, run and exported.

Docker Hub cannot be reached here, so every base image is made locally:
:func:`debian_rootfs` writes a bookworm root filesystem tarball (``minbase`` plus the
packages asked for) that trusts the host's extra CA certificates from
``/usr/local/share/ca-certificates``, because HTTPS from builds passes through a
re-signing proxy (apt, pip and npm inside RUN steps need it). That is a fixture concern
only, never something slimage writes into a user's Dockerfile. :meth:`Buildah.import_rootfs`
turns the tarball into an image (``buildah from scratch`` + ``add`` + ``commit``).

Builds use ``STORAGE_DRIVER=vfs buildah bud --isolation chroot`` with ``--root`` and
``--runroot`` under the store's own directory, so separate stores never meet. Root
filesystems and long-lived stores are cached under ``$SLIMAGE_TEST_CACHE`` (default
``/var/tmp/slimage-test-cache``). Needs root, buildah and mmdebstrap.

The benchmarks use this module too (it needs no pytest). In tests, the session fixture
``buildah_session`` of :mod:`support.buildah_fixtures` gives a store with the Debian
minbase imported (``base_image`` names it)::

    name = buildah_session.build_dockerfile("FROM {base}\\nRUN ...", {"data/x": b"..."})
    path = buildah_session.export_as(name, "docker-archive")  # or "oci-archive", "oci"
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

SUITE = "bookworm"
HOST_CA_DIR = Path("/usr/local/share/ca-certificates")
CACHE = Path(os.environ.get("SLIMAGE_TEST_CACHE", "/var/tmp/slimage-test-cache"))
PATH_ENV = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
FORMATS = ("docker-archive", "oci-archive", "oci")
MINBASE_NAME = "localhost/slimage-test/bookworm-minbase:latest"


class BuildError(RuntimeError):
    """buildah or mmdebstrap failed; the message carries the end of its output."""


def host_certificates() -> list[Path]:
    return sorted(HOST_CA_DIR.glob("*.crt")) if HOST_CA_DIR.is_dir() else []


def debian_rootfs(
    output: Path,
    packages: Sequence[str] = ("ca-certificates",),
    *,
    variant: str = "minbase",
    hooks: Sequence[str] = (),
    lean: bool = False,
) -> Path:
    """A bookworm root filesystem tarball at ``output``, made once (kept when it exists).

    ``minbase`` (and the other variants that can run commands) trust the host's extra CA
    certificates; ``extract`` only unpacks ``packages``. ``hooks`` are more mmdebstrap
    ``--customize-hook`` commands; ``lean`` drops apt's lists and caches, as the official
    slim images do.
    """
    if output.exists():
        return output
    all_hooks: list[str] = []
    certificates = host_certificates()
    if certificates and variant != "extract":
        all_hooks.append(f'mkdir -p "$1{HOST_CA_DIR}"')
        all_hooks += [f'cp {path} "$1{HOST_CA_DIR}/"' for path in certificates]
        all_hooks.append('chroot "$1" update-ca-certificates')
    all_hooks += hooks
    if lean:
        all_hooks.append('rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*.bin')
    command = [
        "mmdebstrap",
        f"--variant={variant}",
        "--format=tar",
        "--quiet",
        f"--include={','.join(packages)}",
        *[f"--customize-hook={hook}" for hook in all_hooks],
        SUITE,
    ]
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(output.name + ".partial")
    result = subprocess.run(
        [*command, str(partial)], capture_output=True, text=True, timeout=1800, check=False
    )
    if result.returncode != 0:
        partial.unlink(missing_ok=True)
        raise BuildError(f"mmdebstrap failed ({result.returncode}):\n{result.stderr[-5000:]}")
    partial.rename(output)
    return output


def minbase_rootfs() -> Path:
    """The Debian minbase tarball the analysis tests build on, keyed by the host's CAs."""
    key = hashlib.sha256(b"".join(path.read_bytes() for path in host_certificates()))
    return debian_rootfs(CACHE / f"{SUITE}-minbase-{key.hexdigest()[:12]}.tar")


class Buildah:
    """buildah with a private store under ``root`` (vfs storage, chroot isolation)."""

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
        self.env = {**os.environ, "STORAGE_DRIVER": "vfs", "BUILDAH_ISOLATION": "chroot"}

    def __call__(self, *args: str, timeout: float = 1800) -> str:
        """Run ``buildah ARGS`` in this store; its stdout (raises BuildError on failure)."""
        result = subprocess.run(
            [*self.base, *args],
            capture_output=True,
            text=True,
            timeout=timeout,
            env=self.env,
            check=False,
        )
        if result.returncode != 0:
            raise BuildError(
                f"buildah {' '.join(args)} failed ({result.returncode}):\n"
                f"{result.stdout[-3000:]}\n{result.stderr[-5000:]}"
            )
        return result.stdout

    def _quiet(self, *args: str, timeout: float = 300) -> int:
        """Run ``buildah ARGS`` for its exit code only (clean-ups, existence checks)."""
        done = subprocess.run(
            [*self.base, *args], capture_output=True, timeout=timeout, env=self.env, check=False
        )
        return done.returncode

    def exists(self, image: str) -> bool:
        return self._quiet("inspect", "--type", "image", image) == 0

    def import_rootfs(
        self,
        rootfs: Path,
        name: str,
        *,
        env: Sequence[str] = (),
        cmd: str | None = None,
        created_by: str | None = None,
    ) -> str:
        """Commit ``rootfs`` (a tarball) as the one-layer image ``name``."""
        container = self("from", "-q", "scratch").strip()
        try:
            self("add", container, str(rootfs), "/")
            config = [option for entry in env for option in ("--env", entry)]
            if cmd is not None:
                config += ["--cmd", cmd]
            if created_by is not None:
                config += ["--created-by", created_by]
            if config:
                self("config", *config, container)
            self("commit", "-q", container, name)
        finally:
            self._quiet("rm", container)
        return name

    def build(
        self, context: Path, tag: str, *, layers: bool = True, dockerfile: Path | None = None
    ) -> str:
        """``buildah bud`` of ``context``: one layer per step with ``layers`` (as
        ``docker build`` does), else one layer for the whole build."""
        options = ["--layers" if layers else "--layers=false", "-q", "-t", tag]
        if dockerfile is not None:
            options += ["-f", str(dockerfile)]
        self("bud", "--isolation", "chroot", *options, str(context))
        return tag

    def config(self, image: str) -> dict[str, object]:
        data = json.loads(self("inspect", "--type", "image", image))
        config: dict[str, object] = data["OCIv1"]["config"]
        return config

    def push(self, image: str, destination: str) -> None:
        """``buildah push`` to a transport: ``docker-archive:FILE:NAME``, ``oci:DIR``, ..."""
        self("push", "-q", image, destination)

    def export(self, image: str, fmt: str, target: Path) -> Path:
        """``image`` as a ``docker-archive`` or ``oci-archive`` file or an ``oci`` directory."""
        if fmt not in FORMATS:
            raise ValueError(fmt)
        target.parent.mkdir(parents=True, exist_ok=True)
        name = f":{image}" if fmt == "docker-archive" else ""
        self.push(image, f"{fmt}:{target}{name}")
        return target

    def remove_image(self, image: str) -> None:
        self._quiet("rmi", "-f", image)

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
            probe = str(Path(__file__).with_name("probe.py"))
            result = subprocess.run(
                ["unshare", "--net", sys.executable, probe, str(port), *run],
                capture_output=True,
                text=True,
                timeout=180,
                env=self.env,
                check=False,
            )
            if result.returncode != 0:
                raise AssertionError(f"the app did not answer:\n{result.stdout}\n{result.stderr}")
            return result.stdout
        finally:
            self._quiet("rm", container)

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
            self._quiet("rm", container)


class BuildahSession(Buildah):
    """A throw-away store holding the Debian minbase and what one test session builds."""

    def __init__(self, workdir: Path) -> None:
        super().__init__(workdir)
        self.workdir = workdir
        self.base_image = MINBASE_NAME
        self._names = itertools.count(1)

    def build_dockerfile(
        self, dockerfile: str, context_files: Mapping[str, bytes | str] | None = None
    ) -> str:
        """Build ``dockerfile`` (``{base}`` is replaced by the base image) -> image name."""
        number = next(self._names)
        name = f"localhost/slimage-test/build-{number}:latest"
        context = self.workdir / f"context-{number}"
        context.mkdir(parents=True)
        (context / "Dockerfile").write_text(dockerfile.replace("{base}", self.base_image))
        for relative, data in (context_files or {}).items():
            path = context / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data.encode() if isinstance(data, str) else data)
        return self.build(context, name)

    def export_as(self, image: str, fmt: str) -> Path:
        """``image`` exported once per format into the session's directory."""
        stem = image.rsplit("/", 1)[1].replace(":", "-")
        target = self.workdir / "exports" / f"{stem}.{fmt}"
        return target if target.exists() else self.export(image, fmt, target)

    def close(self) -> None:
        with contextlib.suppress(BuildError):
            self("rm", "--all")
        shutil.rmtree(self.workdir, ignore_errors=True)
