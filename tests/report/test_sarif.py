"""SARIF output validated against the SARIF 2.1.0 JSON schema (tests/data/sarif/)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from report_samples import sample_report

from slimage.report import LintReport, render_lint

SCHEMA_PATH = Path(__file__).parents[1] / "data" / "sarif" / "sarif-schema-2.1.0.json"


@pytest.fixture(scope="module")
def validator() -> jsonschema.protocols.Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)  # type: ignore[no-any-return]


def _sarif(report: LintReport) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(render_lint(report, "sarif"))
    return document


def test_sample_report_is_valid_sarif(validator: jsonschema.protocols.Validator) -> None:
    validator.validate(_sarif(sample_report()))


def test_empty_report_is_valid_sarif(validator: jsonschema.protocols.Validator) -> None:
    validator.validate(_sarif(LintReport(findings=[], files=[])))


def test_report_with_errors_is_valid_sarif(validator: jsonschema.protocols.Validator) -> None:
    report = LintReport(findings=[], files=["Dockerfile"], errors=["Dockerfile:1:1: error: x"])
    document = _sarif(report)
    validator.validate(document)
    assert document["runs"][0]["invocations"][0]["executionSuccessful"] is False


def test_schema_catches_broken_sarif(validator: jsonschema.protocols.Validator) -> None:
    document = _sarif(sample_report())
    document["runs"][0]["results"][0]["level"] = "fatal"
    with pytest.raises(jsonschema.ValidationError):
        validator.validate(document)


def test_results_carry_rules_regions_and_fixes() -> None:
    run = _sarif(sample_report())["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == ["SL1003", "SL2001"]
    assert rules[1]["defaultConfiguration"]["level"] == "error"
    assert "What it does" in rules[0]["help"]["text"]
    first, second, third = run["results"]
    assert first["ruleIndex"] == 0 and second["ruleIndex"] == 1
    region = first["locations"][0]["physicalLocation"]["region"]
    assert region == {"startLine": 3, "startColumn": 1, "endLine": 4, "endColumn": 30}
    replacement = first["fixes"][0]["artifactChanges"][0]["replacements"][0]
    assert replacement["deletedRegion"] == {"charOffset": 80, "charLength": 0}
    assert replacement["insertedContent"]["text"].endswith("/var/lib/apt/lists/*")
    assert second["level"] == "error" and third["level"] == "note"
    # A file-level finding has no region, and a path with a space is a valid URI reference.
    location = third["locations"][0]["physicalLocation"]
    assert "region" not in location
    assert location["artifactLocation"]["uri"] == "other%20dir/Containerfile"


def test_analyze_findings_are_valid_sarif(
    validator: jsonschema.protocols.Validator, tmp_path: Path
) -> None:
    import subprocess
    import sys

    sample = Path(__file__).parents[2] / "examples" / "make_sample_image.py"
    archive = tmp_path / "fat.tar"
    subprocess.run([sys.executable, str(sample), str(archive)], check=True, timeout=120)
    result = subprocess.run(
        [sys.executable, "-m", "slimage", "analyze", str(archive), "--format", "sarif"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    validator.validate(document)
    run = document["runs"][0]
    codes = {r["ruleId"] for r in run["results"]}
    assert {"SL1009", "SL1003"} <= codes  # apt lists and the toolchain, from the bytes
    described = {rule["id"] for rule in run["tool"]["driver"]["rules"]}
    assert "SL1009" in described and not any(code.startswith("SA") for code in described)
    assert all(
        r["properties"]["bytes_saved"] > 0 for r in run["results"] if r["ruleId"].startswith("SL10")
    )
