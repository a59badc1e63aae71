"""JUnit XML: what GitLab, Jenkins, Azure Pipelines and CircleCI show as test results.

One ``<testsuite>`` per linted file, named by its path. A file without findings is one
passing ``<testcase>``; each finding is a ``<testcase>`` (named ``CODE name`` and its
line) with a ``<failure>`` whose ``type`` is the severity and whose text is the finding as
the text report prints it. A file that could not be linted is a testcase with an
``<error>``. ``<testsuites>`` carries the totals (``tests``, ``failures``, ``errors``).
"""

from __future__ import annotations

from xml.etree import ElementTree

from slimage.findings import Finding
from slimage.report import LintReport
from slimage.report._xml import xml_document

SUITE_NAME = "slimage lint"


def _text(finding: Finding) -> str:
    location = finding.location
    where = location.path
    if location.line:
        where += f":{location.line}"
        if location.column:
            where += f":{location.column}"
    text = f"{where}: {finding.code} [{finding.severity}] {finding.message}"
    if finding.help:
        text += f"\n  help: {finding.help}"
    return text


def _suite(root: ElementTree.Element, path: str) -> ElementTree.Element:
    return ElementTree.SubElement(root, "testsuite", name=path)


def render(report: LintReport) -> str:
    root = ElementTree.Element("testsuites", name=SUITE_NAME)
    suites: dict[str, ElementTree.Element] = {path: _suite(root, path) for path in report.files}
    for finding in report.findings:
        path = finding.location.path
        suite = suites.get(path)
        if suite is None:
            suite = suites[path] = _suite(root, path)
        line = finding.location.line
        case = ElementTree.SubElement(
            suite,
            "testcase",
            name=f"{finding.code} {finding.name}" + (f" (line {line})" if line else ""),
            classname=path,
            file=path,
        )
        if line:
            case.set("line", str(line))
        failure = ElementTree.SubElement(
            case, "failure", message=finding.message, type=str(finding.severity)
        )
        failure.text = _text(finding)
    for error in report.errors:
        path, _, _ = error.partition(":")
        suite = suites.get(path)
        if suite is None:
            suite = suites[path] = _suite(root, path)
        case = ElementTree.SubElement(suite, "testcase", name="lint", classname=path, file=path)
        ElementTree.SubElement(case, "error", message=error, type="error").text = error
    totals = {"tests": 0, "failures": 0, "errors": 0}
    for suite in suites.values():
        cases = suite.findall("testcase")
        if not cases:
            ElementTree.SubElement(suite, "testcase", name="lint", classname=suite.get("name", ""))
            cases = suite.findall("testcase")
        counts = {
            "tests": len(cases),
            "failures": sum(1 for case in cases if case.find("failure") is not None),
            "errors": sum(1 for case in cases if case.find("error") is not None),
        }
        for key, value in counts.items():
            suite.set(key, str(value))
            totals[key] += value
        suite.set("skipped", "0")
    for key, value in totals.items():
        root.set(key, str(value))
    return xml_document(root)
