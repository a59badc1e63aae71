"""A real PostgreSQL server for the tests: Debian's postgresql, on a temporary data
directory, reached through a Unix socket only (no TCP port), stopped when the test ends.

PostgreSQL refuses to run as root, so the server runs as the ``postgres`` system user
(created by Debian's package) when the tests run as root.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

from support.tools import require_tool


def _bindir() -> Path | None:
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).resolve().parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    return Path(versions[-1]).parent if versions else None


@contextlib.contextmanager
def run_postgres() -> Iterator[str]:
    """Yield an SQLAlchemy URL (``postgresql://postgres@/postgres?host=SOCKET_DIR``)."""
    bindir = _bindir()
    if bindir is None:
        require_tool("pg_ctl")  # fails under CI, skips on a laptop
        raise AssertionError("unreachable")
    root = Path(tempfile.mkdtemp(prefix="slimage-pg-", dir="/tmp"))
    as_user: list[str] = []
    if os.geteuid() == 0:
        user = pwd.getpwnam("postgres")
        os.chown(root, user.pw_uid, user.pw_gid)
        as_user = ["runuser", "-u", "postgres", "--"]
    data, sockets = root / "data", root
    run = lambda *args: subprocess.run(  # noqa: E731
        [*as_user, *args], check=True, capture_output=True, text=True, timeout=120
    )
    try:
        run(str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8")
        run(
            str(bindir / "pg_ctl"), "-D", str(data), "-w", "-l", str(root / "server.log"),
            "-o", f"-c listen_addresses='' -k {sockets} -c max_connections=50", "start",
        )  # fmt: skip
        yield f"postgresql://postgres@/postgres?host={sockets}"
    finally:
        if (data / "postmaster.pid").exists():
            subprocess.run(
                [*as_user, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                capture_output=True,
                timeout=60,
            )
        shutil.rmtree(root, ignore_errors=True)
