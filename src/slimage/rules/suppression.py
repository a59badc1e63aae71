"""Suppression comments: which findings the author asked slimage not to report.

Forms understood (comment lines only; codes, prefixes or rule names, comma or space
separated)::

    # slimage: ignore=SL1003,SL2001     the next instruction (the comment block directly above it)
    # slimage: ignore                   every rule, for the next instruction
    # slimage: ignore-file=SL1          the whole file (the comment may sit anywhere)
    # slimage: ignore-file              the whole file, every rule
    # hadolint ignore=DL3009            the next instruction, mapped through each rule's
                                        ``hadolint`` codes (migration from hadolint)
    # hadolint global ignore=DL3008     the whole file, mapped likewise
    # check=skip=JSONArgsRecommended    BuildKit's own directive (first lines of the file):
                                        the slimage rules that implement those BuildKit
                                        checks, or all of them with ``skip=all``

"Directly above" means the run of comment lines that ends on the line before the
instruction, as hadolint reads its pragmas; a blank line ends the run.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from slimage.dockerfile.model import Dockerfile

_SLIMAGE = re.compile(r"^\s*#\s*slimage\s*:\s*(ignore-file|ignore)\b\s*(?:=\s*(.*?))?\s*$", re.I)
_HADOLINT = re.compile(r"^\s*#\s*hadolint\s+(global\s+)?ignore\s*=\s*(.*?)\s*$", re.I)
_ALL = "ALL"


def _split_codes(text: str | None) -> frozenset[str]:
    if text is None or not text.strip():
        return frozenset({_ALL})
    return frozenset(part.strip() for part in re.split(r"[,\s]+", text) if part.strip())


def _normalise(selector: str) -> str:
    return selector.upper() if selector.upper().startswith(("SL", _ALL)) else selector.lower()


def _covers(selectors: frozenset[str], code: str, name: str) -> bool:
    return any(selector in (_ALL, name) or code.startswith(selector) for selector in selectors)


@dataclass(frozen=True)
class Suppressions:
    """The pragmas of one file, ready to answer "is this finding suppressed?"."""

    file_wide: frozenset[str] = frozenset()
    # (first line, last line, selectors) per instruction, sorted by first line.
    ranges: tuple[tuple[int, int, frozenset[str]], ...] = ()
    _starts: tuple[int, ...] = field(default=(), repr=False)

    def is_suppressed(self, code: str, name: str, line: int) -> bool:
        if self.file_wide and _covers(self.file_wide, code, name):
            return True
        if not self.ranges or line <= 0:
            return False
        index = bisect.bisect_right(self._starts, line) - 1
        if index < 0:
            return False
        first, last, selectors = self.ranges[index]
        return first <= line <= last and _covers(selectors, code, name)


def buildkit_skips(dockerfile: Dockerfile) -> frozenset[str]:
    """Rule codes that ``# check=skip=...`` turns off (BuildKit's checks directive).

    The directive's value is ``;``-separated ``key=value`` pairs; ``skip`` lists check
    names (``,``-separated) or ``all``. ``error=true`` does not change what is reported.
    """
    from slimage.rules._checks import BUILDKIT_CHECKS

    skipped: set[str] = set()
    for directive in dockerfile.directives:
        if directive.name != "check":
            continue
        for part in directive.value.split(";"):
            key, _, value = part.partition("=")
            if key.strip().lower() != "skip":
                continue
            for name in (n.strip() for n in value.split(",")):
                if name.lower() == "all":
                    skipped.update(BUILDKIT_CHECKS.values())
                elif name in BUILDKIT_CHECKS:
                    skipped.add(BUILDKIT_CHECKS[name])
    return frozenset(skipped)


def find_suppressions(
    dockerfile: Dockerfile, hadolint_map: Mapping[str, Sequence[str]]
) -> Suppressions:
    """Read every suppression pragma of ``dockerfile``."""
    source = dockerfile.source
    skipped = buildkit_skips(dockerfile) if dockerfile.directives else frozenset()
    if "slimage" not in source and "hadolint" not in source:
        return Suppressions(file_wide=skipped)  # the common case, in one scan
    # BuildKit counts lines by "\n" only; str.splitlines would also split on \x0c etc.
    lines = source.split("\n")
    heredoc_lines: set[int] = set()
    for instruction in dockerfile.instructions:
        for heredoc in instruction.heredocs:
            heredoc_lines.update(range(heredoc.span.line, heredoc.span.end_line + 1))

    def mapped(codes: frozenset[str]) -> frozenset[str]:
        result: set[str] = set()
        for code in codes:
            result.update(hadolint_map.get(code.upper(), ()))
        return frozenset(result)

    def pragma(line: str) -> tuple[bool, frozenset[str]] | None:
        """(file_wide, selectors) when ``line`` is a suppression comment."""
        match = _SLIMAGE.match(line)
        if match:
            selectors = frozenset(_normalise(s) for s in _split_codes(match.group(2)))
            return match.group(1).lower() == "ignore-file", selectors
        match = _HADOLINT.match(line)
        if match and match.group(2):
            return match.group(1) is not None, mapped(_split_codes(match.group(2)))
        return None

    file_wide: set[str] = set(skipped)
    for number, line in enumerate(lines, start=1):
        if number in heredoc_lines or not line.lstrip().startswith("#"):
            continue
        found = pragma(line)
        if found is not None and found[0]:
            file_wide.update(found[1])

    ranges: list[tuple[int, int, frozenset[str]]] = []
    previous_end = 0
    for instruction in sorted(dockerfile.instructions, key=lambda i: i.span.line):
        selectors: set[str] = set()
        number = instruction.span.line - 1  # 1-based line just above
        while number > previous_end and lines[number - 1].lstrip().startswith("#"):
            found = pragma(lines[number - 1])
            if found is not None and not found[0]:
                selectors.update(found[1])
            number -= 1
        if selectors:
            ranges.append((instruction.span.line, instruction.span.end_line, frozenset(selectors)))
        previous_end = max(previous_end, instruction.span.end_line)
    return Suppressions(
        file_wide=frozenset(file_wide),
        ranges=tuple(ranges),
        _starts=tuple(r[0] for r in ranges),
    )
