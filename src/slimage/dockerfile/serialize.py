"""The Dockerfile model as JSON-able data (the shape ``slimage parse --format json`` prints,
documented in docs/dockerfile.md)."""

from __future__ import annotations

import json
import re
from typing import Any

from slimage.dockerfile.model import Dockerfile, Flag, Heredoc, Instruction, Span

# "schema_version", as in every JSON output (slimage/report/schemas/parse-v1.schema.json).
FORMAT_VERSION = 1
# Bytes that were not UTF-8 travel as lone surrogates; JSON writes them as \udcXX escapes
# (json.loads gives the same string back) so the output stays valid UTF-8.
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _escape_surrogates(text: str) -> str:
    return _LONE_SURROGATE.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


def span_to_dict(span: Span) -> dict[str, int]:
    return {
        "start": span.start,
        "end": span.end,
        "line": span.line,
        "column": span.column,
        "end_line": span.end_line,
        "end_column": span.end_column,
    }


def _flag(flag: Flag) -> dict[str, Any]:
    return {
        "raw": flag.raw,
        "name": flag.name,
        "value": flag.value,
        "span": span_to_dict(flag.span),
    }


def _heredoc(heredoc: Heredoc) -> dict[str, Any]:
    return {
        "name": heredoc.name,
        "file_descriptor": heredoc.file_descriptor,
        "expand": heredoc.expand,
        "chomp": heredoc.chomp,
        "content": heredoc.content,
        "span": span_to_dict(heredoc.span),
    }


def _instruction_fields(instruction: Instruction) -> dict[str, Any]:
    """One instruction without its trigger (``"trigger"`` is the last key, None)."""
    return {
        "keyword": instruction.keyword,
        "keyword_raw": instruction.keyword_raw,
        "flags": [_flag(flag) for flag in instruction.flags],
        "args": list(instruction.args),
        "json": instruction.json,
        "rest": instruction.rest,
        "original": instruction.original,
        "span": span_to_dict(instruction.span),
        "heredocs": [_heredoc(heredoc) for heredoc in instruction.heredocs],
        "comments": list(instruction.comments),
        "trigger": None,
    }


def instruction_to_dict(instruction: Instruction) -> dict[str, Any]:
    """An instruction as a dict, ONBUILD triggers nested under ``"trigger"``."""
    chain: list[Instruction] = []
    node: Instruction | None = instruction
    while node is not None:
        chain.append(node)
        node = node.trigger
    inner: dict[str, Any] | None = None
    for current in reversed(chain):
        fields = _instruction_fields(current)
        fields["trigger"] = inner
        inner = fields
    assert inner is not None
    return inner


def dockerfile_to_dict(df: Dockerfile) -> dict[str, Any]:
    """The whole model as plain data."""
    return {
        "schema_version": FORMAT_VERSION,
        "path": df.path,
        "escape": df.escape,
        "directives": [
            {"name": item.name, "value": item.value, "span": span_to_dict(item.span)}
            for item in df.directives
        ],
        "warnings": list(df.warnings),
        "instructions": [instruction_to_dict(item) for item in df.instructions],
    }


def _instruction_json(instruction: Instruction) -> str:
    # Built inside out as text: json.dumps recurses once per level, and a hostile
    # `ONBUILD ONBUILD ...` line nests thousands of triggers.
    chain: list[Instruction] = []
    node: Instruction | None = instruction
    while node is not None:
        chain.append(node)
        node = node.trigger
    text = "null"
    for current in reversed(chain):
        fields = json.dumps(_instruction_fields(current), ensure_ascii=False)
        text = fields[: -len("null}")] + text + "}"
    return text


def dockerfile_to_json(df: Dockerfile, *, indent: bool = False) -> str:
    """The model as JSON text (``indent`` pretty-prints shallow files)."""
    data = dockerfile_to_dict(df)
    deep = any(
        item.trigger is not None and item.trigger.trigger is not None for item in df.instructions
    )
    if indent and not deep:
        return _escape_surrogates(json.dumps(data, ensure_ascii=False, indent=2))
    data["instructions"] = []
    head = json.dumps(data, ensure_ascii=False)
    body = ", ".join(_instruction_json(item) for item in df.instructions)
    return _escape_surrogates(head[: -len("[]}")] + "[" + body + "]}")
