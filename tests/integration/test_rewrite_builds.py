"""`slimage rewrite` proven by building: the fat original and its rewrite, side by side.

Each fat Dockerfile of tests/data/rewrite/ (a small real app answering HTTP) is built as
written and as `slimage rewrite` writes it, with buildah. Official images cannot be pulled
here, so both get local stand-ins (tests/support/standins.py): the full language images
are Debian with buildpack-deps's compilers and headers plus the language's packages (as
the official full images are built), the slim runtimes Debian minbase with the runtime
alone. Both images are started with their own entry points and must answer the same HTTP
probe with the same body; the rewrite must be much smaller, and carry no toolchain.

The interpreted and JVM samples also have a ``Dockerfile.handtuned``: the multi-stage file
an expert would write by hand for the same app, on the same official images as the
rewrite's stages. It is built on the same stand-ins, must answer the same body, and the
rewrite must be at most 10 % bigger than it (issue 12's "as small as a hand-tuned
multi-stage image"): on the stand-ins that is the fair yardstick, as both share the base.

The stand-ins' base (Debian minbase, 180 MB) is heavier than the official slim images'
(debian:bookworm-slim is 75 MB), so the interpreted stacks' ratios are stated per case
below; docs/rewrite.md records the measured sizes.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from support.buildah import Buildah
from support.standins import ensure_standin, standin_store

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.timeout(3600)]

DATA = Path(__file__).parent.parent / "data" / "rewrite"


@dataclass(frozen=True)
class Case:
    name: str
    port: int
    answer: str
    original: dict[str, str]  # FROM reference of the fat file -> stand-in key
    rewritten: dict[str, str]  # image reference in the rewrite -> stand-in key
    args: tuple[str, ...] = ()
    # FROM reference of Dockerfile.handtuned -> stand-in key; empty: no hand-tuned file.
    handtuned: dict[str, str] = field(default_factory=dict)
    # The rewrite is at most this fraction of the original's size.
    max_ratio: float = 0.2
    env: dict[str, str] = field(default_factory=dict)


CASES = {
    case.name: case
    for case in (
        Case(
            "go",
            8080,
            "hello from go\n",
            {"golang:1.22": "golang-full"},
            {"golang:1.22": "golang-full"},
            ("--runtime", "scratch"),
            max_ratio=0.02,
        ),
        Case(
            "go-multistage",
            8080,
            "hello from go\n",
            {"golang:1.22": "golang-full"},
            {"golang:1.22": "golang-full"},
            ("--runtime", "scratch"),
            max_ratio=0.02,
        ),
        Case(
            "node-ts",
            3000,
            "hello from node-ts, 1m\n",
            {"node:20": "node-full"},
            {"node:20": "node-full", "node:20-slim": "node-slim"},
            handtuned={"node:20": "node-full", "node:20-slim": "node-slim"},
            max_ratio=0.35,
        ),
        Case(
            "node-apt",
            3000,
            "hello from node-apt, 1m\n",
            {"debian:bookworm": "debian-node-ca"},
            {"debian:bookworm": "debian-node-ca", "debian:bookworm-slim": "debian-node-ca"},
            handtuned={
                "debian:bookworm": "debian-node-ca",
                "debian:bookworm-slim": "debian-node-ca",
            },
            max_ratio=0.25,
        ),
        Case(
            "python-pg",
            8000,
            "hello from flask, psycopg2 2.9.10\n",
            {"python:3.12": "python-full"},
            {"python:3.12": "python-full", "python:3.12-slim": "python"},
            handtuned={"python:3.12": "python-full", "python:3.12-slim": "python"},
            max_ratio=0.35,
        ),
        Case(
            "rust",
            8080,
            "hello from rust\n",
            {"rust:1.80": "rust-full"},
            {"rust:1.80": "rust-full"},
            ("--runtime", "scratch"),
            max_ratio=0.02,
        ),
        Case(
            "java-maven",
            8080,
            "hello from java\n",
            {"maven:3.9-eclipse-temurin-17": "maven"},
            {"maven:3.9-eclipse-temurin-17": "maven", "eclipse-temurin:17-jre": "jre"},
            handtuned={"maven:3.9-eclipse-temurin-17": "maven", "eclipse-temurin:17-jre": "jre"},
            max_ratio=0.75,
        ),
        Case(
            "java-javac",
            8080,
            "hello from javac\n",
            {"eclipse-temurin:17-jdk": "jdk"},
            {"eclipse-temurin:17-jdk": "jdk", "eclipse-temurin:17-jre": "jre"},
            handtuned={"eclipse-temurin:17-jdk": "jdk", "eclipse-temurin:17-jre": "jre"},
            max_ratio=0.9,
        ),
    )
}


@dataclass(frozen=True)
class Built:
    fat: str
    slim: str
    text: str  # the rewrite


@pytest.fixture(scope="module")
def buildah() -> Iterator[Buildah]:
    store = standin_store()
    yield store
    for built in _built.values():
        store.remove_image(built.slim)
        store.remove_image(built.fat)
    for image in _handtuned.values():
        store.remove_image(image)


_built: dict[str, Built] = {}
_handtuned: dict[str, str] = {}
_summaries: dict[str, dict[str, Any]] = {}


def _with_standins(buildah: Buildah, dockerfile: str, standins: dict[str, str]) -> str:
    """``dockerfile`` with each FROM reference of ``standins`` replaced by its stand-in."""
    names = {ref: ensure_standin(buildah, key) for ref, key in standins.items()}
    return re.sub(
        r"(?m)^(FROM\s+)(\S+)",
        lambda m: m.group(1) + names.get(m.group(2), m.group(2)),
        dockerfile,
    )


def _build_pair(buildah: Buildah, case: Case, tmp_root: Path) -> Built:
    """Build the original and the rewrite once per session."""
    if case.name in _built:
        return _built[case.name]
    project = tmp_root / case.name
    shutil.copytree(DATA / case.name, project)
    original = (project / "Dockerfile").read_text()
    (project / "Dockerfile.fat").write_text(_with_standins(buildah, original, case.original))
    overrides = [
        arg
        for ref, key in case.rewritten.items()
        for arg in ("--base-image", f"{ref}={ensure_standin(buildah, key)}")
    ]
    result = subprocess.run(
        [sys.executable, "-m", "slimage", "rewrite", str(project), *case.args, *overrides],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    (project / "Dockerfile.slim").write_text(result.stdout)
    fat_tag = f"localhost/slimage-rewrite-test/{case.name}-fat:latest"
    slim_tag = f"localhost/slimage-rewrite-test/{case.name}-slim:latest"
    buildah.build(project, fat_tag, layers=False, dockerfile=project / "Dockerfile.fat")
    buildah.build(project, slim_tag, layers=False, dockerfile=project / "Dockerfile.slim")
    _built[case.name] = Built(fat_tag, slim_tag, result.stdout)
    return _built[case.name]


def _build_handtuned(buildah: Buildah, case: Case, tmp_root: Path) -> str:
    """Build the case's Dockerfile.handtuned on the stand-ins once per session."""
    if case.name in _handtuned:
        return _handtuned[case.name]
    project = tmp_root / case.name
    shutil.copytree(DATA / case.name, project)
    text = (project / "Dockerfile.handtuned").read_text()
    (project / "Dockerfile.tuned").write_text(_with_standins(buildah, text, case.handtuned))
    tag = f"localhost/slimage-rewrite-test/{case.name}-handtuned:latest"
    buildah.build(project, tag, layers=False, dockerfile=project / "Dockerfile.tuned")
    _handtuned[case.name] = tag
    return tag


