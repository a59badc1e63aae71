"""Rich text rendering of a :class:`~slimage.context.inspect.ContextReport`."""

from __future__ import annotations

import sys
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from slimage.context.inspect import ContextReport
from slimage.findings import Severity
from slimage.units import human_bytes
from slimage.wording import plural

_STYLES = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}


def render_report(
    report: ContextReport,
    *,
    top: int = 10,
    written: Path | None = None,
    console: Console | None = None,
) -> None:
    console = console or Console(file=sys.stdout, highlight=False, soft_wrap=True)
    scan = report.scan
    ignore = str(report.ignore_file) if report.ignore_file else "none"
    console.print(f"[bold]Build context[/bold] {escape(str(report.context))}")
    console.print(f"  ignore file: {escape(ignore)}")
    if report.dockerfile is not None:
        console.print(f"  Dockerfile:  {escape(str(report.dockerfile))}")
    console.print(
        f"  sent: [bold]{human_bytes(scan.sent_bytes)}[/bold] in "
        f"{plural(scan.sent_files, 'file')} and {plural(scan.sent_dirs, 'directory')}"
    )
    if scan.excluded:
        console.print(
            f"  excluded: {human_bytes(scan.excluded_bytes)} in "
            f"{plural(scan.excluded_files, 'file')}"
        )
    biggest = scan.biggest_top_level(top)
    if biggest:
        table = Table(title="Biggest entries at the context root", title_justify="left")
        table.add_column("path")
        table.add_column("size", justify="right")
        table.add_column("files", justify="right")
        for usage in biggest:
            suffix = "/" if usage.kind == "dir" else ""
            table.add_row(escape(usage.path + suffix), human_bytes(usage.bytes), str(usage.files))
        console.print(table)
    files = scan.biggest_files(top)
    if files:
        table = Table(title="Biggest files sent", title_justify="left")
        table.add_column("path")
        table.add_column("size", justify="right")
        for entry in files:
            table.add_row(escape(entry.path), human_bytes(entry.size))
        console.print(table)
    if scan.excluded:
        table = Table(title="Excluded by the ignore file", title_justify="left")
        table.add_column("path")
        table.add_column("size", justify="right")
        table.add_column("files", justify="right")
        for item in sorted(scan.excluded, key=lambda item: -item.bytes)[:top]:
            suffix = "/" if item.kind == "dir" else ""
            table.add_row(escape(item.path + suffix), human_bytes(item.bytes), str(item.files))
        console.print(table)
    reach = report.reach
    if reach is not None:
        sizes = {entry.path: entry.size for entry in scan.entries}
        reached_bytes = sum(sizes.get(path, 0) for path in reach.reached)
        console.print(
            f"[bold]Reaches the image[/bold] (stage {escape(reach.target)}): "
            f"{plural(len(reach.reached), 'file')}, {human_bytes(reached_bytes)}"
        )
        for copy in reach.copies:
            sources = " ".join(copy.sources)
            console.print(
                f"  line {copy.line}: {copy.keyword} {escape(sources)} -> "
                f"{escape(copy.destination)} ({plural(copy.files, 'file')})"
            )
        for missing in reach.missing:
            why = "excluded by the ignore file" if missing.excluded else "not in the context"
            console.print(
                f"  [bold red]line {missing.line}: {escape(missing.source)}: {why}; "
                "the build fails[/bold red]"
            )
        for note in reach.notes:
            console.print(f"  note: {escape(note)}")
    if report.problems:
        console.print("[bold]Problems[/bold]")
        for problem in report.problems:
            style = _STYLES[problem.severity]
            size = ""
            if problem.files:
                size = f" ({human_bytes(problem.bytes)}, {plural(problem.files, 'file')})"
            console.print(
                f"  [{style}]{problem.severity}[/{style}] {escape(problem.message)}{size}"
            )
    for warning in scan.warnings:
        console.print(f"[yellow]warning:[/yellow] {escape(warning)}")
    for error in scan.build_errors:
        console.print(f"[bold red]Docker would fail:[/bold red] {escape(error)}")
    for note in report.notes:
        console.print(f"note: {escape(note)}")
    if report.suggestion is not None:
        suggestion = report.suggestion
        console.print()
        console.print(
            f"[bold]Suggested .dockerignore[/bold] (sends {human_bytes(suggestion.sent_bytes)} "
            f"in {plural(suggestion.sent_files, 'file')})"
        )
        console.print(escape(suggestion.text), end="")
        for pattern, why in suggestion.dropped:
            console.print(f"# not suggested: {escape(pattern)} ({escape(why)})")
        if written is not None:
            console.print(f"wrote {escape(str(written))}")


def render_failures(report: ContextReport, *, console: Console) -> None:
    """``--quiet``: only what fails or needs fixing (missing COPY sources, problems,
    what Docker would refuse), one line each, without the context's summary."""
    if report.reach is not None:
        for missing in report.reach.missing:
            why = "excluded by the ignore file" if missing.excluded else "not in the context"
            console.print(
                f"[bold red]line {missing.line}: {escape(missing.source)}: {why}; "
                "the build fails[/bold red]"
            )
    for problem in report.problems:
        style = _STYLES[problem.severity]
        console.print(f"[{style}]{problem.severity}[/{style}] {escape(problem.message)}")
    for error in report.scan.build_errors:
        console.print(f"[bold red]Docker would fail:[/bold red] {escape(error)}")
