"""``slimage verify IMAGE``: run the image and check that it still does its job."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from slimage.cli._app import app
from slimage.cli._check_options import (
    cmd_option,
    config_option,
    expect_stdout_option,
    http_option,
    timeout_option,
    verify_spec,
)
from slimage.errors import UsageError


@app.command("verify")
def verify_command(
    image: str = typer.Argument(
        ...,
        help="The image: any reference slimage reads (an archive or OCI layout is loaded "
        "into the runtime first, and removed again afterwards).",
        show_default=False,
    ),
    http: list[str] | None = http_option(),
    cmd: list[str] | None = cmd_option(),
    expect_stdout: str | None = expect_stdout_option(),
    config: Path | None = config_option(),
    like: str | None = typer.Option(
        None,
        "--like",
        help="Another image: the same probes run against it, and the same HTTP status and "
        "body, command status and output are required.",
        show_default=False,
    ),
    timeout: float = timeout_option(),
    runtime: str = typer.Option(
        "auto",
        "--runtime",
        help="auto (podman, else docker when its daemon answers, else buildah), podman, "
        "docker or buildah.",
    ),
    output_format: str = typer.Option("text", "--format", help="text or json."),
    output: Path | None = typer.Option(
        None, "--output", "-o", help="Write the report to FILE.", show_default=False
    ),
) -> None:
    """Run an image with its own entry point and user, and check that it does its job.

    Without a check, the entry point must start (and run on, or end with status 0).

    Containers are always removed, also on failure, timeout and Ctrl-C.

    Exit codes: 0 passed; 1 a check failed; 2 bad options; 3 unreadable image; 5 runtime failed.
    """
    from slimage.verify import verify_image, verify_like

    if output_format not in ("text", "json"):
        raise UsageError(f"--format: {output_format!r} is not one of text, json")
    spec = verify_spec(http, cmd, expect_stdout, config, timeout)
    if like is not None:
        report = verify_like(image, like, spec, runtime)
    else:
        report = verify_image(image, spec, runtime)
    stream = output.open("w", encoding="utf-8") if output else sys.stdout
    try:
        if output_format == "json":
            from slimage.report.verify_report import render_verify_json

            stream.write(render_verify_json(report))
        else:
            from slimage.report.verify_report import render_verify_text

            render_verify_text(report, stream)
    finally:
        if output:
            stream.close()
    if not report.passed:
        raise typer.Exit(1)
