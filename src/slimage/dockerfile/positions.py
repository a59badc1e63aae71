"""Where each argument of an instruction sits in the source.

``Instruction.args`` are BuildKit's values (JSON decoded, ENV split into triplets);
:func:`argument_ranges` finds the text each one came from, as source offsets, so a rule
can point at, or a fix can replace, one argument. :func:`span_for` turns offsets into a
:class:`Span` with lines and columns.
"""

from __future__ import annotations

import re
from bisect import bisect_right

from slimage.dockerfile._gotext import GO_SPACE_SET
from slimage.dockerfile.model import Dockerfile, Instruction, Span

Range = tuple[int, int]

_NOT_BLANK = re.compile(r"[^\t\v\f\r ]+")
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_SINGLE_VALUE = frozenset(
    {"run", "cmd", "entrypoint", "shell", "maintainer", "user", "workdir", "stopsignal"}
)
_SPLIT = frozenset({"from", "expose", "add", "copy", "volume"})


def argument_ranges(instruction: Instruction, escape: str = "\\") -> list[Range | None]:
    """For each of ``instruction.args``, its ``(start, end)`` offsets in the source, or
    None when it has no text of its own (the ENV/LABEL marker of the legacy form, the
    empty argument of an unknown instruction). ONBUILD has no arguments: see its trigger.
    """
    rest = instruction.rest
    key = instruction.keyword.lower()
    if instruction.trigger is not None or not instruction.args:
        return []
    local: list[Range | None]
    if key == "healthcheck":
        local = _healthcheck(rest, len(instruction.args))
    elif instruction.json:
        local = _json_strings(rest, len(instruction.args))
    elif key in _SINGLE_VALUE:
        local = [(0, len(rest))]
    elif key in _SPLIT:
        local = [(m.start(), m.end()) for m in _NOT_BLANK.finditer(rest)]
    elif key in ("env", "label"):
        local = _key_values(rest, instruction.args, escape)
    elif key == "arg":
        local = list(word_ranges(rest, escape))
    else:
        local = [None]
    offsets = instruction.rest_offsets
    ranges: list[Range | None] = []
    for index in range(len(instruction.args)):
        item = local[index] if index < len(local) else None
        if item is None:
            ranges.append(None)
        else:
            start, end = item
            ranges.append((offsets[start], offsets[end - 1] + 1 if end > start else offsets[start]))
    return ranges


def span_for(df: Dockerfile, start: int, end: int) -> Span:
    """The span of source offsets ``[start, end)`` with 1-based lines and columns."""
    return span_at(df.source, start, end)


# The line starts of the last few sources asked about (rules ask for many spans of one).
_LINE_STARTS: dict[int, tuple[str, list[int]]] = {}


def line_starts(source: str) -> list[int]:
    """Offsets at which each line of ``source`` starts (after each "\\n")."""
    cached = _LINE_STARTS.get(id(source))
    if cached is not None and cached[0] is source:
        return cached[1]
    starts = [0, *(match.end() for match in re.finditer("\n", source))]
    if len(_LINE_STARTS) > 64:
        _LINE_STARTS.clear()
    _LINE_STARTS[id(source)] = (source, starts)
    return starts


def span_at(source: str, start: int, end: int) -> Span:
    """A :class:`Span` for ``source[start:end]`` with 1-based lines and columns; an
    empty span ends where it starts."""
    starts = line_starts(source)
    line = bisect_right(starts, start)
    column = start - starts[line - 1] + 1
    if end <= start:
        return Span(start, end, line, column, line, column)
    end_line = bisect_right(starts, end - 1)
    return Span(start, end, line, column, end_line, end - starts[end_line - 1] + 1)


def _json_strings(rest: str, count: int) -> list[Range | None]:
    opening = rest.find("[")
    found: list[Range | None] = []
    for match in _JSON_STRING.finditer(rest, opening + 1):
        if len(found) == count:
            break
        found.append((match.start(), match.end()))
    return found


def _healthcheck(rest: str, count: int) -> list[Range | None]:
    sep = 0
    while sep < len(rest) and rest[sep] not in GO_SPACE_SET:
        sep += 1
    following = sep
    while following < len(rest) and rest[following] in GO_SPACE_SET:
        following += 1
    ranges: list[Range | None] = [(0, sep)]
    if count > 1:
        command = rest[following:]
        if command.lstrip().startswith("[") and count - 1 <= command.count('"'):
            ranges += [
                None if item is None else (item[0] + following, item[1] + following)
                for item in _json_strings(command, count - 1)
            ]
        else:
            ranges.append((following, len(rest)))
    return ranges


def _key_values(rest: str, args: list[str], escape: str) -> list[Range | None]:
    if len(args) == 3 and args[2] == "":
        # The legacy form: the key, blanks, then the rest of the line is the value.
        first = _NOT_BLANK.match(rest)
        if first is None:
            return []
        blanks = re.compile(r"[\t\v\f\r ]+").match(rest, first.end())
        value_start = blanks.end() if blanks else first.end()
        return [(0, first.end()), (value_start, len(rest)), None]
    ranges: list[Range | None] = []
    for start, end in word_ranges(rest, escape):
        equals = rest.find("=", start, end)
        ranges += [(start, equals), (equals + 1, end), (equals, equals + 1)]
    return ranges


def word_ranges(rest: str, escape: str) -> list[Range]:
    """Where the words of BuildKit's ``parseWords`` start and end in ``rest``."""
    ranges: list[Range] = []
    start = -1
    quote = ""
    position = 0
    length = len(rest)
    while position < length:
        char = rest[position]
        if start < 0:
            if char in GO_SPACE_SET:
                position += 1
                continue
            start = position
        if quote:
            if char == quote:
                quote = ""
            elif char == escape and quote != "'":
                position += 1
        elif char in GO_SPACE_SET:
            ranges.append((start, position))
            start = -1
        elif char in ("'", '"'):
            quote = char
        elif char == escape:
            position += 1
        position += 1
    if start >= 0:
        ranges.append((start, min(position, length)))
    return ranges
