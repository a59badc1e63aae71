"""Replay answers recorded from the real moby/patternmatcher (Go) against slimage.

tests/data/context/patternmatcher-oracle.json was produced by
tests/context/go_oracle/record.py, which runs the upstream Go code on random pattern
lists and paths full of the characters that make Docker's matching subtle.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from slimage.context.ignore import MatchInfo, PatternMatcher
from slimage.errors import IgnoreFileError

DATA = Path(__file__).parent.parent / "data" / "context" / "patternmatcher-oracle.json"
GROUPS: list[dict[str, Any]] = json.loads(DATA.read_text(encoding="utf-8"))["groups"]


def _walk(matcher: PatternMatcher, path: str) -> bool:
    # The same chain as the Go harness: every parent prefix, then the path.
    parts = path.split("/")
    info = MatchInfo()
    for depth in range(1, len(parts)):
        _, info = matcher.matches_using_parent_results("/".join(parts[:depth]), info)
    return matcher.matches_using_parent_results(path, info)[0]


def _answer(call: Any) -> bool | None:
    try:
        return bool(call())
    except IgnoreFileError:
        return None


@pytest.mark.parametrize("chunk", range(10))
def test_agrees_with_patternmatcher(chunk: int) -> None:
    assert len(GROUPS) > 300
    disagreements = []
    for group in GROUPS[chunk::10]:
        patterns = group["patterns"]
        if group["new_error"]:
            with pytest.raises(IgnoreFileError):
                PatternMatcher(patterns)
            continue
        for case in group["paths"]:
            path = case["path"]
            # A fresh matcher per question, like the harness (errors leave no state).
            walk = _answer(lambda: _walk(PatternMatcher(patterns), path))  # noqa: B023
            parents = _answer(
                lambda: PatternMatcher(patterns).matches_or_parent_matches(path)  # noqa: B023
            )
            if (walk, parents) != (case["walk"], case["parent_matches"]):
                disagreements.append((patterns, path, case, walk, parents))
            if case["walk"] is not None and "/" not in path[:1]:
                assert PatternMatcher(patterns).matches(path) is case["walk"], (patterns, path)
    assert disagreements == []
