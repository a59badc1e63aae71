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
import os
import sys

from slimage.errors import EXIT_INTERNAL, EXIT_USAGE, SlimageError

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
    "diff": "diff",
    "build": "build",
    "verify": "verify",
    "audit": "audit",
    "explore": "explore",
}
COMMAND_MODULES: tuple[str, ...] = tuple(dict.fromkeys(COMMANDS.values()))


def _load_commands(args: list[str] | None = None) -> None:
    """Register the command that ``args`` run, or every command (for help, --version and
    mistyped names). Typer builds a command's options from its signature when the app
    runs, so commands not registered cost neither their import nor that (~10 ms)."""
    name = next((arg for arg in args if not arg.startswith("-")), None) if args else None
    module = COMMANDS.get(name) if name else None
    for name in (module,) if module else COMMAND_MODULES:
        importlib.import_module(f"slimage.cli.{name}")


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; map expected failures to one stderr line and an exit code."""
    import typer

    from slimage.cli._app import app

    _load_commands(sys.argv[1:] if argv is None else argv)
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
    except (Exception, MemoryError, RecursionError) as error:  # a bug: never "findings"
        code = _internal_error(error)
    sys.exit(code)


def debug_enabled() -> bool:
    """Whether ``--debug`` (a global option) or ``SLIMAGE_DEBUG=1`` asks for tracebacks."""
    if os.environ.get("SLIMAGE_DEBUG", "").strip() not in ("", "0"):
        return True
    from slimage.cli import _app

    return _app.state.debug


def _internal_error(error: BaseException) -> int:
    """One line for an unexpected exception (the traceback only with --debug)."""
    if isinstance(error, MemoryError):
        # Free what the failed work held before formatting anything.
        gc.collect()
    if debug_enabled():
        import traceback

        traceback.print_exception(error, file=sys.stderr)
    kind = type(error).__name__
    from slimage.report.safe_text import clean

    # The message may quote input (a path, a word from an image): made safe to print.
    detail = clean(" ".join(str(error).split())[:300])
    text = f"{kind}: {detail}" if detail else kind
    sys.stderr.write(
        f"slimage: internal error: {text} (please report; rerun with --debug for the traceback)\n"
    )
    sys.stderr.flush()
    return EXIT_INTERNAL


def _print_error(message: str) -> None:
    sys.stderr.write(f"slimage: error: {message}\n")
    sys.stderr.flush()
