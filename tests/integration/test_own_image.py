"""slimage's own Dockerfile, built for real with buildah on stand-ins of its bases.

The build stage's ``python:3.11-slim-bookworm`` is the python stand-in (Debian 12's
Python 3.11); the runtime's ``gcr.io/distroless/python3-debian12:nonroot`` is a stand-in
made the way distroless is made: Debian 12's Python 3.11 and the libraries it links,
extracted without dpkg, apt, a shell's scripts or docs. The image runs
``slimage --version`` and ``slimage lint`` on a sample, as the non-root user, has no pip,
and stays under :data:`MAX_IMAGE_BYTES` uncompressed (measured: 95.5 MB).
"""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import sys
import tarfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from support.buildah import CACHE, PATH_ENV, Buildah, debian_rootfs
from support.standins import _lock, ensure_standin, standin_store

# The build copies the bases whole (vfs storage): minutes on a busy machine.
pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.timeout(2400)]

ROOT = Path(__file__).resolve().parents[2]
# Measured 95.5 MB (README.md, docs/docker.md): ~49 MB the Python runtime base, the rest
# slimage, its dependencies and their bytecode (73.8 MB before `audit` brought SQLAlchemy
# and PyYAML into the base install). The aim of 60 MB is not met; the limit
# keeps a margin for dependency updates and catches anything that bloats it.
MAX_IMAGE_BYTES = 100_000_000

# What distroless's python3-debian12 holds: Python 3.11 and its standard library with
# the shared libraries they need (apt resolves them), extracted, never installed; then,
# as distroless does, no docs, locales, dpkg database or the standard library's tests,
# and a passwd with the nonroot user.
DISTROLESS_PACKAGES = ("python3.11-minimal", "libpython3.11-stdlib")
DISTROLESS_DROP = (
    "usr/share/doc/",
    "usr/share/man/",
    "usr/share/info/",
    "usr/share/locale/",
    "usr/share/lintian/",
    "var/lib/dpkg/",
    "var/cache/",
    "var/lib/apt/",
    "usr/lib/python3.11/test/",
)
DISTROLESS_FILES = {
    "etc/passwd": b"root:x:0:0:root:/root:/sbin/nologin\n"
    b"nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n",
    "etc/group": b"root:x:0:\nnonroot:x:65532:\n",
}


def _distroless_rootfs(extracted: Path, output: Path) -> Path:
    """``extracted`` without what distroless leaves out, with its users and /tmp."""
    with tarfile.open(extracted) as source, tarfile.open(output, "w") as target:
        for member in source:
            name = member.name.removeprefix("./")
            if any((name + "/").startswith(drop) for drop in DISTROLESS_DROP):
                continue
            if name in DISTROLESS_FILES:
                continue
            target.addfile(member, source.extractfile(member) if member.isfile() else None)
        for name, data in DISTROLESS_FILES.items():
            info = tarfile.TarInfo(name)
            info.size, info.mode = len(data), 0o644
            target.addfile(info, io.BytesIO(data))
        for name, mode, owner in (("tmp", 0o1777, 0), ("home/nonroot", 0o700, 65532)):
            info = tarfile.TarInfo(name)
            info.type, info.mode, info.uid, info.gid = tarfile.DIRTYPE, mode, owner, owner
            target.addfile(info)
    return output


def ensure_distroless_python(buildah: Buildah) -> str:
    """The distroless python3 stand-in (built once, cached beside the other stand-ins)."""
    key = repr((DISTROLESS_PACKAGES, DISTROLESS_DROP, DISTROLESS_FILES)).encode()
    digest = hashlib.sha256(key).hexdigest()[:12]
    name = f"localhost/standin/distroless-python3:bookworm-{digest}"
    with _lock(CACHE / "distroless-python3.lock"):
        if buildah.exists(name):
            return name
        extracted = debian_rootfs(
            CACHE / f"distroless-python3-extract-{digest}.tar",
            DISTROLESS_PACKAGES,
            variant="extract",
        )
        rootfs = _distroless_rootfs(extracted, CACHE / f"distroless-python3-{digest}.tar")
        buildah.import_rootfs(rootfs, name, env=(PATH_ENV,), created_by="distroless stand-in")
        rootfs.unlink()
        extracted.unlink()
    return name


