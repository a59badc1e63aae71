"""checkstyle, JUnit and GitLab Code Quality: well-formed, with the elements and fields
their consumers read, from the sample report (snapshots) and from a real lint run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import jsonschema
import pytest
from report_samples import sample_report

import slimage
from slimage.findings import Finding, Location, Severity
from slimage.report import LintReport, render_lint

SNAPSHOTS = Path(__file__).parent / "snapshots"
GITLAB_SCHEMA = (
    Path(slimage.__file__).parent / "report" / "schemas" / "gitlab-codequality.schema.json"
)
ROOT = Path(__file__).resolve().parents[2]
FAT_NODE = ROOT / "examples" / "fat-node" / "Dockerfile"


def _check_snapshot(name: str, text: str) -> None:
    path = SNAPSHOTS / name
    if os.environ.get("SLIMAGE_UPDATE_SNAPSHOTS"):
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"missing snapshot {path}; run with SLIMAGE_UPDATE_SNAPSHOTS=1"
    assert text == path.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("format_name", "snapshot"),
    [
        ("checkstyle", "report.checkstyle.xml"),
        ("junit", "report.junit.xml"),
        ("gitlab", "report.gitlab.json"),
    ],
)
def test_snapshot(format_name: str, snapshot: str) -> None:
    _check_snapshot(snapshot, render_lint(sample_report(), format_name))


def _lint(tmp_path: Path, format_name: str) -> tuple[str, int]:
    """The real CLI on the fat Node sample and a clean file."""
    clean = tmp_path / "clean" / "Dockerfile"
    clean.parent.mkdir(exist_ok=True)
    clean.write_text(
        "FROM gcr.io/distroless/static-debian12:nonroot\n"
        'COPY --chown=65532:65532 app /app\nUSER 65532\nENTRYPOINT ["/app"]\n'
    )
    (clean.parent / ".dockerignore").write_text(".git\n")
    (clean.parent / "app").write_text("app\n")
    ran = subprocess.run(
        [
            str(Path(sys.executable).with_name("slimage")),
            "lint",
            "--format",
            format_name,
            str(FAT_NODE),
            str(clean),
        ],
        capture_output=True,
        text=True,
    )
    return ran.stdout, ran.returncode


def _json_findings(tmp_path: Path) -> list[dict[str, object]]:
    out, _ = _lint(tmp_path, "json")
    return json.loads(out)["findings"]  # type: ignore[no-any-return]


def test_checkstyle_from_a_real_run(tmp_path: Path) -> None:
    out, code = _lint(tmp_path, "checkstyle")
    assert code == 1
    assert out.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    root = ElementTree.fromstring(out)
    assert root.tag == "checkstyle" and root.get("version") == "4.3"
    files = {element.get("name"): element for element in root.findall("file")}
    assert set(files) == {str(FAT_NODE), str(tmp_path / "clean" / "Dockerfile")}
    assert files[str(tmp_path / "clean" / "Dockerfile")].findall("error") == []
    errors = files[str(FAT_NODE)].findall("error")
    findings = _json_findings(tmp_path)
    assert len(errors) == len(findings) > 5
    for error, finding in zip(errors, findings, strict=True):
        assert error.get("source") == finding["code"]
        assert error.get("line") == str(finding["line"])
        assert error.get("severity") in ("error", "warning", "info")
        assert error.get("severity") == finding["severity"]
        assert str(finding["message"]) in str(error.get("message"))


def test_junit_from_a_real_run(tmp_path: Path) -> None:
    out, code = _lint(tmp_path, "junit")
    assert code == 1
    root = ElementTree.fromstring(out)
    assert root.tag == "testsuites"
    suites = {suite.get("name"): suite for suite in root.findall("testsuite")}
    clean = suites[str(tmp_path / "clean" / "Dockerfile")]
    assert [case.get("name") for case in clean.findall("testcase")] == ["lint"]
    assert clean.get("failures") == "0" and clean.get("tests") == "1"
    fat = suites[str(FAT_NODE)]
    findings = _json_findings(tmp_path)
    cases = fat.findall("testcase")
    assert len(cases) == len(findings)
    assert fat.get("failures") == str(len(findings)) == fat.get("tests")
    for case, finding in zip(cases, findings, strict=True):
        failure = case.find("failure")
        assert failure is not None
        assert failure.get("type") == finding["severity"]
        assert failure.get("message") == finding["message"]
        assert str(case.get("name")).startswith(f"{finding['code']} {finding['name']}")
        assert case.get("classname") == str(FAT_NODE)
        assert f":{finding['line']}:" in (failure.text or "")
    assert root.get("tests") == str(len(findings) + 1)
    assert root.get("failures") == str(len(findings))
    assert root.get("errors") == "0"


def test_gitlab_from_a_real_run_matches_the_documented_fields(tmp_path: Path) -> None:
    out, code = _lint(tmp_path, "gitlab")
    assert code == 1
    issues = json.loads(out)
    jsonschema.validate(issues, json.loads(GITLAB_SCHEMA.read_text()))
    findings = _json_findings(tmp_path)
    assert [issue["check_name"] for issue in issues] == [f["code"] for f in findings]
    assert [issue["location"]["lines"]["begin"] for issue in issues] == [
        f["line"] for f in findings
    ]
    assert len({issue["fingerprint"] for issue in issues}) == len(issues)


def test_gitlab_fingerprints_survive_moved_lines_and_stay_unique() -> None:
    def finding(line: int) -> Finding:
        return Finding(
            "SL1009", "apt-lists-kept", "apt lists stay", Severity.WARNING, Location("D", line)
        )

    before = json.loads(render_lint(LintReport([finding(2), finding(5)], ["D"]), "gitlab"))
    after = json.loads(render_lint(LintReport([finding(4), finding(9)], ["D"]), "gitlab"))
    assert [i["fingerprint"] for i in before] == [i["fingerprint"] for i in after]
    assert before[0]["fingerprint"] != before[1]["fingerprint"]


def test_xml_escapes_hostile_text() -> None:
    message = 'ARG "<x>" & ]]> \x1b[31m'
    path = "a&b<c>"
    report = LintReport(
        [Finding("SL2005", "secret", message, Severity.ERROR, Location(path, 1))], [path]
    )
    shown = message.replace("\x1b", "\\x1b")
    checkstyle = ElementTree.fromstring(render_lint(report, "checkstyle").encode())
    error = checkstyle.find("file/error")
    assert error is not None and shown in str(error.get("message"))
    assert checkstyle.find("file").get("name") == path  # type: ignore[union-attr]
    junit = ElementTree.fromstring(render_lint(report, "junit").encode())
    failure = junit.find("testsuite/testcase/failure")
    assert failure is not None and failure.get("message") == shown
    assert shown in (failure.text or "")
