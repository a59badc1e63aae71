"""The Typer application object that every command module registers on."""

from __future__ import annotations

from dataclasses import dataclass

import typer


@dataclass(slots=True)
class _State:
    """Global options every command shares."""

    debug: bool = False


state = _State()

app = typer.Typer(
    name="slimage",
    help=(
        "Explain, lint and shrink container images.\n\n"
        "Exit codes: 0 ok; 1 findings at or above the fail level, or a size gate failed; "
        "2 usage or configuration error; 3 an input (Dockerfile, image, context) cannot be used; "
        "4 internal error (a bug in slimage); 5 an external tool is missing or failed."
    ),
    no_args_is_help=True,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)


def _version_callback(value: bool) -> None:
    if value:
        from slimage import __version__

        typer.echo(f"slimage {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: bool = typer.Option(
        False,
        "--version",
        callback=_version_callback,
        is_eager=True,
        help="Print the version and exit.",
    ),
    debug: bool = typer.Option(
        False,
        "--debug",
        help="On an internal error, print the traceback (also SLIMAGE_DEBUG=1).",
    ),
) -> None:
    """Explain, lint and shrink container images."""
    state.debug = debug
