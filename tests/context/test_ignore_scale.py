"""Ignore matching stays linear (issue 18, items 10 and 12): RE2 instead of backtracking,
and every pattern compiled once into one set matched in one pass per path."""

from __future__ import annotations

import random
import time

import pytest

from slimage.context import _matchset
from slimage.context.ignore import PatternMatcher


def test_backtracking_pattern_is_linear() -> None:
    # Python's re took minutes on this (Go's RE2 takes microseconds).
    matcher = PatternMatcher(["*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b"])
    start = time.perf_counter()
    assert not matcher.matches("a" * 200)
    assert not matcher.matches_or_parent_matches("a" * 200 + "/x")
    assert matcher.matches("a" * 200 + "b")
    assert time.perf_counter() - start < 1.0


def _workload(seed: int = 18) -> tuple[list[str], list[str]]:
    rng = random.Random(seed)
    words = ["src", "lib", "node_modules", "build", "dist", "test", "docs", "a", "b"]
    patterns = []
    for number in range(10_000):
        word = f"{rng.choice(words)}{number % 50}"
        patterns.append(
            rng.choice(
                [
                    word,
                    f"**/{word}.log",
                    f"{word}/*.tmp",
                    f"{word}/**",
                    f"*{word}?x",
                    f"!{word}/keep",
                ]
            )
        )
    files = [
        "/".join(f"{rng.choice(words)}{rng.randrange(60)}" for _ in range(rng.randrange(1, 4)))
        + rng.choice([".log", ".tmp", "", "/keep", ".txt"])
        for _ in range(3_000)
    ]
    return patterns, files


def test_ten_thousand_patterns_over_three_thousand_files() -> None:
    # Was 44 s; the walk now visits only the patterns that match.
    patterns, files = _workload()
    start = time.perf_counter()
    matcher = PatternMatcher(patterns)
    excluded = sum(matcher.matches(path) for path in files)
    elapsed = time.perf_counter() - start
    assert 0 < excluded < len(files)
    assert elapsed < 15.0, elapsed  # ~0.5 s on an idle machine


def test_set_walk_equals_the_pattern_by_pattern_answer() -> None:
    patterns, files = _workload(seed=7)
    matcher = PatternMatcher(patterns[:400])
    for path in files[:400]:
        assert matcher.matches(path) == matcher.matches_or_parent_matches(path), path


@pytest.mark.parametrize("have_re2", [True, False])
def test_same_answers_with_and_without_re2(monkeypatch: pytest.MonkeyPatch, have_re2: bool) -> None:
    monkeypatch.setattr(_matchset, "HAVE_RE2", have_re2)
    patterns = ["*.md", "!README.md", "docs/**", "**/*.pyc", "[a-c]?x", "a{2}?", "x|y*", r"\d*"]
    matcher = PatternMatcher(patterns)
    cases = {
        "x.md": True,
        "README.md": False,
        "docs/a/b": True,
        "src/m.pyc": True,
        "bzx": True,
        "aab": True,
        "aa": False,
        "xz": True,
        "zy": True,
        "123": True,
        "zzz": False,
    }
    assert {path: matcher.matches(path) for path in cases} == cases


def test_more_patterns_than_the_limit_is_a_clear_error() -> None:
    from slimage.context.ignore_file import matcher_from_text
    from slimage.errors import IgnoreFileError
    from slimage.limits import MAX_IGNORE_PATTERNS

    text = "x\n" * (MAX_IGNORE_PATTERNS + 1)
    with pytest.raises(IgnoreFileError, match="over the limit of 100000"):
        matcher_from_text(text)
