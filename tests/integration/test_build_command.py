"""``slimage build`` with real builders: buildah, podman, and the Docker Engine API that
``podman system service`` serves (through the Docker SDK), on a small python3 HTTP app
over the Debian stand-in; and the errors: a failing RUN step, a missing base image, a
builder that is not installed. Every build runs the real CLI in a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

import slimage
from support.container_store import PYTHON_BASE, ContainerStore
from support.container_store_fixtures import APP_PAGE

pytestmark = pytest.mark.integration

SLIMAGE = str(Path(sys.executable).with_name("slimage"))
SCHEMA = json.loads(
    (Path(slimage.__file__).parent / "report" / "schemas" / "build-v1.schema.json").read_text()
)
# Two stages, a build argument and a target: the label says which stage and value won.
DOCKERFILE = f"""FROM {PYTHON_BASE} AS app
ARG GREETING=unset
COPY index.html /srv/index.html
LABEL greeting=$GREETING stage=app
CMD ["python3", "-m", "http.server", "8000"]

FROM app AS other
LABEL stage=other
"""


@pytest.fixture(scope="module")
def context(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("build-context")
    (directory / "Dockerfile").write_text(DOCKERFILE)
    (directory / "index.html").write_text(APP_PAGE)
    return directory


def run_slimage(
    store: ContainerStore, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [SLIMAGE, *args],
        capture_output=True,
        text=True,
        env=env if env is not None else dict(store.env),
        timeout=1200,
        check=False,
    )


def labels(store: ContainerStore, image: str) -> dict[str, str]:
    """The image's labels, less the one buildah adds (io.buildah.version)."""
    data = json.loads(store.run("podman", "image", "inspect", image))
    found = dict(data[0]["Config"]["Labels"])
    found.pop("io.buildah.version", None)
    return found


@pytest.mark.parametrize("builder", ["buildah", "podman"])
def test_build_with_a_cli_builder_reports_the_analysis(
    container_store: ContainerStore, context: Path, builder: str
) -> None:
    tag = f"localhost/prove/built-{builder}:1"
    done = run_slimage(
        container_store,
        "build",
        str(context),
        "--builder",
        builder,
        "-t",
        tag,
        "--build-arg",
        "GREETING=hi",
        "--target",
        "app",
        "--format",
        "json",
    )
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    jsonschema.validate(document, SCHEMA)
    assert document["build"]["builder"] == builder
    assert document["build"]["tags"] == [tag]
    assert document["build"]["build_seconds"] > 0
    analysis = document["analysis"]
    assert analysis["image"]["source"] == f"containers-storage:{tag}"
    # The stand-in's one layer and the COPY (LABEL and CMD add no layer).
    assert analysis["image"]["layer_count"] == 2
    assert analysis["summary"]["content_bytes"] > 100_000_000
    # The builder's own progress went to stderr, step by step.
    assert "STEP 1/" in done.stderr
    assert labels(container_store, tag) == {"greeting": "hi", "stage": "app"}


def test_build_with_the_docker_engine_api(
    container_store: ContainerStore, context: Path, docker_host: str
) -> None:
    env = {**container_store.env, "DOCKER_HOST": docker_host}
    # No buildx here: the SDK's POST /build, served by podman.
    env["PATH"] = _path_without("docker", env["PATH"], container_store.directory)
    tag = "localhost/prove/built-docker:1"
    done = run_slimage(
        container_store, "build", str(context), "-t", tag, "--build-arg", "GREETING=api", env=env
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Built ")
    assert f"as {tag} with docker in" in done.stdout.splitlines()[0]
    assert f"docker-daemon:{tag}" in done.stdout
    assert "2 layers" in done.stdout
    # `auto` took the Engine API (the first that answers); the last stage was built.
    assert labels(container_store, tag) == {"greeting": "api", "stage": "other"}


def _path_without(tool: str, path: str, scratch: Path) -> str:
    """PATH with ``tool`` hidden: a directory of links to every other program."""
    hidden = scratch / f"path-without-{tool}"
    if not hidden.exists():
        hidden.mkdir()
        for directory in path.split(os.pathsep):
            if not os.path.isdir(directory):
                continue
            for entry in os.scandir(directory):
                target = hidden / entry.name
                if entry.name != tool and not target.exists():
                    target.symlink_to(entry.path)
    return str(hidden)


def _write_context(root: Path, name: str, dockerfile: str) -> Path:
    directory = root / name
    directory.mkdir()
    (directory / "Dockerfile").write_text(dockerfile)
    return directory


def test_a_failing_run_step_names_the_step_and_status(
    container_store: ContainerStore, tmp_path: Path
) -> None:
    context = _write_context(
        tmp_path, "failing", f"FROM {PYTHON_BASE}\nRUN echo about to fail && exit 7\n"
    )
    done = run_slimage(container_store, "build", "-q", "--builder", "buildah", str(context))
    assert done.returncode == 5
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    message = lines[0]
    assert message.startswith(
        "slimage: error: buildah build failed at STEP 2/2: RUN echo about to fail && exit 7 "
        "(exit status 7): "  # buildah passes the step's status on as its own
    )
    # The builder's last lines.
    assert message.endswith(
        'Error: building at STEP "RUN echo about to fail && exit 7": exit status 7'
    )
    assert done.stdout == ""
    # The failed step's working container is removed with it (--force-rm).
    assert container_store.working_containers() == []


def test_a_missing_base_image_is_a_clear_error(
    container_store: ContainerStore, tmp_path: Path
) -> None:
    context = _write_context(tmp_path, "missing", "FROM localhost:1/nope/missing:1\n")
    done = run_slimage(container_store, "build", "-q", "--builder", "podman", str(context))
    assert done.returncode == 5
    message = done.stderr.strip()
    assert "\n" not in message
    assert message.startswith(
        "slimage: error: podman build failed at STEP 1/1: FROM localhost:1/nope/missing:1"
    )
    assert "localhost:1/nope/missing" in message.split("):", 1)[1]


def test_a_builder_that_is_not_installed(container_store: ContainerStore, tmp_path: Path) -> None:
    context = _write_context(tmp_path, "any", f"FROM {PYTHON_BASE}\n")
    empty = tmp_path / "empty-path"
    empty.mkdir()
    env = {**container_store.env, "PATH": str(empty), "DOCKER_HOST": "unix:///nonexistent.sock"}
    done = run_slimage(container_store, "build", "--builder", "buildah", str(context), env=env)
    assert done.returncode == 5
    assert done.stderr == "slimage: error: --builder buildah: buildah is not installed\n"
    done = run_slimage(container_store, "build", str(context), env=env)
    assert done.returncode == 5
    assert done.stderr.startswith("slimage: error: no builder found: no Docker Engine API")
    assert "podman is not installed; buildah is not installed" in done.stderr
