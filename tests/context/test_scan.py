"""scan_context on real trees: what is sent, excluded, measured and warned about."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from slimage.context.ignore import PatternMatcher
from slimage.context.ignore_file import matcher_from_text
from slimage.context.scan import DIR, FILE, SYMLINK, scan_context
from slimage.errors import InputError, InputNotFound

from .test_scan_conformance import _as_nobody


def _write(root: Path, rel: str, size: int = 1) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"x" * size)


def test_sent_excluded_and_sizes(tmp_path: Path) -> None:
    _write(tmp_path, "app/main.py", 100)
    _write(tmp_path, "node_modules/a/index.js", 1000)
    _write(tmp_path, "node_modules/b/index.js", 2000)
    _write(tmp_path, "docs/guide.md", 10)
    _write(tmp_path, "docs/README.md", 20)
    _write(tmp_path, "debug.log", 5)
    matcher = PatternMatcher(["node_modules", "docs", "!docs/README.md", "*.log"])
    scan = scan_context(tmp_path, matcher)
    assert [(e.kind, e.path) for e in scan.entries] == [
        (DIR, "app"),
        (FILE, "app/main.py"),
        (DIR, "docs"),  # excluded, but sent bare for its re-included child
        (FILE, "docs/README.md"),
    ]
    assert scan.sent_bytes == 120
    excluded = {item.path: item for item in scan.excluded}
    assert excluded["node_modules"].bytes == 3000 and excluded["node_modules"].files == 2
    assert not excluded["node_modules"].walked
    assert excluded["docs"].walked and excluded["docs"].bytes == 10
    assert excluded["debug.log"].bytes == 5
    assert scan.top_level["app"].bytes == 100
    assert "node_modules" not in scan.top_level
    assert [e.path for e in scan.biggest_files(1)] == ["app/main.py"]


def test_measure_excluded_can_be_skipped(tmp_path: Path) -> None:
    _write(tmp_path, "big/file", 500)
    scan = scan_context(tmp_path, PatternMatcher(["big"]), measure_excluded=False)
    assert scan.excluded[0].path == "big" and scan.excluded[0].bytes == 0


def test_symlinks_are_not_followed_and_loops_warn(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    _write(outside, "secret", 10)
    context = tmp_path / "ctx"
    context.mkdir()
    (context / "link-out").symlink_to(outside)
    (context / "loop").symlink_to(context / "loop")
    (context / "a").symlink_to(context / "b")
    (context / "b").symlink_to(context / "a")
    scan = scan_context(context)
    assert [(e.kind, e.path) for e in scan.entries] == [
        (SYMLINK, "a"),
        (SYMLINK, "b"),
        (SYMLINK, "link-out"),
        (SYMLINK, "loop"),
    ]
    assert sum("symlink loop" in w for w in scan.warnings) == 3


def test_missing_and_non_directory(tmp_path: Path) -> None:
    with pytest.raises(InputNotFound, match="not found"):
        scan_context(tmp_path / "nope")
    (tmp_path / "file").write_text("x")
    with pytest.raises(InputError, match="not a directory"):
        scan_context(tmp_path / "file")


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_unreadable_directory_is_a_warning(tmp_path: Path) -> None:
    import shutil
    import tempfile

    root = Path(tempfile.mkdtemp(prefix="slimage-unreadable-"))
    try:
        root.chmod(0o755)
        for rel in ("ok/file", "locked/file", "skipped/file"):
            _write(root, rel)
            (root / rel).chmod(0o644)
        for rel in ("ok", "locked", "skipped"):
            (root / rel).chmod(0o755)
        (root / "locked").chmod(0)
        (root / "skipped").chmod(0)

        def walk() -> dict[str, object]:
            scan = scan_context(root, PatternMatcher(["skipped"]))
            return {"warnings": scan.warnings, "errors": scan.build_errors}

        outcome = walk() if os.geteuid() != 0 else _as_nobody(walk)
        assert outcome["errors"] == ["locked: permission denied"]
        assert any("locked: unreadable directory" in str(w) for w in outcome["warnings"])  # type: ignore[attr-defined]
    finally:
        for rel in ("locked", "skipped"):
            (root / rel).chmod(0o755)
        shutil.rmtree(root)


def test_deep_tree_does_not_recurse(tmp_path: Path) -> None:
    path = tmp_path
    for _ in range(600):
        path = path / "d"
    path.mkdir(parents=True)
    (path / "leaf").write_text("x")
    scan = scan_context(tmp_path, PatternMatcher(["nothing"]))
    assert scan.sent_files == 1 and scan.sent_dirs == 600


def test_invalid_pattern_at_match_time_is_reported(tmp_path: Path) -> None:
    _write(tmp_path, "a")
    matcher = matcher_from_text("[z-a]\n", source=".dockerignore")
    with pytest.raises(InputError, match=r"\.dockerignore:1"):
        scan_context(tmp_path, matcher)


def _tree(root: Path, packages: int) -> None:
    for package in range(packages):
        directory = root / "node_modules" / f"p{package}"
        directory.mkdir(parents=True)
        for number in range(40):
            (directory / f"f{number}.js").touch()


def _best_scan_time(root: Path, matcher: PatternMatcher) -> float:
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        scan_context(root, matcher)
        best = min(best, time.perf_counter() - start)
    return best


@pytest.mark.slow
def test_scan_time_is_linear(tmp_path: Path) -> None:
    # 1k and 8k files: a linear walk takes about 8 times longer, a quadratic one 64.
    small, large = tmp_path / "small", tmp_path / "large"
    _tree(small, 25)
    _tree(large, 200)
    matcher = PatternMatcher(["**/*.log", "coverage", "!src/keep.ts", ".git"])
    assert scan_context(large, matcher).sent_files == 8_000
    ratio = _best_scan_time(large, matcher) / _best_scan_time(small, matcher)
    assert ratio < 20, ratio


_NAMES = st.sampled_from(["a", "b", "ab", "docs", "x.md", "y.log", "node_modules"])
_TREES = st.lists(st.lists(_NAMES, min_size=1, max_size=4).map("/".join), min_size=1, max_size=8)
_LINES = st.lists(
    st.sampled_from(
        ["a", "!a/b", "**/*.md", "!docs/x.md", "docs", "*/ab", "!**/y.log", "node_modules",
         "a/**", "!a/ab", "b*", "!*/b", "**/ab/**"]
    ),
    min_size=1,
    max_size=5,
)  # fmt: skip


@settings(max_examples=60, deadline=None)
@given(tree=_TREES, lines=_LINES)
def test_walk_sends_exactly_what_matches_allows(tree: list[str], lines: list[str]) -> None:
    # Skipping excluded directories (fsutil's optimisation) must never lose a path
    # that the patterns let through, and nothing excluded may be sent, except bare
    # parent directories of re-included paths.
    import tempfile

    with tempfile.TemporaryDirectory() as temp:
        root = Path(temp)
        for rel in tree:
            path = root / rel
            if path.is_dir():
                continue
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text("x")
            except (FileExistsError, NotADirectoryError):
                continue  # a file where the tree wants a directory
        matcher = PatternMatcher(lines)
        scan = scan_context(root, matcher)
        sent = scan.sent_paths()
        expected = set()
        for dirpath, dirnames, filenames in os.walk(root):
            for name in dirnames + filenames:
                rel = os.path.relpath(os.path.join(dirpath, name), root)
                if not matcher.matches(rel):
                    expected.add(rel)
                    parts = rel.split("/")
                    expected.update("/".join(parts[:i]) for i in range(1, len(parts)))
        assert sent == expected
