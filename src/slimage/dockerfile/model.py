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

from dataclasses import dataclass, field


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
    rest_offsets: list[int] = field(default_factory=list, repr=False)

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
