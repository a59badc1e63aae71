"""GitHub Actions workflow commands: one annotation per finding.

``::warning file=PATH,line=L,col=C,endLine=L2,endColumn=C2,title=CODE name::message``
(https://docs.github.com/actions/reference/workflow-commands-for-github-actions).
Severities map to ``error``, ``warning`` and ``notice``.
"""

from __future__ import annotations

from slimage.findings import Finding, Severity
from slimage.report import LintReport

_COMMAND = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def _escape_data(text: str) -> str:
    # The runner's own escaping (toolkit/core command.ts escapeData).
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(finding: Finding) -> str:
    location = finding.location
    properties = [f"file={_escape_property(location.path)}"]
    if location.line:
        properties.append(f"line={location.line}")
        if location.column:
            properties.append(f"col={location.column}")
        if location.end_line:
            properties.append(f"endLine={location.end_line}")
        # GitHub ignores columns on multi-line annotations; give the end column only on one line.
        if location.end_column and location.end_line == location.line:
            properties.append(f"endColumn={location.end_column}")
    properties.append(f"title={_escape_property(f'{finding.code} {finding.name}')}")
    message = finding.message
    if finding.help and finding.help != finding.message:
        message += f"\n{finding.help}"
    return f"::{_COMMAND[finding.severity]} {','.join(properties)}::{_escape_data(message)}"


def render(report: LintReport) -> str:
    return "".join(annotation(finding) + "\n" for finding in report.findings)
