from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from slimage.dockerfile.spans import keyword_span
from slimage.findings import Severity
from slimage.rules.base import Rule, Violation

if TYPE_CHECKING:
    from slimage.rules.context import LintContext

_DISALLOWED = frozenset({"ONBUILD", "FROM", "MAINTAINER"})


class OnbuildDisallowedTrigger(Rule):
    """
    What it does
    ------------
    Reports `ONBUILD ONBUILD`, `ONBUILD FROM` and `ONBUILD MAINTAINER`.

    Why is this bad?
    ----------------
    The builder refuses these triggers ("isn't allowed as an ONBUILD trigger"), so
    the image builds, but every image built `FROM` it fails.

    Example
    -------
    ```dockerfile
    ONBUILD FROM node:20
    ```

    Use instead
    -----------
    ```dockerfile
    ONBUILD COPY . /app
    ```
    with the base chosen by the child Dockerfile's own `FROM`.
    """

    code = "SL3022"
    name = "onbuild-disallowed-trigger"
    title = "Do not use ONBUILD, FROM or MAINTAINER as an ONBUILD trigger"
    severity = Severity.ERROR
    hadolint = ("DL3043",)

    def check(self, context: LintContext) -> Iterator[Violation]:
        df = context.dockerfile
        for instruction in df.instructions:
            trigger = instruction.trigger
            if trigger is not None and trigger.keyword in _DISALLOWED:
                yield Violation(
                    message=f"{trigger.keyword} isn't allowed as an ONBUILD trigger",
                    span=keyword_span(df, trigger),
                    help="remove it; child images fail to build with it",
                )
