"""dive's efficiency numbers, checked against the dive binary itself on the same archives."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from slimage.analysis.efficiency import DiveTracker
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


_NAMES = st.sampled_from(["a", "b", "a/b", "a/b/c", "a/c", "b/a", "c/d/e", "c", "x/y"])


@settings(max_examples=300, deadline=None)
@given(
    layers=st.lists(
        st.tuples(
            st.dictionaries(_NAMES, st.integers(0, 1000), max_size=8),
            st.dictionaries(_NAMES, st.integers(0, 1000), max_size=3),
        ),
        min_size=1,
        max_size=4,
    )
)
def test_unsorted_leaf_walk_visits_as_dive_walks(
    layers: list[tuple[dict[str, int], dict[str, int]]],
) -> None:
    """Where no whiteout stops dive's walk, visiting the leaves in any order gives the
    same numbers as dive's sorted walk (intermediate directories may have no node)."""
    ordered, unsorted = DiveTracker(), DiveTracker()
    for index, (files, whiteouts) in enumerate(layers):
        for tracker, walk in ((ordered, ordered._walk_in_order), (unsorted, unsorted._walk_leaves)):
            tracker.start_layer(index)
            for path, size in files.items():
                tracker.add_entry(path, size, False)
            for target, lower in whiteouts.items():
                head, _, name = target.rpartition("/")
                tracker.add_whiteout(f"{head}/.wh.{name}" if head else f".wh.{name}", target, lower)
            if index == 0:  # dive never finds a first layer's targets: the other walk only
                tracker.end_layer()
            else:
                walk(tracker.current)
    assert (ordered.seen, ordered.multi, ordered.failed, ordered.discovered) == (
        unsorted.seen,
        unsorted.multi,
        unsorted.failed,
        unsorted.discovered,
    )
