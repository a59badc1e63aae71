from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from slimage.dockerfile.spans import rest_span
from slimage.findings import Applicability, Edit, Fix, Severity
from slimage.rules.base import Rule, Violation

if TYPE_CHECKING:
    from slimage.dockerfile.model import Instruction
    from slimage.rules.context import LintContext

# Instructions that accept a JSON array (exec form) and fall back to shell form or to
# whitespace-separated words when the array does not parse.
_JSON_CAPABLE = frozenset({"CMD", "ENTRYPOINT", "RUN", "SHELL", "COPY", "ADD", "VOLUME"})
_ITEM = r"\s*(?:'[^']*'|\"(?:[^\"\\]|\\.)*\"|[^\s,\[\]]+)\s*"
_ARRAY_LIKE = re.compile(r"^\[" + _ITEM + r"(?:," + _ITEM + r")*,?\s*\]$")
_SINGLE_QUOTED_ARRAY = re.compile(r"^\[\s*'[^'\"\\]*'\s*(?:,\s*'[^'\"\\]*'\s*)*\]$")


def looks_like_json_array(rest: str) -> bool:
    """A bracketed, comma-separated list: meant as exec form, even if it is not JSON.

    ``[ -f x ]`` (the test command) has no commas between quoted items and does not
    match.
    """
    text = rest.strip()
    if not _ARRAY_LIKE.match(text):
        return False
    return "," in text or re.match(r"^\[\s*['\"]", text) is not None


class JsonArgsSingleQuotes(Rule):
    """
    What it does
    ------------
    Reports `CMD`, `ENTRYPOINT`, `RUN`, `SHELL`, `COPY`, `ADD` and
    `VOLUME` arguments written as a bracketed list that is not valid JSON:
    single quotes (`CMD ['node', 'app.js']`), a trailing comma, unquoted items.

    Why is this bad?
    ----------------
    The builder only takes exec form when the text is valid JSON; otherwise it
    silently falls back to shell form and runs `/bin/sh -c "['node', 'app.js']"`,
    which fails at container start with `[node,: not found`.

    Example
    -------
    ```dockerfile
    CMD ['node', 'app.js']
    ```

    Use instead
    -----------
    ```dockerfile
    CMD ["node", "app.js"]
    ```

    Fix safety
    ----------
    When every item is a single-quoted string without quotes or backslashes inside,
    the fix switches to double quotes, producing the array the author wrote: safe.
    Other malformed arrays have no fix.
    """

    code = "SL3010"
    name = "json-args-single-quotes"
    title = "Write exec-form arguments as valid JSON (double quotes)"
    severity = Severity.ERROR
    fix_safety = "safe"

    def check(self, context: LintContext) -> Iterator[Violation]:
        df = context.dockerfile
        for instruction in df.instructions:
            if instruction.keyword not in _JSON_CAPABLE or instruction.json:
                continue
            if not looks_like_json_array(instruction.rest):
                continue
            yield Violation(
                message=f"{instruction.keyword} arguments look like a JSON array but are not "
                "valid JSON, so they are used as shell form",
                span=rest_span(df, instruction, 0, len(instruction.rest)),
                fix=_fix(instruction),
                help='use double quotes and no trailing comma: `["a", "b"]`',
            )


def _fix(instruction: Instruction) -> Fix | None:
    text = instruction.rest.strip()
    if not _SINGLE_QUOTED_ARRAY.match(text) or not instruction.rest_offsets:
        return None
    items = re.findall(r"'([^']*)'", text)
    leading = len(instruction.rest) - len(instruction.rest.lstrip())
    start = instruction.rest_offsets[leading]
    end = instruction.rest_offsets[leading + len(text) - 1] + 1
    replacement = json.dumps(items, ensure_ascii=False)
    return Fix(
        title=f"Use double quotes: {replacement}",
        edits=(Edit(start, end, replacement),),
        applicability=Applicability.SAFE,
    )
