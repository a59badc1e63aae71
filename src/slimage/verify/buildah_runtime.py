"""``buildah`` as the runtime, where it is what the machine has (no podman, no daemon).

buildah has no detached containers, published ports or ``cp``, so this back-end keeps the
same interface differently: a working container (``buildah from``) runs the image's entry
point through ``buildah run --network host`` as a child process (its own process group,
so clean-up stops all of it); ports are the container's own on the host's network (so a
port already taken on the host is a failed probe); output goes to files for the log
checks; files are read through ``buildah mount``, every path resolved inside the mount
(a symbolic link never leads out of the image).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO, Any

from slimage.errors import ToolError
from slimage.verify.files import member_tar
from slimage.verify.runtime import (
    START_SECONDS,
    Completed,
    ContainerRuntime,
    ContainerState,
    StartFailed,
    ToolTimeout,
    archive_transport,
    last_line,
)


class BuildahRuntime(ContainerRuntime):
    def __init__(self, tool: str) -> None:
        super().__init__(tool, "buildah")
        self._processes: dict[str, tuple[subprocess.Popen[bytes], Path]] = {}
        self._logs = Path(tempfile.mkdtemp(prefix="slimage-verify-"))

    def load(self, reference: str) -> str:
        if reference.startswith("containers-storage:"):
            return reference[len("containers-storage:") :]
        source = archive_transport(reference)
        if source is None:
            return reference
        present = set(self.call("images", "-q", "--no-trunc", check=True).stdout.split())
        done = self.call("pull", "--quiet", source, timeout=START_SECONDS)
        if done.status != 0:
            raise ToolError(f"buildah: loading {reference} failed: {last_line(done)}")
        image = done.stdout.strip().splitlines()[-1]
        if not any(image.removeprefix("sha256:") == k.removeprefix("sha256:") for k in present):
            self.loaded_images.append(image)
        return image

    def image_config(self, image: str) -> dict[str, Any]:
        done = self.call("inspect", "--type", "image", image, check=True)
        config = json.loads(done.stdout).get("OCIv1", {}).get("config")
        return config if isinstance(config, dict) else {}

    def _working_container(self, image: str) -> str:
        name = self.new_name()
        done = self.call("from", "--quiet", "--name", name, image, timeout=START_SECONDS)
        if done.status != 0:
            raise StartFailed(f"buildah from {image} failed: {last_line(done)}")
        return name

    def start(self, image: str, ports: Sequence[int]) -> str:
        config = self.image_config(image)
        argv = [
            str(word) for word in [*(config.get("Entrypoint") or []), *(config.get("Cmd") or [])]
        ]
        if not argv:
            raise StartFailed(f"{image}: no entry point or command to run")
        name = self._working_container(image)
        log = self._logs / name
        with (
            (log.with_suffix(".out")).open("wb") as out,
            (log.with_suffix(".err")).open("wb") as err,
        ):
            process = subprocess.Popen(
                [self.tool, "run", "--network", "host", name, "--", *argv],
                stdout=out,
                stderr=err,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        self._processes[name] = (process, log)
        return name

    def host_port(self, container: str, port: int) -> int:
        return port  # the host's own network

    def state(self, container: str) -> ContainerState:
        process, _ = self._processes[container]
        status = process.poll()
        return ContainerState(status is None, status or 0, "")

    def logs(self, container: str) -> Completed:
        _, log = self._processes[container]
        return Completed(0, _text(log.with_suffix(".out")), _text(log.with_suffix(".err")))

    def exec(self, container: str, argv: Sequence[str], timeout: float) -> Completed:
        return self.call("run", "--network", "host", container, "--", *argv, timeout=timeout)

    def run_once(
        self,
        image: str,
        argv: Sequence[str],
        *,
        entrypoint: bool,
        env: Sequence[tuple[str, str]] = (),
        timeout: float,
    ) -> Completed:
        command = list(argv)
        if not entrypoint:
            command = [str(word) for word in self.image_config(image).get("Entrypoint") or []]
            command += list(argv)
        name = self._working_container(image)
        options = [word for key, value in env for word in ("--env", f"{key}={value}")]
        try:
            return self.call(
                "run", "--network", "host", *options, name, "--", *command, timeout=timeout
            )
        except ToolTimeout:
            return Completed(-1, "", f"did not finish within {timeout:.0f} s")
        finally:
            self.remove(name)

    def create(self, image: str) -> str:
        return self._working_container(image)

    @contextlib.contextmanager
    def copy_out(self, container: str, path: str) -> Iterator[IO[bytes]]:
        root = self.call("mount", container, check=True).stdout.strip()
        yield member_tar(root, path)

    def remove(self, container: str) -> None:
        entry = self._processes.pop(container, None)
        if entry is not None:
            _stop(entry[0])
        self.call("rm", container, timeout=120)

    def cleanup(self) -> None:
        for container in list(self.containers):
            self.remove(container)
        self.containers.clear()
        listed = self.call("containers", "--quiet", "--filter", f"name={self.run_id}")
        for container in listed.stdout.split():
            self.call("rm", container, timeout=120)
        for image in self.loaded_images:
            self.call("rmi", image, timeout=120)
        self.loaded_images.clear()
        subprocess.run(["rm", "-rf", str(self._logs)], check=False)


def _text(path: Path) -> str:
    return path.read_bytes().decode("utf-8", "replace")


def _stop(process: subprocess.Popen[bytes]) -> None:
    """The entry point and all it started: its process group."""
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=30)
