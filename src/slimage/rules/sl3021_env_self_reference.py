from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from slimage.dockerfile.spans import word_span
from slimage.dockerfile.variables import key_values, variable_names
from slimage.findings import Severity
from slimage.rules.base import Rule, Violation

if TYPE_CHECKING:
    from slimage.rules.context import LintContext


class EnvSelfReference(Rule):
    """
    What it does
    ------------
    Reports an `ENV` that uses, in one of its values, a variable that an earlier
    pair of the same `ENV` sets (`ENV A=/opt B=$A/bin`). `ENV PATH=/x:$PATH`,
    which extends the previous value of the same key, is fine.

    Why is this bad?
    ----------------
    All values of one `ENV` are expanded against the environment *before* the
    instruction, so `$A` is not `/opt` but whatever `A` was before, usually
    empty: `B` becomes `/bin`.

    Example
    -------
    ```dockerfile
    ENV APP_HOME=/app APP_BIN=$APP_HOME/bin
    ```

    Use instead
    -----------
    ```dockerfile
    ENV APP_HOME=/app
    ENV APP_BIN=$APP_HOME/bin
    ```
    """

    code = "SL3021"
    name = "env-self-reference"
    title = "Do not use a variable in the same ENV that defines it"
    severity = Severity.ERROR
    hadolint = ("DL3044",)

    def check(self, context: LintContext) -> Iterator[Violation]:
        df = context.dockerfile
        for instruction in df.instructions:
            if instruction.keyword != "ENV":
                continue
            defined: list[str] = []
            for pair in key_values(instruction):
                for name in variable_names(pair.value or ""):
                    if name in defined and name != pair.key:
                        yield Violation(
                            message=f"${name} in {pair.key} is the value from before this ENV, "
                            f"not the {name} this ENV sets",
                            span=word_span(df, instruction, pair.key),
                            help=f"move {pair.key} into a separate ENV after the one setting "
                            f"{name}",
                        )
                        break
                defined.append(pair.key)
