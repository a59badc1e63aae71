"""dive's efficiency numbers, checked against the dive binary itself on the same archives."""

from __future__ import annotations

from pathlib import Path

import pytest

from slimage.analysis.layers import analyze_layers
from slimage.image.open import open_image
from support.dive import run_dive
from support.images import make_layer, write_docker_archive

SCENARIOS = {
    "overwrite-delete-opaque": [
        [
            ("dir", "d"),
            ("dir", "d/x"),
            ("file", "d/x/1", b"1" * 1000),
            ("file", "d/2", b"2" * 500),
            ("file", "f", b"f" * 300),
            ("file", "g", b"g" * 40),
            ("dir", "srv"),
            ("file", "srv/o", b"o" * 70),
        ],
        [
            ("file", "f", b"F" * 100),
            ("whiteout", "g"),
            ("opaque", "srv"),
            ("file", "srv/n", b"n" * 5),
        ],
        [("whiteout", "d"), ("file", "f", b"F" * 50)],
    ],
    "missing-whiteout-target-stops-the-layer": [
        [("file", "a", b"a" * 10), ("file", "z", b"z" * 20)],
        [("whiteout", "m/nothing"), ("file", "a", b"A" * 5), ("file", "z", b"Z" * 7)],
    ],
    "whiteout-in-first-layer": [
        [("file", "a", b"a" * 10), ("whiteout", "b"), ("file", "c", b"c" * 3)],
        [("file", "a", b"A" * 4), ("file", "c", b"C" * 9)],
    ],
    "implicit-dirs-and-deleted-dir-under-opaque": [
        [
            ("file", "p/q/r", b"r" * 64),
            ("file", "p/s", b"s" * 16),
            ("dir", "o"),
            ("dir", "o/in"),
            ("file", "o/in/f", b"f" * 33),
        ],
        [("opaque", "o"), ("file", "o/new", b"n" * 2), ("file", "p/q/r", b"R" * 8)],
        [("whiteout", "p/q"), ("whiteout", "o/in"), ("file", "top", b"t")],
    ],
    "same-path-twice-in-a-layer": [
        [("file", "x", b"1" * 10), ("file", "x", b"2" * 3), ("dir", "empty")],
        [("file", "x", b"3" * 30), ("file", "empty/now", b"e" * 2)],
    ],
}


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_matches_dive(tmp_path: Path, name: str) -> None:
    layers = [make_layer(entries) for entries in SCENARIOS[name]]
    archive = write_docker_archive(tmp_path / "img.tar", layers)
    efficiency, wasted, user_fraction = run_dive(archive, tmp_path)
    ours = analyze_layers(open_image(str(archive)), content_wanted=lambda p, s: False).dive
    assert ours.wasted_bytes == wasted
    assert ours.efficiency == pytest.approx(efficiency, abs=1e-12)
    if user_fraction is not None:
        assert ours.user_wasted_fraction == pytest.approx(user_fraction, abs=1e-12)
