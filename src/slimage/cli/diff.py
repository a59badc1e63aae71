"""``slimage diff BEFORE AFTER``: two images compared by content, with a growth gate."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import IO, TYPE_CHECKING

import typer

from slimage.cli._app import app
from slimage.cli._image_options import INSECURE_REGISTRY_OPTION, PLATFORM_OPTION, image_source
from slimage.cli._options import quiet, use_color
from slimage.errors import InputError, UsageError

if TYPE_CHECKING:
    from slimage.diff.model import ImageDiff

FORMATS = ("text", "json", "markdown")
_IMAGE_HELP = (
    "an archive, an OCI layout, docker://REF, docker-daemon:REF, containers-storage:REF "
    "or a plain name (as `slimage analyze` takes it)"
)


@app.command("diff")
def diff_command(
    before: str = typer.Argument(
        ..., help=f"The image before the change: {_IMAGE_HELP}.", show_default=False
    ),
    after: str = typer.Argument(..., help="The image after the change.", show_default=False),
    output_format: str = typer.Option(
        "text", "--format", help="Output format: text, json (a versioned schema) or markdown."
    ),
    max_growth: str | None = typer.Option(
        None,
        "--max-growth",
        help="Fail (exit 1) when the after image holds more file bytes than the before "
        "image by more than SIZE (10MB) or PCT (5%); 0 allows no growth.",
        show_default=False,
    ),
    bandwidth: str = typer.Option(
        "100Mbit",
        "--bandwidth",
        help="The bandwidth pull times are estimated at (1Gbit, 12.5MB/s).",
    ),
    output: Path | None = typer.Option(
        None, "--output", "-o", help="Write the report to FILE instead of standard output."
    ),
    platform: str | None = PLATFORM_OPTION,
    insecure_registry: bool = INSECURE_REGISTRY_OPTION,
) -> None:
    """Compare two images by content: size and pull time, files added, removed and changed
    (by digest), packages, shells, setuid files, user and entry point.

    Exit codes: 0 ok; 1 --max-growth exceeded; 2 bad options; 3 an image cannot be read.
    With -q, text output is only the failed gate.
    """
    from slimage.cli._units import parse_bandwidth, parse_growth
    from slimage.diff import DiffOptions, diff_images

    if output_format not in FORMATS:
        raise UsageError(f"--format: {output_format!r} is not one of {', '.join(FORMATS)}")
    growth_bytes, growth_ratio = (
        parse_growth(max_growth, "--max-growth") if max_growth is not None else (None, None)
    )
    options = DiffOptions(
        bandwidth_bits=parse_bandwidth(bandwidth, "--bandwidth"),
        max_growth_bytes=growth_bytes,
        max_growth_ratio=growth_ratio,
        **image_source(platform, insecure_registry),
    )
    diff = diff_images(before, after, options)
    if output is None:
        _render(diff, output_format, sys.stdout)
        sys.stdout.flush()
    else:
        try:
            with output.open("w", encoding="utf-8") as stream:
                _render(diff, output_format, stream)
        except OSError as error:
            raise InputError(f"{output}: cannot write the report ({error.strerror})") from None
    if not diff.gates_passed:
        raise typer.Exit(1)


def _render(diff: ImageDiff, output_format: str, stream: IO[str]) -> None:
    if output_format == "json":
        from slimage.report.diff_json import render_diff_json

        stream.write(render_diff_json(diff))
    elif output_format == "markdown":
        from slimage.report.diff_markdown import render_diff_markdown

        stream.write(render_diff_markdown(diff))
    elif quiet():
        from slimage.report.diff_text import gate_lines

        stream.writelines(f"{line}\n" for line in gate_lines(diff))
    else:
        from slimage.report.diff_text import render_diff_text

        render_diff_text(diff, stream, color=use_color(stream))
