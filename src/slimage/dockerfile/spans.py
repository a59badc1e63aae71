"""Spans of Dockerfile text for findings: words, keywords, commands, stage names.

Offsets -> lines and columns come from :mod:`slimage.dockerfile.positions`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from slimage.dockerfile.model import Span
from slimage.dockerfile.positions import span_at as source_span

if TYPE_CHECKING:
    from slimage.dockerfile.model import Dockerfile, Instruction
    from slimage.dockerfile.run_commands import ShellCommand as Command


# --- words and keywords ----------------------------------------------------------------


def span_at(dockerfile: Dockerfile, start: int, end: int) -> Span:
    """The :class:`Span` of ``source[start:end]``, clamped to the source (lines counted by
    ``\\n``, as BuildKit)."""
    source = dockerfile.source
    start = max(0, min(start, len(source)))
    end = max(start, min(end, len(source)))
    return source_span(source, start, end)


def rest_span(dockerfile: Dockerfile, instruction: Instruction, start: int, end: int) -> Span:
    """The span of ``instruction.rest[start:end]`` in the source (continuations skipped)."""
    offsets = instruction.rest_offsets
    if not offsets or start >= len(offsets):
        return instruction.span
    begin = offsets[start]
    finish = offsets[end - 1] + 1 if end > start and end - 1 < len(offsets) else begin
    return span_at(dockerfile, begin, finish)


def word_span(dockerfile: Dockerfile, instruction: Instruction, word: str, after: int = 0) -> Span:
    """The span of the first ``word`` in ``instruction.rest`` (from ``after``), else the
    instruction's span."""
    if not word:
        return instruction.span
    match = re.compile(r"(?<![^\s=\[,\"'])" + re.escape(word)).search(instruction.rest, after)
    index = match.start() if match else instruction.rest.find(word, after)
    if index < 0:
        return instruction.span
    return rest_span(dockerfile, instruction, index, index + len(word))


def words_with_spans(
    dockerfile: Dockerfile, instruction: Instruction
) -> Iterator[tuple[str, Span]]:
    """Each argument word of ``instruction`` with its span, in order: a word written twice
    gets the span of each occurrence in turn."""
    after = 0
    for word in instruction.args:
        span = word_span(dockerfile, instruction, word, after)
        found = instruction.rest.find(word, after)
        after = found + len(word) if found >= 0 else after
        yield word, span


def keyword_span(dockerfile: Dockerfile, instruction: Instruction) -> Span:
    start = instruction.span.start
    return span_at(dockerfile, start, start + len(instruction.keyword_raw))


def line_break(source: str) -> str:
    """The file's own line break, for inserted lines (CRLF files stay CRLF)."""
    return "\r\n" if "\r\n" in source else "\n"


def command_span(dockerfile: Dockerfile, instruction: Instruction, command: Command) -> Span:
    """The command's own span when the parser knows it, else the instruction's."""
    start, end = command.source_start, command.source_end
    if start is not None and end is not None and end > start:
        return span_at(dockerfile, start, end)
    return instruction.span


def instruction_head_span(dockerfile: Dockerfile, instruction: Instruction) -> Span:
    """The first line of an instruction (for findings about the whole instruction)."""
    start = instruction.span.start
    end = dockerfile.source.find("\n", start, instruction.span.end)
    return span_at(dockerfile, start, end if end != -1 else instruction.span.end)


# --- stages --------------------------------------------------------------------------------


def stage_name_word(instruction: Instruction) -> str | None:
    """The stage name of ``FROM image AS name`` as written (case kept), or None."""
    args = instruction.args
    if len(args) >= 3 and args[1].lower() == "as":
        return args[2]
    return None


def _as_index(instruction: Instruction) -> int | None:
    """Index in ``rest`` of the ``AS`` word of ``FROM [flags] image AS name``."""
    args = instruction.args
    if len(args) < 3 or args[1].lower() != "as":
        return None
    image_at = instruction.rest.find(args[0])
    start = image_at + len(args[0]) if image_at >= 0 else 0
    match = re.compile(r"(?<!\S)" + re.escape(args[1]) + r"(?!\S)").search(instruction.rest, start)
    return match.start() if match else None


def as_keyword_span(dockerfile: Dockerfile, instruction: Instruction) -> Span | None:
    """The span of the ``AS`` word of a FROM, or None."""
    index = _as_index(instruction)
    if index is None:
        return None
    return rest_span(dockerfile, instruction, index, index + len(instruction.args[1]))


def stage_name_span(dockerfile: Dockerfile, instruction: Instruction) -> Span:
    """The span of the name in ``FROM image AS name`` (the FROM itself when absent)."""
    name = stage_name_word(instruction)
    as_index = _as_index(instruction)
    if name is None or as_index is None:
        return instruction.span
    index = instruction.rest.find(name, as_index + len(instruction.args[1]))
    if index < 0:
        return instruction.span
    return rest_span(dockerfile, instruction, index, index + len(name))
