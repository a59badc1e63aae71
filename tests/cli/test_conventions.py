"""One CLI, one convention (issue 15): what every command shares.

``-f/--file`` is the Dockerfile and ``--format`` has no short flag; ``-q/--quiet`` and
``--color`` on every command, ``NO_COLOR``/``FORCE_COLOR`` honoured; a command-line
mistake is one ``slimage: error:`` line; help text keeps its brackets; shell completion.
"""

from __future__ import annotations

import importlib
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from slimage.cli import COMMAND_MODULES, COMMANDS, main

FAT = "FROM ubuntu:22.04\nRUN apt-get update && apt-get install -y curl\nCMD node server.js\n"


def click_group() -> Any:
    import typer

    from slimage.cli._app import app

    for module in COMMAND_MODULES:
        importlib.import_module(f"slimage.cli.{module}")
    return typer.main.get_command(app)


def every_command(group: Any, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], Any]]:
    """Each command, subcommands of groups (``audit scan``) included, with its words."""
    found = []
    for name, command in group.commands.items():
        found.append(((*path, name), command))
        if hasattr(command, "commands"):
            found.extend(every_command(command, (*path, name)))
    return found


def slimage(*args: str, env: dict[str, str] | None = None, **kwargs: Any) -> Any:
    environment = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "slimage", *args],
        capture_output=True,
        text=True,
        env=environment,
        check=False,
        **kwargs,
    )


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exited:
        main(argv)
    captured = capsys.readouterr()
    code = exited.value.code
    return (code if isinstance(code, int) else 1), captured.out, captured.err


def test_one_meaning_per_flag_on_every_command() -> None:
    group = click_group()
    assert set(group.commands) == set(COMMANDS)
    for name, command in every_command(group):
        options = {opt: param for param in command.params for opt in param.opts}
        assert "--quiet" in options and "-q" in options["--quiet"].opts, name
        assert "--color" in options, name
        if "--format" in options:
            assert options["--format"].opts == ["--format"], f"{name}: --format has a short flag"
        if "-f" in options:
            assert options["-f"].opts == ["--file"] or "--file" in options["-f"].opts, name
    for name in ("lint", "parse", "context", "init"):
        assert "-f" in {opt for p in group.commands[name].params for opt in p.opts}, name


def test_lint_dash_f_names_the_dockerfile(tmp_path: Path) -> None:
    """`slimage lint -f Dockerfile`, a hadolint/docker habit, was a format error."""
    (tmp_path / "Dockerfile").write_text(FAT)
    done = slimage("lint", "-f", "Dockerfile", "--format", "json", cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    assert '"files": [\n    "Dockerfile"\n  ]' in done.stdout
    parsed = slimage("parse", "-f", "Dockerfile", cwd=tmp_path)
    assert parsed.returncode == 0, parsed.stderr
    assert parsed.stdout.startswith("(from ")


@pytest.mark.parametrize(
    "argv",
    [
        ["lint", "--bogus"],
        ["analyze", "image.tar", "--bogus"],
        ["context", "--bogus"],
        ["parse", "--bogus", "Dockerfile"],
        ["init", "--bogus"],
        ["rules", "--bogus"],
        ["--bogus"],
        ["lint", "--jobs", "many"],
        ["frobnicate"],
        ["analyze"],
        ["lint", "--color", "sometimes"],
    ],
)
def test_a_command_line_mistake_is_one_error_line(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(argv, capsys)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1, err
    assert err.startswith("slimage: error: ")
    assert "--help')" in err  # where to look next
    assert "Usage:" not in err


def _bracketed(text: str) -> list[str]:
    return re.findall(r"\[[^\]\s]+\]", text or "")


def test_every_help_text_keeps_its_brackets() -> None:
    """Rich took `[tool.slimage.images]` for markup and printed nothing in its place."""
    group = click_group()
    wide = {"COLUMNS": "400", "TERMINAL_WIDTH": "400"}
    checked = 0
    for words, command in [((), group), *every_command(group)]:
        expected = _bracketed(command.help or "")
        for param in command.params:
            expected += _bracketed(getattr(param, "help", "") or "")
        shown = slimage(*words, "--help", env=wide)
        assert shown.returncode == 0, shown.stderr
        for text in expected:
            assert text in shown.stdout, f"slimage {' '.join(words)} --help lost {text}"
            assert "\\" + text not in shown.stdout, f"{words}: escaped twice: {text}"
            checked += 1
    assert checked >= 3
    init_help = slimage("init", "--help", env=wide).stdout
    assert "[tool.slimage.images] in pyproject.toml or [images] in .slimage.toml" in init_help
    assert "os/arch[/variant]" in slimage("analyze", "--help", env=wide).stdout


def test_color_option_and_environment(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text(FAT)
    lint = ("lint", "--select", "SL2006", "Dockerfile")
    assert "\x1b[" not in slimage(*lint, cwd=tmp_path).stdout  # a pipe: plain
    assert "\x1b[" in slimage(*lint, "--color", "always", cwd=tmp_path).stdout
    assert "\x1b[" in slimage(*lint, cwd=tmp_path, env={"FORCE_COLOR": "1"}).stdout
    assert "\x1b[" in slimage("--color", "always", *lint, cwd=tmp_path).stdout  # on the root
    forced_off = slimage(*lint, "--color", "never", cwd=tmp_path, env={"FORCE_COLOR": "1"})
    assert "\x1b[" not in forced_off.stdout
    no_color = {"FORCE_COLOR": "1", "NO_COLOR": "1"}
    assert "\x1b[" not in slimage(*lint, cwd=tmp_path, env=no_color).stdout
    context = ("context", "--color", "always", ".")
    assert "\x1b[" in slimage(*context, cwd=tmp_path).stdout
    assert "\x1b[" not in slimage("context", ".", cwd=tmp_path, env={"NO_COLOR": "1"}).stdout


def test_quiet_leaves_only_what_fails(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text(FAT)
    loud = slimage("lint", "Dockerfile", cwd=tmp_path)
    quiet = slimage("lint", "-q", "Dockerfile", cwd=tmp_path)
    assert quiet.returncode == loud.returncode == 1
    assert "Found " in loud.stdout and "Found " not in quiet.stdout
    assert quiet.stdout == loud.stdout[: loud.stdout.rindex("Found ")]
    (tmp_path / "ok.Dockerfile").write_text('FROM alpine:3.20\nUSER 1\nCMD ["true"]\n')
    assert slimage("lint", "-q", "ok.Dockerfile", cwd=tmp_path).stdout == ""
    context = slimage("context", "-q", ".", cwd=tmp_path)
    assert context.stdout == "", context.stdout  # nothing fails in this context
    assert "Build context" in slimage("context", ".", cwd=tmp_path).stdout


def test_shell_completion_is_on(tmp_path: Path) -> None:
    # Typer picks the shell from the parent processes (shellingham), not from an argument:
    # run it under bash (not exec'd into), or it depends on what started pytest (make runs
    # a quoted PYTEST_ARGS through /bin/sh, which Typer does not support).
    script = subprocess.run(
        [
            "bash",
            "-c",
            '"$@"; exit $?',
            "bash",
            sys.executable,
            "-m",
            "slimage",
            "--show-completion",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert script.returncode == 0, script.stderr
    assert "_SLIMAGE_COMPLETE=complete_bash" in script.stdout
    completed = slimage(
        cwd=tmp_path,
        env={"_SLIMAGE_COMPLETE": "complete_bash", "COMP_WORDS": "slimage li", "COMP_CWORD": "1"},
    )
    assert completed.stdout.split() == ["lint"]
