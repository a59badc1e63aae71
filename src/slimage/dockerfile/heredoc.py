"""Heredoc recognition as BuildKit's parser does it (parser.go ``ParseHeredoc`` and
``heredocsFromLine``), and ``ChompHeredocContent``.

A heredoc word is ``[fd]<<[-][spaces]NAME``, found among the words of the instruction line
as the shell lexer splits them with quotes and escapes kept. ``NAME`` loses its quotes;
when any part of it was quoted the body is not expanded (``expand=False``). The parser
never chomps bodies: ``<<-`` only lets the closing line carry leading tabs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from slimage.dockerfile._heredoc_words import LexError, process_words

# parser.go reHeredoc: `^(\d*)<<(-?)\s*([^<]*)$`, Go's \d and \s being ASCII.
_RE_HEREDOC = re.compile(r"([0-9]*)<<(-?)[\t\n\f\r ]*([^<]*)\Z")
_RE_LEADING_TABS = re.compile(r"^\t+", re.MULTILINE)


class HeredocError(ValueError):
    """A heredoc word BuildKit rejects (e.g. an unterminated quote in the name)."""


@dataclass(frozen=True, slots=True)
class HeredocWord:
    """A heredoc as announced on the instruction line, before its body is read."""

    name: str
    file_descriptor: int
    expand: bool
    chomp: bool


def parse_heredoc(word: str) -> HeredocWord | None:
    """``parser.ParseHeredoc``: the heredoc ``word`` announces, or None if it is not one."""
    match = _RE_HEREDOC.match(word)
    if match is None:
        return None
    digits, dash, rest = match.groups()
    if not rest:
        return None
    try:
        words = process_words(rest, raw_quotes=False, raw_escapes=False)
    except LexError as error:
        raise HeredocError(str(error)) from None
    except RecursionError:
        return None  # thousands of nested ${a:-${b:-...}}: no heredoc name
    if len(words) != 1:
        return None
    try:
        raw_words = process_words(rest, raw_quotes=True, raw_escapes=False)
    except LexError as error:
        raise HeredocError(str(error)) from None
    if len(raw_words) != len(words):
        raise HeredocError(f"internal lexing of heredoc produced inconsistent results: {rest}")
    name = words[0]
    quotes = name.count("'") + name.count('"')
    raw_quotes = raw_words[0].count("'") + raw_words[0].count('"')
    return HeredocWord(
        name=name,
        # strconv.ParseUint with the error ignored: "" is 0.
        file_descriptor=int(digits) if digits else 0,
        expand=quotes == raw_quotes,
        chomp=dash == "-",
    )


def heredocs_from_line(line: str) -> list[HeredocWord]:
    """``heredocsFromLine``: every heredoc announced on an instruction line, in order."""
    try:
        words = process_words(line, raw_quotes=True, raw_escapes=True)
    except (LexError, RecursionError):
        # BuildKit ignores the lexer's error here and so finds no heredoc at all. (Python
        # cannot follow thousands of nested ${...} as Go does; such a line gets none too.)
        return []
    found: list[HeredocWord] = []
    for word in words:
        heredoc = parse_heredoc(word)
        if heredoc is not None:
            found.append(heredoc)
    return found


def chomp_heredoc_content(content: str) -> str:
    """``ChompHeredocContent``: remove the leading tabs of every line."""
    return _RE_LEADING_TABS.sub("", content)
