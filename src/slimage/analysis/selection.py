"""``analyze --select`` / ``--ignore``: which analysis findings a report keeps.

As lint's selection (ruff's rule): a selector is a code (``SA115``), a prefix (``SA1``,
``SL``), ``ALL`` or a finding's name (``apt-lists``); the most specific selector that
matches a finding decides, and on a tie ``ignore`` wins. Left-out findings are gone
from every report and from the ``--max-secrets`` gate; the byte gates measure bytes, not
findings (``--gate-ignore`` leaves paths out of those).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from slimage.errors import UsageError
from slimage.findings import Finding

_CODE = re.compile(r"(?:SL|SA)\d{0,4}\Z")
_NAME = re.compile(r"[a-z][a-z0-9-]*\Z")


def parse_selectors(values: Iterable[str], option: str) -> tuple[str, ...]:
    """Comma-separated or repeated selectors, normalised; UsageError for a malformed one."""
    selectors: list[str] = []
    for value in values:
        for part in value.split(","):
            selector = part.strip()
            if not selector:
                continue
            if selector.upper() == "ALL" or _CODE.match(selector.upper()):
                selectors.append(selector.upper())
            elif _NAME.match(selector):
                selectors.append(selector)
            else:
                raise UsageError(
                    f"{option}: {selector!r} is not a finding code, prefix (SA1, SL) or name"
                )
    return tuple(selectors)


def _specificity(finding: Finding, selectors: Sequence[str]) -> int:
    best = -1
    for selector in selectors:
        if selector == "ALL":
            best = max(best, 0)
        elif finding.code.startswith(selector):
            best = max(best, len(selector))
        elif selector == finding.name:
            best = max(best, len(finding.code) + 1)
    return best


def select_findings(
    findings: Iterable[Finding], select: Sequence[str] = (), ignore: Sequence[str] = ()
) -> list[Finding]:
    """The findings ``select`` (default: all) keeps and ``ignore`` does not drop."""
    chosen = select or ("ALL",)
    kept = []
    for finding in findings:
        selected = _specificity(finding, chosen)
        if selected >= 0 and selected > _specificity(finding, ignore):
            kept.append(finding)
    return kept
