"""Property: whenever legacy-key-value-format offers a fix, the fixed ENV value is the
value BuildKit gave the legacy form (checked with slimage's BuildKit-conformant lexer),
and the result parses with BuildKit's own parser."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

import dockerfile
from slimage.dockerfile.parser import parse_dockerfile
from slimage.dockerfile.shell_lex import ShellLex
from slimage.rules.engine import lint
from slimage.rules.fixer import apply_fixes
from slimage.rules.sl3014_legacy_key_value_format import LegacyKeyValueFormat

_CHUNK = st.sampled_from(
    [
        "a",
        "B",
        "1",
        "-",
        "/",
        ".",
        ":",
        "=",
        "#",
        " ",
        "\t",
        "$HOME",
        "${X:-d}",
        "\\\\",
        "\\$",
        "\\ ",
        "'",
        '"',
        "é",
        " \\\n\t",
        " \\\n  # c\n  ",
        "\\\n",
    ]
)


def _values(text: str) -> list[tuple[str, str]]:
    lex = ShellLex()
    env = {"HOME": "/root", "X": "x"}
    out = []
    for instruction in parse_dockerfile(text).instructions:
        if instruction.keyword == "ENV":
            args = instruction.args
            out.extend(
                (args[i], lex.process_word(args[i + 1], env)) for i in range(0, len(args) - 2, 3)
            )
    return out


@settings(max_examples=300, deadline=None)
@given(
    separator=st.sampled_from([" ", "  ", "\t", " \\\n", " \\\n\t\t", "\\\n "]),
    chunks=st.lists(_CHUNK, min_size=1, max_size=8),
)
def test_fix_keeps_the_value(separator: str, chunks: list[str]) -> None:
    value = "".join(chunks).strip(" \t\\\n") or "v"
    text = f"FROM alpine:3.20\nENV KEY{separator}{value}\nRUN true\n"
    try:
        before = _values(text)
        dockerfile.parse_string(text)
    except Exception:
        return  # not a valid legacy ENV to begin with
    findings = lint(text, rules=[LegacyKeyValueFormat]).findings
    result = apply_fixes(text, findings)
    if not result.applied:
        return
    dockerfile.parse_string(result.text)
    assert _values(result.text) == before, (text, result.text)
