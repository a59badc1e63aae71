"""The analyze text report: the plain writer prints what Rich prints to a pipe, and text
from the image never reaches the terminal raw."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest

from slimage.analysis.quick import quick_summary
from slimage.analysis.result import AnalysisResult, analyze_image
from slimage.image.open import open_image
from slimage.report.analysis_text import (
    render_analysis_text,
    report_blocks,
    write_rich,
)
from slimage.report.quick import quick_to_text
from slimage.report.safe_text import clean
from support.images import make_layer, write_docker_archive

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _uncoloured(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pipes are plain unless the environment asks for colour (some CI systems do)."""
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.delenv("TTY_COMPATIBLE", raising=False)


def _analyze(path: Path) -> AnalysisResult:
    return analyze_image(open_image(str(path)))


def _rich_piped(result: AnalysisResult) -> str:
    stream = io.StringIO()
    write_rich(report_blocks(result), stream)
    return stream.getvalue()


def _plain(result: AnalysisResult) -> str:
    stream = io.StringIO()
    render_analysis_text(result, stream)
    return stream.getvalue()


@pytest.fixture(scope="module")
def fat_sample(tmp_path_factory: pytest.TempPathFactory) -> AnalysisResult:
    archive = tmp_path_factory.mktemp("fat") / "fat.tar"
    script = ROOT / "examples" / "make_sample_image.py"
    subprocess.run([sys.executable, str(script), str(archive)], check=True, timeout=120)
    return _analyze(archive)


def test_piped_report_is_plain_and_complete(fat_sample: AnalysisResult) -> None:
    plain = _plain(fat_sample)
    assert plain == _rich_piped(fat_sample) and "\x1b" not in plain
    # The report is all there: the table, the hidden bytes, waste and findings.
    lines = plain.splitlines()
    runtime = 'runs as root (no USER) · cmd ["/bin/sh", "-c", "node server.js"] · ports '
    assert lines[3] == runtime + "22/tcp, 3000/tcp"
    assert lines[5] == "Layers" and lines[6].startswith("# ┃")
    assert "Hidden bytes: 1.22 MB (a squash reclaims them)" in lines
    assert any(line.startswith("Waste in the final filesystem:") for line in lines)
    assert "Findings" in lines and "SA102" in plain


def test_render_is_plain_when_piped(tmp_path: Path) -> None:
    archive = write_docker_archive(
        tmp_path / "img.tar", [make_layer([("file", "app/main", b"m" * 5000)])]
    )
    code = (
        "import io, sys\n"
        "from slimage.analysis.result import analyze_image\n"
        "from slimage.image.open import open_image\n"
        "from slimage.report.analysis_text import render_analysis_text\n"
        f"render_analysis_text(analyze_image(open_image({str(archive)!r})), sys.stdout)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    report = done.stdout.splitlines()
    assert any(line.startswith("1 │") and line.rstrip().endswith("RUN step 1") for line in report)


def test_hostile_names_are_escaped(tmp_path: Path) -> None:
    evil = "app/\x1b]52;c;aGk=\x07\x1b[2Jx"
    layers = [
        make_layer([("file", evil, b"e" * 4000), ("file", "app/ok", b"o" * 10)]),
        make_layer([("whiteout", evil)]),
    ]
    history = [
        {"created_by": "/bin/sh -c #(nop) COPY dir:abc in /app"},
        {"created_by": "/bin/sh -c rm \x1b[31m -rf /app/x"},
    ]
    archive = write_docker_archive(tmp_path / "evil.tar", layers, history=history)
    result = _analyze(archive)
    plain = _plain(result)
    assert "\x1b" not in plain and "\x07" not in plain
    assert "app/\\x1b]52;c;aGk=\\x07\\x1b[2Jx" in plain  # the hidden file, named visibly
    assert "RUN rm \\x1b[31m -rf /app/x" in plain  # the step in the table
    quick = quick_to_text(quick_summary(open_image(str(archive))))
    assert "\x1b" not in quick and "rm \\x1b[31m -rf /app/x" in quick  # --quick too


def test_wide_characters_in_the_table(tmp_path: Path) -> None:
    layers = [make_layer([("file", "srv/data", b"d" * 100)])]
    history = [{"created_by": "/bin/sh -c echo 漢字漢字 > /srv/data"}]
    result = _analyze(write_docker_archive(tmp_path / "wide.tar", layers, history=history))
    stream = io.StringIO()
    render_analysis_text(result, stream)
    assert stream.getvalue() == _rich_piped(result)
    assert "RUN echo 漢字漢字 > /srv/data" in stream.getvalue()


def test_clean_escapes_controls_and_keeps_the_rest() -> None:
    assert clean("a\tb\nc\x7fd\x85é█") == "a\\x09b\\x0ac\\x7fd\\x85é█"
    assert clean("usr/lib/x86_64-linux-gnu") == "usr/lib/x86_64-linux-gnu"


def test_colour_asked_for_in_a_pipe_is_given(
    fat_sample: AnalysisResult, monkeypatch: pytest.MonkeyPatch
) -> None:
    """FORCE_COLOR (and TTY_COMPATIBLE) make Rich style a pipe: the report then goes
    through Rich, as CI logs that render ANSI colours expect."""
    monkeypatch.setenv("FORCE_COLOR", "1")
    coloured = io.StringIO()
    render_analysis_text(fat_sample, coloured)
    assert "\x1b[1m" in coloured.getvalue()
    monkeypatch.setenv("TTY_COMPATIBLE", "0")
    plain = io.StringIO()
    render_analysis_text(fat_sample, plain)
    assert plain.getvalue() == _plain(fat_sample)
    monkeypatch.delenv("TTY_COMPATIBLE")
    monkeypatch.delenv("FORCE_COLOR")
    piped = io.StringIO()
    render_analysis_text(fat_sample, piped)
    assert piped.getvalue() == _plain(fat_sample)
