"""``slimage build [PATH]``: build with the machine's builder, then analyse the result."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from slimage.cli._app import app
from slimage.cli._check_options import build_arg_option, builder_option
from slimage.cli._options import parse_build_arg
from slimage.errors import UsageError


@app.command("build")
def build_command(
    path: Path = typer.Argument(Path("."), help="The build context (default: .)."),
    file: Path | None = typer.Option(
        None, "--file", "-f", help="The Dockerfile (default: PATH/Dockerfile).", show_default=False
    ),
    tag: list[str] | None = typer.Option(
        None, "--tag", "-t", help="Name the image (repeatable).", show_default=False
    ),
    builder: str = builder_option(),
    build_arg: list[str] | None = build_arg_option(),
    target: str | None = typer.Option(
        None, "--target", help="Build up to this stage.", show_default=False
    ),
    platform: str | None = typer.Option(
        None, "--platform", help="os/arch[/variant] to build for.", show_default=False
    ),
    output_format: str = typer.Option("text", "--format", help="text or json."),
    output: Path | None = typer.Option(
        None, "--output", "-o", help="Write the report to FILE.", show_default=False
    ),
    quiet: bool = typer.Option(
        False, "--quiet", "-q", help="Do not stream the builder's output to stderr."
    ),
) -> None:
    """Build an image with the machine's own builder and analyse it in the same run.

    The builder's output streams to stderr (-q: not); the report goes to stdout.

    Exit codes: 0 built; 2 bad options; 5 no builder, or the build failed (naming the step).
    """
    from slimage.api import analyze, open_image
    from slimage.build import BuildRequest, build_image

    if output_format not in ("text", "json"):
        raise UsageError(f"--format: {output_format!r} is not one of text, json")
    request = BuildRequest(
        context=path,
        dockerfile=file,
        tags=tuple(tag or ()),
        build_args=tuple(parse_build_arg(item) for item in build_arg or ()),
        target=target,
        platform=platform,
    )
    built = build_image(request, builder, progress=None if quiet else sys.stderr)
    try:
        image = open_image(built.reference)
        # Reported as where the image stays, not the temporary export it was read from.
        image.source = built.location or image.source  # type: ignore[misc]
        result = analyze(image)
    finally:
        built.cleanup()
    stream = output.open("w", encoding="utf-8") if output else sys.stdout
    try:
        if output_format == "json":
            from slimage.report.build_report import render_build_json

            stream.write(render_build_json(request, built, result))
        else:
            from slimage.report.build_report import render_build_text

            render_build_text(built, result, stream)
    finally:
        if output:
            stream.close()
