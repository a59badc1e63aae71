"""``slimage verify IMAGE``: run the image and check that it still does its job."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from slimage.cli._app import app
from slimage.errors import UsageError


@app.command("verify")
def verify_command(
    image: str = typer.Argument(
        ...,
        help="The image: any reference slimage reads (an archive or OCI layout is loaded "
        "into the runtime first, and removed again afterwards).",
        show_default=False,
    ),
    http: list[str] | None = typer.Option(
        None,
        "--http",
        help=":PORT/PATH[=STATUS]: GET PATH on PORT until it answers (default: any 2xx or "
        "3xx); repeatable.",
        show_default=False,
    ),
    cmd: list[str] | None = typer.Option(
        None,
        "--cmd",
        help="A command run in the container (split like a shell, no shell run); exit 0 "
        "expected. Repeatable.",
        show_default=False,
    ),
    expect_stdout: str | None = typer.Option(
        None,
        "--expect-stdout",
        help="A regex the image's own output (its entry point's stdout) must match.",
        show_default=False,
    ),
    config: Path | None = typer.Option(
        None,
        "--config",
        help="A container-structure-test file (YAML or JSON, schemaVersion 2.0.0).",
        show_default=False,
    ),
    like: str | None = typer.Option(
        None,
        "--like",
        help="Another image: the same probes run against it, and the same HTTP status and "
        "body, command status and output are required.",
        show_default=False,
    ),
    timeout: float = typer.Option(
        60.0, "--timeout", help="Seconds the checks get, counted from when the container runs."
    ),
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
    from slimage.verify import HttpProbe, VerifySpec, verify_image, verify_like

    if output_format not in ("text", "json"):
        raise UsageError(f"--format: {output_format!r} is not one of text, json")
    if config is not None:
        from slimage.verify.structure import load_structure_tests

        load_structure_tests(config)  # a broken file fails before anything runs
    spec = VerifySpec(
        http=tuple(HttpProbe.parse(item) for item in http or ()),
        commands=tuple(cmd or ()),
        expect_stdout=expect_stdout,
        structure_tests=config,
        timeout=timeout,
    )
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
