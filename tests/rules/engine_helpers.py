"""Small private rules for the engine, suppression and fixer tests (not registered)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from slimage.findings import Applicability, Edit, Fix, Severity
from slimage.rules.base import Rule, Violation
from slimage.rules.context import LintContext

DOC = """Test rule.

What it does
    Flags things.

Why is this bad?
    Tests.

Example
    FROM x

Use instead
    FROM y
"""


class EveryRun(Rule):
    __doc__ = DOC
    code: ClassVar[str] = "SL1901"
    name: ClassVar[str] = "every-run"
    title: ClassVar[str] = "Flag every RUN"
    hadolint: ClassVar[tuple[str, ...]] = ("DL3009",)

    def check(self, context: LintContext) -> Iterator[Violation]:
        for instruction in context.dockerfile.instructions:
            if instruction.keyword == "RUN":
                yield Violation(f"RUN {instruction.rest[:20]}", instruction.span)


class EveryFrom(Rule):
    __doc__ = DOC
    code: ClassVar[str] = "SL2901"
    name: ClassVar[str] = "every-from"
    title: ClassVar[str] = "Flag every FROM"
    severity: ClassVar[Severity] = Severity.ERROR

    def check(self, context: LintContext) -> Iterator[Violation]:
        for instruction in context.dockerfile.instructions:
            if instruction.keyword == "FROM":
                yield Violation(f"FROM {instruction.rest}", instruction.span)


class AptCleanup(Rule):
    """Appends the apt cleanup at the end of a RUN that runs apt-get update (safe)."""

    __doc__ = DOC
    code: ClassVar[str] = "SL1902"
    name: ClassVar[str] = "apt-cleanup"
    title: ClassVar[str] = "Clean apt lists"
    fix_safety: ClassVar[str] = "safe"

    def check(self, context: LintContext) -> Iterator[Violation]:
        for instruction in context.dockerfile.instructions:
            if instruction.keyword == "RUN" and "apt-get update" in instruction.rest:
                if "rm -rf /var/lib/apt/lists" in instruction.rest:
                    continue
                end = instruction.span.end
                fix = Fix("append cleanup", (Edit(end, end, " && rm -rf /var/lib/apt/lists/*"),))
                yield Violation("apt lists kept", instruction.span, fix=fix)


class AddToCopy(Rule):
    """ADD -> COPY by replacing the keyword (an unsafe fix here, to test the gate)."""

    __doc__ = DOC
    code: ClassVar[str] = "SL2902"
    name: ClassVar[str] = "add-to-copy"
    title: ClassVar[str] = "Use COPY"
    fix_safety: ClassVar[str] = "unsafe"

    def check(self, context: LintContext) -> Iterator[Violation]:
        for instruction in context.dockerfile.instructions:
            if instruction.keyword == "ADD":
                start = instruction.span.start
                edit = Edit(start, start + len(instruction.keyword_raw), "COPY")
                fix = Fix("use COPY", (edit,), Applicability.UNSAFE)
                yield Violation("ADD used", instruction.span, fix=fix)
