"""``slimage context``: what the build sends, what reaches the image, and a better ignore file."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from slimage.cli._app import app

if TYPE_CHECKING:
    from slimage.context.inspect import ContextReport


@app.command("context")
def context_command(
    directory: Path = typer.Argument(
        Path("."), help="The build context directory.", show_default=".", metavar="DIR"
    ),
    dockerfile: Path | None = typer.Option(
        None,
        "--file",
        "-f",
        help="The Dockerfile (default: DIR/Dockerfile or DIR/Containerfile). "
        "Its NAME.dockerignore, if present, wins over DIR/.dockerignore.",
        show_default=False,
    ),
    target: str | None = typer.Option(
        None, "--target", help="The stage to analyse (default: the last one)."
    ),
    output_format: str = typer.Option("text", "--format", help="Output format: text or json."),
    suggest: bool = typer.Option(
        False, "--suggest", help="Print a .dockerignore for this stack and directory."
    ),
    write: bool = typer.Option(
        False,
        "--write",
        help="Write the suggested .dockerignore (implies --suggest; needs --force to replace "
        "an existing file).",
    ),
    force: bool = typer.Option(False, "--force", help="With --write, replace an existing file."),
    top: int = typer.Option(10, "--top", min=1, help="How many biggest files/directories to list."),
) -> None:
    """Show the build context: size, biggest entries, exclusions, what reaches the image.

    Exit codes: 0 ok; 1 Docker would fail (unreadable directory, a COPY source that is missing or excluded) or a secret is copied into the image; 2 usage error; 3 the directory, Dockerfile or ignore file cannot be used.
    """  # noqa: E501 - one line per paragraph: the help renderer re-wraps it
    from slimage.context.inspect import inspect_context, report_to_json
    from slimage.errors import UsageError

    if output_format not in ("text", "json"):
        raise UsageError(f"unknown format {output_format!r} (expected text or json)")
    report = inspect_context(directory, dockerfile, target=target, suggest=suggest or write)
    written: Path | None = None
    if write:
        written = _write_suggestion(report, force=force)
    if output_format == "json":
        import json

        document = report_to_json(report, top=top)
        document["written"] = None if written is None else str(written)
        typer.echo(json.dumps(document, indent=2))
    else:
        from slimage.cli._context_text import render_failures, render_report
        from slimage.cli._options import quiet, rich_console

        console = rich_console(sys.stdout, highlight=False, soft_wrap=True)
        if quiet() and not (suggest or write):
            render_failures(report, console=console)
        else:
            render_report(report, top=top, written=written, console=console)
    raise typer.Exit(1 if report.failed else 0)


def _write_suggestion(report: ContextReport, *, force: bool) -> Path:
    from slimage.context.ignore_file import DOCKERIGNORE
    from slimage.errors import UsageError

    assert report.suggestion is not None
    destination = report.context / DOCKERIGNORE
    if report.ignore_file is not None and report.ignore_file.name != DOCKERIGNORE:
        destination = report.ignore_file  # the Dockerfile-specific file is the one in use
    if (destination.exists() or destination.is_symlink()) and not force:
        raise UsageError(f"{destination} already exists; use --force to replace it")
    try:
        destination.write_text(report.suggestion.text, encoding="utf-8")
    except OSError as error:
        raise UsageError(f"{destination}: cannot write: {error.strerror}") from None
    return destination
