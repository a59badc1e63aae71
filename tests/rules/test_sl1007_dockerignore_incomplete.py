from __future__ import annotations

from pathlib import Path

import pytest
from rule_helpers import findings

from slimage.rules.sl1007_dockerignore_incomplete import DockerignoreIncomplete

RULE = DockerignoreIncomplete
TEXT = "FROM node:20-slim\nWORKDIR /app\nCOPY . .\n"


@pytest.fixture
def context(tmp_path: Path) -> Path:
    (tmp_path / ".git").mkdir()
    (tmp_path / "node_modules").mkdir()
    (tmp_path / ".env").write_text("SECRET=1\n")
    (tmp_path / ".env.example").write_text("SECRET=\n")
    return tmp_path


def test_reports_each_entry_let_through(context: Path) -> None:
    (context / ".dockerignore").write_text("dist/\n")
    found = findings(RULE, TEXT, context_dir=context)
    assert [f.message.split("`")[1] for f in found] == [".git", "node_modules", ".env"]
    assert {f.location.line for f in found} == {3}


def test_quiet_when_excluded(context: Path) -> None:
    (context / ".dockerignore").write_text(".git\n**/node_modules\n.env*\n!.env.example\n")
    assert findings(RULE, TEXT, context_dir=context) == []


def test_an_exception_lets_it_back_in(context: Path) -> None:
    (context / ".dockerignore").write_text("*\n!src\n!.env\n")
    assert [f.message.split("`")[1] for f in findings(RULE, TEXT, context_dir=context)] == [".env"]


def test_only_entries_that_a_copy_takes(context: Path) -> None:
    (context / ".dockerignore").write_text("dist\n")
    assert findings(RULE, "FROM alpine\nCOPY src /src\n", context_dir=context) == []
    copied = findings(RULE, "FROM alpine\nCOPY node_modules /m\n", context_dir=context)
    assert [f.message.split("`")[1] for f in copied] == ["node_modules"]


def test_quiet_without_ignore_file_or_context(context: Path) -> None:
    assert findings(RULE, TEXT, context_dir=context) == []  # dockerignore-missing's job
    assert findings(RULE, TEXT) == []
