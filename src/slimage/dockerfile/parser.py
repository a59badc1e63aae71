"""A lossless Dockerfile parser that reproduces BuildKit's ``frontend/dockerfile/parser``.

:func:`parse_dockerfile` is pure (text in, model out); :func:`read_dockerfile` is the I/O
edge. Instructions, arguments, flags, heredocs, line numbers, comments and errors follow
BuildKit's ``parser.Parse``; on top of that every piece keeps its offsets in the source, so
a fix can edit the text and printing the file back is the source itself.

The logical line of an instruction is built as BuildKit builds it: the first physical line
is left-trimmed, an escape character at the end of a line (before trailing blanks) joins
the next line, comment lines and blank lines inside a continuation are skipped (a blank one
adds a warning), and continuation lines keep their leading blanks.
"""

from __future__ import annotations

import os
import re
import stat
from bisect import bisect_right
from collections.abc import Sequence
from itertools import accumulate
from pathlib import Path

from slimage.dockerfile._dispatch import (
    DISPATCH,
    HEREDOC_KEYWORDS,
    LineParseError,
    parse_ignore,
)
from slimage.dockerfile._gotext import GO_SPACE, RE_WHITESPACE, go_lower, utf8_length
from slimage.dockerfile._json import NotStringArrayError
from slimage.dockerfile._words import extract_builder_flags
from slimage.dockerfile.directives import DirectiveError, DirectiveParser
from slimage.dockerfile.heredoc import HeredocError, heredocs_from_line
from slimage.dockerfile.model import (
    Directive,
    Dockerfile,
    Flag,
    Heredoc,
    Instruction,
    PiecewiseOffsets,
    Span,
    offsets_in_pieces,
)
from slimage.errors import DockerfileSyntaxError, InputError, InputNotFound

__all__ = ["decode_dockerfile", "parse_dockerfile", "read_dockerfile"]

# bufio.MaxScanTokenSize: BuildKit's scanner refuses a longer line (newline included).
MAX_LINE_BYTES = 64 * 1024
_MAX_LINE_MESSAGE = f"dockerfile line greater than max allowed size of {MAX_LINE_BYTES - 1}"
# BuildKit's parser nests ONBUILD ONBUILD ... without limit; slimage stops at this depth.
MAX_ONBUILD_DEPTH = 64
_RE_GO_BLANKS = re.compile("[" + re.escape(GO_SPACE) + "]*")


def parse_dockerfile(text: str, *, path: str = "Dockerfile") -> Dockerfile:
    """Parse Dockerfile ``text`` exactly as BuildKit does.

    Raises :class:`~slimage.errors.DockerfileSyntaxError` (with ``path``, line and column)
    for everything BuildKit's parser rejects.
    """
    return _Parser(text, path).parse()


def decode_dockerfile(data: bytes, *, path: str = "Dockerfile") -> str:
    """Bytes of a Dockerfile as text.

    BuildKit reads bytes, so bytes that are not UTF-8 are kept losslessly as lone
    surrogates (``surrogateescape``); encode with the same error handler to get them back.
    A NUL byte means this is no Dockerfile (a binary, or UTF-16 text).
    """
    if b"\x00" in data:
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise InputError(f"{path}: file is UTF-16 text; a Dockerfile must be UTF-8")
        raise InputError(f"{path}: binary file (contains NUL bytes), not a Dockerfile")
    return data.decode("utf-8", "surrogateescape")


# The largest Dockerfile slimage reads (docs/reliability.md); BuildKit's own frontend
# refuses far less in practice.
MAX_DOCKERFILE_BYTES = 16 << 20


def read_dockerfile(path: str | os.PathLike[str]) -> Dockerfile:
    """Read and parse the Dockerfile at ``path``.

    Missing files, directories, unreadable and binary files raise
    :class:`~slimage.errors.InputError` naming the file.
    """
    name = os.fspath(path)
    file = Path(name)
    try:
        mode = file.stat().st_mode
        if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
            # /dev/zero and friends never end; a pipe (e.g. <(cat Dockerfile)) is fine.
            raise InputError(f"{name}: is a device, not a Dockerfile")
        with file.open("rb") as handle:
            data = handle.read(MAX_DOCKERFILE_BYTES + 1)
        if len(data) > MAX_DOCKERFILE_BYTES:
            raise InputError(f"{name}: over the limit of {MAX_DOCKERFILE_BYTES} bytes")
    except FileNotFoundError:
        raise InputNotFound(f"{name}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{name}: is a directory, not a Dockerfile") from None
    except PermissionError:
        raise InputError(f"{name}: permission denied") from None
    except OSError as error:
        if file.is_dir():
            raise InputError(f"{name}: is a directory, not a Dockerfile") from None
        raise InputError(f"{name}: cannot read: {error.strerror or error}") from None
    return parse_dockerfile(decode_dockerfile(data, path=name), path=name)


