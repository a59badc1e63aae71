"""``slimage analyze IMAGE``: explain an image's size from its bytes, with CI gates."""

from __future__ import annotations

import sys
from typing import Any

import typer

from slimage.cli._app import app
from slimage.cli._image_options import (
    INSECURE_REGISTRY_OPTION,
    NO_CACHE_OPTION,
    PASSWORD_STDIN_OPTION,
    PLATFORM_OPTION,
    USERNAME_OPTION,
    image_source,
)
from slimage.cli._layer_progress import layer_progress
from slimage.cli._options import quiet
from slimage.cli._units import parse_ratio, parse_size
from slimage.errors import UsageError

__all__ = ["analyze_command", "parse_ratio", "parse_size"]


@app.command("analyze")
def analyze_command(
    image: str = typer.Argument(
        ...,
        help=(
            "The image: a docker-archive or oci-archive file, an OCI layout directory, "
            "docker-archive:FILE[:NAME], oci:DIR[:TAG], oci-archive:FILE[:TAG], "
            "docker://REF (a registry), docker-daemon:REF, containers-storage:REF, or a plain "
            "name such as registry.example.com/team/app:1.4 (tried in the local daemon, "
            "then its registry)."
        ),
        show_default=False,
    ),
    platform: str | None = PLATFORM_OPTION,
    output_format: str = typer.Option(
        "text",
        "--format",
        help="Output format: text, json (a versioned schema), sarif (the findings) or html "
        "(one self-contained page with a treemap).",
    ),
    output: str | None = typer.Option(
        None,
        "--output",
        "-o",
        help="Write the report to FILE instead of standard output.",
        show_default=False,
    ),
    max_size: str | None = typer.Option(
        None,
        "--max-size",
        help="Fail (exit 1) when the layers hold more file bytes than SIZE (200MB, 1.5GiB).",
        show_default=False,
    ),
    max_hidden: str | None = typer.Option(
        None,
        "--max-hidden",
        help="Fail when more than SIZE is hidden by later layers (what a squash reclaims).",
        show_default=False,
    ),
    max_waste: str | None = typer.Option(
        None,
        "--max-waste",
        help="Fail when hidden bytes plus classified waste exceed SIZE.",
        show_default=False,
    ),
    min_efficiency: str | None = typer.Option(
        None,
        "--min-efficiency",
        help="Fail when dive's efficiency score is below this (0.9 or 90%), as dive's CI does.",
        show_default=False,
    ),
    max_secrets: int | None = typer.Option(
        None,
        "--max-secrets",
        min=0,
        help="Fail when the image holds more than N secrets (secret files, secret-looking "
        "config Env); --max-secrets 0 fails on any.",
        show_default=False,
    ),
    select: list[str] | None = typer.Option(
        None,
        "--select",
        help="Only these findings: codes, prefixes (SA1, SL) or names; comma separated or "
        "repeated, as lint's --select.",
        show_default=False,
    ),
    ignore: list[str] | None = typer.Option(
        None,
        "--ignore",
        help="Findings to leave out (codes, prefixes or names), in every report and in "
        "--max-secrets.",
        show_default=False,
    ),
    file: str | None = typer.Option(
        None,
        "--file",
        "-f",
        help="The Dockerfile that built the image: SARIF then points each finding at the "
        "line of the step that made its layer.",
        show_default=False,
    ),
    insecure_registry: bool = INSECURE_REGISTRY_OPTION,
    username: str | None = USERNAME_OPTION,
    password_stdin: bool = PASSWORD_STDIN_OPTION,
    no_cache: bool = NO_CACHE_OPTION,
    quick: bool = typer.Option(
        False,
        "--quick",
        help="Only what the manifest and config say (sizes, steps, user, ports): no layer "
        "is downloaded or read. Gates need the full analysis.",
    ),
    gate_ignore: list[str] | None = typer.Option(
        None,
        "--gate-ignore",
        help=(
            "A path (and everything below it) or glob whose bytes the size, hidden and "
            "waste gates do not count (repeatable)."
        ),
        show_default=False,
    ),
) -> None:
    """Explain an image's size: layers, hidden bytes, waste and findings, from its own bytes.

    Exit codes: 0 ok; 1 a gate failed; 2 bad options; 3 the image cannot be read.
    """
    from slimage.analysis.gates import GateLimits
    from slimage.analysis.selection import parse_selectors
    from slimage.api import AnalyzeOptions, analyze, open_image

    if output_format not in ("text", "json", "sarif", "html"):
        raise UsageError(f"--format: {output_format!r} is not one of text, json, sarif, html")
    limits = GateLimits(
        max_size=parse_size(max_size, "--max-size") if max_size is not None else None,
        max_hidden=parse_size(max_hidden, "--max-hidden") if max_hidden is not None else None,
        max_waste=parse_size(max_waste, "--max-waste") if max_waste is not None else None,
        min_efficiency=(
            parse_ratio(min_efficiency, "--min-efficiency") if min_efficiency is not None else None
        ),
        max_secrets=max_secrets,
        ignore=tuple(gate_ignore or ()),
    )
    source = image_source(platform, insecure_registry, username, password_stdin)
    options = AnalyzeOptions(
        **source,
        use_cache=not no_cache,
        limits=limits,
        select=parse_selectors(select or (), "--select"),
        ignore=parse_selectors(ignore or (), "--ignore"),
    )
    dockerfile = _read_dockerfile(file) if file is not None else None
    opened = open_image(image, **source)
    if quick:
        if limits != GateLimits(ignore=limits.ignore):
            raise UsageError("--quick reads no layer, so it cannot check the size gates")
        if output_format == "html":
            raise UsageError("--quick reads no layer, so it has no html report; use text or json")
        with _open_output(output) as stream:
            _print_quick(opened, output_format, stream)
        return
    total = sum(layer.compressed_size for layer in opened.layers)
    with layer_progress(total) as advance:
        result = analyze(opened, options, progress=advance)
    with _open_output(output) as stream:
        if output_format == "json":
            from slimage.report.analysis_json import render_analysis_json

            stream.write(render_analysis_json(result))
        elif output_format == "sarif":
            stream.write(_sarif(result, dockerfile))
        elif output_format == "html":
            from slimage.report.html import render_analysis_html

            stream.write(render_analysis_html(result))
        elif quiet():
            from slimage.report.analysis_text import gate_spans

            for gate in result.gates:
                if not gate.passed:  # -q: only what fails
                    stream.write("".join(text for text, _ in gate_spans(gate)) + "\n")
        else:
            from slimage.cli._options import use_color
            from slimage.report.analysis_text import render_analysis_text

            render_analysis_text(result, stream, color=use_color(stream))
        stream.flush()
    if not result.gates_passed:
        raise typer.Exit(1)


