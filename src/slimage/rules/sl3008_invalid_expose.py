from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from slimage.dockerfile.spans import words_with_spans
from slimage.findings import Applicability, Edit, Fix, Severity
from slimage.rules.base import Rule, Violation

if TYPE_CHECKING:
    from slimage.rules.context import LintContext

_PROTOCOLS = frozenset({"tcp", "udp", "sctp"})
_PORT_SPEC = re.compile(r"^(\d+)(?:-(\d+))?(?:/([A-Za-z]+))?$")


def expose_problem(word: str) -> str | None:
    """What is wrong with one EXPOSE word, or None when it is a valid port spec."""
    container = word.rsplit(":", 1)[-1]
    match = _PORT_SPEC.match(container)
    if match is None:
        return f"{word!r} is not a port number"
    low = int(match.group(1))
    high = int(match.group(2)) if match.group(2) else low
    if low > 65535 or high > 65535:
        return f"{word!r} is outside the valid port range 0-65535"
    if high < low:
        return f"{word!r} is an empty port range"
    protocol = match.group(3)
    if protocol is not None and protocol.lower() not in _PROTOCOLS:
        return f"{word!r} has an unknown protocol (use tcp, udp or sctp)"
    if ":" in word:
        return f"{word!r} defines an IP address or a host port; EXPOSE takes container ports only"
    return None


class InvalidExpose(Rule):
    """
    What it does
    ------------
    Reports `EXPOSE` words that are not a container port: a number above 65535, an
    unknown protocol, text that is not a port, or an IP address / host-port mapping
    (`EXPOSE 8080:80`), as BuildKit's `ExposeInvalidFormat` check does. Words
    with variables are checked only when they have no `$`.

    Why is this bad?
    ----------------
    An invalid port fails the build or, for a host mapping, is silently reduced to
    the container port: `EXPOSE` cannot publish ports on the host, that is what
    `docker run -p` does. The Dockerfile then promises something it does not do.

    Example
    -------
    ```dockerfile
    EXPOSE 8080:80
    ```

    Use instead
    -----------
    ```dockerfile
    EXPOSE 80
    ```
    and publish with `docker run -p 8080:80`.

    Fix safety
    ----------
    For a host mapping whose container part is valid, the fix keeps only the
    container port (`8080:80/tcp` becomes `80/tcp`), which is what the builder
    records anyway: safe. Other problems have no fix.
    """

    code = "SL3008"
    name = "invalid-expose"
    title = "EXPOSE only valid container ports"
    severity = Severity.ERROR
    hadolint = ("DL3011",)
    fix_safety = "safe"

    def check(self, context: LintContext) -> Iterator[Violation]:
        df = context.dockerfile
        for instruction in df.instructions:
            if instruction.keyword != "EXPOSE":
                continue
            for word, span in words_with_spans(df, instruction):
                if "$" in word or "[" in word:
                    continue
                problem = expose_problem(word)
                if problem is None:
                    continue
                fix = None
                container = word.rsplit(":", 1)[-1]
                if ":" in word and expose_problem(container) is None and span != instruction.span:
                    fix = Fix(
                        title=f"Expose only the container port {container}",
                        edits=(Edit(span.start, span.end, container),),
                        applicability=Applicability.SAFE,
                    )
                yield Violation(message=f"EXPOSE {problem}", span=span, fix=fix)
