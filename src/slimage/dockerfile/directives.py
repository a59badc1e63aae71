"""Parser directives (``# syntax=``, ``# escape=``, ``# check=``), as BuildKit's
directives.go reads them.

Directives are comment lines of the form ``# key=value`` at the very top of the file. The
first line that is not one (an instruction, a blank line, another comment, an unknown key)
ends them; a key may appear once. :func:`detect_syntax` also accepts ``// syntax=`` and a
whole-file JSON object, and skips a ``#!`` first line, as ``DetectSyntax`` does; the parser
itself does not.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

VALID_DIRECTIVES = frozenset({"syntax", "escape", "check"})

# directives.go: `^%s\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$`, Go's \s = [\t\n\f\r ].
_SPACE = r"[\t\n\f\r ]"


def _directive_regex(comment: str) -> re.Pattern[str]:
    return re.compile(
        rf"{re.escape(comment)}{_SPACE}*([a-zA-Z][a-zA-Z0-9]*){_SPACE}*={_SPACE}*([^\n]+?){_SPACE}*\Z"
    )


_RE_HASH = _directive_regex("#")
_RE_SLASHES = _directive_regex("//")


class DirectiveError(ValueError):
    """A directive repeated or with a bad value."""


@dataclass(frozen=True, slots=True)
class ParsedDirective:
    """One directive line as :class:`DirectiveParser` reads it: name, value and line."""

    name: str  # lower-case
    value: str
    line: int  # 1-based


class DirectiveParser:
    """``parser.DirectiveParser``: feed lines one by one until it is done."""

    def __init__(self, comment: str = "#", line: int = 0) -> None:
        self._regex = {"#": _RE_HASH, "//": _RE_SLASHES}.get(comment) or _directive_regex(comment)
        self.line = line
        self.done = False
        self._seen: set[str] = set()

    def parse_line(self, text: str) -> ParsedDirective | None:
        self.line += 1
        if self.done:
            return None
        match = self._regex.match(text)
        if match is None:
            self.done = True
            return None
        name = match.group(1).lower()
        if name not in VALID_DIRECTIVES:
            self.done = True
            return None
        if name in self._seen:
            raise DirectiveError(f"only one {name} parser directive can be used")
        self._seen.add(name)
        return ParsedDirective(name=name, value=match.group(2), line=self.line)

    def parse_all(self, text: str) -> list[ParsedDirective]:
        """``ParseAll``: the directives at the top of ``text``."""
        found: list[ParsedDirective] = []
        for line in _scanner_lines(text):
            if self.done:
                break
            directive = self.parse_line(line)
            if directive is not None:
                found.append(directive)
        return found


def _scanner_lines(text: str) -> list[str]:
    """bufio.ScanLines: split on "\\n", drop one trailing "\\r" per line."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [line[:-1] if line.endswith("\r") else line for line in lines]


@dataclass(frozen=True, slots=True)
class DetectedDirective:
    """A directive as ``DetectSyntax`` or ``ParseDirective`` finds it: first word, value, line."""

    ref: str  # the value up to the first space ("docker/dockerfile:1")
    cmdline: str  # the whole value
    line: int  # 1-based line of the directive


def detect_syntax(text: str) -> DetectedDirective | None:
    """``parser.DetectSyntax``: the ``syntax`` directive in any of its accepted forms."""
    return _parse_directive("syntax", text, any_format=True)


def parse_directive(key: str, text: str) -> DetectedDirective | None:
    """``parser.ParseDirective``: the ``#``-comment directive ``key``, if present."""
    return _parse_directive(key, text, any_format=False)


def _parse_directive(key: str, text: str, *, any_format: bool) -> DetectedDirective | None:
    text = text.removeprefix("\ufeff")
    first, newline, after = text.partition("\n")
    line = 0
    if first.startswith("#!"):
        text = after if newline else ""
        line = 1
    found = _from_parser(key, text, DirectiveParser("#", line))
    if found is not None or not any_format:
        return found
    found = _from_parser(key, text, DirectiveParser("//", line))
    if found is not None:
        return found
    try:
        document = json.loads(text)
    except ValueError:
        return None
    if isinstance(document, dict) and isinstance(document.get(key), str):
        value = document[key]
        return DetectedDirective(ref=value, cmdline=value, line=line)
    return None


def _from_parser(key: str, text: str, parser: DirectiveParser) -> DetectedDirective | None:
    # ParseAll returns what it found before an error, and DetectSyntax ignores the error.
    directives: list[ParsedDirective] = []
    for line in _scanner_lines(text):
        if parser.done:
            break
        try:
            directive = parser.parse_line(line)
        except DirectiveError:
            break
        if directive is not None:
            directives.append(directive)
    for directive in directives:
        if directive.name == key:
            ref = directive.value.split(" ", 1)[0]
            return DetectedDirective(ref=ref, cmdline=directive.value, line=directive.line)
    return None
