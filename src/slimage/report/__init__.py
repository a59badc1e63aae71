"""Reports: findings in, text out. One formatter per module, picked by name here.

Reports import the records they render (:mod:`slimage.findings`; the analysis record
:class:`~slimage.analysis.result.AnalysisResult` for type checking only; the step texts
of :mod:`slimage.image.history`, the runtime settings of :mod:`slimage.image.config`)
and never the rules or the analysis passes, so a new format touches no rule and a new
rule no format. Each formatter module exposes
``render(report: LintReport) -> str``; :func:`render_lint` picks one by name.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from slimage.findings import Finding, Severity

LINT_FORMATS = ("text", "json", "sarif", "github", "checkstyle", "junit", "gitlab")


class RuleInfo(Protocol):
    """What a report needs to know of a rule (a :class:`slimage.rules.base.Rule` class fits)."""

    code: str
    name: str
    title: str
    severity: Severity
    fix_safety: str

    def documentation(self) -> str: ...


@dataclass(frozen=True)
class LintReport:
    """Everything one lint run reports: findings of every file, sorted by path and line."""

    findings: Sequence[Finding]
    files: Sequence[str]  # every file linted, clean or not
    rules: Sequence[RuleInfo] = ()  # the rules that ran (SARIF lists them)
    errors: Sequence[str] = field(default_factory=tuple)  # files that could not be linted
    fixes_applied: int = 0


def render_lint(
    report: LintReport, format_name: str, *, color: bool = False, quiet: bool = False
) -> str:
    """The report in ``format_name`` (one of :data:`LINT_FORMATS`); ``color`` and
    ``quiet`` (no summary line) only change the text format."""
    if format_name not in LINT_FORMATS:
        raise ValueError(f"unknown format {format_name!r}")
    if format_name == "text":
        from slimage.report.text import render as render_text

        return render_text(report, color=color, quiet=quiet)
    module = importlib.import_module(f"slimage.report.{format_name}")
    rendered: str = module.render(report)
    return rendered


__all__ = ["LINT_FORMATS", "LintReport", "RuleInfo", "render_lint"]
