"""SARIF 2.1.0 (OASIS): what GitHub code scanning and most CI dashboards read.

One run, the rules that ran as ``tool.driver.rules`` (with their documentation), one
result per finding with its region, and each fix as ``fixes[].artifactChanges`` with
character-offset replacements (SARIF 2.1.0 §3.55, §3.57). Validated against the
official schema in ``tests/report/test_sarif.py``.
"""

from __future__ import annotations

import json
from pathlib import PurePath
from typing import Any
from urllib.parse import quote

from slimage.findings import Finding, Severity
from slimage.report import LintReport, RuleInfo

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"
INFORMATION_URI = "https://github.com/slimage/slimage"

_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def artifact_uri(path: str) -> str:
    """A URI reference for ``path``: relative paths stay relative (SARIF §3.4.3)."""
    pure = PurePath(path)
    if pure.is_absolute():
        return "file://" + quote(pure.as_posix())
    return quote(pure.as_posix())


def _rule_descriptor(rule: RuleInfo) -> dict[str, Any]:
    documentation = rule.documentation()
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": documentation.split("\n\n", 1)[0] or rule.title},
        "help": {"text": documentation or rule.title, "markdown": documentation or rule.title},
        "defaultConfiguration": {"level": _LEVEL[rule.severity]},
        "properties": {"fix_safety": rule.fix_safety, "tags": [_category(rule.code)]},
    }


def _category(code: str) -> str:
    return {"1": "size", "2": "security", "3": "correctness"}.get(code[2:3], "other")


def _result(finding: Finding, rule_index: dict[str, int]) -> dict[str, Any]:
    location = finding.location
    physical: dict[str, Any] = {"artifactLocation": {"uri": artifact_uri(location.path)}}
    if location.line > 0:
        region: dict[str, int] = {"startLine": location.line}
        if location.column > 0:
            region["startColumn"] = location.column
        if location.end_line >= location.line:
            region["endLine"] = location.end_line
            if location.end_column > 0:
                region["endColumn"] = location.end_column
        physical["region"] = region
    result: dict[str, Any] = {
        "ruleId": finding.code,
        "level": _LEVEL[finding.severity],
        "message": {"text": finding.message},
        "locations": [{"physicalLocation": physical}],
    }
    if finding.code in rule_index:
        result["ruleIndex"] = rule_index[finding.code]
    properties: dict[str, Any] = {"name": finding.name}
    if finding.help:
        properties["help"] = finding.help
    if finding.bytes_saved is not None:
        properties["bytes_saved"] = finding.bytes_saved
        properties["bytes_estimated"] = finding.bytes_estimated
    result["properties"] = properties
    if finding.fix is not None and finding.fix.edits:
        result["fixes"] = [
            {
                "description": {"text": finding.fix.title},
                "artifactChanges": [
                    {
                        "artifactLocation": {"uri": artifact_uri(location.path)},
                        "replacements": [
                            {
                                "deletedRegion": {
                                    "charOffset": edit.start,
                                    "charLength": edit.end - edit.start,
                                },
                                "insertedContent": {"text": edit.replacement},
                            }
                            for edit in finding.fix.edits
                        ],
                    }
                ],
                "properties": {"applicability": finding.fix.applicability.value},
            }
        ]
    return result


def to_dict(report: LintReport) -> dict[str, Any]:
    from slimage import __version__

    rules = sorted(report.rules, key=lambda r: r.code)
    rule_index = {rule.code: index for index, rule in enumerate(rules)}
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "slimage",
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": INFORMATION_URI,
                "rules": [_rule_descriptor(rule) for rule in rules],
            }
        },
        "artifacts": [{"location": {"uri": artifact_uri(path)}} for path in report.files],
        "results": [_result(finding, rule_index) for finding in report.findings],
        "columnKind": "unicodeCodePoints",
    }
    if report.errors:
        run["invocations"] = [
            {
                "executionSuccessful": False,
                "toolExecutionNotifications": [
                    {"level": "error", "message": {"text": error}} for error in report.errors
                ],
            }
        ]
    return {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}


def render(report: LintReport) -> str:
    return json.dumps(to_dict(report), indent=2, ensure_ascii=False) + "\n"
