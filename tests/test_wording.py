"""Counts in every report read right: ``1 file``, ``2 files``, never ``file(s)`` (issue 15)."""

from __future__ import annotations

from pathlib import Path

import pytest

from slimage.cli import main
from slimage.wording import plural


@pytest.mark.parametrize(
    ("count", "noun", "expected"),
    [
        (0, "file", "0 files"),
        (1, "file", "1 file"),
        (2, "layer", "2 layers"),
        (1, "entry", "1 entry"),
        (3, "entry", "3 entries"),
        (2, "directory", "2 directories"),
        (2, "fix", "2 fixes"),
        (2, "key", "2 keys"),
    ],
)
def test_plural(count: int, noun: str, expected: str) -> None:
    assert plural(count, noun) == expected


def test_lint_summary_counts_one_unreadable_file_in_the_singular(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "Dockerfile").write_text("FROM alpine:3.20\nEXPOSE\n")
    with pytest.raises(SystemExit):
        main(["lint", str(tmp_path)])
    out = capsys.readouterr().out
    # It was "No findings in 1 file. 1 file(s) could not be linted."
    assert out == "No findings in 0 files. 1 file could not be linted.\n"


def test_context_counts_in_the_singular(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "Dockerfile").write_text("FROM alpine:3.20\nCOPY app.txt /app/\nUSER 1\n")
    (tmp_path / "app.txt").write_text("x\n")
    with pytest.raises(SystemExit):
        main(["context", "--color", "never", str(tmp_path)])
    out = capsys.readouterr().out
    assert "(s)" not in out
    assert " 1 files" not in out and " 1 directories" not in out
    assert "2 files" in out  # Dockerfile and app.txt are sent
