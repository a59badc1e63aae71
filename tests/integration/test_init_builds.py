"""`slimage init` proven by building: generate, build with buildah, run, answer.

Official base images cannot be pulled here, so the generated Dockerfiles get local
stand-ins through `--base-image` (tests/support/standins.py). Java is not built: its
build tools need Maven Central or the Gradle plugin portal, which this machine cannot reach.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from support.standins import Buildah, buildah_session, ensure_standin

pytestmark = [pytest.mark.integration, pytest.mark.slow]

SAMPLES = Path(__file__).parent.parent / "data" / "samples"


@pytest.fixture(scope="module")
def buildah() -> Buildah:
    return buildah_session()


def _init(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "slimage", "init", str(project), *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


def _generate_and_build(
    buildah: Buildah, tmp_path: Path, sample: str, overrides: dict[str, str], *args: str
) -> str:
    project = tmp_path / sample
    shutil.copytree(SAMPLES / sample, project)
    # Junk the generated .dockerignore must keep out of the build context.
    (project / ".git").mkdir()
    (project / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (project / ".env").write_text("SECRET=do-not-ship\n")
    base_args = [a for k, v in overrides.items() for a in ("--base-image", f"{k}={v}")]
    result = _init(project, *base_args, *args)
    assert result.returncode == 0, result.stderr
    assert (project / ".dockerignore").is_file()
    tag = f"localhost/slimage-init-test/{sample}:latest"
    buildah.build(project, tag)
    return tag


def test_go_scratch_serves_http(buildah: Buildah, tmp_path: Path) -> None:
    golang = ensure_standin(buildah, "golang")
    image = _generate_and_build(
        buildah, tmp_path, "go-http", {"golang": golang}, "--runtime", "scratch"
    )
    try:
        assert buildah.http_answer(image, 8080) == "hello from go\n"
        config = buildah.config(image)
        assert config.get("User") == "65532:65532"
    finally:
        buildah.remove_image(image)


def test_node_npm_serves_http(buildah: Buildah, tmp_path: Path) -> None:
    node = ensure_standin(buildah, "node")
    image = _generate_and_build(buildah, tmp_path, "node-npm", {"node": node}, "--runtime", "slim")
    try:
        assert buildah.http_answer(image, 3000, {"PORT": "3000"}) == "hello from node, 1m\n"
    finally:
        buildah.remove_image(image)


def test_node_pnpm_serves_http(buildah: Buildah, tmp_path: Path) -> None:
    node = ensure_standin(buildah, "node")
    image = _generate_and_build(buildah, tmp_path, "node-pnpm", {"node": node}, "--runtime", "slim")
    try:
        assert buildah.http_answer(image, 3000) == "hello from node, 1m\n"
    finally:
        buildah.remove_image(image)


def test_python_pip_flask_serves_http(buildah: Buildah, tmp_path: Path) -> None:
    python = ensure_standin(buildah, "python")
    image = _generate_and_build(buildah, tmp_path, "python-pip", {"python": python})
    try:
        assert buildah.http_answer(image, 8000) == "hello from flask\n"
    finally:
        buildah.remove_image(image)


@pytest.mark.parametrize(
    ("sample", "expected"),
    [("python-uv", "hello from uv\n"), ("python-poetry", "hello from poetry\n")],
)
def test_python_cli_runs(buildah: Buildah, tmp_path: Path, sample: str, expected: str) -> None:
    python = ensure_standin(buildah, "python")
    image = _generate_and_build(buildah, tmp_path, sample, {"python": python})
    try:
        assert buildah.run_command(image) == expected
    finally:
        buildah.remove_image(image)


def test_rust_cli_runs(buildah: Buildah, tmp_path: Path) -> None:
    rust = ensure_standin(buildah, "rust")
    debian = ensure_standin(buildah, "debian")
    image = _generate_and_build(
        buildah,
        tmp_path,
        "rust-cli",
        {"rust": rust, "gcr.io/distroless/cc-debian12": debian},
    )
    try:
        assert buildah.run_command(image) == "hello from rust\n"
    finally:
        buildah.remove_image(image)
