"""``slimage rewrite --verify``: the whole loop in one command, with real builders.

The Go sample's sources (tests/data/rewrite/go) with a fat single-stage Dockerfile on
the golang stand-in of tests/support/standins.py are rewritten, both files are built with
buildah, both images run with podman and are asked the probe derived from the original's
``EXPOSE 8080``, the two are diffed, and only then ``--write`` replaces the Dockerfile.
The stand-in is the slim Debian golang one, not the buildpack-deps one the sample's own
file needs (its `go vet` wants gcc): ``slimage build`` builds with ``--layers``, and on
the vfs store every step and every cached build copies the base's whole root (1.4 GB for
the full one: 13 minutes for this test). A probe both images
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
# The SDK, the sources and the build cache all ship, and the server runs as root. Debian
# 12's Go is 1.19, which wants gcc for cgo unless told not to; the stand-in has none.
FAT = """\
FROM {base}
ENV CGO_ENABLED=0
WORKDIR /app
COPY . .
RUN go build -o server .
EXPOSE 8080
CMD ["./server"]
"""


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """buildah and podman pointed at the stand-in store, where the golang base is."""
    cache = standin_store()
    directory = tmp_path_factory.mktemp("rewrite-verify-conf")
    environment = store_env(directory, cache.root / "storage", cache.root / "run")
    environment["SLIMAGE_TEST_GOLANG"] = ensure_standin(cache, "golang")
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
    (directory / "Dockerfile").write_text(FAT.format(base=env["SLIMAGE_TEST_GOLANG"]))
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
    # The probe fails on both, because each answers 200 (not for want of an answer).
    failed = [line for line in done.stderr.splitlines() if line.startswith("FAIL  ")]
    assert failed, done.stderr[-3000:]
    assert all("GET :8080/=404" in line and "status 200" in line for line in failed), failed
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
    assert done.returncode == 0, (done.stdout[-6000:], done.stderr[-2000:])
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
    assert before > 200_000_000 and after < 20_000_000, (before, after)
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
