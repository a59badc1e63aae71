"""What a lint rule is, and what it sees.

A rule is one small module ``slimage/rules/slNNNN_<name>.py`` that defines exactly one
subclass of :class:`Rule` (the registry finds it by that module name). The class docstring
is the rule's documentation, in sections, and is what ``slimage rule CODE`` and the
generated docs show::

    What it does
    Why is this bad?
    Example
    Use instead
    Fix safety

Rules only report :class:`Violation` s. Selection, suppression (``# slimage: ignore=``),
severity overrides and turning violations into :class:`~slimage.findings.Finding` s happen
once, in the engine.

Codes: SL1xxx image size, SL2xxx security, SL3xxx correctness. A code is never reused.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar

from slimage.findings import Fix, Severity

if TYPE_CHECKING:
    from slimage.dockerfile.model import Span
    from slimage.rules.context import LintContext


@dataclass(frozen=True)
class Violation:
    """One place where a rule fires."""

    message: str
    span: Span
    fix: Fix | None = None
    # Bytes the change would save, when the rule can say (catalog estimates are marked).
    bytes_saved: int | None = None
    bytes_estimated: bool = True
    help: str = ""  # what to do about it, when it differs from the rule's title
    extra: dict[str, object] = field(default_factory=dict)


class Rule:
    """Base of every rule. Subclasses set the class attributes and implement ``check``."""

    code: ClassVar[str]  # "SL1003"
    name: ClassVar[str]  # kebab-case: "apt-lists-kept"
    title: ClassVar[str]  # one line, imperative: "Remove apt lists in the same RUN"
    severity: ClassVar[Severity] = Severity.WARNING
    # hadolint codes this rule covers, so `# hadolint ignore=DL3009` suppresses it too.
    hadolint: ClassVar[tuple[str, ...]] = ()
    # "safe", "unsafe" or "none": what kind of fix the rule may offer (documentation).
    fix_safety: ClassVar[str] = "none"

    def check(self, context: LintContext) -> Iterator[Violation]:
        raise NotImplementedError

    @classmethod
    def documentation(cls) -> str:
        import inspect

        return inspect.cleandoc(cls.__doc__ or "")
