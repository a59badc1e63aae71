"""A real Registry v2 (Debian's docker-registry) on 127.0.0.1 for the tests.

Started per test module on a free port, open or behind htpasswd basic auth; images are
pushed into it with skopeo from OCI layouts the tests write. It stops when the fixture
ends (and its storage is a tmp dir).
"""

from __future__ import annotations

import contextlib
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from support.tools import require_tool


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass(frozen=True)
class Registry:
    host: str  # "127.0.0.1:PORT"
    username: str | None = None
    password: str | None = None

    def push_oci(self, layout: Path, repository: str, tag: str = "latest") -> str:
        """Copy the OCI layout at ``layout`` into this registry; return the reference."""
        reference = f"{self.host}/{repository}:{tag}"
        command = ["skopeo", "copy", "--quiet", "--dest-tls-verify=false"]
        if self.username:
            command += ["--dest-creds", f"{self.username}:{self.password}"]
        command += [f"oci:{layout}", f"docker://{reference}"]
        result = subprocess.run(command, capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, result.stderr
        return reference


@contextlib.contextmanager
def run_registry(
    root: Path, *, htpasswd: tuple[str, str] | None = None, access_log: Path | None = None
) -> Iterator[Registry]:
    """``access_log``: where the registry writes its access log (one line a request, in
    the combined log format), for tests that count what a client fetched."""
    require_tool("docker-registry")
    require_tool("skopeo")
    port = free_port()
    config = [
        "version: 0.1",
        "log:",
        "  level: error",
        "  accesslog:",
        f"    disabled: {'false' if access_log else 'true'}",
        "storage:",
        "  filesystem:",
        f"    rootdirectory: {root / 'data'}",
        "  delete:",
        "    enabled: true",
        "http:",
        f"  addr: 127.0.0.1:{port}",
    ]
    if htpasswd is not None:
        require_tool("htpasswd")
        password_file = root / "htpasswd"
        result = subprocess.run(
            ["htpasswd", "-Bbn", *htpasswd], capture_output=True, text=True, check=True
        )
        password_file.write_text(result.stdout)
        config += ["auth:", "  htpasswd:", "    realm: slimage-test", f"    path: {password_file}"]
    config_path = root / "config.yml"
    config_path.write_text("\n".join(config) + "\n")
    log = access_log.open("ab") if access_log is not None else None
    # Its error log goes to a file: a pipe nobody reads fills up after a few hundred
    # "blob unknown" lines (every push asks for blobs first) and the registry then hangs.
    errors = (root / "registry-errors.log").open("wb")
    process = subprocess.Popen(
        ["docker-registry", "serve", str(config_path)],
        stdout=log if log is not None else subprocess.DEVNULL,
        stderr=errors,
    )
    try:
        _wait(port, process, root / "registry-errors.log")
        user, password = htpasswd if htpasswd else (None, None)
        yield Registry(f"127.0.0.1:{port}", user, password)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if log is not None:
            log.close()
        errors.close()


def _wait(port: int, process: subprocess.Popen[bytes], errors: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            error = errors.read_text(errors="replace")
            raise AssertionError(f"docker-registry exited: {error}")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/v2/", timeout=1)
            return
        except urllib.error.HTTPError:
            return  # 401 means it is up
        except OSError:
            time.sleep(0.1)
    raise AssertionError("docker-registry did not start within 30 s")
