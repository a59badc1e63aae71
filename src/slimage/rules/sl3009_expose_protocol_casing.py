from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from slimage.dockerfile.spans import words_with_spans
from slimage.findings import Applicability, Edit, Fix, Severity
from slimage.rules.base import Rule, Violation

if TYPE_CHECKING:
    from slimage.rules.context import LintContext

_WITH_PROTOCOL = re.compile(r"^[^/]+/([A-Za-z]+)$")


class ExposeProtocolCasing(Rule):
    """
    What it does
    ------------
    Reports an `EXPOSE` protocol that is not lower case (`80/TCP`), as BuildKit's
    `ExposeProtoCasing` check does.

    Why is this bad?
    ----------------
    Protocols are `tcp`, `udp` and `sctp` in lower case everywhere else (the
    image config, `docker run -p`, Compose); a mixed-case one reads like a typo and
    tools comparing port keys do not match it.

    Example
    -------
    ```dockerfile
    EXPOSE 53/UDP
    ```

    Use instead
    -----------
    ```dockerfile
    EXPOSE 53/udp
    ```

    Fix safety
    ----------
    The fix lower-cases the protocol: safe.
    """

    code = "SL3009"
    name = "expose-protocol-casing"
    title = "Write EXPOSE protocols in lower case"
    severity = Severity.WARNING
    fix_safety = "safe"

    def check(self, context: LintContext) -> Iterator[Violation]:
        df = context.dockerfile
        for instruction in df.instructions:
            if instruction.keyword != "EXPOSE":
                continue
            for word, span in words_with_spans(df, instruction):
                match = _WITH_PROTOCOL.match(word)
                if match is None or match.group(1).islower():
                    continue
                protocol = match.group(1)
                fix = None
                if span != instruction.span:
                    start = span.end - len(protocol)
                    fix = Fix(
                        title=f"Lower-case the protocol: {protocol.lower()}",
                        edits=(Edit(start, span.end, protocol.lower()),),
                        applicability=Applicability.SAFE,
                    )
                yield Violation(
                    message=f"EXPOSE protocol in {word!r} should be lower case",
                    span=span,
                    fix=fix,
                )
