"""The layer cache: a second analysis replays recorded layers and gets the same answer."""

from __future__ import annotations

import gzip
import json
import random
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from slimage.analysis.layer_cache import LayerCache
from slimage.analysis.layer_recording import CachedImage
from slimage.analysis.result import analyze_image
from slimage.image.model import Image
from slimage.image.registry import open_registry_image
from slimage.report.analysis_json import render_analysis_json
from support.fault_registry import FaultRegistry
from support.images import make_config, make_layer, sha256

_random = random.Random(11)
RAW = [
    make_layer(
        [
            ("file", "etc/os-release", b'PRETTY_NAME="Debian GNU/Linux 12"\nID=debian\n'),
            ("file", "var/lib/apt/lists/x_Packages", _random.randbytes(60_000)),
            ("file", "usr/bin/tool", _random.randbytes(90_000)),
            ("file", "usr/bin/tool-copy", b""),
            ("file", "tmp/gone", _random.randbytes(10_000)),
        ]
    ),
    make_layer(
        [
            ("whiteout", "tmp/gone"),
            ("file", "app/.env", b"AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\n"),
            ("file", "usr/bin/tool", _random.randbytes(5_000)),
        ]
    ),
]
LAYERS = [gzip.compress(layer, mtime=0) for layer in RAW]
CONFIG = make_config([sha256(layer) for layer in RAW])


@pytest.fixture
def server() -> Iterator[FaultRegistry]:
    registry = FaultRegistry(LAYERS, CONFIG, "application/vnd.oci.image.layer.v1.tar+gzip")
    with registry.serve() as running:
        yield running


def _report(reference: str, cache: LayerCache | None) -> dict[str, object]:
    image = open_registry_image(reference)
    result = analyze_image(CachedImage(image, cache) if cache is not None else image)
    document: dict[str, object] = json.loads(render_analysis_json(result))
    return document


def _layer_fetches(server: FaultRegistry) -> int:
    layer_digests = {sha256(layer) for layer in LAYERS}
    return sum(1 for path, _, _ in server.log if path.rsplit("/", 1)[-1] in layer_digests)


def test_second_run_replays_without_downloading(server: FaultRegistry, tmp_path: Path) -> None:
    cache = LayerCache(tmp_path / "cache")
    uncached = _report(f"{server.host}/app:1", None)
    assert _layer_fetches(server) == 2
    first = _report(f"{server.host}/app:1", cache)
    assert _layer_fetches(server) == 4
    assert len(list((tmp_path / "cache").glob("*.json.zst"))) == 2
    second = _report(f"{server.host}/app:1", cache)
    assert _layer_fetches(server) == 4  # nothing downloaded
    assert first == second == uncached  # hidden bytes, waste, findings, secrets: all equal


def test_unreadable_cache_file_is_a_miss(server: FaultRegistry, tmp_path: Path) -> None:
    cache = LayerCache(tmp_path / "cache")
    first = _report(f"{server.host}/app:1", cache)
    for path in (tmp_path / "cache").glob("*.json.zst"):
        path.write_bytes(b"not zstd")
    again = _report(f"{server.host}/app:1", cache)
    assert again == first
    assert _layer_fetches(server) == 4


def test_cache_is_bounded(server: FaultRegistry, tmp_path: Path) -> None:
    cache = LayerCache(tmp_path / "cache", max_bytes=4 * 40_000)
    _report(f"{server.host}/app:1", cache)
    total = sum(p.stat().st_size for p in (tmp_path / "cache").glob("*.json.zst"))
    assert total <= 4 * 40_000


def test_cli_uses_the_cache_for_registries(server: FaultRegistry, tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "XDG_CACHE_HOME": str(tmp_path)}
    command = [
        sys.executable,
        "-m",
        "slimage",
        "analyze",
        f"docker://{server.host}/app:1",
        "--format",
        "json",
    ]
    first = subprocess.run(command, capture_output=True, text=True, env=env, timeout=60)
    second = subprocess.run(command, capture_output=True, text=True, env=env, timeout=60)
    assert first.returncode == second.returncode == 0, first.stderr + second.stderr
    assert json.loads(first.stdout) == json.loads(second.stdout)
    assert _layer_fetches(server) == 2
    assert list((tmp_path / "slimage" / "layers").glob("*.json.zst"))
    subprocess.run([*command, "--no-cache"], capture_output=True, env=env, timeout=60, check=True)
    assert _layer_fetches(server) == 4


def test_the_cache_wraps_any_image_and_the_pass_cannot_tell(tmp_path: Path) -> None:
    """CachedImage is an Image like any other: the pass reads it without knowing, the
    first run records, the second opens no layer, and all three reports are the same
    (an uncompressed layout: uncached, its files would be hashed after the pass)."""
    from slimage.image.open import open_image
    from support.images import write_oci_layout

    layout = write_oci_layout(tmp_path / "layout", RAW)
    cache = LayerCache(tmp_path / "cache")

    def report(image: Image) -> object:
        return json.loads(render_analysis_json(analyze_image(image)))  # closes the image

    plain = report(open_image(str(layout)))
    recorded = report(CachedImage(open_image(str(layout)), cache))
    assert len(list((tmp_path / "cache").glob("*.json.zst"))) == len(RAW)
    image = open_image(str(layout))
    for layer in RAW:
        (layout / "blobs" / "sha256" / sha256(layer).split(":")[1]).unlink()
    replayed = report(CachedImage(image, cache))
    assert plain == recorded == replayed
