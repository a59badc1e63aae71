"""`slimage init`: write a multi-stage Dockerfile (and .dockerignore) for the project."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from slimage.cli._app import app


@app.command("init")
def init_command(
    directory: Path = typer.Argument(Path("."), help="The project directory."),
    file: Path | None = typer.Option(
        None,
        "--file",
        "-f",
        help="Where to write the Dockerfile, as docker build -f names it "
        "(default: DIR/Dockerfile).",
        show_default=False,
    ),
    print_only: bool = typer.Option(
        False, "--print", help="Print the Dockerfile to stdout instead of writing files."
    ),
    force: bool = typer.Option(False, "--force", help="Overwrite an existing Dockerfile."),
    runtime: str | None = typer.Option(
        None,
        "--runtime",
        help="Runtime base: scratch, distroless, slim or alpine (default: the smallest that fits).",
    ),
    port: int | None = typer.Option(None, "--port", help="Port to EXPOSE (default: detected)."),
    stack: str | None = typer.Option(
        None, "--stack", help="go, node, python, rust or java (default: detected)."
    ),
    entry: str | None = typer.Option(
        None,
        "--entry",
        help="Main package (Go), binary (Rust) or start command (Node, Python, Java).",
    ),
    base_image: list[str] = typer.Option(
        [],
        "--base-image",
        help="Substitute a base image: NAME=REFERENCE, NAME being the default image's "
        "repository (e.g. golang=registry.local/golang:1.22). Repeatable. Also read from "
        "[tool.slimage.images] in pyproject.toml or [images] in .slimage.toml.",
    ),
    dockerignore: bool = typer.Option(
        True, "--dockerignore/--no-dockerignore", help="Also write a .dockerignore."
    ),
) -> None:
    """Generate a small, correct multi-stage Dockerfile for Go, Node, Python, Rust or Java."""
    from slimage.cli._options import quiet
    from slimage.errors import InputNotFound, UsageError
    from slimage.generate.config import configured_images
    from slimage.generate.render import check_runtime, render_dockerfile
    from slimage.stacks import detect_project
    from slimage.stacks.images import parse_overrides

    if not directory.is_dir():
        raise InputNotFound(f"{directory}: no such directory")
    check_runtime(runtime)
    overrides = configured_images(directory)
    overrides.update(parse_overrides(base_image))
    project = detect_project(directory, stack=stack, entry=entry)
    text = render_dockerfile(project, runtime=runtime, port=port, base_images=overrides)
    summary = (
        f"slimage init: {project.stack} ({project.package_manager}), "
        f"version {project.language_version}, entry {' '.join(project.entry)}"
    )
    # What the Dockerfile's own "# Note:" lines tell (something to change in the
    # project), repeated where the user looks.
    notes = "".join(
        f"slimage init: note: {line[len('# Note: ') :].rstrip('.')}\n"
        for line in text.splitlines()
        if line.startswith("# Note: ")
    )
    if quiet():
        summary = ""  # -q: the notes only (they ask for a change in the project)
    if print_only:
        sys.stdout.write(text)
        sys.stderr.write(summary + "\n" * bool(summary) + notes)
        return
    target = file if file is not None else directory / "Dockerfile"
    if target.exists() and not force:
        raise UsageError(f"{target} exists; use --force to overwrite or --print to see it")
    ignore_text = _dockerignore(directory, text) if dockerignore else None
    ignore_path = directory / ".dockerignore"
    write_ignore = ignore_text is not None and (force or not ignore_path.exists())
    target.write_text(text, encoding="utf-8")
    written = [str(target)]
    if write_ignore and ignore_text is not None:
        ignore_path.write_text(ignore_text, encoding="utf-8")
        written.append(str(ignore_path))
    elif ignore_text is not None and not quiet():
        sys.stderr.write(f"slimage init: kept the existing {ignore_path} (use --force)\n")
    sys.stderr.write(summary + "\n" * bool(summary) + notes)
    if not quiet():
        sys.stderr.write("wrote " + ", ".join(written) + "\n")


def _dockerignore(directory: Path, dockerfile_text: str) -> str:
    """A .dockerignore verified to keep every COPY source of the generated Dockerfile."""
    from slimage.context.inspect import suggest_for_build
    from slimage.dockerfile.parser import parse_dockerfile
    from slimage.dockerfile.stages import build_stage_graph

    dockerfile = parse_dockerfile(dockerfile_text, path=str(directory / "Dockerfile"))
    suggestion = suggest_for_build(directory, (dockerfile, build_stage_graph(dockerfile)), None)
    return suggestion.text
