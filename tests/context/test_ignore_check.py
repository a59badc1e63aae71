"""An existing ignore file against a suggestion: what it lacks, what it hides, the merge."""

from __future__ import annotations

from pathlib import Path

from slimage.context.ignore import PatternMatcher
from slimage.context.ignore_check import IgnoreCheck, check_ignore_file, merged_ignore_text
from slimage.context.ignore_file import read_ignore_file
from slimage.context.scan import scan_context
from slimage.dockerfile.parser import parse_dockerfile
from slimage.dockerfile.stages import build_stage_graph

DOCKERFILE = "FROM node:24-slim\nWORKDIR /app\nCOPY src ./src\nCOPY . .\n"


def _check(root: Path, existing: str, suggested: list[str]) -> IgnoreCheck:
    df = parse_dockerfile(DOCKERFILE)
    return check_ignore_file(
        PatternMatcher(read_ignore_file(existing)),
        suggested,
        scan_context(root, None),
        df,
        build_stage_graph(df),
    )


def test_lacking_hidden_and_covered(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "a.js").write_text("1")
    (tmp_path / "node_modules" / "x").mkdir(parents=True)
    (tmp_path / "npm-debug.log").write_text("log")
    check = _check(tmp_path, "*.log\nsrc\n", ["**/node_modules", ".env", "npm-debug.log*"])
    # node_modules is there and sent; .env is not there but would be sent; the log is
    # already excluded by the user's `*.log`.
    assert check.lacking == ["**/node_modules", ".env"]
    assert check.hidden == ["src"]


def test_merge_keeps_every_user_line() -> None:
    check = IgnoreCheck(lacking=[".git", "**/node_modules"], hidden=["src"])
    merged = merged_ignore_text("# mine\n*.log\n\n", check)
    assert merged.startswith("# mine\n*.log\n\n# Added by `slimage init`")
    assert merged.endswith(".git\n**/node_modules\n!src\n")
    assert merged_ignore_text("", check).startswith("# Added by")
    assert merged_ignore_text("*.log\n", IgnoreCheck()) == "*.log\n"