def trim_continuation(text: str, escape: str) -> tuple[str, bool]:
    """BuildKit's lineContinuationRegex: ``([^E])E[ \\t]*$|^E[ \\t]*$`` for escape E.

    Returns the text without the escape (and the blanks after it) and whether the line
    ends the instruction. An escaped escape (``\\\\``) at the end does not continue.
    """
    last = text[-1:]
    if last != escape and last != " " and last != "\t":
        return text, True  # the common case, decided without copying
    stripped = text.rstrip(" \t")
    if stripped.endswith(escape) and (len(stripped) == 1 or stripped[-2] != escape):
        return stripped[:-1], False
    return text, True


def _comment_text(part: str) -> str:
    """``strings.TrimSpace(string(bytesRead[1:]))``: the raw line minus its first byte."""
    if part[:1].isascii():
        return (part[1:] + "\n").strip(GO_SPACE)
    rest = part[0].encode("utf-8", "surrogateescape")[1:].decode("utf-8", "surrogateescape")
    return (rest + part[1:] + "\n").strip(GO_SPACE)


class _Header:
    """The parts of one (possibly ONBUILD-nested) instruction line before dispatch."""

    __slots__ = ("args", "args_end", "args_start", "flags", "is_json", "keyword", "start")

    def __init__(self, keyword: str, start: int, flags: list[tuple[str, int, int]]) -> None:
        self.keyword = keyword
        self.start = start
        self.flags = flags
        self.args_start = 0
        self.args_end = 0
        self.args: list[str] = []
        self.is_json = False


