"""``slimage rewrite --verify``: the whole loop in one command, with real builders.

The fat Go sample (tests/data/rewrite/go, its base the golang stand-in of
tests/support/standins.py) is rewritten, both files are built with buildah, both images
run with podman and are asked the probe derived from the original's ``EXPOSE 8080``, the
two are diffed, and only then ``--write`` replaces the Dockerfile. A probe both images
fail makes the proof fail: exit 1 and nothing written. Every run goes through the real
CLI in a subprocess; no container may be left behind.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from slimage.report.schemas import load_schema
from support.container_store import store_env
from support.standins import ensure_standin, standin_store

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.timeout(3600)]

SLIMAGE = str(Path(sys.executable).with_name("slimage"))
SAMPLE = Path(__file__).parent.parent / "data" / "rewrite" / "go"
TAGS = ("before", "after")


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """buildah and podman pointed at the stand-in store, where the golang base is (the
    full one, as test_rewrite_builds.py uses: the sample's `go vet` needs gcc)."""
    cache = standin_store()
    directory = tmp_path_factory.mktemp("rewrite-verify-conf")
    environment = store_env(directory, cache.root / "storage", cache.root / "run")
    environment["SLIMAGE_TEST_GOLANG"] = ensure_standin(cache, "golang-full")
    yield environment
    for tag in TAGS:
        subprocess.run(
            ["buildah", "rmi", "-f", f"localhost/slimage-rewrite/go-app:{tag}"],
            env=environment,
            capture_output=True,
            check=False,
        )


@pytest.fixture()
def project(tmp_path: Path, env: dict[str, str]) -> Path:
    directory = tmp_path / "go-app"
    shutil.copytree(SAMPLE, directory)
    dockerfile = directory / "Dockerfile"
    text = dockerfile.read_text()
    dockerfile.write_text(
        re.sub(r"(?m)^FROM golang:1\.22$", f"FROM {env['SLIMAGE_TEST_GOLANG']}", text)
    )
    return directory


def rewrite(env: dict[str, str], project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [SLIMAGE, "rewrite", str(project), "--runtime", "scratch", "--verify", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=3000,
        check=False,
    )


def containers(env: dict[str, str]) -> list[str]:
    done = subprocess.run(
        ["podman", "ps", "-a", "--format", "{{.Names}}"],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    return done.stdout.split()


def refused_when_a_probe_fails(env: dict[str, str], project: Path) -> None:
    """Both images answer 200 where 404 is required: the proof fails, exit 1, the
    Dockerfile untouched."""
    original = (project / "Dockerfile").read_text()
    done = rewrite(
        env, project, "--builder", "buildah", "--write", "--http", ":8080/=404", "--timeout", "120"
    )
    assert done.returncode == 1, done.stderr[-3000:]
    assert "proof FAILED: the rewrite does not answer like the original" in done.stderr
    # The probe fails on both (status 200 where 404 is required; on a loaded machine
    # it has also been seen as no answer within the timeout).
    failed = [line for line in done.stderr.splitlines() if line.startswith("FAIL  ")]
    assert failed and all("GET :8080/=404" in line for line in failed), done.stderr[-3000:]
    assert "not written: the proof failed" in done.stderr
    assert done.stdout == ""  # --write prints no file
    assert (project / "Dockerfile").read_text() == original
    assert not (project / ".dockerignore").exists()
    assert containers(env) == []


def test_verify_builds_both_proves_and_only_then_writes(env: dict[str, str], project: Path) -> None:
    """First a probe both images fail (nothing written), then the proof that passes on
    the same project: the second builds come from the builder's layer cache."""
    refused_when_a_probe_fails(env, project)
    original = (project / "Dockerfile").read_text()
    done = rewrite(env, project, "--builder", "buildah", "--write", "--format", "json")
    assert done.returncode == 0, done.stderr[-3000:]
    document: dict[str, Any] = json.loads(done.stdout)
    jsonschema.Draft202012Validator(load_schema("rewrite")).validate(document)
    proof = document["proof"]
    assert proof["passed"] is True and proof["failure"] is None
    assert [b["dockerfile"] for b in proof["builds"]] == ["original", "rewritten"]
    assert all(b["builder"] == "buildah" and b["seconds"] > 0 for b in proof["builds"])
    # The probe comes from the original's EXPOSE 8080, and both gave the same answer.
    assert proof["probes"] == [":8080/"] and proof["probes_derived"] is True
    jsonschema.Draft202012Validator(load_schema("verify")).validate(proof["verify"])
    checks = proof["verify"]["checks"]
    like = [c for c in checks if c["kind"] == "like"]
    assert len(like) == 1 and like[0]["passed"], checks
    assert like[0]["reason"] == "same status 200 and output"
    assert all(c["passed"] for c in checks)
    # The diff: the rewrite is the binary on scratch, the original the whole SDK.
    diff = proof["diff"]
    jsonschema.Draft202012Validator(load_schema("diff")).validate(diff)
    before, after = diff["before"]["size_bytes"], diff["after"]["size_bytes"]
    assert before > 300_000_000 and after < 20_000_000, (before, after)
    assert diff["before"]["source"] == "containers-storage:localhost/slimage-rewrite/go-app:before"
    # Proven, so written: the new file, and a .dockerignore for it.
    written = (project / "Dockerfile").read_text()
    assert written == document["dockerfile"] != original
    assert re.findall(r"(?m)^FROM\s+(\S+)", written)[-1] == "scratch"
    assert (project / ".dockerignore").is_file()
    assert containers(env) == []


def test_the_original_must_build_first(env: dict[str, str], project: Path) -> None:
    """A Dockerfile whose base does not exist: exit 5, naming the original."""
    dockerfile = project / "Dockerfile"
    dockerfile.write_text(
        dockerfile.read_text().replace(env["SLIMAGE_TEST_GOLANG"], "localhost/no/such-golang:1")
    )
    done = rewrite(env, project, "--builder", "buildah")
    assert done.returncode == 5, done.stderr[-3000:]
    last = done.stderr.strip().splitlines()[-1]
    assert "the original does not build" in last and str(dockerfile) in last
    assert containers(env) == []
