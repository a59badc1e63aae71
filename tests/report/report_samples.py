"""A fixed set of findings and rules, for the report snapshot and schema tests."""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from slimage.findings import Applicability, Edit, Finding, Fix, Location, Severity
from slimage.report import LintReport
from slimage.rules.base import Rule, Violation
from slimage.rules.context import LintContext


class AptListsSample(Rule):
    """Remove apt lists.

    What it does
        Flags apt-get update without removing /var/lib/apt/lists.

    Why is this bad?
        The lists stay in the layer.

    Example
        RUN apt-get update && apt-get install -y curl

    Use instead
        RUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*

    Fix safety
        Safe.
    """

    code: ClassVar[str] = "SL1003"
    name: ClassVar[str] = "apt-lists-kept"
    title: ClassVar[str] = "Remove the apt lists in the same RUN"
    fix_safety: ClassVar[str] = "safe"

    def check(self, context: LintContext) -> Iterator[Violation]:
        return iter(())


class RootUserSample(Rule):
    """Run as non-root.

    What it does
        Flags a runtime stage without USER.

    Why is this bad?
        Root in the container.

    Example
        FROM debian

    Use instead
        FROM debian
        USER app
    """

    code: ClassVar[str] = "SL2001"
    name: ClassVar[str] = "runtime-user-root"
    title: ClassVar[str] = "Run the runtime stage as a non-root USER"
    severity: ClassVar[Severity] = Severity.ERROR

    def check(self, context: LintContext) -> Iterator[Violation]:
        return iter(())


def sample_report() -> LintReport:
    path = "app/Dockerfile"
    findings = [
        Finding(
            code="SL1003",
            name="apt-lists-kept",
            message="apt lists from `apt-get update` stay in this layer",
            severity=Severity.WARNING,
            location=Location(path, 3, 1, 4, 30),
            help="Remove the apt lists in the same RUN",
            bytes_saved=42_300_000,
            bytes_estimated=True,
            fix=Fix(
                title="Append `&& rm -rf /var/lib/apt/lists/*`",
                edits=(Edit(80, 80, " \\\n    && rm -rf /var/lib/apt/lists/*"),),
                applicability=Applicability.SAFE,
            ),
        ),
        Finding(
            code="SL2001",
            name="runtime-user-root",
            message="the runtime stage runs as root: no USER, comma, colon: 100%",
            severity=Severity.ERROR,
            location=Location(path, 7, 1, 7, 20),
            help="Run the runtime stage as a non-root USER",
            fix=Fix(
                title="Add `USER 65532`",
                edits=(Edit(120, 120, "USER 65532\n"),),
                applicability=Applicability.UNSAFE,
            ),
        ),
        Finding(
            code="SL1003",
            name="apt-lists-kept",
            message="file-level note\nwith a second line",
            severity=Severity.INFO,
            location=Location("other dir/Containerfile", 0, 0, 0, 0),
        ),
    ]
    return LintReport(
        findings=findings,
        files=[path, "other dir/Containerfile", "clean/Dockerfile"],
        rules=[AptListsSample, RootUserSample],  # type: ignore[list-item]
    )
