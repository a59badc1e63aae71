from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from slimage.dockerfile.spans import words_with_spans
from slimage.findings import Severity
from slimage.rules.base import Rule, Violation

if TYPE_CHECKING:
    from slimage.rules.context import LintContext

_PORT = re.compile(r"^(?:(\d+)(?:-(\d+))?)(?:/(\w+))?$")


def exposes_port(spec: str, port: int) -> bool:
    """Whether an EXPOSE word (``22``, ``22/tcp``, ``20-25``) covers ``port``."""
    match = _PORT.match(spec)
    if match is None:
        return False
    low = int(match.group(1))
    high = int(match.group(2)) if match.group(2) else low
    return low <= port <= high


class ExposeSshPort(Rule):
    """
    What it does
    ------------
    Reports `EXPOSE 22` (or a port range that covers 22).

    Why is this bad?
    ----------------
    Port 22 means an SSH server in the container: another daemon, host keys baked
    into the image (shared by every container started from it), passwords or keys to
    manage, and a remote login surface. `docker exec` and `kubectl exec` give a
    shell without any of that.

    Example
    -------
    ```dockerfile
    RUN apt-get install -y openssh-server
    EXPOSE 22
    ```

    Use instead
    -----------
    Drop the SSH server and `EXPOSE 22`; use `docker exec -it <container> sh` or
    `kubectl exec` to get a shell.
    """

    code = "SL2011"
    name = "expose-ssh-port"
    title = "Do not expose SSH (port 22); use docker exec / kubectl exec"
    severity = Severity.WARNING

    def check(self, context: LintContext) -> Iterator[Violation]:
        df = context.dockerfile
        for instruction in df.instructions:
            if instruction.keyword != "EXPOSE":
                continue
            for word, span in words_with_spans(df, instruction):
                if exposes_port(word, 22):
                    yield Violation(
                        message=f"EXPOSE {word} publishes SSH from the container",
                        span=span,
                        help="remove the SSH server; use `docker exec` or `kubectl exec` for a "
                        "shell",
                    )
