"""moby/patternmatcher and ignorefile test tables, run against slimage's matcher.

Data: tests/data/conformance/dockerignore-cases.json (see its README, section 4, and
the licenses next to it). Every case runs, including those for the deprecated Go
entry points (``Matches``, ``MatchesUsingParentResult``), which slimage implements
for this purpose. ``context_cases`` are run in test_scan_conformance.py.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from slimage.context._golang import dir_name
from slimage.context.ignore import MatchInfo, PatternMatcher
from slimage.context.ignore_file import read_ignore_file
from slimage.errors import IgnoreFileError

DATA = Path(__file__).parent.parent / "data" / "conformance" / "dockerignore-cases.json"
CASES: dict[str, Any] = json.loads(DATA.read_text(encoding="utf-8"))


def _walk_parents(path: str) -> list[str]:
    # As the upstream test does: the prefixes of filepath.Dir(path), top first.
    parent = dir_name(path)
    if parent == ".":
        return []
    parts = parent.split("/")
    return ["/".join(parts[: i + 1]) for i in range(len(parts))]


def _run_api(matcher: PatternMatcher, api: str, path: str) -> bool:
    if api == "MatchesOrParentMatches":
        return matcher.matches_or_parent_matches(path)
    if api == "MatchesUsingParentResult(walk)":
        parent_matched = False
        for parent in _walk_parents(path):
            parent_matched = matcher.matches_using_parent_result(parent, parent_matched)
        return matcher.matches_using_parent_result(path, parent_matched)
    if api == "MatchesUsingParentResults(walk)":
        info = MatchInfo()
        for parent in _walk_parents(path):
            _, info = matcher.matches_using_parent_results(parent, info)
        return matcher.matches_using_parent_results(path, info)[0]
    if api == "MatchesUsingParentResults(no-context)":
        return matcher.matches_using_parent_results(path, MatchInfo())[0]
    if api == "Matches(path, patterns)":
        # The deprecated package function: a path cleaning to "." never matches.
        if path.strip("/") in ("", "."):
            return False
        return matcher.matches_single_parent(path)
    raise AssertionError(f"unknown api {api}")


def _case_id(case: dict[str, Any]) -> str:
    return str(case["name"])


@pytest.mark.parametrize("case", CASES["match_cases"], ids=_case_id)
def test_match_case(case: dict[str, Any]) -> None:
    patterns: list[str] = case["patterns"]
    path: str = case["path"]
    if case["name"].startswith("TestMatchesOrParentMatchesMalformed"):
        matcher = PatternMatcher(patterns)
        for _ in range(2):  # New succeeds; every evaluation fails, without crashing
            with pytest.raises(IgnoreFileError, match="syntax error in pattern"):
                matcher.matches_or_parent_matches(path)
        return
    if case["error"] is not None:
        with pytest.raises(IgnoreFileError):
            matcher = PatternMatcher(patterns)
            for api in case["apis"]:
                _run_api(matcher, api, path)
        return
    matcher = PatternMatcher(patterns)
    for api in case["apis"]:
        assert _run_api(matcher, api, path) is case["expected"], api
    if "Matches(path, patterns)" not in case["apis"] and path.strip("/"):
        # slimage's own entry point follows the fsutil walk (the root is never excluded).
        assert matcher.matches(path) is case["expected"]


@pytest.mark.parametrize("case", CASES["pattern_set_cases"], ids=_case_id)
def test_pattern_set_case(case: dict[str, Any]) -> None:
    expected = case["expected"]
    if expected.get("error"):
        with pytest.raises(IgnoreFileError, match='illegal exclusion pattern: "!"'):
            PatternMatcher(case["patterns"])
        return
    matcher = PatternMatcher(case["patterns"])
    if "patterns_count" in expected:
        assert len(matcher.patterns) == expected["patterns_count"]
    if "exclusions" in expected:
        assert matcher.exclusions is expected["exclusions"]


@pytest.mark.parametrize("case", CASES["compile_cases"], ids=_case_id)
def test_compile_case(case: dict[str, Any]) -> None:
    matcher = PatternMatcher([case["pattern"]])
    (pattern,) = matcher.patterns
    kind = {"exactMatch": "exact", "prefixMatch": "prefix", "suffixMatch": "suffix"}
    assert pattern.match_type.value == kind.get(case["match_type"], "regexp")


@pytest.mark.parametrize("case", CASES["ignorefile_cases"], ids=_case_id)
def test_ignorefile_case(case: dict[str, Any]) -> None:
    text = case["input"] if case["input"] is not None else ""
    assert read_ignore_file(text) == case["expected"]
