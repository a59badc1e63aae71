"""The JSON report: a documented, versioned schema (``schema_version`` 1).

The schema is ``slimage/report/schemas/lint-v1.schema.json`` (JSON Schema 2020-12) and is
described in ``docs/lint.md``. Additive changes keep version 1; removing or renaming a
field bumps it. Offsets in ``fix.edits`` are character offsets into the file as read.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from slimage.findings import Finding, Severity
from slimage.report import LintReport
from slimage.report._json_text import dumps_indented
from slimage.report.schemas import SCHEMA_VERSION


def finding_to_dict(finding: Finding) -> dict[str, Any]:
    location = finding.location
    fix: dict[str, Any] | None = None
    if finding.fix is not None:
        fix = {
            "title": finding.fix.title,
            "applicability": finding.fix.applicability.value,
            "edits": [
                {"start": e.start, "end": e.end, "replacement": e.replacement}
                for e in finding.fix.edits
            ],
        }
    return {
        "code": finding.code,
        "name": finding.name,
        "severity": str(finding.severity),
        "message": finding.message,
        "help": finding.help,
        "path": location.path,
        "line": location.line,
        "column": location.column,
        "end_line": location.end_line,
        "end_column": location.end_column,
        "bytes_saved": finding.bytes_saved,
        "bytes_estimated": finding.bytes_estimated,
        "fix": fix,
    }


def to_dict(report: LintReport) -> dict[str, Any]:
    from slimage import __version__

    counts = Counter(f.severity for f in report.findings)
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "slimage", "version": __version__},
        "files": list(report.files),
        "errors": list(report.errors),
        "findings": [finding_to_dict(f) for f in report.findings],
        "summary": {
            "files": len(report.files),
            "findings": len(report.findings),
            "by_severity": {str(level): counts.get(level, 0) for level in reversed(Severity)},
            "fixable": sum(1 for f in report.findings if f.fix is not None),
            "fixes_applied": report.fixes_applied,
            "bytes_saved": sum(f.bytes_saved or 0 for f in report.findings),
        },
    }


def render(report: LintReport) -> str:
    return dumps_indented(to_dict(report)) + "\n"
