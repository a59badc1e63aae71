"""``rewrite --verify`` without a builder: the options it refuses before anything is read
or built, the probes it derives from the original image, and a machine with no builder.
The builds, runs and diffs themselves are tests/integration/test_rewrite_verify.py."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from slimage.rewrite.prove import _derived_probes, _image_name
from slimage.verify.model import HttpProbe
from support.images import make_layer, write_docker_archive

DATA = Path(__file__).parent.parent / "data" / "rewrite"


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "slimage", "rewrite", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("--http", ":8080/"), "--http: only with --verify"),
        (("--cmd", "true", "--builder", "podman"), "--cmd, --builder: only with --verify"),
        (("--verify", "--builder", "kaniko"), "--builder: 'kaniko' is not one of"),
        (("--verify", "--http", "web"), "--http: 'web' is not :PORT/PATH[=STATUS]"),
        (("--verify", "--timeout", "0"), "--timeout must be more than 0 seconds"),
        (("--verify", "--expect-stdout", "("), "--expect-stdout: '('"),
    ],
)
def test_proof_options_are_checked_before_anything_runs(
    tmp_path: Path, args: tuple[str, ...], words: str
) -> None:
    project = tmp_path / "go"
    shutil.copytree(DATA / "go", project)
    done = _cli(str(project), "--write", *args)
    assert done.returncode == 2, done.stderr
    assert done.stderr.count("\n") == 1 and words in done.stderr
    assert done.stdout == ""
    assert (project / "Dockerfile").read_text() == (DATA / "go" / "Dockerfile").read_text()
    assert not (project / ".dockerignore").exists()


def test_no_builder_is_exit_5_and_nothing_written(tmp_path: Path) -> None:
    project = tmp_path / "go"
    shutil.copytree(DATA / "go", project)
    bare = tmp_path / "bin"
    bare.mkdir()
    env = {**os.environ, "PATH": str(bare)}
    done = _cli(str(project), "--verify", "--write", "--builder", "buildah", env=env)
    assert done.returncode == 5, done.stderr
    assert done.stderr.strip().splitlines()[-1] == (
        "slimage: error: --builder buildah: buildah is not installed"
    )
    assert (project / "Dockerfile").read_text() == (DATA / "go" / "Dockerfile").read_text()
    assert not (project / ".dockerignore").exists()


def test_probes_are_derived_from_the_ports_the_original_exposes(tmp_path: Path) -> None:
    archive = write_docker_archive(
        tmp_path / "app.tar",
        [make_layer([("file", "app/server", b"\x7fELF")])],
        config_body={"ExposedPorts": {"9000": {}, "8080/tcp": {}, "53/udp": {}, "x/tcp": {}}},
    )
    probes = _derived_probes(str(archive))
    assert probes == (HttpProbe(8080, "/", any_status=True), HttpProbe(9000, "/", any_status=True))
    assert [str(probe) for probe in probes] == [":8080/", ":9000/"]


def test_no_exposed_port_means_no_probe(tmp_path: Path) -> None:
    archive = write_docker_archive(
        tmp_path / "job.tar",
        [make_layer([("file", "job", b"#!/bin/sh\n")])],
        config_body={"User": "app", "Cmd": ["/job"]},
    )
    assert _derived_probes(str(archive)) == ()


@pytest.mark.parametrize(
    ("name", "expected"),
    [("go-app", "go-app"), ("My App!", "my-app"), ("...", "app"), ("svc_2.v1", "svc_2.v1")],
)
def test_image_names_are_valid_repository_paths(tmp_path: Path, name: str, expected: str) -> None:
    directory = tmp_path / name
    directory.mkdir()
    assert _image_name(directory) == expected