class _Parser:
    def __init__(self, text: str, path: str) -> None:
        self.text = text
        self.path = path
        parts = text.split("\n")
        if parts[-1] == "":
            parts.pop()  # the text ends with a newline (or is empty): no further line
        self.parts = parts
        # Line starts: each line's length plus its newline, summed (map: no Python frames).
        self.starts = list(accumulate(map((1).__add__, map(len, parts)), initial=0))
        self.limit, self.too_long = self._scannable_lines()

    def _scannable_lines(self) -> tuple[int, bool]:
        """How many lines bufio.Scanner yields before one overflows its 64 KiB buffer.

        A line and its newline fill at most 65536 bytes; a last line without newline must
        leave one byte free for the read that finds the end of the file. Either way the
        line itself may have at most 65535 bytes.
        """
        if self.parts and max(map(len, self.parts)) * 4 >= MAX_LINE_BYTES:
            for index, part in enumerate(self.parts):
                if len(part) * 4 >= MAX_LINE_BYTES and utf8_length(part) >= MAX_LINE_BYTES:
                    return index, True
        return len(self.parts), False

    # -- positions -------------------------------------------------------------------

    def _line_end(self, index: int) -> int:
        """Offset of the end of physical line ``index``, without its "\\r\\n"."""
        return self.starts[index] + len(self.parts[index].rstrip("\r"))

    def _position(self, offset: int) -> tuple[int, int]:
        index = bisect_right(self.starts, offset) - 1
        index = max(0, min(index, len(self.parts) - 1)) if self.parts else 0
        start = self.starts[index] if self.parts else 0
        return index + 1, offset - start + 1

    def _span(self, start: int, end: int, last_line: int | None = None) -> Span:
        """A span; ``last_line`` (1-based) forces the end line when the last line is empty."""
        line, column = self._position(start)
        if last_line is not None and self.starts[last_line - 1] == end:
            return Span(start, end, line, column, last_line, 1)
        if end > start:
            end_line, last_column = self._position(end - 1)
            end_column = last_column + 1
        else:
            end_line, end_column = line, column
        return Span(start, end, line, column, end_line, end_column)

    def _error(self, message: str, line: int, column: int = 1) -> DockerfileSyntaxError:
        return DockerfileSyntaxError(message, path=self.path, line=max(line, 1), column=column)

    # -- the scan loop (parser.Parse) ---------------------------------------------------

    def parse(self) -> Dockerfile:
        parts, starts, limit = self.parts, self.starts, self.limit
        escape = "\\"
        directive_parser = DirectiveParser()
        directives: list[Directive] = []
        instructions: list[Instruction] = []
        warnings: list[str] = []
        comments: list[str] = []
        index = 0
        current_line = 0
        while index < limit:
            part = parts[index]
            offset = starts[index]
            if index == 0 and part.startswith("\ufeff"):
                part = part[1:]  # the UTF-8 byte order mark, first line only
                offset += 1
            index += 1
            content = part.rstrip("\r")
            token = content.lstrip(GO_SPACE)
            lead = len(content) - len(token)
            is_comment = token.startswith("#")
            if is_comment:
                comment = _comment_text(part)
                if comment:
                    comments.append(comment)
                else:
                    comments = []  # a bare "#" separates comment blocks
            if not directive_parser.done:
                try:
                    found = directive_parser.parse_line(token)
                except DirectiveError as error:
                    raise self._error(str(error), index, lead + 1) from None
                if found is not None:
                    if found.name == "escape":
                        if found.value not in ("`", "\\"):
                            raise self._error(
                                f"invalid escape token '{found.value}' does not match ` or \\",
                                index,
                                lead + 1,
                            )
                        escape = found.value
                    directives.append(
                        Directive(
                            name=found.name,
                            value=found.value,
                            span=self._span(offset + lead, offset + len(content)),
                        )
                    )
                    comments.pop()  # a directive is no comment of the next instruction
            current_line += 1
            start_line = current_line
            body, is_end = trim_continuation("" if is_comment else token, escape)
            if is_end and not body:
                continue
            segments = [(offset + lead, body)]
            has_empty_line = False
            while not is_end and index < limit:
                part = parts[index]
                line_offset = starts[index]
                index += 1
                current_line += 1
                content = part.rstrip("\r")
                stripped = content.lstrip(GO_SPACE)
                if stripped.startswith("#"):
                    continue  # comment lines inside a continuation are dropped
                if not stripped:
                    has_empty_line = True
                    continue
                if content[-1] == escape and (len(content) == 1 or content[-2] != escape):
                    # trim_continuation's commonest answer, without the call: "...\\".
                    segments.append((line_offset, content[:-1]))
                    continue
                body, is_end = trim_continuation(content, escape)
                segments.append((line_offset, body))
            # offsets[i]: where line[i] is in the source (a range, or a few pieces).
            if len(segments) == 1:
                first_offset, line = segments[0]
                offsets: Sequence[int] = range(first_offset, first_offset + len(line))
            else:
                texts = [text for _, text in segments]
                line = "".join(texts)
                piece_starts = list(accumulate(map(len, texts[:-1]), initial=0))
                offsets = offsets_in_pieces(piece_starts, [o for o, _ in segments], len(line))
            if has_empty_line:
                warnings.append("Empty continuation line found in: " + line)
            try:
                chain = self._headers(line, escape)
            except (LineParseError, NotStringArrayError) as error:
                column = self._position(segments[0][0])[1]
                raise self._error(str(error), start_line, column) from None
            heredocs: list[Heredoc] = []
            innermost = chain[1] if len(chain) > 1 else chain[0]
            if (
                go_lower(innermost.keyword) in HEREDOC_KEYWORDS
                and not innermost.is_json
                and "<<" in line
            ):
                try:
                    announced = heredocs_from_line(line)
                except HeredocError as error:
                    raise self._error(str(error), start_line) from None
                for word in announced:
                    body_start = index
                    terminated = False
                    while index < limit:
                        candidate = parts[index].rstrip("\r")
                        index += 1
                        current_line += 1
                        if word.chomp:
                            candidate = candidate.lstrip("\t")
                        if candidate == word.name:
                            terminated = True
                            break
                    if not terminated:
                        raise self._error("unterminated heredoc", start_line)
                    body_offset = starts[body_start]
                    heredocs.append(
                        Heredoc(
                            name=word.name,
                            file_descriptor=word.file_descriptor,
                            expand=word.expand,
                            chomp=word.chomp,
                            content=self.text[body_offset : starts[index - 1]],
                            span=self._span(body_offset, self._line_end(index - 1), index),
                        )
                    )
            end = self._line_end(index - 1)
            instructions.append(
                self._instruction(
                    line,
                    offsets,
                    chain,
                    (segments[0][0], start_line, end, index),
                    comments,
                    heredocs,
                )
            )
            comments = []
        if self.too_long:
            # BuildKit says "file with no instructions" when the long line comes before
            # any instruction; it rejects the file either way, and this is the cause.
            raise self._error(_MAX_LINE_MESSAGE, self.limit + 1)
        if not instructions:
            raise self._error("file with no instructions", current_line)
        return Dockerfile(
            source=self.text,
            instructions=instructions,
            directives=directives,
            escape=escape,
            path=self.path,
            warnings=warnings,
        )

    # -- one instruction (newNodeFromLine, parseSubCommand) ----------------------------

    def _headers(self, line: str, escape: str) -> list[_Header]:
        """The instruction and, for ONBUILD, its nested triggers, outermost first."""
        start = len(line) - len(line.lstrip(GO_SPACE))
        end = len(line.rstrip(GO_SPACE))
        chain: list[_Header] = []
        while True:
            # splitCommand: the keyword is everything up to the first run of blanks.
            match = RE_WHITESPACE.search(line, start, end)
            keyword_end, remainder = (match.start(), match.end()) if match else (end, end)
            flags_end, flags = (
                extract_builder_flags(line, remainder, end) if remainder < end else (end, [])
            )
            header = _Header(line[start:keyword_end], start, flags)
            blanks = _RE_GO_BLANKS.match(line, flags_end)
            args_start = blanks.end() if blanks else flags_end
            header.args_start, header.args_end = args_start, max(args_start, end)
            chain.append(header)
            key = go_lower(header.keyword)
            if key == "onbuild":
                if args_start < end:
                    if len(chain) > MAX_ONBUILD_DEPTH:
                        # Each level copies the rest of the line: thousands of levels would
                        # take quadratic memory. docker build rejects any ONBUILD ONBUILD.
                        raise LineParseError(
                            "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed "
                            f"(more than {MAX_ONBUILD_DEPTH} levels)"
                        )
                    start = args_start  # parseSubCommand: the rest is an instruction
                    continue
                return chain
            parse = DISPATCH.get(key, parse_ignore)
            header.args, header.is_json = parse(line[args_start:end], escape)
            return chain

    def _instruction(
        self,
        line: str,
        offsets: Sequence[int],
        chain: list[_Header],
        extent: tuple[int, int, int, int],
        comments: list[str],
        heredocs: list[Heredoc],
    ) -> Instruction:
        # extent: where the instruction starts and its line, where it ends and its last line.
        begin, first_line, end, last_line = extent
        end_column = end - self.starts[last_line - 1] + 1
        trigger: Instruction | None = None
        for depth in range(len(chain) - 1, -1, -1):
            header = chain[depth]
            first = header.args_start
            last = header.args_end
            # The offsets of rest, and one past its last character.
            rest_offsets: Sequence[int]
            if last > first:
                if isinstance(offsets, PiecewiseOffsets):
                    rest_offsets = offsets.with_end(first, last)
                else:
                    rest_offsets = range(offsets[first], offsets[last - 1] + 2)
            else:
                if first < len(offsets):
                    at = offsets[first]
                else:
                    at = offsets[-1] + 1 if len(offsets) else end
                rest_offsets = range(at, at + 1)
            flags = []
            for raw, flag_start, flag_end in header.flags:
                name, equals, value = raw[2:].partition("=")
                flags.append(
                    Flag(
                        raw=raw,
                        name=name,
                        value=value if equals else None,
                        span=self._span(offsets[flag_start], offsets[flag_end - 1] + 1),
                    )
                )
            keyword_offset = offsets[header.start] if header.start < len(offsets) else end
            if depth == 0:
                # Both lines are known: no search (this runs once per instruction).
                column = begin - self.starts[first_line - 1] + 1
                span = Span(begin, end, first_line, column, last_line, end_column)
            else:
                span = self._span(keyword_offset, end, last_line)
            trigger = Instruction(
                keyword=header.keyword.upper(),
                keyword_raw=header.keyword,
                flags=flags,
                args=header.args,
                json=header.is_json,
                rest=line[first:last],
                original=line if depth == 0 else line[header.start : chain[depth - 1].args_end],
                span=span,
                heredocs=heredocs,
                comments=list(comments) if depth == 0 else [],
                trigger=trigger,
                rest_offsets=rest_offsets,
            )
        assert trigger is not None
        return trigger
