"""Snapshot tests for the text, JSON and GitHub lint reports.

Set SLIMAGE_UPDATE_SNAPSHOTS=1 to rewrite the snapshots after an intended change, then
review the diff.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import jsonschema
import pytest
from report_samples import sample_report

import slimage
from slimage.report import LintReport, render_lint
from slimage.units import human_bytes

SNAPSHOTS = Path(__file__).parent / "snapshots"
SCHEMA = Path(slimage.__file__).parent / "report" / "schemas" / "lint-v1.schema.json"


def _check_snapshot(name: str, text: str) -> None:
    path = SNAPSHOTS / name
    if os.environ.get("SLIMAGE_UPDATE_SNAPSHOTS"):
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"missing snapshot {path}; run with SLIMAGE_UPDATE_SNAPSHOTS=1"
    assert text == path.read_text(encoding="utf-8")


def _stable(text: str) -> str:
    return text.replace(slimage.__version__, "VERSION")


@pytest.mark.parametrize(
    ("format_name", "snapshot"),
    [
        ("text", "report.txt"),
        ("json", "report.json"),
        ("github", "report.github.txt"),
    ],
)
def test_report_snapshot(format_name: str, snapshot: str) -> None:
    _check_snapshot(snapshot, _stable(render_lint(sample_report(), format_name)))


def test_text_report_has_compiler_style_lines() -> None:
    text = render_lint(sample_report(), "text")
    assert text.splitlines()[0] == (
        "app/Dockerfile:3:1: SL1003 [warning] apt lists from `apt-get update` stay in this layer"
    )
    assert "saves ~42.3 MB" in text
    assert "fixable with --fix --unsafe-fixes" in text


def test_colour_report_uses_ansi_and_same_words() -> None:
    coloured = render_lint(sample_report(), "text", color=True)
    assert "\x1b[" in coloured
    assert "SL2001" in coloured and "saves ~42.3 MB" in coloured
    assert "\x1b[" not in render_lint(sample_report(), "text")


def test_clean_report() -> None:
    report = LintReport(findings=[], files=["Dockerfile"])
    assert render_lint(report, "text") == "No findings in 1 file.\n"
    assert render_lint(report, "github") == ""
    assert json.loads(render_lint(report, "json"))["summary"]["findings"] == 0


def test_json_report_matches_its_schema() -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    document = json.loads(render_lint(sample_report(), "json"))
    jsonschema.Draft202012Validator(schema).validate(document)
    assert document["summary"]["by_severity"] == {"error": 1, "warning": 1, "info": 1}


def test_json_schema_rejects_a_broken_document() -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    document = json.loads(render_lint(sample_report(), "json"))
    document["findings"][0]["severity"] = "fatal"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(schema).validate(document)


def test_github_escapes_properties_and_data() -> None:
    lines = render_lint(sample_report(), "github").splitlines()
    assert lines[0].startswith("::warning file=app/Dockerfile,line=3,col=1,endLine=4,")
    assert "no USER, comma, colon: 100%25" in lines[1]
    assert lines[1].startswith("::error ")
    assert lines[2].startswith(
        "::notice file=other dir/Containerfile,title=SL1003 apt-lists-kept::"
    )
    assert "%0A" in lines[2]


def test_unknown_format_is_rejected() -> None:
    with pytest.raises(ValueError):
        render_lint(sample_report(), "xml")


@pytest.mark.parametrize(
    ("size", "text"),
    [
        (0, "0 B"),
        (999, "999 B"),
        (1000, "1.00 kB"),
        (1234567, "1.23 MB"),
        (42_300_000, "42.3 MB"),
        (999_600_000, "1.00 GB"),
        (123_456_789_012, "123 GB"),
        (-2_500_000, "-2.50 MB"),
    ],
)
def test_human_bytes(size: int, text: str) -> None:
    assert human_bytes(size) == text
