"""Helpers for the size-rule tests: lint text with one rule, apply its fixes."""

from __future__ import annotations

from pathlib import Path

from slimage.dockerfile.parser import parse_dockerfile
from slimage.findings import Applicability, Finding
from slimage.rules.base import Rule
from slimage.rules.engine import lint


def findings(
    rule: type[Rule],
    text: str,
    *,
    context_dir: Path | None = None,
    target: str | None = None,
) -> list[Finding]:
    return lint(text, rules=[rule], context_dir=context_dir, target=target).findings


def lines(rule: type[Rule], text: str, **kwargs: object) -> list[int]:
    return [f.location.line for f in findings(rule, text, **kwargs)]  # type: ignore[arg-type]


def fixed(rule: type[Rule], text: str, *, unsafe: bool = False) -> str:
    """``text`` with every fix of ``rule`` applied; the result must still parse."""
    edits = []
    for finding in findings(rule, text):
        if finding.fix is None:
            continue
        if finding.fix.applicability is Applicability.UNSAFE and not unsafe:
            continue
        edits.extend(finding.fix.edits)
    result = text
    for edit in sorted(edits, reverse=True):
        result = result[: edit.start] + edit.replacement + result[edit.end :]
    parse_dockerfile(result)
    return result
