"""The analysis cause registry: every code a finding carries is registered, documented,
and shown by `slimage rule`; docs/findings.md's table is generated from it."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from slimage.analysis.causes import CAUSES, CODE_PATTERN, find_cause
from slimage.analysis.claimers import PACKAGE_CAUSES, PYTHON_CAUSES
from slimage.analysis.path_rules import PATH_RULES
from slimage.cli import main

ROOT = Path(__file__).resolve().parents[2]
ANALYSIS = ROOT / "src" / "slimage" / "analysis"


def test_every_code_and_name_the_analysis_reports_is_registered() -> None:
    reported = [(rule.code, rule.id) for rule in PATH_RULES]
    reported += [(cause.code, name) for name, cause in PACKAGE_CAUSES.values()]
    reported += [(cause.code, name) for name, cause in PYTHON_CAUSES.values()]
    for code, name in reported:
        assert code in CAUSES, code
        assert name in CAUSES[code].names, (code, name)
    # Codes written as literals anywhere in the analysis (claimers, explain, ...).
    literals = {
        code
        for path in ANALYSIS.glob("*.py")
        for code in re.findall(r'"(S[AL]\d{3,4})"', path.read_text(encoding="utf-8"))
    }
    assert literals - set(CAUSES) == set()


def test_registry_entries_are_well_formed() -> None:
    names = [name for cause in CAUSES.values() for name in cause.names]
    assert len(names) == len(set(names))
    for code, cause in CAUSES.items():
        assert CODE_PATTERN.match(code) and cause.names and cause.title
        assert code.startswith("SA") != bool(cause.lint_rule)


def test_lint_codes_name_real_rules() -> None:
    from slimage.rules.registry import get_rule

    for code, cause in CAUSES.items():
        if cause.lint_rule:
            assert get_rule(code).name == cause.lint_rule


def test_findings_page_is_up_to_date() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "gen_cause_docs.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr


def test_slimage_rule_shows_an_analysis_code(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["rule", "SA102"])
    out = capsys.readouterr().out
    assert exited.value.code == 0
    assert out.startswith("# SA102: apt-archives\n")
    assert "apt-get clean" in out and "`package-cache`" in out
    assert find_cause("sa102") is find_cause("apt-archives") is CAUSES["SA102"]
