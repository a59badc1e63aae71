"""`slimage init` on a Python project whose requirements build from source (psycopg2):
the generated build stage installs the compiler and libpq's headers, the runtime libpq5,
and the image answers. Built with buildah on a stand-in for python:<v>-slim that, like the
official images, carries Python's C headers (tests/support/standins.py)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from support.standins import ensure_standin, standin_store

# Its build once waited without end on buildah's apt cache-mount lock: buildah before 1.29
# releases only the last locked cache mount of a RUN, and the runtime stage's apt RUN
# mounted the one the build stage's left locked. Only /var/lib/apt is locked now.
pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.timeout(900)]

SAMPLE = Path(__file__).parent.parent / "data" / "rewrite" / "python-pg"


def test_init_builds_psycopg2_from_source(tmp_path: Path) -> None:
    buildah = standin_store()
    python = ensure_standin(buildah, "python-slim-headers")
    project = tmp_path / "app"
    project.mkdir()
    for name in ("app.py", "requirements.txt"):
        shutil.copy(SAMPLE / name, project / name)
    done = subprocess.run(
        [sys.executable, "-m", "slimage", "init", str(project), "--base-image", f"python={python}"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    text = (project / "Dockerfile").read_text()
    assert "gcc libpq-dev" in text and "libpq5" in text
    tag = "localhost/slimage-init-test/python-psycopg2:latest"
    buildah.build(project, tag, layers=False)
    try:
        assert buildah.http_answer(tag, 8000) == "hello from flask, psycopg2 2.9.10\n"
    finally:
        buildah.remove_image(tag)
