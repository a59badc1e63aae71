"""The explorer's images: a small one whose three layers add, change and delete, and the
bundled fat sample (examples/make_sample_image.py), each analysed once per session."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from slimage.analysis.result import AnalysisResult
from slimage.api import analyze
from support.images import make_layer, write_docker_archive

KIB = 1024
ROOT = Path(__file__).resolve().parents[2]


def write_layered_image(path: Path) -> Path:
    """Layer 1 adds an app and apt lists; layer 2 overwrites the app's binary and adds a
    cache; layer 3 deletes the apt lists (a whiteout: the bytes stay hidden)."""
    layers = [
        make_layer(
            [
                ("dir", "usr"),
                ("dir", "usr/bin"),
                ("file", "usr/bin/app", b"a" * (40 * KIB)),
                ("file", "usr/share/doc/app/README", b"r" * (8 * KIB)),
                ("file", "var/lib/apt/lists/deb.debian.org_dists", b"l" * (300 * KIB)),
                ("file", "etc/os-release", b"ID=debian\n"),
            ]
        ),
        make_layer(
            [
                ("file", "usr/bin/app", b"b" * (50 * KIB)),
                ("file", "root/.cache/pip/wheel.whl", b"w" * (120 * KIB)),
            ]
        ),
        make_layer([("whiteout", "var/lib/apt/lists")]),
    ]
    history = [
        {"created_by": "/bin/sh -c #(nop) ADD file:abc in / "},
        {"created_by": "RUN /bin/sh -c pip install app # buildkit"},
        {"created_by": "RUN /bin/sh -c rm -rf /var/lib/apt/lists # buildkit"},
    ]
    return write_docker_archive(path, layers, history=history)


@pytest.fixture(scope="session")
def layered_result(tmp_path_factory: pytest.TempPathFactory) -> AnalysisResult:
    return analyze(str(write_layered_image(tmp_path_factory.mktemp("layered") / "img.tar")))


@pytest.fixture(scope="session")
def fat_sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("fat") / "fat-sample.tar"
    subprocess.run(
        [sys.executable, str(ROOT / "examples" / "make_sample_image.py"), str(path)], check=True
    )
    return path


@pytest.fixture(scope="session")
def fat_result(fat_sample: Path) -> AnalysisResult:
    return analyze(str(fat_sample))
