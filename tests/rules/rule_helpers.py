"""Helpers for the rule tests: lint text with one rule, and apply its fixes.

Fixed text goes through the engine's ``--fix`` (every fix must pass the fixer's
verification) and is checked by parsing it with slimage's parser and BuildKit's own (the
``dockerfile`` package), so a fix that breaks the file fails its test.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import dockerfile
from slimage.config import LintConfig
from slimage.dockerfile.parser import parse_dockerfile
from slimage.findings import Finding, Fix
from slimage.rules.base import Rule
from slimage.rules.engine import lint
from slimage.rules.fixer import fix_text


def findings(
    rule: type[Rule],
    text: str,
    *,
    config: LintConfig | None = None,
    context_dir: Path | None = None,
    target: str | None = None,
) -> list[Finding]:
    return lint(text, rules=[rule], config=config, context_dir=context_dir, target=target).findings


def lines(rule: type[Rule], text: str, **kwargs: Any) -> list[int]:
    return [f.location.line for f in findings(rule, text, **kwargs)]


def apply_fix(text: str, fix: Fix) -> str:
    for edit in sorted(fix.edits, reverse=True):
        text = text[: edit.start] + edit.replacement + text[edit.end :]
    return text


def fixed(rule: type[Rule], text: str, *, unsafe: bool = False, **kwargs: Any) -> str:
    """``text`` after the engine's ``--fix`` (``--unsafe-fixes`` if asked) with ``rule``."""
    result = fix_text(text, rules=[rule], unsafe=unsafe, **kwargs)
    assert not result.rejected, [(r.finding.message, r.reason) for r in result.rejected]
    assert_parses(result.text)
    return result.text


def assert_parses(text: str) -> None:
    parse_dockerfile(text)
    dockerfile.parse_string(text)


def fix_of(rule: type[Rule], text: str, **kwargs: Any) -> Fix | None:
    found = findings(rule, text, **kwargs)
    assert len(found) == 1, found
    return found[0].fix
