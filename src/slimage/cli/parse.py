"""``slimage parse``: print a Dockerfile as BuildKit's parser sees it."""

from __future__ import annotations

import sys

import typer

from slimage.cli._app import app

_FORMATS = ("buildkit", "json")


@app.command("parse")
def parse_command(
    file_argument: str | None = typer.Argument(
        None,
        metavar="FILE",
        help="The Dockerfile to parse; - reads standard input.",
        show_default=False,
    ),
    file_option: str | None = typer.Option(
        None,
        "--file",
        "-f",
        help="The Dockerfile, as docker build -f names it (instead of FILE).",
        show_default=False,
    ),
    output_format: str = typer.Option(
        "buildkit",
        "--format",
        help=(
            "buildkit: BuildKit's Node.Dump() text, one (instruction ...) line each; "
            "json: the full model with positions (see docs/dockerfile.md)."
        ),
    ),
    strict: bool = typer.Option(
        False,
        "--strict",
        help=(
            "Also apply the instruction checks docker build makes after parsing "
            "(argument counts, unknown instructions, ONBUILD rules)."
        ),
    ),
) -> None:
    """Parse a Dockerfile exactly as BuildKit does and print the result.

    A file BuildKit rejects prints FILE:LINE:COL: error: ... and exits 3.
    """
    from slimage.cli._options import quiet
    from slimage.dockerfile.dump import dump_buildkit
    from slimage.dockerfile.parser import decode_dockerfile, parse_dockerfile, read_dockerfile
    from slimage.dockerfile.serialize import dockerfile_to_json
    from slimage.dockerfile.validate import validate_instructions
    from slimage.errors import UsageError

    if file_argument is not None and file_option is not None:
        raise UsageError("give the Dockerfile once: as FILE or with -f/--file")
    file = file_argument if file_argument is not None else file_option
    if file is None:
        raise UsageError("no Dockerfile given: slimage parse FILE, or -f FILE (- for stdin)")
    if output_format not in _FORMATS:
        raise UsageError(f"--format must be one of {', '.join(_FORMATS)}, not {output_format!r}")
    if file == "-":
        df = parse_dockerfile(
            decode_dockerfile(sys.stdin.buffer.read(), path="<stdin>"), path="<stdin>"
        )
    else:
        df = read_dockerfile(file)
    if strict:
        validate_instructions(df)
    for warning in () if quiet() else df.warnings:
        sys.stderr.write(f"slimage: warning: {df.path}: {' '.join(warning.splitlines())}\n")
    text = dump_buildkit(df) if output_format == "buildkit" else dockerfile_to_json(df, indent=True)
    # Bytes that were not UTF-8 travel as surrogates; write them back as the same bytes.
    sys.stdout.buffer.write(text.encode("utf-8", "surrogateescape") + b"\n")
    sys.stdout.flush()
