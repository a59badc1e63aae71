"""The Dockerfile model: what the parser produces and every rule reads.

The model is lossless: ``Dockerfile.source`` is the exact text that was parsed, and every
instruction, flag and heredoc carries a :class:`Span` into it, so a fix is a set of text
edits on ``source`` and printing the file back is ``source`` itself.

Values follow BuildKit's parser (``frontend/dockerfile/parser``): ``Instruction.args`` is
the node's ``Next`` chain (what ``Node.Dump()`` prints), flags are the leading ``--flag``
words, and line numbers are BuildKit's ``StartLine``/``EndLine`` (1-based, heredoc bodies
included).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import overload


@dataclass(frozen=True, slots=True)
class Span:
    """A range of ``Dockerfile.source``: character offsets plus 1-based line/column."""

    start: int  # offset of the first character
    end: int  # offset one past the last character
    line: int  # 1-based line of ``start``
    column: int  # 1-based column (in characters) of ``start``
    end_line: int  # 1-based line of the last character
    end_column: int  # 1-based column one past the last character


@dataclass(frozen=True, slots=True)
class Flag:
    """One ``--name[=value]`` word before an instruction's arguments."""

    raw: str  # as BuildKit keeps it, e.g. "--from=builder"
    name: str  # "from"
    value: str | None  # "builder"; None for a bare "--link"
    span: Span


@dataclass(frozen=True, slots=True)
class Heredoc:
    """A here-document attached to RUN, COPY or ADD (BuildKit ``parser.Heredoc``)."""

    name: str  # the delimiter word, quotes removed
    file_descriptor: int  # 0 unless written as "3<<EOF"
    expand: bool  # False when the delimiter was quoted
    chomp: bool  # True for "<<-"
    content: str  # body lines, each with its newline, never chomped (as BuildKit's parser)
    span: Span  # the body and the closing delimiter line


@dataclass(slots=True)
class Instruction:
    """One instruction as BuildKit's parser reads it, with its exact place in the source."""

    keyword: str  # upper-case: "RUN"
    keyword_raw: str  # as written: "run"
    flags: list[Flag]
    # BuildKit's Next chain (ENV/LABEL: key, value, marker triplets). ONBUILD has none: its
    # nested instruction is ``trigger``. An unknown keyword has one empty argument.
    args: list[str]
    json: bool  # the arguments were a JSON array (exec form)
    rest: str  # the text after the flags, continuations joined (BuildKit's arguments text)
    original: str  # BuildKit's node.Original: the whole instruction, continuations joined
    span: Span  # the instruction from keyword to its last line, heredoc bodies included
    heredocs: list[Heredoc] = field(default_factory=list)
    # Comment lines just above, as BuildKit's PrevComment: the line minus its first
    # character, trimmed ("# a" -> "a"; an indented "  # a" keeps "# a").
    comments: list[str] = field(default_factory=list)
    # ONBUILD's trigger instruction; None otherwise.
    trigger: Instruction | None = None
    # rest_offsets[i] is the offset in Dockerfile.source of rest[i] (continuations make
    # the mapping non-linear); len(rest_offsets) == len(rest) + 1 (the last is the end).
    # A range for an instruction on one line, a PiecewiseOffsets for one continued over
    # several: a sequence either way, never a list entry per character.
    rest_offsets: Sequence[int] = field(default_factory=list, repr=False)

    def flag(self, name: str) -> Flag | None:
        """The last flag called ``name`` (BuildKit lets a later flag win), or None."""
        for flag in reversed(self.flags):
            if flag.name == name:
                return flag
        return None

    def flag_values(self, name: str) -> list[str]:
        """Values of every flag called ``name`` (``--mount`` may repeat)."""
        return [f.value or "" for f in self.flags if f.name == name]

    @property
    def line(self) -> int:
        return self.span.line

    def source_offset(self, rest_index: int) -> int:
        """Offset in the source of ``rest[rest_index]``."""
        return self.rest_offsets[rest_index]


