"""podman's Docker-compatible Engine API on a private unix socket, for the tests.

`podman system service` with its own vfs storage under a tmp dir; images are put into
that storage with skopeo. The service stops when the fixture ends.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from support.tools import require_root, require_tool


@dataclass(frozen=True)
class Podman:
    socket: Path
    root: Path
    runroot: Path

    @property
    def docker_host(self) -> str:
        return f"unix://{self.socket}"

    @property
    def storage(self) -> str:
        """The containers-storage transport prefix for this private store."""
        return f"containers-storage:[vfs@{self.root}+{self.runroot}]"

    def load_oci(self, layout: Path, name: str) -> None:
        result = subprocess.run(
            ["skopeo", "copy", "--quiet", f"oci:{layout}", f"{self.storage}{name}"],
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, result.stderr


@contextlib.contextmanager
def run_podman_service(directory: Path) -> Iterator[Podman]:
    require_root()
    require_tool("podman")
    require_tool("skopeo")
    root, runroot, sock = directory / "root", directory / "run", directory / "podman.sock"
    command = [
        "podman",
        "--storage-driver",
        "vfs",
        "--root",
        str(root),
        "--runroot",
        str(runroot),
        "system",
        "service",
        "--time=0",
        f"unix://{sock}",
    ]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while not sock.exists():
            if process.poll() is not None or time.monotonic() > deadline:
                error = process.stderr.read().decode() if process.stderr else ""
                raise AssertionError(f"podman system service did not start: {error}")
            time.sleep(0.1)
        yield Podman(sock, root, runroot)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        with contextlib.suppress(OSError):
            os.unlink(sock)
