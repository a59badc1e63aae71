"""Command-line entry point: argument parsing, output choice and exit codes.

Each command lives in its own module under ``slimage.cli`` and registers itself on
:data:`slimage.cli._app.app` when imported; a run imports only the module of the command
it names (:data:`COMMANDS`), and every module for help or an unknown name. Command modules
import their heavy dependencies inside the command function, so ``slimage lint`` in a
pre-commit hook does not pay for image or registry code.
"""

from __future__ import annotations

import gc
import importlib
import sys

from slimage.errors import EXIT_USAGE, SlimageError

# Each command and the module that registers it (only commands that work are listed).
COMMANDS: dict[str, str] = {
    "lint": "lint",
    "rules": "lint",
    "rule": "lint",
    "init": "init",
    "parse": "parse",
    "context": "context",
    "analyze": "analyze",
    "rewrite": "rewrite",
    "audit": "audit",
}
COMMAND_MODULES: tuple[str, ...] = tuple(dict.fromkeys(COMMANDS.values()))


def _load_commands(args: list[str] | None = None) -> None:
    """Register the command that ``args`` run, or every command (for help, --version and
    mistyped names). Typer builds a command's options from its signature when the app
    runs, so commands not registered cost neither their import nor that (~10 ms)."""
    module = COMMANDS.get(args[0]) if args else None
    for name in (module,) if module else COMMAND_MODULES:
        importlib.import_module(f"slimage.cli.{name}")


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; map expected failures to one stderr line and an exit code."""
    # Start-up only creates objects that live as long as the process (modules, the
    # command tree): collecting while importing finds nothing and costs ~5 ms.
    gc.disable()
    try:
        import typer

        from slimage.cli._app import app

        _load_commands(sys.argv[1:] if argv is None else argv)
    finally:
        gc.enable()
    try:
        result = app(args=argv, prog_name="slimage", standalone_mode=False)
        code = result if isinstance(result, int) else 0
    except SlimageError as error:
        _print_error(error.message)
        code = error.exit_code
    except typer.Exit as exit_:
        code = exit_.exit_code
    except typer.TyperException as error:
        show = getattr(error, "show", None)
        if callable(show):
            show()
        else:
            _print_error(error.format_message())
        code = error.exit_code if error.exit_code else EXIT_USAGE
    except typer.Abort:
        _print_error("aborted")
        code = 130
    except BrokenPipeError:
        # The reader went away (e.g. `slimage ... | head`): not an error of ours.
        sys.stderr.close()
        code = 0
    except KeyboardInterrupt:
        _print_error("interrupted")
        code = 130
    sys.exit(code)


def _print_error(message: str) -> None:
    sys.stderr.write(f"slimage: error: {message}\n")
    sys.stderr.flush()
