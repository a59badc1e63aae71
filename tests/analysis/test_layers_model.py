"""The streaming pass against a naive model of layer.md, on random layer stacks."""

from __future__ import annotations

import io
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from slimage.analysis.layers import analyze_layers
from slimage.filesystem import FileKind
from slimage.image.tarstream import LayerStream
from support.images import make_layer

DIRS = ["a", "a/x", "b"]
FILES = ["a/f1", "a/x/f2", "a/x/f3", "b/f4", "c"]


def reference(layers: list[list[tuple[str, str, int]]]) -> dict[str, int]:
    """layer.md applied literally: whiteouts of a layer hit lower layers, then entries land."""
    final: dict[str, int] = {}
    for entries in layers:
        for kind, path, _ in entries:
            if kind == "whiteout":
                for existing in [p for p in final if p == path or p.startswith(path + "/")]:
                    del final[existing]
            elif kind == "opaque":
                for existing in [p for p in final if p.startswith(path + "/")]:
                    del final[existing]
        for kind, path, size in entries:
            if kind == "file":
                final[path] = size
            elif kind == "dir":
                final.setdefault(path, -1)
    return {path: size for path, size in final.items() if size >= 0}


@st.composite
def layer_entries(draw: st.DrawFn) -> list[tuple[str, str, int]]:
    chosen: list[tuple[str, str, int]] = []
    used: set[str] = set()
    for directory in DIRS:
        if draw(st.booleans()):
            chosen.append(("dir", directory, 0))
    for path in FILES:
        action = draw(st.sampled_from(["none", "none", "file", "whiteout"]))
        if action == "file":
            chosen.append(("file", path, draw(st.integers(0, 5000))))
            used.add(path)
        elif action == "whiteout":
            chosen.append(("whiteout", path, 0))
    for directory in DIRS:
        action = draw(st.sampled_from(["none", "none", "whiteout", "opaque"]))
        if action != "none":
            chosen.append((action, directory, 0))
    return draw(st.permutations(chosen))


class _Layer:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.digest = self.diff_id = ""
        self.media_type = ""
        self.compressed_size = len(data)

    def open_uncompressed(self) -> object:
        from contextlib import nullcontext

        return nullcontext(LayerStream(io.BytesIO(self.data), label="layer"))


class _Image:
    def __init__(self, layers: list[bytes]) -> None:
        self.layers = [_Layer(data) for data in layers]
        self.history: list[object] = []
        self.config: dict[str, object] = {}


def _tar(entries: list[tuple[str, str, int]]) -> bytes:
    converted = []
    for kind, path, size in entries:
        if kind == "file":
            converted.append(("file", path, bytes([65 + len(path) % 26]) * size))
        else:
            converted.append((kind, path))
    return make_layer(converted)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(layer_entries(), min_size=1, max_size=4))
def test_pass_matches_the_model(layers: list[list[tuple[str, str, int]]]) -> None:
    image = _Image([_tar(entries) for entries in layers])
    result = analyze_layers(image, content_wanted=lambda path, size: False)  # type: ignore[arg-type]
    got = {path: r.size for path, r in result.files.items() if r.kind is FileKind.FILE}
    assert got == reference(layers)
    total = sum(size for entries in layers for kind, _, size in entries if kind == "file")
    assert result.content_bytes == total
    assert result.hidden_bytes == total - sum(got.values())


def test_model_sanity(tmp_path: Path) -> None:
    layers = [[("file", "a/f1", 10)], [("whiteout", "a", 0), ("file", "c", 1)]]
    assert reference(layers) == {"c": 1}
