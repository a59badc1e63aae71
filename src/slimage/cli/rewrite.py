"""``slimage rewrite``: the user's fat Dockerfile as a slim multi-stage one."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from slimage.cli._app import app

# Findings of the context and ignore rules are settled by the .dockerignore --write writes.
_IGNORE_RULES = ("SL1006", "SL1007", "SL1008")


@app.command("rewrite")
def rewrite_command(
    path: Path = typer.Argument(
        Path("."), help="The build context directory (or the Dockerfile itself)."
    ),
    file: Path | None = typer.Option(
        None, "--file", "-f", help="The Dockerfile (default: PATH/Dockerfile).", show_default=False
    ),
    write: bool = typer.Option(
        False,
        "--write",
        help="Replace the Dockerfile (and write or complete .dockerignore) once the new file "
        "re-parses and lints clean.",
    ),
    diff: bool = typer.Option(False, "--diff", help="Print a unified diff instead of the file."),
    runtime: str | None = typer.Option(
        None,
        "--runtime",
        help="Runtime base: scratch, distroless, slim, alpine or jlink (Java) "
        "(default: the smallest that fits the stack).",
    ),
    base_image: list[str] = typer.Option(
        [],
        "--base-image",
        help="Substitute an image in the new file: NAME=REFERENCE, NAME being a repository "
        "(node, gcr.io/distroless/static-debian13) or a full reference. Repeatable.",
    ),
    artifact: list[str] = typer.Option(
        [],
        "--artifact",
        help="A path the build produces that the runtime needs (absolute, or relative to the "
        "final WORKDIR). Repeatable.",
    ),
    keep_package: list[str] = typer.Option(
        [], "--keep-package", help="An OS package to install in the runtime too. Repeatable."
    ),
    output_format: str = typer.Option("text", "--format", help="Report format: text or json."),
) -> None:
    """Rewrite a fat Dockerfile as a slim multi-stage one that still works.

    The new Dockerfile goes to stdout, the report (what moved where and why, the expected saving, every doubt) to stderr; with --format json one JSON document (the file and the report) goes to stdout.

    Exit codes: 0 rewritten; 1 --write refused (the new file does not lint clean); 2 usage error; 3 the Dockerfile or context cannot be used, or cannot be rewritten safely (the reason is printed).
    """  # noqa: E501 - one line per paragraph: the help renderer re-wraps it
    from slimage.errors import UsageError
    from slimage.rewrite import rewrite_dockerfile
    from slimage.stacks.images import parse_overrides

    if output_format not in ("text", "json"):
        raise UsageError(f"unknown format {output_format!r} (expected text or json)")
    if write and diff:
        raise UsageError("--write and --diff: choose one")
    dockerfile, context = _locate(path, file)
    result = rewrite_dockerfile(
        dockerfile,
        context,
        runtime=runtime,
        base_images=parse_overrides(base_image),
        artifacts=artifact,
        keep_packages=keep_package,
    )
    if write:
        _write(result, dockerfile, context)
    if output_format == "json":
        import json

        sys.stdout.write(json.dumps(result.to_dict(), indent=2) + "\n")
        return
    from slimage.report.rewrite_text import render_report

    if diff:
        import difflib

        sys.stdout.writelines(
            difflib.unified_diff(
                result.original.splitlines(keepends=True),
                result.text.splitlines(keepends=True),
                fromfile=str(dockerfile),
                tofile=f"{dockerfile} (rewritten)",
            )
        )
    elif not write:
        sys.stdout.write(result.text)
    sys.stderr.write(render_report(result))


def _locate(path: Path, file: Path | None) -> tuple[Path, Path]:
    from slimage.errors import InputNotFound

    if file is not None:
        context = path if path.is_dir() else file.parent
        return file, context
    if path.is_file():
        return path, path.parent
    if not path.is_dir():
        raise InputNotFound(f"{path}: no such file or directory")
    for name in ("Dockerfile", "Containerfile"):
        if (path / name).is_file():
            return path / name, path
    raise InputNotFound(f"{path}: no Dockerfile or Containerfile here (use -f FILE)")


def _write(result: object, dockerfile: Path, context: Path) -> None:
    """Lint the new file; write it and the completed .dockerignore only if it is clean."""
    from slimage.dockerfile.parser import parse_dockerfile
    from slimage.dockerfile.stages import build_stage_graph
    from slimage.errors import SlimageError
    from slimage.findings import Severity
    from slimage.rewrite.model import RewriteResult
    from slimage.rules.engine import lint

    assert isinstance(result, RewriteResult)
    findings = lint(result.text, path=str(dockerfile), context_dir=context).findings
    # Findings the original has too (its EXPOSE 22, its secret ENV) are the user's to fix.
    before = {
        f.code for f in lint(result.original, path=str(dockerfile), context_dir=context).findings
    }
    runtime_line = result.text.count("\n", 0, result.text.rfind("\nFROM ") + 1) + 1
    blocking = [
        f
        for f in findings
        if f.code not in _IGNORE_RULES
        and f.code not in before
        and (
            f.severity >= Severity.ERROR
            or (f.severity >= Severity.WARNING and f.location.line >= runtime_line)
        )
    ]
    if blocking:
        first = blocking[0]
        raise SlimageError(
            f"{dockerfile}: not written: the rewritten file does not lint clean "
            f"(line {first.location.line}: {first.code} {first.message}); "
            "run without --write to see it"
        )
    from slimage.context.inspect import suggest_for_build

    new = parse_dockerfile(result.text, path=str(dockerfile))
    suggestion = suggest_for_build(context, (new, build_stage_graph(new)), None)
    ignore = context / ".dockerignore"
    if ignore.is_file():
        existing = ignore.read_text(encoding="utf-8", errors="replace")
        have = {line.strip() for line in existing.splitlines()}
        missing = [p for p in suggestion.patterns if p not in have]
        if missing:
            added = "\n# Added by slimage rewrite\n" + "\n".join(missing) + "\n"
            ignore.write_text(existing.rstrip("\n") + "\n" + added, encoding="utf-8")
    else:
        ignore.write_text(suggestion.text, encoding="utf-8")
    dockerfile.write_text(result.text, encoding="utf-8")
    sys.stderr.write(f"wrote {dockerfile} and {ignore}\n")
