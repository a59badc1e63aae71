"""``slimage rewrite``: the user's fat Dockerfile as a slim multi-stage one."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from slimage.cli._app import app
from slimage.cli._check_options import (
    build_arg_option,
    builder_option,
    cmd_option,
    config_option,
    expect_stdout_option,
    http_option,
    timeout_option,
    verify_spec,
)

if TYPE_CHECKING:
    from slimage.rewrite.model import RewriteResult
    from slimage.rewrite.prove import Proof, ProofOptions

# Findings of the context and ignore rules are settled by the .dockerignore --write writes.
_IGNORE_RULES = ("SL1006", "SL1007", "SL1008")
_WITH_VERIFY = "With --verify:"


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
    verify: bool = typer.Option(
        False,
        "--verify",
        help="Prove it: build the original and the rewrite, run both with the same probes "
        "(same answers required), diff them (the rewrite must be smaller); with --write, "
        "write only when the proof passes.",
    ),
    http: list[str] | None = http_option(
        _WITH_VERIFY,
        "(default: GET / on each port the original exposes); both images must give the same "
        "status and body. Repeatable.",
    ),
    cmd: list[str] | None = cmd_option(
        _WITH_VERIFY, "both images must give the same status and output. Repeatable."
    ),
    expect_stdout: str | None = expect_stdout_option(_WITH_VERIFY),
    config: Path | None = config_option(_WITH_VERIFY),
    timeout: float = timeout_option(_WITH_VERIFY),
    builder: str = builder_option(_WITH_VERIFY),
    build_arg: list[str] | None = build_arg_option(_WITH_VERIFY),
) -> None:
    """Rewrite a fat Dockerfile as a slim multi-stage one that still works.

    The new Dockerfile goes to stdout, the report (what moved where and why, the expected saving, every doubt) to stderr; with --format json one JSON document (the file and the report) goes to stdout.

    With --verify, both files are built, run and diffed (the builder's output and the proof go to stderr; with --format json the proof is the document's "proof").

    Exit codes: 0 rewritten (and, with --verify, proven); 1 --write refused (the new file does not lint clean) or the proof failed (nothing written); 2 usage error; 3 the Dockerfile or context cannot be used, or cannot be rewritten safely (the reason is printed); 5 the original does not build, or no builder or container runtime.
    """  # noqa: E501 - one line per paragraph: the help renderer re-wraps it
    from slimage.errors import UsageError
    from slimage.rewrite import rewrite_dockerfile
    from slimage.stacks.images import parse_overrides

    if output_format not in ("text", "json"):
        raise UsageError(f"unknown format {output_format!r} (expected text or json)")
    if write and diff:
        raise UsageError("--write and --diff: choose one")
    proof_options = _proof_options(
        verify, http, cmd, expect_stdout, config, timeout, builder, build_arg
    )
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
        _check_clean(result, dockerfile, context)
    proof = None
    if proof_options is not None:
        proof = _prove(result, dockerfile, context, proof_options)
    if write and (proof is None or proof.passed):
        _write(result, dockerfile, context)
    if output_format == "json":
        _print_json(result, proof)
    else:
        _print_text(result, proof, dockerfile, write=write, diff=diff)
    if proof is not None and not proof.passed:
        raise typer.Exit(1)


def _print_text(
    result: RewriteResult, proof: Proof | None, dockerfile: Path, *, write: bool, diff: bool
) -> None:
    from slimage.cli._options import use_color
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
    sys.stdout.flush()
    sys.stderr.write(render_report(result))
    if proof is not None:
        from slimage.report.rewrite_proof import render_proof_text

        render_proof_text(proof, sys.stderr, color=use_color(sys.stderr))
        if write and not proof.passed:
            sys.stderr.write(f"{dockerfile}: not written: the proof failed\n")


def _print_json(result: RewriteResult, proof: Proof | None) -> None:
    import json

    document = result.to_dict()
    if proof is not None:
        from slimage.report.rewrite_proof import proof_document

        document["proof"] = proof_document(proof)
    sys.stdout.write(json.dumps(document, indent=2) + "\n")


def _proof_options(
    verify: bool,
    http: list[str] | None,
    cmd: list[str] | None,
    expect_stdout: str | None,
    config: Path | None,
    timeout: float,
    builder: str,
    build_arg: list[str] | None,
) -> ProofOptions | None:
    """The proof's settings (None without --verify); options that need --verify fail
    without it, before anything is read."""
    from slimage.errors import UsageError

    if not verify:
        given = [
            name
            for name, value in (
                ("--http", http),
                ("--cmd", cmd),
                ("--expect-stdout", expect_stdout),
                ("--config", config),
                ("--build-arg", build_arg),
            )
            if value
        ]
        if builder != "auto":
            given.append("--builder")
        if given:
            raise UsageError(f"{', '.join(given)}: only with --verify")
        return None
    from slimage.build import BUILDERS
    from slimage.cli._options import parse_build_arg
    from slimage.rewrite.prove import ProofOptions

    if builder not in BUILDERS:
        raise UsageError(f"--builder: {builder!r} is not one of {', '.join(BUILDERS)}")
    spec = verify_spec(http, cmd, expect_stdout, config, timeout)
    return ProofOptions(spec, builder, tuple(parse_build_arg(item) for item in build_arg or ()))


def _prove(result: RewriteResult, dockerfile: Path, context: Path, options: ProofOptions) -> Proof:
    from slimage.cli._options import quiet
    from slimage.rewrite.prove import prove_rewrite

    # The builder's own output streams to stderr as it comes, unless -q.
    progress = None if quiet() else sys.stderr
    return prove_rewrite(result, dockerfile, context, options, progress)


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


def _check_clean(result: RewriteResult, dockerfile: Path, context: Path) -> None:
    """--write: refuse (exit 1) when the new file does not lint clean."""
    from slimage.errors import SlimageError
    from slimage.findings import Severity
    from slimage.rules.engine import lint

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


def _write(result: RewriteResult, dockerfile: Path, context: Path) -> None:
    """Write the new file, and write or complete .dockerignore for it."""
    from slimage.context.inspect import suggest_for_build
    from slimage.dockerfile.parser import parse_dockerfile
    from slimage.dockerfile.stages import build_stage_graph

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
