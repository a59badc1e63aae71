from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from slimage.dockerfile.spans import keyword_span
from slimage.dockerfile.variables import key_values
from slimage.findings import Applicability, Edit, Fix, Severity
from slimage.rules.base import Rule, Violation

if TYPE_CHECKING:
    from slimage.dockerfile.model import Dockerfile, Instruction
    from slimage.rules.context import LintContext

_KEY = re.compile(r"^[A-Za-z0-9_.\-/]+$")


class LegacyKeyValueFormat(Rule):
    """
    What it does
    ------------
    Reports `ENV` and `LABEL` in the legacy space-separated form
    (`ENV KEY value`), as BuildKit's `LegacyKeyValueFormat` check does.

    Why is this bad?
    ----------------
    The legacy form is deprecated and reads differently from the rest of the file:
    `ENV A B C` sets `A` to `"B C"`, while `ENV A=B C=D` sets two variables.
    Mixing the two forms invites mistakes.

    Example
    -------
    ```dockerfile
    ENV PHPIZE_DEPS \\
        autoconf \\
        make
    ```

    Use instead
    -----------
    ```dockerfile
    ENV PHPIZE_DEPS="autoconf \\
        make"
    ```

    Fix safety
    ----------
    The fix replaces the space (and any line continuation) between the key and the
    value with `=`. A one-word value is then read exactly as before. A value of several
    words also gets double quotes around it, and keeps every character, the
    whitespace of continuation lines included, because the builder gives a
    double-quoted value exactly the text the legacy form took literally; that holds
    only when the value has no quotes and no escape character other than an escaped
    escape or `$`. A separator holding a comment gets no fix. When offered it is safe.
    """

    code = "SL3014"
    name = "legacy-key-value-format"
    title = 'Use ENV KEY=value, not the legacy "ENV KEY value"'
    severity = Severity.WARNING
    fix_safety = "safe"

    def check(self, context: LintContext) -> Iterator[Violation]:
        df = context.dockerfile
        for instruction in df.instructions:
            if instruction.keyword not in ("ENV", "LABEL"):
                continue
            pairs = key_values(instruction)
            if not any(pair.legacy for pair in pairs):
                continue
            keyword = instruction.keyword
            yield Violation(
                message=f'"{keyword} key=value" should be used instead of legacy '
                f'"{keyword} key value" format',
                span=keyword_span(df, instruction),
                fix=_fix(df, instruction),
                help=f'write `{keyword} {pairs[0].key}="..."`',
            )


def _same_when_quoted(value: str, escape: str) -> bool:
    """Whether ``value`` means the same bare and inside double quotes.

    Bare, the escape character escapes any character; inside double quotes it escapes
    only ``"``, ``$`` and itself (BuildKit ``shell/lex.go``), so only ``\\\\`` and ``\\$``
    pairs read the same both ways.
    """
    index = 0
    while index < len(value):
        if value[index] == escape:
            if value[index + 1 : index + 2] not in (escape, "$"):
                return False
            index += 2
        else:
            index += 1
    return True


def _fix(df: Dockerfile, instruction: Instruction) -> Fix | None:
    pairs = key_values(instruction)
    if len(pairs) != 1 or pairs[0].value is None:
        return None
    key, value = pairs[0].key, pairs[0].value
    rest = instruction.rest
    offsets = instruction.rest_offsets
    if not value or not _KEY.match(key) or not offsets or instruction.heredocs:
        return None
    if any(c in value for c in ("'", '"', "\n")):
        return None
    # One word: `KEY=value` is read exactly as the legacy value was, no quotes needed.
    bare = not any(c.isspace() for c in value)
    if not bare and not _same_when_quoted(value, df.escape):
        return None
    key_at = len(rest) - len(rest.lstrip())
    if not rest.startswith(key, key_at):
        return None
    value_at = rest.find(value, key_at + len(key))
    if value_at < 0 or rest[key_at + len(key) : value_at].strip(" \t"):
        return None
    if rest[value_at + len(value) :].strip():
        return None
    separator_start = offsets[key_at + len(key)]
    separator_end = offsets[value_at]
    separator = df.source[separator_start:separator_end]
    # Only blanks and line continuations between key and value: deleting them changes
    # nothing but layout (a comment or an empty line there would be lost or matter).
    escape = re.escape(df.escape)
    if not separator or not re.fullmatch(rf"[ \t]*(?:{escape}[ \t]*\r?\n[ \t]*)*", separator):
        return None
    shown = "..." if bare else '"..."'
    if bare:
        edits: tuple[Edit, ...] = (Edit(separator_start, separator_end, "="),)
    else:
        value_end = offsets[value_at + len(value) - 1] + 1
        edits = (Edit(separator_start, separator_end, '="'), Edit(value_end, value_end, '"'))
    return Fix(
        title=f"Write {instruction.keyword} {key}={shown}",
        edits=edits,
        applicability=Applicability.SAFE,
    )
