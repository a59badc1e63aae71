"""A private containers-storage for tests that run buildah, podman and podman's Docker
API on the same images, without touching the machine's own store.

``CONTAINERS_STORAGE_CONF`` points every containers/storage user (buildah, podman,
skopeo, ``podman system service``) at a vfs store under a temporary directory, so tests
never meet other users of this machine. ``CONTAINERS_CONF`` picks runc and lower
``ulimit``s than podman's defaults: in a sandbox without CAP_SYS_RESOURCE (this one),
crun cannot raise RLIMIT_NPROC/NOFILE and refuses hybrid cgroups. It also pins podman's
network backend to netavark: unset, podman picks CNI for a store that already holds images
when podman first meets it (a store filled by buildah) and netavark for an empty one; the
two make bridges of the same 10.88.0.0/16, and the CNI bridge's route, left behind
link-down when its last container stops, takes every later published port's traffic
(seen as probes that never connect). All of it only makes containers run here; slimage
sets none of it.

The python stand-in (:mod:`support.standins`, which has python3 for a real HTTP server)
is copied in as ``localhost/standin/python:bookworm``.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from support.standins import ensure_standin, standin_store
from support.tools import require_root, require_tool

PYTHON_BASE = "localhost/standin/python:bookworm"


@dataclass(frozen=True)
class ContainerStore:
    directory: Path
    env: Mapping[str, str]  # os.environ plus the settings above

    def run(self, *command: str, timeout: float = 900, check: bool = True) -> str:
        done = subprocess.run(
            command, capture_output=True, text=True, env=dict(self.env), timeout=timeout
        )
        if check and done.returncode != 0:
            raise AssertionError(f"{' '.join(command)} failed: {done.stdout}\n{done.stderr}")
        return done.stdout

    def build(self, name: str, dockerfile: str, files: Mapping[str, str] | None = None) -> str:
        """``buildah bud --layers=false`` (one commit: vfs copies the root per layer)."""
        context = self.directory / "contexts" / name.replace("/", "_").replace(":", "_")
        context.mkdir(parents=True, exist_ok=True)
        (context / "Dockerfile").write_text(dockerfile)
        for relative, text in (files or {}).items():
            (context / relative).write_text(text)
        self.run("buildah", "bud", "--layers=false", "-q", "-t", name, str(context))
        return name

    def containers(self) -> list[str]:
        """Names of every container in the store (running or not)."""
        return self.run("podman", "ps", "-a", "--format", "{{.Names}}").split()

    def working_containers(self) -> list[str]:
        """buildah's working containers (``buildah from``), which podman does not list."""
        return self.run("buildah", "containers", "--quiet").split()


def store_env(directory: Path, graphroot: Path, runroot: Path) -> dict[str, str]:
    """The environment that points buildah, podman and skopeo at the store under
    ``graphroot``/``runroot`` (its configuration files written into ``directory``)."""
    storage = directory / "storage.conf"
    storage.write_text(
        f'[storage]\ndriver = "vfs"\ngraphroot = "{graphroot}"\nrunroot = "{runroot}"\n'
    )
    containers = directory / "containers.conf"
    containers.write_text(
        '[containers]\ndefault_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]\n'
        '[engine]\nruntime = "runc"\n'
        '[network]\nnetwork_backend = "netavark"\n'
    )
    return {
        **os.environ,
        "CONTAINERS_STORAGE_CONF": str(storage),
        "CONTAINERS_CONF": str(containers),
        "STORAGE_DRIVER": "vfs",
        "BUILDAH_ISOLATION": "chroot",
    }


@contextlib.contextmanager
def private_store(directory: Path) -> Iterator[ContainerStore]:
    require_root()
    for tool in ("buildah", "podman", "skopeo", "runc"):
        require_tool(tool)
    directory.mkdir(parents=True, exist_ok=True)
    env = store_env(directory, directory / "root", directory / "run")
    store = ContainerStore(directory, env)
    cache = standin_store()
    python = ensure_standin(cache, "python")
    source = f"containers-storage:[vfs@{cache.root / 'storage'}+{cache.root / 'run'}]{python}"
    store.run("skopeo", "copy", "--quiet", source, f"containers-storage:{PYTHON_BASE}")
    try:
        yield store
    finally:
        for name in store.containers():
            store.run("podman", "rm", "-f", "--time", "0", name, check=False)
        # Not `podman system reset`: it also touches machine-wide state (networks).
        subprocess.run(["rm", "-rf", str(directory)], check=False)


@contextlib.contextmanager
def docker_api(store: ContainerStore) -> Iterator[str]:
    """``podman system service`` on a private socket over ``store``; its DOCKER_HOST."""
    socket = store.directory / "docker.sock"
    process = subprocess.Popen(
        ["podman", "system", "service", "--time=0", f"unix://{socket}"],
        env=dict(store.env),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while not socket.exists():
            if process.poll() is not None or time.monotonic() > deadline:
                error = process.stderr.read().decode() if process.stderr else ""
                raise AssertionError(f"podman system service did not start: {error}")
            time.sleep(0.1)
        yield f"unix://{socket}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        socket.unlink(missing_ok=True)
