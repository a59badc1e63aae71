"""docs/api.md's example, run as written, and the library API against the CLI."""

from __future__ import annotations

import contextlib
import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

import slimage
from slimage.analysis.gates import GateLimits
from slimage.cli import main
from slimage.errors import ImageNotFound

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fat sample image `make demo` analyses, written by its own script."""
    path = tmp_path_factory.mktemp("api") / "fat-sample.tar"
    subprocess.run(
        [sys.executable, str(ROOT / "examples" / "make_sample_image.py"), str(path)],
        check=True,
        capture_output=True,
    )
    return path


def test_the_documented_example_runs(sample: Path) -> None:
    text = (ROOT / "docs" / "api.md").read_text()
    block = re.search(r"```python\n(.*?)```", text, re.S)
    assert block is not None
    code = block.group(1).replace("examples/out/fat-sample.tar", str(sample))
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "docs/api.md", "exec"), {})
    printed = out.getvalue()
    assert "a gate failed: ['max-hidden']" in printed
    assert "SL1009" in printed  # apt lists kept, from the lint part


def test_analyze_equals_the_cli_json(sample: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from slimage.report.analysis_json import render_analysis_json

    result = slimage.analyze(str(sample), slimage.AnalyzeOptions(limits=GateLimits()))
    with pytest.raises(SystemExit):
        main(["analyze", str(sample), "--format", "json"])
    cli = json.loads(capsys.readouterr().out)
    assert json.loads(render_analysis_json(result)) == cli
    assert result.size_bytes > 20_000_000


def test_an_opened_image_is_accepted_and_gates_are_checked(sample: Path) -> None:
    image = slimage.open_image(str(sample))
    result = slimage.analyze(image, slimage.AnalyzeOptions(limits=GateLimits(max_size=1000)))
    assert not result.gates_passed
    assert [gate.passed for gate in result.gates] == [False]


def test_errors_are_the_cli_errors(tmp_path: Path) -> None:
    with pytest.raises(ImageNotFound) as error:
        slimage.analyze(str(tmp_path / "missing.tar"))
    assert error.value.exit_code == 3


def test_lint_path_discovers_the_config(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text("FROM ubuntu:22.04\nRUN apt-get update\n")
    (tmp_path / ".slimage.toml").write_text('ignore = ["SL1009"]\n')
    codes = {finding.code for finding in slimage.lint_path(tmp_path / "Dockerfile").findings}
    assert "SL1009" not in codes
    assert "SL1009" in {
        f.code for f in slimage.lint((tmp_path / "Dockerfile").read_text()).findings
    }
