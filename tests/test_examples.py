"""The scripts under examples/ behave as command-line tools (issue 15)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SAMPLE = Path(__file__).parents[1] / "examples" / "make_sample_image.py"


def test_make_sample_image_help_prints_usage_and_writes_nothing(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(SAMPLE), "--help"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("usage: make_sample_image.py [-h] OUTPUT.tar")
    assert list(tmp_path.iterdir()) == []  # it wrote a 28 MB file named --help before


def test_make_sample_image_without_output_is_a_usage_error(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(SAMPLE)], capture_output=True, text=True, cwd=tmp_path, check=False
    )
    assert done.returncode == 2
    assert "the following arguments are required: OUTPUT.tar" in done.stderr
    assert list(tmp_path.iterdir()) == []