def _read_dockerfile(file: str) -> Any:
    from slimage.dockerfile.parser import read_dockerfile

    return read_dockerfile(file)


def _sarif(result: Any, dockerfile: Any = None) -> str:
    """The findings as SARIF 2.1.0; lint rules described. Each finding points at the
    image path it is about, or, with the Dockerfile, at the line of the step that made
    its layer (what code scanning can show)."""
    from slimage.report import LintReport, render_lint
    from slimage.rules.registry import all_rules

    findings = result.explanation.findings
    files = [result.source]
    if dockerfile is not None:
        findings = _located_in_dockerfile(result, dockerfile)
        files = [dockerfile.path, result.source]
    used = {finding.code for finding in findings}
    # Lint codes get their rule description; analysis-only codes (SA1xx) are documented
    # in docs/findings.md and have none.
    rules = [rule for rule in all_rules() if rule.code in used]
    report = LintReport(findings=findings, files=files, rules=rules)
    return render_lint(report, "sarif")


def _located_in_dockerfile(result: Any, dockerfile: Any) -> list[Any]:
    """The findings, each with a layer moved to the Dockerfile line that made the layer."""
    import dataclasses

    from slimage.analysis.dockerfile_steps import map_layers_to_instructions
    from slimage.findings import Location

    history = result.config.get("history") or []
    made_by = map_layers_to_instructions(dockerfile, history, len(result.layers.layers))
    located = []
    for finding in result.explanation.findings:
        instruction = made_by.get(finding.extra.get("layer_index", -1))
        if instruction is not None:
            span = instruction.span
            where = Location(
                dockerfile.path, span.line, span.column, span.end_line, span.end_column
            )
            message = f"{finding.message} at {finding.location.path} in the image"
            finding = dataclasses.replace(finding, location=where, message=message)
        located.append(finding)
    return located


def _open_output(output: str | None) -> Any:
    """Standard output, or the file ``--output`` names (written as UTF-8)."""
    from contextlib import nullcontext

    if output is None or output == "-":
        return nullcontext(sys.stdout)
    try:
        return open(output, "w", encoding="utf-8")  # closed by the caller's with
    except OSError as error:
        raise UsageError(f"--output: cannot write {output}: {error.strerror}") from None


def _print_quick(opened: Any, output_format: str, stream: Any) -> None:
    import json

    from slimage.analysis.quick import quick_summary
    from slimage.report.quick import quick_to_json, quick_to_text

    summary = quick_summary(opened)
    if output_format == "sarif":
        raise UsageError("--quick has no findings to report as SARIF; use text or json")
    if output_format == "json":
        stream.write(json.dumps(quick_to_json(summary), indent=2) + "\n")
    else:
        stream.write(quick_to_text(summary))
