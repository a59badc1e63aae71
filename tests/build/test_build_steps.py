"""The parts of ``slimage build`` that need no builder: following a builder's output to
the failing step, the options passed on, and choosing a back-end."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest

from slimage.build import BuildRequest, build_image, choose_builder
from slimage.build._cli import build_options
from slimage.build.docker import DockerBuilder
from slimage.build.steps import StepTracker
from slimage.errors import EXIT_TOOL, EXIT_USAGE, ToolError, UsageError

BUILDAH_FAILURE = """STEP 1/3: FROM debian:bookworm
STEP 2/3: RUN make
make: *** No rule to make target 'all'.  Stop.
error building at STEP "RUN make": exit status 2
"""


def test_a_buildah_failure_names_its_step_and_last_lines() -> None:
    progress = io.StringIO()
    tracker = StepTracker(progress)
    tracker.feed(BUILDAH_FAILURE)
    error = tracker.failure("buildah", 1)
    assert isinstance(error, ToolError)
    assert error.exit_code == EXIT_TOOL
    assert error.message == (
        "buildah build failed at STEP 2/3: RUN make (exit status 1): STEP 2/3: RUN make | "
        "make: *** No rule to make target 'all'.  Stop. | "
        'error building at STEP "RUN make": exit status 2'
    )
    assert progress.getvalue() == BUILDAH_FAILURE  # streamed as it came


@pytest.mark.parametrize(
    ("line", "step"),
    [
        ("Step 2/5 : RUN npm ci", "Step 2/5 : RUN npm ci"),
        ("#7 [build 3/4] RUN go build ./...", "#7 [build 3/4] RUN go build ./..."),
        ("STEP 4: COPY . .", "STEP 4: COPY . ."),
    ],
)
def test_each_builder_dialect_of_a_step(line: str, step: str) -> None:
    tracker = StepTracker(None)
    tracker.feed(f"noise\n{line}\nmore noise\n")
    assert tracker.step == step


def test_a_failure_before_any_step_says_so() -> None:
    tracker = StepTracker(None)
    error = tracker.failure("docker", "?", "Cannot locate specified Dockerfile: Dockerfile")
    assert error.message == (
        "docker build failed before its first step (exit status ?): "
        "Cannot locate specified Dockerfile: Dockerfile"
    )


def test_the_docker_api_error_event_ends_the_build() -> None:
    tracker = StepTracker(None)
    DockerBuilder._follow({"stream": "Step 2/2 : RUN false\n"}, tracker)
    with pytest.raises(ToolError) as raised:
        DockerBuilder._follow(
            {
                "error": "The command '/bin/sh -c false' returned a non-zero code: 1",
                "errorDetail": {
                    "code": 1,
                    "message": "The command '/bin/sh -c false' returned a non-zero code: 1",
                },
            },
            tracker,
        )
    assert raised.value.message == (
        "docker build failed at Step 2/2 : RUN false (exit status 1): "
        "The command '/bin/sh -c false' returned a non-zero code: 1"
    )
    assert DockerBuilder._follow({"aux": {"ID": "sha256:abc"}}, tracker) == "sha256:abc"


def test_options_are_passed_as_docker_build_takes_them() -> None:
    request = BuildRequest(
        context=Path("ctx"),
        dockerfile=Path("ctx/Dockerfile.prod"),
        tags=("app:1", "app:latest"),
        build_args=(("VERSION", "1.2"),),
        target="runtime",
        platform="linux/arm64",
    )
    assert build_options(request) == [
        "-f",
        "ctx/Dockerfile.prod",
        "-t",
        "app:1",
        "-t",
        "app:latest",
        "--build-arg",
        "VERSION=1.2",
        "--target",
        "runtime",
        "--platform",
        "linux/arm64",
    ]


def test_an_unknown_builder_is_a_usage_error() -> None:
    with pytest.raises(UsageError) as raised:
        choose_builder("kaniko")
    assert raised.value.exit_code == EXIT_USAGE
    assert "auto, docker, podman, buildah" in raised.value.message


def test_a_context_without_dockerfile_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="no such Dockerfile"):
        build_image(BuildRequest(context=tmp_path))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["build", "/nonexistent/context"], "the build context is not a directory"),
        (["build", ".", "--builder", "kaniko"], "--builder: 'kaniko' is not one of"),
        (["build", ".", "--format", "sarif"], "--format: 'sarif' is not one of text, json"),
        (["build", ".", "--build-arg", "=x"], "--build-arg: '=x' is not KEY=VALUE"),
    ],
)
def test_bad_build_options_are_usage_errors(args: list[str], message: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "slimage", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == EXIT_USAGE, done.stderr
    assert done.stderr.startswith("slimage: error: ")
    assert message in done.stderr
