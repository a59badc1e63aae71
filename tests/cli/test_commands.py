"""The command table: every command is found by its name, and a run loads only its own."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from slimage.cli import COMMAND_MODULES, COMMANDS, _load_commands
from slimage.cli._app import app


def test_the_table_names_every_registered_command() -> None:
    _load_commands()
    # Commands, and groups of subcommands (``slimage audit``) added with add_typer.
    registered = {info.name: info.callback for info in app.registered_commands}
    for group in app.registered_groups:
        first = group.typer_instance.registered_commands[0]
        registered[group.name] = first.callback
    assert sorted(registered) == sorted(COMMANDS)
    for name, module in COMMANDS.items():
        callback = registered[name]
        assert callback is not None
        assert callback.__module__ == f"slimage.cli.{module}"


def _modules_after(*args: str, cwd: Path) -> tuple[int, list[str], str]:
    code = (
        "import json, sys\n"
        "from slimage.cli import main\n"
        "try:\n"
        f"    main({list(args)!r})\n"
        "except SystemExit as done:\n"
        "    code = done.code\n"
        "print(code, json.dumps(sorted(m for m in sys.modules if m.startswith('slimage.cli.'))))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=cwd, timeout=60
    )
    *_, last = done.stdout.splitlines()
    status, _, modules = last.partition(" ")
    return int(status), json.loads(modules), done.stdout


def test_a_command_loads_only_its_module(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text('FROM debian:12\nCMD ["true"]\n')
    commands = {f"slimage.cli.{module}" for module in COMMAND_MODULES}
    code, modules, _ = _modules_after("parse", "Dockerfile", cwd=tmp_path)
    assert code == 0
    assert commands.intersection(modules) == {"slimage.cli.parse"}
    code, modules, _ = _modules_after("rules", cwd=tmp_path)
    assert code == 0 and commands.intersection(modules) == {"slimage.cli.lint"}


def test_help_and_unknown_names_see_every_command(tmp_path: Path) -> None:
    code, modules, output = _modules_after("--help", cwd=tmp_path)
    assert code == 0
    assert {f"slimage.cli.{module}" for module in COMMAND_MODULES} <= set(modules)
    assert all(name in output for name in COMMANDS)
    done = subprocess.run(
        [sys.executable, "-m", "slimage", "analyse", "x.tar"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
    )
    assert done.returncode == 2
    assert "No such command" in done.stderr and "analyze" in done.stderr  # the suggestion