def _summary(buildah: Buildah, image: str, tmp_path: Path) -> dict[str, Any]:
    """The ``summary`` of ``analyze``'s report on ``image``, once per session."""
    if image not in _summaries:
        _summaries[image] = _analyze(buildah, image, tmp_path)["summary"]
    return _summaries[image]


def _analyze(buildah: Buildah, image: str, tmp_path: Path) -> dict[str, Any]:
    archive = tmp_path / (image.rsplit("/", 1)[1].replace(":", "_") + ".tar")
    buildah.push(image, f"docker-archive:{archive}")
    result = subprocess.run(
        [sys.executable, "-m", "slimage", "analyze", str(archive), "--format", "json"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    archive.unlink()
    assert result.returncode == 0, result.stderr
    report: dict[str, Any] = json.loads(result.stdout)
    return report


def _answer(buildah: Buildah, image: str, case: Case) -> str:
    """The HTTP answer; asked twice, as a 1 GB image on a loaded machine may start slowly."""
    try:
        return buildah.http_answer(image, case.port, case.env)
    except AssertionError:
        return buildah.http_answer(image, case.port, case.env)


@pytest.mark.parametrize("name", list(CASES))
def test_rewrite_answers_like_the_original_and_is_small(
    buildah: Buildah, tmp_path_factory: pytest.TempPathFactory, name: str
) -> None:
    case = CASES[name]
    tmp = tmp_path_factory.mktemp(name)
    built = _build_pair(buildah, case, tmp)
    fat, slim, text = built.fat, built.slim, built.text
    assert _answer(buildah, slim, case) == case.answer
    assert _answer(buildah, fat, case) == case.answer
    user = str(buildah.config(slim).get("User") or "")
    assert user and user.split(":")[0] not in ("root", "0"), "the rewrite runs as non-root"
    before = _summary(buildah, fat, tmp)
    after = _summary(buildah, slim, tmp)
    ratio = after["final_bytes"] / before["final_bytes"]
    print(f"{name}: {before['final_bytes']} -> {after['final_bytes']} ({ratio:.3f})")
    assert ratio <= case.max_ratio, (before["final_bytes"], after["final_bytes"])
    # No compiler, headers or dev dependencies on top of the runtime base.
    runtime = re.findall(r"(?m)^FROM\s+(\S+)", text)[-1]
    base = {} if runtime == "scratch" else _summary(buildah, runtime, tmp)["classes"]
    for cause in ("build-toolchain", "dev-dependencies"):
        added = after["classes"].get(cause, 0) - base.get(cause, 0)
        assert added <= 1_000_000, (cause, after["classes"], base)


@pytest.mark.parametrize("name", ["go", "rust"])
def test_compiled_rewrite_is_about_its_binary(
    buildah: Buildah, tmp_path_factory: pytest.TempPathFactory, name: str
) -> None:
    """Go and Rust on scratch: the image is the binary, within 2x of its size."""
    case = CASES[name]
    tmp = tmp_path_factory.mktemp(name + "-bin")
    slim = _build_pair(buildah, case, tmp).slim
    report = _analyze(buildah, slim, tmp)
    files = [f for layer in report["layers"] for f in layer["biggest_files"]]
    binary = max(f["bytes"] for f in files)
    assert binary > 100_000
    assert report["summary"]["final_bytes"] <= 2 * binary


@pytest.mark.parametrize("name", [name for name, case in CASES.items() if case.handtuned])
def test_rewrite_is_as_small_as_a_handtuned_multistage_image(
    buildah: Buildah, tmp_path_factory: pytest.TempPathFactory, name: str
) -> None:
    """Issue 12: the rewrite within 10 % of what an expert writes by hand for the same app,
    on the same stand-ins (tests/data/rewrite/*/Dockerfile.handtuned)."""
    case = CASES[name]
    built = _build_pair(buildah, case, tmp_path_factory.mktemp(name))
    tuned = _build_handtuned(buildah, case, tmp_path_factory.mktemp(name + "-handtuned"))
    assert _answer(buildah, tuned, case) == case.answer
    user = str(buildah.config(tuned).get("User") or "")
    assert user and user.split(":")[0] not in ("root", "0"), "the hand-tuned image is non-root"
    tmp = tmp_path_factory.mktemp(name + "-sizes")
    fat = _summary(buildah, built.fat, tmp)["final_bytes"]
    slim = _summary(buildah, built.slim, tmp)["final_bytes"]
    hand = _summary(buildah, tuned, tmp)["final_bytes"]
    print(
        f"{name}: fat {fat}, hand-tuned {hand} ({hand / fat:.3f}), "
        f"rewrite {slim} ({slim / fat:.3f}; {slim / hand:.3f} of the hand-tuned)"
    )
    assert slim <= 1.10 * hand, (fat, hand, slim)
