"""Benchmark `.dockerignore` matching: RE2 sets (what slimage does) against Python's
backtracking ``re`` pattern by pattern (what it did), on the two inputs of issue 18.

    python benchmarks/ignore_matching.py

1. ``*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b`` against a name of 200 ``a``: Go's RE2 (and
   slimage now) answers in microseconds; ``re`` backtracks for minutes (capped here at a
   name of 24 ``a``, already seconds, and each extra ``a`` multiplies the time).
2. 10,000 patterns over 3,000 paths (the fsutil walk): compile once, then one set scan per
   path, against one ``re`` per pattern per path.
"""

from __future__ import annotations

import random
import re
import time

from slimage.context import _matchset
from slimage.context.ignore import PatternMatcher


def _timed(function: object) -> float:
    start = time.perf_counter()
    function()  # type: ignore[operator]
    return time.perf_counter() - start


def backtracking() -> None:
    pattern = "*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b"
    ours = _timed(lambda: PatternMatcher([pattern]).matches("a" * 200))
    regexp = re.compile("^" + "[^/]*a" * 15 + "[^/]*b$")
    theirs = _timed(lambda: regexp.match("a" * 24))
    print(f"backtracking pattern: RE2 {ours * 1000:.2f} ms for 200 'a'; "
          f"re {theirs:.2f} s for only 24 'a' ({theirs / ours:,.0f}x)")  # fmt: skip


def many_patterns() -> None:
    rng = random.Random(18)
    words = ["src", "lib", "node_modules", "build", "dist", "test", "docs", "a", "b"]
    patterns = [
        rng.choice([w, f"**/{w}.log", f"{w}/*.tmp", f"{w}/**", f"*{w}?x", f"!{w}/keep"])
        for w in (f"{rng.choice(words)}{n % 50}" for n in range(10_000))
    ]
    paths = [
        "/".join(f"{rng.choice(words)}{rng.randrange(60)}" for _ in range(rng.randrange(1, 4)))
        + rng.choice([".log", ".tmp", "", "/keep", ".txt"])
        for _ in range(3_000)
    ]

    def run() -> int:
        matcher = PatternMatcher(patterns)
        return sum(matcher.matches(path) for path in paths)

    ours = _timed(run)
    _matchset.HAVE_RE2 = False  # the pattern-by-pattern loop with Python's re
    try:
        theirs = _timed(run)
    finally:
        _matchset.HAVE_RE2 = True
    print(f"10,000 patterns x 3,000 paths: RE2 set {ours:.2f} s; re per pattern "
          f"{theirs:.2f} s ({theirs / ours:.1f}x)")  # fmt: skip


if __name__ == "__main__":
    backtracking()
    many_patterns()
