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
    force: bool = typer.Option(
        False,
        "--force",
        help="Overwrite an existing Dockerfile, and append to an existing .dockerignore "
        "what it lacks for the generated one.",
    ),
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
    from slimage.generate.dockerignore import advice, plan_dockerignore
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
    plan = plan_dockerignore(directory, text, target, force=force) if dockerignore else None
    target.write_text(text, encoding="utf-8")
    written = [str(target)]
    if plan is not None and plan.text is not None:
        plan.path.write_text(plan.text, encoding="utf-8")
        written.append(str(plan.path))
    sys.stderr.write(summary + "\n" * bool(summary) + notes)
    # What an existing ignore file lacks is said even with -q: the generated file needs it.
    lines = advice(plan) if plan is not None else []
    if quiet() and plan is not None and (plan.check is None or plan.check.ok or plan.text):
        lines = []
    for line in lines:
        sys.stderr.write(f"slimage init: {line}\n" if not line.startswith(" ") else line + "\n")
    if not quiet():
        sys.stderr.write("wrote " + ", ".join(written) + "\n")
