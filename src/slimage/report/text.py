"""The terminal report: one line per finding, a help line, and a summary.

``path:line:col: CODE [severity] message``, as compilers print, so editors can jump to
it; then ``help:`` with what to do, the bytes it would save and whether ``--fix`` can do
it. With ``color`` the same text is styled through Rich; piped output stays plain.
"""

from __future__ import annotations

from collections import Counter

from slimage.findings import Applicability, Finding, Severity
from slimage.report import LintReport
from slimage.units import human_bytes
from slimage.wording import plural

_STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}


def _headline(finding: Finding) -> str:
    where = finding.location.path
    if finding.location.line:
        where += f":{finding.location.line}:{finding.location.column}"
    return f"{where}: {finding.code} [{finding.severity}] {_one_line(finding.message)}"


def _one_line(text: str) -> str:
    # One finding, one line: editors and grep read "path:line:col: ..." line by line.
    return " ".join(text.split("\n")) if "\n" in text else text


def _help(finding: Finding) -> str:
    parts: list[str] = []
    if finding.help and finding.help != finding.message:
        parts.append(_one_line(finding.help))
    if finding.bytes_saved:
        about = "~" if finding.bytes_estimated else ""
        parts.append(f"saves {about}{human_bytes(finding.bytes_saved)}")
    if finding.fix is not None:
        if finding.fix.applicability is Applicability.SAFE:
            parts.append("fixable with --fix")
        else:
            parts.append("fixable with --fix --unsafe-fixes")
    return "; ".join(parts)


def summary(report: LintReport) -> str:
    counts = Counter(f.severity for f in report.findings)
    # Files that could not be read or parsed were not linted: they are counted apart.
    files = plural(max(len(report.files) - len(report.errors), 0), "file")
    if not report.findings:
        text = f"No findings in {files}."
    else:
        by_level = ", ".join(
            f"{counts[level]} {level}" for level in sorted(counts, reverse=True) if counts[level]
        )
        text = f"Found {plural(len(report.findings), 'finding')} ({by_level}) in {files}."
        safe = sum(
            1
            for f in report.findings
            if f.fix is not None and f.fix.applicability is Applicability.SAFE
        )
        unsafe = sum(
            1
            for f in report.findings
            if f.fix is not None and f.fix.applicability is Applicability.UNSAFE
        )
        if safe:
            text += f" {safe} fixable with --fix."
        if unsafe:
            text += f" {unsafe} more with --unsafe-fixes."
        saved = sum(f.bytes_saved or 0 for f in report.findings)
        if saved:
            text += f" Estimated saving: ~{human_bytes(saved)}."
    if report.fixes_applied:
        text += f" Applied {plural(report.fixes_applied, 'fix')}."
    if report.errors:
        text += f" {plural(len(report.errors), 'file')} could not be linted."
    return text


def render(report: LintReport, *, color: bool = False, quiet: bool = False) -> str:
    """The report as text; styled with ANSI colour through Rich when ``color``; without
    the summary line when ``quiet`` (only the findings, as ``ruff --quiet``)."""
    if color:
        return _render_rich(report, quiet=quiet)
    lines: list[str] = []
    for finding in report.findings:
        lines.append(_headline(finding))
        help_text = _help(finding)
        if help_text:
            lines.append(f"  help: {help_text}")
    if not quiet:
        lines.append(summary(report))
    return "".join(line + "\n" for line in lines)


def _render_rich(report: LintReport, *, quiet: bool = False) -> str:
    import io

    from rich.console import Console
    from rich.text import Text

    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=True, highlight=False, soft_wrap=True)
    for finding in report.findings:
        line = Text()
        where = finding.location.path
        if finding.location.line:
            where += f":{finding.location.line}:{finding.location.column}"
        line.append(where, style="bold")
        line.append(": ")
        line.append(finding.code, style=_STYLE[finding.severity])
        line.append(f" [{finding.severity}] ", style=_STYLE[finding.severity])
        line.append(_one_line(finding.message))
        console.print(line)
        help_text = _help(finding)
        if help_text:
            console.print(Text.assemble("  ", ("help", "bold cyan"), f": {help_text}"))
    if not quiet:
        style = "bold red" if report.findings else "bold green"
        console.print(Text(summary(report), style=style))
    return buffer.getvalue()
