"""The matcher beyond the upstream tables: reading quirks, RE2 leaks, errors, files."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from slimage.context.ignore import MatchInfo, PatternMatcher
from slimage.context.ignore_file import (
    decode_ignore_file,
    find_ignore_file,
    load_matcher,
    matcher_from_text,
    read_ignore_file,
    read_ignore_lines,
)
from slimage.errors import IgnoreFileError, InputNotFound


def test_reading_follows_ignorefile_readall() -> None:
    text = "\ufeff# comment\r\n  # not a comment\nfoo/  \n./bar/../baz\n\n! /abs\n/\n\x1cx\n"
    assert read_ignore_file(text) == ["# not a comment", "foo", "baz", "!abs", "/", "\x1cx"]
    assert [number for number, _ in read_ignore_lines(text)] == [2, 3, 4, 6, 7, 8]


def test_bom_only_stripped_on_first_line() -> None:
    assert read_ignore_file("a\n\ufeffb") == ["a", "\ufeffb"]


def test_line_over_64k_is_an_error() -> None:
    with pytest.raises(IgnoreFileError, match="line 2 is longer than 64 KiB"):
        read_ignore_file("ok\n" + "a" * 65_536)
    assert read_ignore_file("a" * 65_535) == ["a" * 65_535]
    with pytest.raises(IgnoreFileError, match="line 1 is longer"):
        read_ignore_file("a" * 65_535 + "\r\n")


def test_invalid_pattern_names_file_and_line() -> None:
    with pytest.raises(IgnoreFileError, match=r"^ctx/\.dockerignore:3: invalid pattern '\['"):
        matcher_from_text("a\n# c\n[\n", source="ctx/.dockerignore")
    with pytest.raises(IgnoreFileError, match=r":2: invalid pattern '!'.*illegal exclusion"):
        matcher_from_text("a\n!\n", source=".dockerignore")


def test_pattern_rejected_only_when_evaluated() -> None:
    # Go's filepath.Match accepts [z-a]; RE2 rejects the range once compiled.
    matcher = matcher_from_text("keep\n!x[z-a]\n", source=".dockerignore")
    assert matcher.deferred_errors()
    assert matcher.matches("other") is False  # the exception is never evaluated
    with pytest.raises(IgnoreFileError, match=r"\.dockerignore:2: pattern '!x\[z-a\]'"):
        matcher.matches("keep")


@pytest.mark.parametrize(
    ("pattern", "path", "expected"),
    [
        (r"a\d", "a5", True),  # RE2's \d, not a literal d
        (r"a\d", "ad", False),
        ("[[:digit:]]x", "5x", True),  # a POSIX class inside a bracket
        ("[[:digit:]]x", ":x", False),
        ("x[.]y", "x.y", True),
        ("x[.]y", "xay", False),
        ("a$b", "a$b", True),
        ("*.txt", "dir/a.txt", False),
        ("**/*.txt", "dir/a.txt", True),
        ("a\\", "a\\", False),  # a trailing backslash is a bad pattern: never here
        ("dir/**", "dir", False),
        ("dir", "dir/sub/file", True),
        ("?", "é", True),
        ("a?b", "a\udcffb", True),  # an undecodable byte is one character
    ],
)
def test_semantics(pattern: str, path: str, expected: bool) -> None:
    try:
        matcher = PatternMatcher([pattern])
    except IgnoreFileError:
        assert expected is False
        return
    assert matcher.matches(path) is expected


def test_walk_differs_from_matches_or_parent_matches() -> None:
    # BuildKit carries per-pattern results down the tree; a skipped pattern records
    # False, so the third pattern no longer sees its parent match.
    matcher = PatternMatcher(["a", "!a/b", "a"])
    assert matcher.matches_or_parent_matches("a/b") is True
    assert matcher.matches("a/b") is False


def test_wrong_match_info_length() -> None:
    matcher = PatternMatcher(["a", "b"])
    with pytest.raises(ValueError, match="wrong number"):
        matcher.matches_using_parent_results("x", MatchInfo((True,)))


def test_excluded_dir_walk_rule() -> None:
    assert not PatternMatcher(["node_modules"]).excluded_dir_needs_walk("node_modules")
    matcher = PatternMatcher(["docs", "!docs/README.md"])
    assert matcher.excluded_dir_needs_walk("docs")
    assert not matcher.excluded_dir_needs_walk("other")
    assert PatternMatcher(["docs", "!**/*.md"]).excluded_dir_needs_walk("anything")


def test_binary_file_rejected() -> None:
    with pytest.raises(IgnoreFileError, match=r"x:2: contains a NUL byte"):
        decode_ignore_file(b"ok\n\x00\x01", "x")
    assert decode_ignore_file(b"caf\xe9\n", "x") == "caf\udce9\n"


def test_find_and_load(tmp_path: Path) -> None:
    (tmp_path / ".dockerignore").write_text("general\n")
    dockerfile = tmp_path / "app.Dockerfile"
    dockerfile.write_text("FROM scratch\n")
    assert find_ignore_file(tmp_path, dockerfile) == tmp_path / ".dockerignore"
    (tmp_path / "app.Dockerfile.dockerignore").write_text("specific\n")
    assert find_ignore_file(tmp_path, dockerfile) == tmp_path / "app.Dockerfile.dockerignore"
    matcher = load_matcher(tmp_path, dockerfile)
    assert matcher is not None and matcher.matches("specific")
    assert not matcher.matches("general")


def test_load_errors(tmp_path: Path) -> None:
    assert load_matcher(tmp_path) is None
    with pytest.raises(InputNotFound):
        load_matcher(tmp_path / "missing")
    (tmp_path / ".dockerignore").mkdir()
    with pytest.raises(IgnoreFileError, match="is a directory"):
        load_matcher(tmp_path)


_SEGMENT = st.sampled_from(["a", "b", "ab", "*", "?", "**", "[ab]", "a*", ".x"])
_PATTERN = st.lists(_SEGMENT, min_size=1, max_size=4).map("/".join)
_PATH = st.lists(st.sampled_from(["a", "b", "ab", "c", ".x", "aa"]), min_size=1, max_size=5).map(
    "/".join
)


@settings(max_examples=150, deadline=None)
@given(pattern=_PATTERN, path=_PATH)
def test_single_pattern_walk_equals_parent_check(pattern: str, path: str) -> None:
    # With one pattern the fsutil walk (and its prefilter fast path) must agree with
    # MatchesOrParentMatches.
    matcher = PatternMatcher([pattern])
    assert matcher.matches(path) == matcher.matches_or_parent_matches(path)


@settings(max_examples=100, deadline=None)
@given(patterns=st.lists(_PATTERN, min_size=1, max_size=4), path=_PATH)
def test_prefilter_never_changes_a_result(patterns: list[str], path: str) -> None:
    matcher = PatternMatcher(patterns)
    slow = PatternMatcher(patterns)
    slow._any_match = None  # disable the fast path
    parts = path.split("/")
    info_fast = info_slow = MatchInfo()
    for depth in range(1, len(parts) + 1):
        prefix = "/".join(parts[:depth])
        fast_result, info_fast = matcher.matches_using_parent_results(prefix, info_fast)
        slow_result, info_slow = slow.matches_using_parent_results(prefix, info_slow)
        assert fast_result == slow_result
        assert info_fast.parent_matched == info_slow.parent_matched
