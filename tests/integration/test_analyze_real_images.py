"""slimage analyze on real images built by buildah: three formats, exact hidden bytes.

The fat image leaves apt lists and .deb archives, copies a .git directory, then deletes
a file and a directory, overwrites a file and recreates a directory in later layers.
Every hidden byte is predicted from the files this test writes.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest

from slimage.analysis.result import AnalysisResult, analyze_image
from slimage.image.open import open_image
from slimage.report.analysis_json import analysis_document
from support.buildah import FORMATS, BuildahSession
from support.buildah_fixtures import base_image, buildah_session  # noqa: F401
from support.dive import run_dive

pytestmark = [pytest.mark.integration, pytest.mark.slow]

_random = random.Random(4)
BIG = _random.randbytes(300_000)
DIR_FILES = {"data/dir/a": _random.randbytes(1234), "data/dir/sub/b": _random.randbytes(4321)}
KEEP = b"the original content of keep.txt\n"
OPQ_OLD = _random.randbytes(777)
GIT = {
    "repo/.git/HEAD": b"ref: refs/heads/main\n",
    "repo/.git/config": b"[core]\n\trepositoryformatversion = 0\n",
    "repo/.git/objects/pack/pack-1.pack": _random.randbytes(50_000),
    "repo/main.py": b"print('hello')\n",
}
FILES: dict[str, bytes] = {
    "data/big.bin": BIG,
    **DIR_FILES,
    "data/keep.txt": KEEP,
    "data/opq/old": OPQ_OLD,
    **GIT,
}

DOCKERFILE = """\
FROM {base}
RUN apt-get update && apt-get install -y --no-install-recommends file
COPY data/ /data/
COPY repo/ /app/
RUN rm /data/big.bin
RUN rm -rf /data/dir
RUN printf overwritten > /data/keep.txt
RUN rm -rf /data/opq && mkdir /data/opq && echo new > /data/opq/new
"""
APT, COPY_DATA, COPY_REPO, RM_FILE, RM_DIR, OVERWRITE, RECREATE = range(1, 8)


@pytest.fixture(scope="module")
def fat_exports(buildah_session: BuildahSession) -> dict[str, Path]:  # noqa: F811
    image = buildah_session.build_dockerfile(DOCKERFILE, FILES)
    return {fmt: buildah_session.export_as(image, fmt) for fmt in FORMATS}


@pytest.fixture(scope="module")
def results(fat_exports: dict[str, Path]) -> dict[str, AnalysisResult]:
    references = {
        "docker-archive": f"docker-archive:{fat_exports['docker-archive']}",
        "oci-archive": f"oci-archive:{fat_exports['oci-archive']}",
        "oci": f"oci:{fat_exports['oci']}",
    }
    return {fmt: analyze_image(open_image(reference)) for fmt, reference in references.items()}


def comparable(result: AnalysisResult) -> dict[str, Any]:
    document = analysis_document(result)
    del document["image"]["source"]
    document["summary"].pop("compressed_bytes")
    for layer in document["layers"]:
        for key in ("digest", "media_type", "compressed_bytes"):
            layer.pop(key)
    return document


def test_three_formats_agree(results: dict[str, AnalysisResult]) -> None:
    reference = comparable(results["docker-archive"])
    assert comparable(results["oci-archive"]) == reference
    assert comparable(results["oci"]) == reference
    assert reference["image"]["layer_count"] == 8


def test_hidden_bytes_are_what_the_build_did(results: dict[str, AnalysisResult]) -> None:
    result = results["oci"]
    layers = result.layers.layers
    assert layers[COPY_DATA].content_bytes == sum(
        len(data) for path, data in FILES.items() if path.startswith("data/")
    )
    assert layers[RM_FILE].hides_bytes == len(BIG)
    assert layers[RM_DIR].hides_bytes == sum(len(data) for data in DIR_FILES.values())
    assert layers[OVERWRITE].hides_bytes == len(KEEP)
    assert layers[RECREATE].hides_bytes == len(OPQ_OLD)
    by_path = {item.path: item for item in result.layers.hidden_items}
    assert by_path["data/big.bin"].cause == "deleted_file"
    assert by_path["data/dir"].cause == "deleted_dir"
    assert by_path["data/dir"].size == sum(len(data) for data in DIR_FILES.values())
    assert by_path["data/keep.txt"].cause == "overwritten"
    # buildah writes `.wh.old` (a file whiteout) or an opaque directory: either is exact.
    recreated = by_path.get("data/opq/old") or by_path["data/opq/"]
    assert recreated.size == len(OPQ_OLD) and recreated.by_layer == RECREATE
    files = result.layers.files
    assert files["data/keep.txt"].size == len(b"overwritten")
    assert "data/big.bin" not in files and "data/dir" not in files
    assert files["data/opq/new"].size == 4
    assert result.layers.content_bytes == result.layers.final_bytes + result.layers.hidden_bytes


def test_waste_classes_see_the_caches_and_the_git_dir(results: dict[str, AnalysisResult]) -> None:
    classes = results["docker-archive"].explanation.classes
    git_bytes = sum(len(data) for path, data in GIT.items() if "/.git/" in path)
    assert classes["vcs"] == git_bytes
    assert classes["package-cache"] > 1_000_000  # apt lists and the .deb archives
    assert results["docker-archive"].layers.layers[APT].created_by is not None
    assert "apt-get" in (results["docker-archive"].layers.layers[APT].created_by or "")


def test_dive_agrees_on_its_own_numbers(
    fat_exports: dict[str, Path], results: dict[str, AnalysisResult], tmp_path: Path
) -> None:
    efficiency, wasted, user_fraction = run_dive(fat_exports["docker-archive"], tmp_path)
    ours = results["docker-archive"].layers.dive
    assert ours.wasted_bytes == wasted
    assert ours.efficiency == pytest.approx(efficiency, abs=1e-12)
    if user_fraction is not None:
        assert ours.user_wasted_fraction == pytest.approx(user_fraction, abs=1e-12)