class PiecewiseOffsets(Sequence[int]):
    """Source offsets that run in consecutive pieces: the characters of an instruction
    continued over several lines lie in a few runs of the source, one per line.

    ``PiecewiseOffsets([0, 4], [10, 20], 7)`` is ``[10, 11, 12, 13, 20, 21, 22]``: the
    piece starting at index ``starts[k]`` maps to ``sources[k]`` onwards. Indexing takes
    a binary search over the pieces; the file's text is not copied into a list of ints.
    """

    __slots__ = ("_length", "_sources", "_starts")

    def __init__(self, starts: list[int], sources: list[int], length: int) -> None:
        # Pieces that continue the one before are merged: equal sequences compare equal.
        self._starts: list[int] = []
        self._sources: list[int] = []
        for start, source in zip(starts, sources, strict=True):
            if self._starts and start == self._starts[-1]:
                self._starts.pop()  # an empty piece: the next one starts at its index
                self._sources.pop()
            if self._starts and source - start == self._sources[-1] - self._starts[-1]:
                continue
            self._starts.append(start)
            self._sources.append(source)
        self._length = length

    def __len__(self) -> int:
        return self._length

    @overload
    def __getitem__(self, index: int) -> int: ...

    @overload
    def __getitem__(self, index: slice) -> list[int]: ...

    def __getitem__(self, index: int | slice) -> int | list[int]:
        if isinstance(index, slice):
            return list(self)[index]
        if index < 0:
            index += self._length
        if not 0 <= index < self._length:
            raise IndexError("offset index out of range")
        piece = bisect_right(self._starts, index) - 1
        return self._sources[piece] + index - self._starts[piece]

    def __iter__(self) -> Iterator[int]:
        ends = [*self._starts[1:], self._length]
        for start, source, end in zip(self._starts, self._sources, ends, strict=True):
            yield from range(source, source + end - start)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, PiecewiseOffsets):
            return (self._starts, self._sources, self._length) == (
                other._starts,
                other._sources,
                other._length,
            )
        if isinstance(other, Sequence):
            return list(self) == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # equal to lists, which have no hash

    def __repr__(self) -> str:
        return f"PiecewiseOffsets({self._starts!r}, {self._sources!r}, {self._length!r})"

    def with_end(self, first: int, last: int) -> Sequence[int]:
        """Offsets ``[first, last)`` (``first < last``) and one past the last of them: the
        ``rest_offsets`` of the part of a line from ``first`` to ``last``."""
        piece = bisect_right(self._starts, first) - 1
        starts = [0]
        sources = [self._sources[piece] + first - self._starts[piece]]
        for start, source in zip(
            self._starts[piece + 1 :], self._sources[piece + 1 :], strict=True
        ):
            if start >= last:
                break
            starts.append(start - first)
            sources.append(source)
        return offsets_in_pieces(starts, sources, last - first + 1)


def offsets_in_pieces(starts: list[int], sources: list[int], length: int) -> Sequence[int]:
    """The offsets of :class:`PiecewiseOffsets`, as a ``range`` when they are one piece."""
    offsets = PiecewiseOffsets(starts, sources, length)
    if len(offsets._starts) == 1:
        return range(offsets._sources[0], offsets._sources[0] + length)
    return offsets


@dataclass(frozen=True, slots=True)
class Directive:
    """A parser directive at the top of the file: ``# syntax=``, ``# escape=``, ``# check=``."""

    name: str  # lower-case
    value: str
    span: Span


@dataclass(slots=True)
class Dockerfile:
    """A parsed Dockerfile: the exact source text, its instructions and its parser directives."""

    source: str
    instructions: list[Instruction]
    directives: list[Directive] = field(default_factory=list)
    escape: str = "\\"
    path: str = "Dockerfile"
    warnings: list[str] = field(default_factory=list)

    def to_text(self) -> str:
        """The file as it was read, byte for byte."""
        return self.source
