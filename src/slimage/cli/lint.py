"""``slimage lint``, ``slimage rules`` and ``slimage rule``: the command-line surface.

Only option parsing lives here; the work is in :mod:`slimage.cli._lint_run`, imported
inside each command so that ``slimage --help`` and other commands do not pay for it.
"""

from __future__ import annotations

from pathlib import Path

import typer

from slimage.cli._app import app

_FORMATS = "text, json, sarif, github, checkstyle, junit or gitlab (Code Quality)"


@app.command("lint")
def lint_command(
    paths: list[Path] | None = typer.Argument(
        None,
        help=(
            "Dockerfiles, or directories to search for Dockerfile, Containerfile, "
            "*.Dockerfile and Dockerfile.* (skipping .git and node_modules); - reads "
            "standard input. Default: ."
        ),
        show_default=False,
    ),
    file: list[Path] | None = typer.Option(
        None,
        "--file",
        "-f",
        help="A Dockerfile to lint (repeatable), as docker build -f names it; the same as "
        "giving it as an argument.",
        show_default=False,
    ),
    output_format: str = typer.Option("text", "--format", help=f"Output format: {_FORMATS}."),
    fail_level: str | None = typer.Option(
        None,
        "--fail-level",
        help=(
            "Exit 1 when a finding is at or above this severity: info, warning or error. "
            "Default: the config's fail-level, else warning."
        ),
        show_default=False,
    ),
    select: list[str] | None = typer.Option(
        None,
        "--select",
        help="Only these rules: codes, prefixes (SL1) or names; comma separated or repeated.",
        show_default=False,
    ),
    extend_select: list[str] | None = typer.Option(
        None, "--extend-select", help="Rules to add to the selection.", show_default=False
    ),
    ignore: list[str] | None = typer.Option(
        None,
        "--ignore",
        help="Rules to leave out (added to the config's ignore).",
        show_default=False,
    ),
    config: Path | None = typer.Option(
        None,
        "--config",
        help="Config file (.slimage.toml or pyproject.toml) instead of discovering one.",
        show_default=False,
    ),
    build_arg: list[str] | None = typer.Option(
        None, "--build-arg", help="KEY=VALUE for ARG expansion (repeatable).", show_default=False
    ),
    target: str | None = typer.Option(
        None,
        "--target",
        help="The stage that becomes the image (default: the last).",
        show_default=False,
    ),
    context: Path | None = typer.Option(
        None,
        "--context",
        help="Build context directory for .dockerignore checks (default: the Dockerfile's).",
        show_default=False,
    ),
    fix: bool = typer.Option(False, "--fix", help="Apply safe fixes in place."),
    unsafe_fixes: bool = typer.Option(
        False, "--unsafe-fixes", help="With --fix or --diff: also apply unsafe fixes."
    ),
    diff: bool = typer.Option(
        False,
        "--diff",
        help="Print the fixes as a unified diff and write nothing; exit 1 when there is one.",
    ),
    jobs: int = typer.Option(
        0,
        "--jobs",
        "-j",
        min=0,
        help="Processes that lint (0: one per CPU when linting many files; 1: this one only).",
    ),
) -> None:
    """Lint Dockerfiles for image size, security and correctness.

    Exit codes: 0 no finding at or above the fail level; 1 findings at or above it (with --diff: a diff was printed); 2 usage or configuration error; 3 a file cannot be read or parsed.
    """  # noqa: E501 (one paragraph: the help renderer keeps line breaks)
    from slimage.cli._lint_run import LintOptions, run_lint

    code = run_lint(
        LintOptions(
            paths=[*(paths or []), *(file or [])] or [Path(".")],
            output_format=output_format,
            fail_level=fail_level,
            select=select,
            extend_select=extend_select,
            ignore=ignore,
            config=config,
            build_args=list(build_arg or []),
            target=target,
            context=context,
            fix=fix,
            unsafe_fixes=unsafe_fixes,
            diff=diff,
            jobs=jobs,
        )
    )
    raise typer.Exit(code)


@app.command("rules")
def rules_command(
    output_format: str = typer.Option("text", "--format", help="text or json."),
) -> None:
    """List every lint rule: code, name, severity, fixability and title."""
    from slimage.cli._lint_run import render_rules

    typer.echo(render_rules(output_format), nl=False)


@app.command("rule")
def rule_command(
    code_or_name: str = typer.Argument(..., help="A rule code (SL1003) or name."),
) -> None:
    """Show one rule's documentation."""
    from slimage.cli._lint_run import render_rule

    typer.echo(render_rule(code_or_name), nl=False)
