"""Compressed layers read ahead on a worker thread and replayed give the same analysis as
layers read one after the other; a layer that fails ahead fails the analysis."""

from __future__ import annotations

import gzip
import random
import threading
from pathlib import Path

import pytest

from slimage import api
from slimage.analysis import read_ahead
from slimage.analysis.layer_cache import LayerCache
from slimage.analysis.layer_recording import CachedImage
from slimage.analysis.result import AnalysisResult, analyze_image
from slimage.errors import DigestMismatch, ImageFormatError
from slimage.image.open import open_image
from slimage.report.analysis_json import render_analysis_json as render_json
from support.images import make_layer, write_oci_layout


def _layers() -> list[bytes]:
    data = random.Random(7)
    shared = data.randbytes(20_000)  # the same content in two layers: a duplicate
    return [
        make_layer(
            [
                ("dir", "etc"),
                ("file", "etc/os-release", b'ID=debian\nVERSION_ID="12"\n'),
                ("dir", "app"),
                ("file", "app/big.bin", data.randbytes(300_000)),
                ("file", "app/old.txt", b"old" * 5000),
                ("file", "app/copy1", shared),
                ("dir", "cache"),
                ("file", "cache/a", data.randbytes(9000)),
                ("file", "small", b"tiny"),
            ]
        ),
        make_layer(
            [
                ("whiteout", "app/old.txt"),
                ("file", "app/big.bin", b"replaced" * 100),
                ("hardlink", "app/link", "app/copy1"),
                ("opaque", "cache"),
                ("file", "cache/b", data.randbytes(5000)),
            ]
        ),
        make_layer(
            [
                ("file", "opt/copy2", shared),
                ("symlink", "opt/current", "/app"),
                ("whiteout", "app/copy1"),
            ]
        ),
        make_layer([("file", "opt/last", data.randbytes(70_000)), ("whiteout", "small")]),
    ]


def _analysis(image: Path) -> AnalysisResult:
    return api.analyze(str(image), api.AnalyzeOptions(use_cache=False))


def _without_read_ahead(monkeypatch: pytest.MonkeyPatch, image: Path) -> AnalysisResult:
    with monkeypatch.context() as patch:
        patch.setattr(read_ahead, "streamed_once", lambda layer: False)
        return _analysis(image)


@pytest.mark.parametrize(
    "compress", ["gzip", "zstd", ["gzip", "", "gzip", ""], ["", "gzip", "", "gzip"]]
)
def test_read_ahead_gives_the_same_analysis(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, compress: str | list[str]
) -> None:
    # Mixed layouts: an uncompressed layer in a file defers its hashing until after the
    # pass; a replayed layer after it must not.
    image = write_oci_layout(tmp_path / "layout", _layers(), compress=compress)
    started = []
    original = threading.Thread.start

    def start(thread: threading.Thread) -> None:
        started.append(thread.name)
        original(thread)

    monkeypatch.setattr(threading.Thread, "start", start)
    ahead = _analysis(image)
    assert "slimage-read-ahead" in started
    direct = _without_read_ahead(monkeypatch, image)
    assert render_json(ahead) == render_json(direct)
    assert ahead.layers.files["opt/copy2"].digest is not None


def test_a_corrupt_layer_read_ahead_fails_the_analysis(tmp_path: Path) -> None:
    layers = _layers()
    image = write_oci_layout(tmp_path / "layout", layers, compress="gzip")
    blob = gzip.compress(layers[1], mtime=0)
    blob_path = next(
        path for path in (image / "blobs" / "sha256").iterdir() if path.read_bytes() == blob
    )
    blob_path.write_bytes(blob[:-30])  # layer 1 is the first one read ahead
    with pytest.raises((ImageFormatError, DigestMismatch)):
        _analysis(image)


def test_a_layer_read_ahead_with_the_wrong_digest_fails_the_analysis(tmp_path: Path) -> None:
    layers = _layers()
    image = write_oci_layout(tmp_path / "layout", layers, compress="gzip")
    blob = gzip.compress(layers[3], mtime=0)  # layer 3 is read ahead too
    for path in (image / "blobs" / "sha256").iterdir():
        if path.read_bytes() == blob:
            # Another gzip header time: the same tar, the same size, another digest.
            path.write_bytes(blob[:4] + b"\x01" + blob[5:])
    with pytest.raises(DigestMismatch, match="digest mismatch"):
        _analysis(image)


def test_layers_read_ahead_are_kept_in_the_layer_cache(tmp_path: Path) -> None:
    image = write_oci_layout(tmp_path / "layout", _layers(), compress="gzip")
    cache = LayerCache(tmp_path / "cache")
    first = analyze_image(CachedImage(open_image(str(image)), cache))
    recorded = CachedImage(open_image(str(image)), cache)
    assert all(layer.cached for layer in recorded.layers)
    second = analyze_image(recorded)
    assert render_json(first) == render_json(second) == render_json(_analysis(image))
