"""The analyze text report: the plain writer prints what Rich prints to a pipe, and text
from the image never reaches the terminal raw."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest

from slimage.analysis.quick import quick_summary, quick_to_text
from slimage.analysis.result import AnalysisResult, analyze_image
from slimage.image.open import open_image
from slimage.report.analysis_text import (
    LayersTable,
    render_analysis_text,
    report_blocks,
    write_plain,
    write_rich,
)
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


def _plain(result: AnalysisResult) -> str | None:
    stream = io.StringIO()
    return stream.getvalue() if write_plain(report_blocks(result), stream) else None


@pytest.fixture(scope="module")
def fat_sample(tmp_path_factory: pytest.TempPathFactory) -> AnalysisResult:
    archive = tmp_path_factory.mktemp("fat") / "fat.tar"
    script = ROOT / "examples" / "make_sample_image.py"
    subprocess.run([sys.executable, str(script), str(archive)], check=True, timeout=120)
    return _analyze(archive)


def test_plain_writer_prints_what_rich_prints_to_a_pipe(fat_sample: AnalysisResult) -> None:
    plain = _plain(fat_sample)
    assert plain is not None
    assert plain == _rich_piped(fat_sample)
    # The report is all there: the table, the hidden bytes, waste and findings.
    lines = plain.splitlines()
    runtime = 'runs as root (no USER) · cmd ["/bin/sh", "-c", "node server.js"] · ports '
    assert lines[3] == runtime + "22/tcp, 3000/tcp"
    assert lines[5] == "Layers" and lines[6].startswith("# ┃")
    assert "Hidden bytes: 1.2 MB (a squash reclaims them)" in lines
    assert any(line.startswith("Waste in the final filesystem:") for line in lines)
    assert "Findings" in lines and "SA102" in plain


def test_render_is_plain_when_piped_and_does_not_load_rich(tmp_path: Path) -> None:
    archive = write_docker_archive(
        tmp_path / "img.tar", [make_layer([("file", "app/main", b"m" * 5000)])]
    )
    code = (
        "import io, sys\n"
        "from slimage.analysis.result import analyze_image\n"
        "from slimage.image.open import open_image\n"
        "from slimage.report.analysis_text import render_analysis_text\n"
        f"render_analysis_text(analyze_image(open_image({str(archive)!r})), sys.stdout)\n"
        "print(sorted(name for name in sys.modules if name.split('.')[0] == 'rich'))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    *report, loaded = done.stdout.splitlines()
    assert loaded == "[]"
    assert any(line.startswith("1 │") and line.rstrip().endswith("RUN step 1") for line in report)


def test_hostile_names_are_escaped_in_both_writers(tmp_path: Path) -> None:
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
    assert plain is not None and plain == _rich_piped(result)
    for text in (plain, _rich_piped(result)):
        assert "\x1b" not in text and "\x07" not in text
    assert "app/\\x1b]52;c;aGk=\\x07\\x1b[2Jx" in plain  # the hidden file, named visibly
    assert "RUN rm \\x1b[31m -rf /app/x" in plain  # the step in the table
    quick = quick_to_text(quick_summary(open_image(str(archive))))
    assert "\x1b" not in quick and "rm \\x1b[31m -rf /app/x" in quick  # --quick too


def test_wide_characters_in_the_table_are_left_to_rich(tmp_path: Path) -> None:
    layers = [make_layer([("file", "srv/data", b"d" * 100)])]
    history = [{"created_by": "/bin/sh -c echo 漢字漢字 > /srv/data"}]
    result = _analyze(write_docker_archive(tmp_path / "wide.tar", layers, history=history))
    assert _plain(result) is None  # widths of CJK text are Rich's business
    stream = io.StringIO()
    render_analysis_text(result, stream)
    assert stream.getvalue() == _rich_piped(result)
    assert "RUN echo 漢字漢字 > /srv/data" in stream.getvalue()


def test_clean_escapes_controls_and_keeps_the_rest() -> None:
    assert clean("a\tb\nc\x7fd\x85é█") == "a\\x09b\\x0ac\\x7fd\\x85é█"
    assert clean("usr/lib/x86_64-linux-gnu") == "usr/lib/x86_64-linux-gnu"


def test_layers_table_layout_matches_rich_for_many_widths() -> None:
    """Column widths from one to many characters, empty cells, both justifications."""
    table = LayersTable()
    for index, (size, hidden, step) in enumerate(
        [("0 B", "", "x"), ("999.9 GB", "12.0 kB", "RUN " + "y" * 66), ("1 B", "1 B", "")]
    ):
        table.rows.append(
            (
                (str(10**index), ""),
                (size, ""),
                ("█" * index + "·" * (20 - index), "cyan"),
                (hidden, ""),
                (str(index * 1000), ""),
                (step, ""),
            )
        )
    blocks: list[LayersTable | list[tuple[str, str]]] = [[("title", "bold")], [], table]
    plain, rich = io.StringIO(), io.StringIO()
    assert write_plain(blocks, plain)
    write_rich(blocks, rich)
    assert plain.getvalue() == rich.getvalue()


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
