"""GitLab Code Quality JSON: the ``artifacts:reports:codequality`` of a GitLab CI job.

A JSON array of issues with the fields GitLab documents
(https://docs.gitlab.com/ci/testing/code_quality/#code-quality-report-format):
``description``, ``check_name``, ``fingerprint``, ``severity`` (``info``, ``minor``,
``major``, ``critical``, ``blocker``) and ``location`` (``path``, ``lines.begin``), plus
Code Climate's ``type``, ``categories`` and ``content`` that GitLab ignores or shows. The
array is GitLab's format, so it has no top-level ``schema_version``; its schema is
``schemas/gitlab-codequality.schema.json``.

GitLab shows one issue per fingerprint and compares fingerprints between the merge
request and its target branch, so a fingerprint must be unique within a report and stay
the same when lines move: it hashes the path, the code, the message and the occurrence
of that triple, never the line number.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from slimage.findings import Finding, Severity
from slimage.report import LintReport

SEVERITY = {Severity.ERROR: "critical", Severity.WARNING: "major", Severity.INFO: "info"}
CATEGORIES = {"SL1": "Performance", "SL2": "Security", "SL3": "Bug Risk"}


def _issue(finding: Finding, occurrence: int) -> dict[str, Any]:
    location = finding.location
    key = "\0".join((location.path, finding.code, finding.message, str(occurrence)))
    issue: dict[str, Any] = {
        "type": "issue",
        "description": f"{finding.code} {finding.message}",
        "check_name": finding.code,
        "fingerprint": hashlib.sha256(key.encode()).hexdigest(),
        "severity": SEVERITY[finding.severity],
        "categories": [CATEGORIES.get(finding.code[:3], "Style")],
        "location": {
            "path": location.path,
            "lines": {"begin": max(location.line, 1)},
        },
    }
    if location.end_line and location.end_line > location.line:
        issue["location"]["lines"]["end"] = location.end_line
    if finding.help:
        issue["content"] = {"body": finding.help}
    return issue


def render(report: LintReport) -> str:
    seen: dict[tuple[str, str, str], int] = {}
    issues = []
    for finding in report.findings:
        triple = (finding.location.path, finding.code, finding.message)
        seen[triple] = seen.get(triple, 0) + 1
        issues.append(_issue(finding, seen[triple]))
    return json.dumps(issues, indent=2) + "\n"