@pytest.fixture(scope="module")
def buildah() -> Buildah:
    return standin_store()


@pytest.fixture(scope="module")
def image(buildah: Buildah) -> Iterator[str]:
    build = ensure_standin(buildah, "python")
    runtime = ensure_distroless_python(buildah)
    tag = "localhost/slimage-test/slimage-own:latest"
    buildah(
        "bud",
        "--isolation",
        "chroot",
        # One commit per stage: with the vfs driver every layer is a full copy.
        "--layers=false",
        "-q",
        "--build-arg",
        f"BUILD_IMAGE={build}",
        "--build-arg",
        f"RUNTIME_IMAGE={runtime}",
        "-t",
        tag,
        str(ROOT),
    )
    try:
        yield tag
    finally:
        buildah.remove_image(tag)


def _run(
    buildah: Buildah,
    image: str,
    args: list[str],
    mounts: dict[Path, str] | None = None,
    entrypoint: list[str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """The image's ENTRYPOINT (or ``entrypoint``) with ``args``, as the image's USER."""
    if entrypoint is None:
        configured = buildah.config(image).get("Entrypoint") or []
        assert isinstance(configured, list)
        entrypoint = [str(word) for word in configured]
    container = buildah("from", "-q", image).strip()
    volumes = [f"--volume={host}:{inside}:ro" for host, inside in (mounts or {}).items()]
    try:
        command = [*buildah.base, "run", "--isolation", "chroot", *volumes, container, "--"]
        return subprocess.run(
            [*command, *entrypoint, *args],
            capture_output=True,
            text=True,
            timeout=300,
            env=buildah.env,
            check=False,
        )
    finally:
        buildah._quiet("rm", container)


def test_version_runs_as_non_root(buildah: Buildah, image: str) -> None:
    ran = _run(buildah, image, ["--version"])
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.startswith("slimage ")
    config = buildah.config(image)
    assert config.get("User") == "65532:65532"
    who = _run(
        buildah, image, ["-c", "import os; print(os.getuid())"], entrypoint=["/usr/bin/python3.11"]
    )
    assert who.stdout.strip() == "65532", who.stderr


def test_lint_a_sample_inside(buildah: Buildah, image: str) -> None:
    sample = ROOT / "examples" / "fat-node"
    ran = _run(buildah, image, ["lint", "/sample/Dockerfile"], {sample: "/sample"})
    assert ran.returncode == 1, ran.stderr  # findings
    assert "SL1009" in ran.stdout
    assert "Found " in ran.stdout


def test_image_is_small_and_has_no_pip_or_shell(
    buildah: Buildah, image: str, tmp_path: Path
) -> None:
    archive = buildah.export(image, "docker-archive", tmp_path / "slimage.tar")
    slimage = str(Path(sys.executable).with_name("slimage"))
    analyzed = subprocess.run(
        [slimage, "analyze", str(archive), "--format", "json"],
        capture_output=True,
        text=True,
        check=True,
    )
    report = json.loads(analyzed.stdout)
    uncompressed = sum(layer["uncompressed_bytes"] for layer in report["layers"])
    print(f"slimage image: {uncompressed} bytes uncompressed, {len(report['layers'])} layers")
    files = _final_paths(archive)
    assert not any(
        "/site-packages/pip/" in path or path.startswith("opt/slimage/pip/") for path in files
    )
    assert "bin/sh" not in files and "usr/bin/pip" not in files
    assert "opt/slimage/slimage/cli/__init__.py" in files
    assert uncompressed < MAX_IMAGE_BYTES, uncompressed


def _final_paths(archive: Path) -> set[str]:
    from slimage.analysis.result import analyze_image
    from slimage.image.open import open_image

    return set(analyze_image(open_image(str(archive))).layers.files)
