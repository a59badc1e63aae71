"""``slimage context`` as a function: scan, reach, problems and suggestion together.

This is the I/O edge of the package (it reads the Dockerfile and the ignore file);
the command-line module only parses options and renders the result.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from slimage.context.ignore_file import find_ignore_file, load_matcher
from slimage.context.problems import ContextProblem, find_problems
from slimage.context.reach import ReachReport, analyse_reach
from slimage.context.scan import ContextScan, scan_context
from slimage.context.suggest import Suggestion, suggest_ignore_file
from slimage.errors import InputError, InputNotFound
from slimage.findings import Severity

if TYPE_CHECKING:
    from slimage.dockerfile.model import Dockerfile
    from slimage.dockerfile.stages import StageGraph

DOCKERFILE_NAMES = ("Dockerfile", "Containerfile", "dockerfile", "containerfile")


@dataclass
class ContextReport:
    """What ``slimage context`` found: the scan, what the build reads, problems, a suggestion."""

    context: Path
    dockerfile: Path | None
    ignore_file: Path | None
    target: str | None
    scan: ContextScan
    reach: ReachReport | None
    problems: list[ContextProblem]
    suggestion: Suggestion | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        """Docker would fail, or a secret is copied into the image (exit code 1)."""
        if self.scan.build_errors:
            return True
        if self.reach is not None and self.reach.missing:
            return True
        return any(problem.severity is Severity.ERROR for problem in self.problems)


def find_dockerfile(context: Path) -> Path | None:
    for name in DOCKERFILE_NAMES:
        candidate = context / name
        if candidate.is_file():
            return candidate
    return None


def inspect_context(
    context: Path,
    dockerfile: Path | None = None,
    *,
    target: str | None = None,
    suggest: bool = False,
) -> ContextReport:
    """Everything ``slimage context`` reports about ``context``."""
    if not context.exists():
        raise InputNotFound(f"{context}: build context directory not found")
    if not context.is_dir():
        raise InputError(f"{context}: build context is not a directory")
    notes: list[str] = []
    if dockerfile is None:
        dockerfile = find_dockerfile(context)
        if dockerfile is None:
            notes.append("no Dockerfile found: what reaches the image is not analysed")
    elif not dockerfile.exists():
        raise InputNotFound(f"{dockerfile}: no such file")
    matcher = load_matcher(context, dockerfile)
    ignore_file = find_ignore_file(context, dockerfile) if matcher is not None else None
    scan = scan_context(context, matcher)
    reach: ReachReport | None = None
    graph_parts = _load_dockerfile(dockerfile) if dockerfile is not None else None
    if graph_parts is not None:
        df, graph = graph_parts
        reach = analyse_reach(df, graph, scan, target=target)
    problems = find_problems(
        scan,
        reach.reached if reach is not None else None,
        reach.required if reach is not None else (),
    )
    report = ContextReport(
        context, dockerfile, ignore_file, target, scan, reach, problems, notes=notes
    )
    if suggest:
        report.suggestion = suggest_for_build(context, graph_parts, target)
    return report


def _load_dockerfile(path: Path) -> tuple[Dockerfile, StageGraph]:
    from slimage.dockerfile.parser import read_dockerfile
    from slimage.dockerfile.stages import build_stage_graph

    df = read_dockerfile(path)
    return df, build_stage_graph(df)


def suggest_for_build(
    context: Path, graph_parts: tuple[Dockerfile, StageGraph] | None, target: str | None = None
) -> Suggestion:
    """A verified ignore-file suggestion for ``context`` built with this Dockerfile.

    ``graph_parts`` is the parsed Dockerfile and its stage graph (None: no Dockerfile).
    The suggestion is made from the raw directory, since it replaces any ignore file,
    and checked to hide no COPY/ADD source that the raw directory provides.
    """
    from slimage.context import build_steps

    raw = scan_context(context, None)
    required: set[str] = set()
    missing_before: set[tuple[int, str]] = set()
    scripts: list[str] = []
    if graph_parts is not None:
        df, graph = graph_parts
        raw_reach = analyse_reach(df, graph, raw, target=target)
        required = raw_reach.required
        missing_before = {(m.line, m.source) for m in raw_reach.missing}
        scripts = build_steps.build_scripts(df, graph, context)

    def verify(rescan: ContextScan) -> None:
        if graph_parts is None:
            return
        df, graph = graph_parts
        after = analyse_reach(df, graph, rescan, target=target)
        lost = {(m.line, m.source) for m in after.missing} - missing_before
        if lost:
            raise AssertionError(f"suggestion would hide COPY sources: {sorted(lost)}")

    return suggest_ignore_file(
        raw,
        required,
        verify=verify,
        produced=build_steps.produced_paths(scripts, context),
        runs_tests=build_steps.runs_tests(scripts),
    )


def report_to_json(report: ContextReport, *, top: int = 10) -> dict[str, Any]:
    """The ``--format json`` document (docs/context.md; its schema is
    slimage/report/schemas/context-v1.schema.json)."""
    from slimage.report.schemas import SCHEMA_VERSION

    scan = report.scan
    reach = report.reach
    reached_bytes = 0
    if reach is not None:
        sizes = {entry.path: entry.size for entry in scan.entries}
        reached_bytes = sum(sizes.get(path, 0) for path in reach.reached)
    document: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "context": str(report.context),
        "dockerfile": None if report.dockerfile is None else str(report.dockerfile),
        "ignore_file": None if report.ignore_file is None else str(report.ignore_file),
        "target": report.target,
        "sent": {"files": scan.sent_files, "dirs": scan.sent_dirs, "bytes": scan.sent_bytes},
        "excluded": {
            "files": scan.excluded_files,
            "bytes": scan.excluded_bytes,
            "items": [
                {
                    "path": item.path,
                    "kind": item.kind,
                    "files": item.files,
                    "bytes": item.bytes,
                    "walked": item.walked,
                }
                for item in sorted(scan.excluded, key=lambda item: -item.bytes)
            ],
        },
        "biggest_files": [
            {"path": entry.path, "bytes": entry.size} for entry in scan.biggest_files(top)
        ],
        "biggest_top_level": [
            {"path": usage.path, "kind": usage.kind, "files": usage.files, "bytes": usage.bytes}
            for usage in scan.biggest_top_level(top)
        ],
        "reach": None
        if reach is None
        else {
            "target_stage": reach.target,
            "files": len(reach.reached),
            "bytes": reached_bytes,
            "copies": [
                {
                    "line": copy.line,
                    "stage": copy.stage,
                    "instruction": copy.keyword,
                    "sources": copy.sources,
                    "destination": copy.destination,
                    "matched": copy.matched,
                    "files": copy.files,
                }
                for copy in reach.copies
            ],
            "missing": [
                {"line": m.line, "source": m.source, "excluded_by_ignore_file": m.excluded}
                for m in reach.missing
            ],
            "notes": reach.notes,
        },
        "problems": [
            {
                "category": problem.category.value,
                "path": problem.path,
                "kind": problem.kind,
                "files": problem.files,
                "bytes": problem.bytes,
                "severity": str(problem.severity),
                "copied_at_line": problem.copied_at,
                "message": problem.message,
            }
            for problem in report.problems
        ],
        "warnings": scan.warnings,
        "build_errors": scan.build_errors,
        "notes": report.notes,
        "suggestion": None,
    }
    if report.suggestion is not None:
        suggestion = report.suggestion
        document["suggestion"] = {
            "text": suggestion.text,
            "stacks": suggestion.stacks,
            "patterns": suggestion.patterns,
            "kept": suggestion.kept,
            "dropped": [{"pattern": p, "reason": why} for p, why in suggestion.dropped],
            "sent_files": suggestion.sent_files,
            "sent_bytes": suggestion.sent_bytes,
        }
    return document
