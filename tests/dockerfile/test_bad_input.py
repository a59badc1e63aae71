"""Bad input through the real CLI (``python -m slimage parse``): one clear stderr line
naming the file, exit code 3 (2 for usage errors), never a traceback, never a hang."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest


def _run(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "slimage", "parse", *args],
        input=stdin,
        capture_output=True,
        timeout=120,
        check=False,
    )


def _one_error_line(result: subprocess.CompletedProcess[bytes], code: int) -> str:
    stderr = result.stderr.decode("utf-8", "replace")
    assert result.returncode == code, stderr
    assert "Traceback" not in stderr
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("slimage: error: ")
    return lines[0]


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope" / "Dockerfile"
    line = _one_error_line(_run(str(path)), 3)
    assert str(path) in line and "no such file" in line


def test_directory(tmp_path: Path) -> None:
    line = _one_error_line(_run(str(tmp_path)), 3)
    assert str(tmp_path) in line and "directory" in line


def test_device_is_refused() -> None:
    line = _one_error_line(_run("/dev/zero"), 3)
    assert "/dev/zero" in line and "device" in line


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "Dockerfile"
    path.write_bytes(b"")
    line = _one_error_line(_run(str(path)), 3)
    assert line == f"slimage: error: {path}:1:1: error: file with no instructions"


def test_only_comments_and_blank_lines(tmp_path: Path) -> None:
    path = tmp_path / "Dockerfile"
    path.write_text("# syntax=docker/dockerfile:1\n\n# nothing here\n")
    assert "file with no instructions" in _one_error_line(_run(str(path)), 3)


def test_binary_file(tmp_path: Path) -> None:
    path = tmp_path / "Dockerfile"
    path.write_bytes(b"\x7fELF\x02\x01\x01\x00\x00\x00FROM x\n")
    line = _one_error_line(_run(str(path)), 3)
    assert str(path) in line and "binary" in line


def test_utf16_file(tmp_path: Path) -> None:
    path = tmp_path / "Dockerfile"
    path.write_bytes("FROM alpine\n".encode("utf-16"))
    assert "UTF-16" in _one_error_line(_run(str(path)), 3)


def test_invalid_utf8_is_kept_losslessly(tmp_path: Path) -> None:
    # BuildKit reads bytes: a Latin-1 byte is accepted. A RUN keeps it (Go's %q shows
    # \xe9); ENV/LABEL words decode runes, so there it becomes U+FFFD, as in BuildKit.
    path = tmp_path / "Dockerfile"
    path.write_bytes(b"FROM alpine\nRUN echo Ren\xe9\nLABEL maintainer=Ren\xe9\n")
    result = _run(str(path))
    assert result.returncode == 0, result.stderr
    assert result.stdout.decode().splitlines()[1:] == [
        '(run "echo Ren\\xe9")',
        '(label "maintainer" "Ren\ufffd" "=")',
    ]
    json_result = _run(str(path), "--format", "json")
    assert json_result.returncode == 0 and b"Ren" in json_result.stdout


@pytest.mark.slow
def test_ten_megabyte_line(tmp_path: Path) -> None:
    path = tmp_path / "Dockerfile"
    path.write_bytes(b"FROM alpine\nRUN echo " + b"a" * 10_000_000 + b"\n")
    line = _one_error_line(_run(str(path)), 3)
    assert line.endswith(":2:1: error: dockerfile line greater than max allowed size of 65535")


@pytest.mark.slow
def test_ten_megabyte_line_alone(tmp_path: Path) -> None:
    path = tmp_path / "Dockerfile"
    path.write_bytes(b"a" * 10_000_000)
    assert "greater than max allowed size" in _one_error_line(_run(str(path)), 3)


@pytest.mark.slow
@pytest.mark.timeout(120)
def test_hundred_thousand_instructions(tmp_path: Path) -> None:
    path = tmp_path / "Dockerfile"
    path.write_text("FROM alpine\n" + "RUN echo hello && true\n" * 100_000)
    result = _run(str(path))
    assert result.returncode == 0, result.stderr
    assert result.stdout.count(b"\n") == 100_001


def test_unterminated_heredoc(tmp_path: Path) -> None:
    path = tmp_path / "Dockerfile"
    path.write_text("FROM alpine\nRUN <<EOF\necho never closed\n")
    line = _one_error_line(_run(str(path)), 3)
    assert line == f"slimage: error: {path}:2:1: error: unterminated heredoc"


def test_unterminated_json_is_shell_form(tmp_path: Path) -> None:
    # BuildKit falls back to the shell form for JSON it cannot decode.
    path = tmp_path / "Dockerfile"
    path.write_text('FROM alpine\nCMD ["echo", "hi"\n')
    result = _run(str(path))
    assert result.returncode == 0, result.stderr
    assert result.stdout.decode().splitlines()[1] == '(cmd "[\\"echo\\", \\"hi\\"")'


def test_json_with_a_number_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "Dockerfile"
    path.write_text('FROM alpine\nCMD ["echo", 1]\n')
    line = _one_error_line(_run(str(path)), 3)
    assert line.endswith(
        ":2:1: error: when using JSON array syntax, arrays must be comprised of strings only"
    )


def test_env_without_value(tmp_path: Path) -> None:
    path = tmp_path / "Dockerfile"
    path.write_text("FROM alpine\n  ENV FOO\n")
    assert _one_error_line(_run(str(path)), 3).endswith(":2:3: error: ENV must have two arguments")


def test_strict_reports_instruction_errors(tmp_path: Path) -> None:
    path = tmp_path / "Dockerfile"
    path.write_text("FROM alpine\nCOPY onlyone\n")
    assert _run(str(path)).returncode == 0
    line = _one_error_line(_run(str(path), "--strict"), 3)
    assert "COPY requires at least two arguments" in line and ":2:1:" in line


def test_stdin() -> None:
    result = _run("-", stdin=b"FROM alpine\nRUN echo hi\n")
    assert result.returncode == 0
    assert result.stdout == b'(from "alpine")\n(run "echo hi")\n'
    line = _one_error_line(_run("-", stdin=b""), 3)
    assert "<stdin>" in line


def test_bad_format_is_a_usage_error(tmp_path: Path) -> None:
    path = tmp_path / "Dockerfile"
    path.write_text("FROM alpine\n")
    assert "--format" in _one_error_line(_run(str(path), "--format", "yaml"), 2)


def test_missing_argument_is_a_usage_error() -> None:
    result = _run()
    assert result.returncode == 2
    assert b"Traceback" not in result.stderr
