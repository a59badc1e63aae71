"""An unexpected exception is a bug: exit 4 and one line, the traceback only on request."""

from __future__ import annotations

from pathlib import Path

import pytest

from slimage.cli import _app, main
from slimage.errors import EXIT_INTERNAL


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    with pytest.raises(SystemExit) as exited:
        main(argv)
    return int(exited.value.code or 0), capsys.readouterr().err


@pytest.fixture
def dockerfile(tmp_path: Path) -> str:
    path = tmp_path / "Dockerfile"
    path.write_text("FROM alpine:3.20\nRUN true\n")
    return str(path)


@pytest.fixture(autouse=True)
def _no_debug(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SLIMAGE_DEBUG", raising=False)
    monkeypatch.setattr(_app.state, "debug", False)


@pytest.mark.parametrize(
    "error", [RuntimeError("boom\nsecond line"), MemoryError(), RecursionError("too deep")]
)
def test_internal_error_is_exit_4_and_one_line(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    dockerfile: str,
    error: BaseException,
) -> None:
    def explode(*args: object, **kwargs: object) -> None:
        raise error

    monkeypatch.setattr("slimage.rules.engine.lint_dockerfile", explode)
    code, err = _run(["lint", dockerfile], capsys)
    assert code == EXIT_INTERNAL == 4
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith(f"slimage: internal error: {type(error).__name__}")
    assert lines[0].endswith("(please report; rerun with --debug for the traceback)")
    assert "Traceback" not in err


@pytest.mark.parametrize("how", ["option", "environment"])
def test_debug_prints_the_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], dockerfile: str, how: str
) -> None:
    def explode(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr("slimage.rules.engine.lint_dockerfile", explode)
    argv = ["lint", dockerfile]
    if how == "option":
        argv = ["--debug", *argv]
    else:
        monkeypatch.setenv("SLIMAGE_DEBUG", "1")
    code, err = _run(argv, capsys)
    assert code == 4
    assert "Traceback (most recent call last)" in err
    assert "in explode" in err
    assert err.rstrip().splitlines()[-1].startswith("slimage: internal error: RuntimeError: boom")


def test_expected_errors_keep_their_codes(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, err = _run(["lint", str(tmp_path / "missing")], capsys)
    assert code == 3
    assert err.startswith("slimage: error:")
