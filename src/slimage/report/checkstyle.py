"""Checkstyle XML: what Jenkins (warnings-ng), reviewdog and many CI systems ingest.

``<checkstyle version="4.3">`` holds one ``<file name=PATH>`` per linted file (clean ones
too, so a consumer sees they were checked), each with one ``<error>`` per finding:
``line``, ``column``, ``severity`` (``error``, ``warning`` or ``info``, checkstyle's own
names), ``message`` and ``source`` (the rule code). Files that could not be linted get an
``error`` whose source is ``slimage``. The same shape as hadolint's checkstyle output.
"""

from __future__ import annotations

from xml.etree import ElementTree

from slimage.findings import Finding
from slimage.report import LintReport
from slimage.report._xml import xml_document

CHECKSTYLE_VERSION = "4.3"


def _message(finding: Finding) -> str:
    if finding.help and finding.help != finding.message:
        return f"{finding.message} ({finding.name}; {finding.help})"
    return f"{finding.message} ({finding.name})"


def render(report: LintReport) -> str:
    root = ElementTree.Element("checkstyle", version=CHECKSTYLE_VERSION)
    by_path: dict[str, ElementTree.Element] = {}
    for path in report.files:
        by_path[path] = ElementTree.SubElement(root, "file", name=path)
    for finding in report.findings:
        path = finding.location.path
        element = by_path.get(path)
        if element is None:
            element = by_path[path] = ElementTree.SubElement(root, "file", name=path)
        attributes = {
            "line": str(max(finding.location.line, 1)),
            "severity": str(finding.severity),
            "message": _message(finding),
            "source": finding.code,
        }
        if finding.location.column:
            attributes["column"] = str(finding.location.column)
        ElementTree.SubElement(element, "error", attributes)
    for error in report.errors:
        path, _, _ = error.partition(":")
        element = by_path.get(path)
        if element is None:
            element = by_path[path] = ElementTree.SubElement(root, "file", name=path)
        ElementTree.SubElement(
            element, "error", line="1", severity="error", message=error, source="slimage"
        )
    return xml_document(root)
