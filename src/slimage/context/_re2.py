"""Translate the RE2 expressions moby/patternmatcher builds into Python ``re`` syntax.

patternmatcher turns a glob into a Go regular expression by copying most characters
as they are (see ``ignore._go_regexp``), so a user's ``[[:alpha:]]``, ``\\d`` or
``[a-Z]`` reaches Go's RE2 parser, which gives them RE2 meanings (a POSIX class, an
ASCII digit, an error). Python's ``re`` reads the same text differently, so this
module parses the expression the way ``regexp/syntax`` does with its ``Perl`` flags
and emits an equivalent Python expression. Only the syntax that can appear in such an
expression is handled; anything else raises :class:`RegexpError`, as Go would.
"""

from __future__ import annotations

import re

MAX_RUNE = 0x10FFFF

Ranges = list[tuple[int, int]]


class RegexpError(ValueError):
    """RE2 would reject the expression (Go's regexp.Compile returns an error)."""


class UnsupportedRegexp(RegexpError):
    """Valid RE2 that this translator cannot express (Unicode classes ``\\p{..}``)."""


_PERL_CLASSES: dict[str, Ranges] = {
    "d": [(0x30, 0x39)],
    "s": [(0x09, 0x0A), (0x0C, 0x0D), (0x20, 0x20)],
    "w": [(0x30, 0x39), (0x41, 0x5A), (0x5F, 0x5F), (0x61, 0x7A)],
}

_POSIX_CLASSES: dict[str, Ranges] = {
    "alnum": [(0x30, 0x39), (0x41, 0x5A), (0x61, 0x7A)],
    "alpha": [(0x41, 0x5A), (0x61, 0x7A)],
    "ascii": [(0x00, 0x7F)],
    "blank": [(0x09, 0x09), (0x20, 0x20)],
    "cntrl": [(0x00, 0x1F), (0x7F, 0x7F)],
    "digit": [(0x30, 0x39)],
    "graph": [(0x21, 0x7E)],
    "lower": [(0x61, 0x7A)],
    "print": [(0x20, 0x7E)],
    "punct": [(0x21, 0x2F), (0x3A, 0x40), (0x5B, 0x60), (0x7B, 0x7E)],
    "space": [(0x09, 0x0D), (0x20, 0x20)],
    "upper": [(0x41, 0x5A)],
    "word": [(0x30, 0x39), (0x41, 0x5A), (0x5F, 0x5F), (0x61, 0x7A)],
    "xdigit": [(0x30, 0x39), (0x41, 0x46), (0x61, 0x66)],
}

_SIMPLE_ESCAPES = {"a": 0x07, "f": 0x0C, "n": 0x0A, "r": 0x0D, "t": 0x09, "v": 0x0B}
_OCTAL = "01234567"
_HEX = "0123456789abcdefABCDEF"


def _complement(ranges: Ranges) -> Ranges:
    result: Ranges = []
    next_low = 0
    for low, high in sorted(ranges):
        if low > next_low:
            result.append((next_low, low - 1))
        next_low = max(next_low, high + 1)
    if next_low <= MAX_RUNE:
        result.append((next_low, MAX_RUNE))
    return result


def _class_text(ranges: Ranges) -> str:
    if not ranges:
        return "(?!)"  # matches nothing, like RE2's empty class
    parts = []
    for low, high in ranges:
        parts.append(f"\\U{low:08x}" if low == high else f"\\U{low:08x}-\\U{high:08x}")
    return "[" + "".join(parts) + "]"


def _literal(code: int) -> str:
    return re.escape(chr(code))


def _escape(text: str, pos: int) -> tuple[int, int]:
    """regexp/syntax parseEscape: one escaped character at text[pos] == '\\'."""
    pos += 1
    if pos >= len(text):
        raise RegexpError("trailing backslash at end of expression")
    char = text[pos]
    pos += 1
    if char < "\x80" and not char.isalnum():
        return ord(char), pos
    if char in "1234567" and (pos >= len(text) or text[pos] not in _OCTAL):
        raise RegexpError(f"invalid escape sequence: \\{char}")
    if char in "01234567":
        value = ord(char) - 0x30
        for _ in range(2):
            if pos < len(text) and text[pos] in _OCTAL:
                value = value * 8 + ord(text[pos]) - 0x30
                pos += 1
        return value, pos
    if char == "x":
        if pos < len(text) and text[pos] == "{":
            end = text.find("}", pos)
            digits = text[pos + 1 : end] if end >= 0 else ""
            if end < 0 or not digits or any(d not in _HEX for d in digits):
                raise RegexpError("invalid escape sequence: \\x{")
            value = int(digits, 16)
            if value > MAX_RUNE:
                raise RegexpError("invalid escape sequence: \\x{")
            return value, end + 1
        digits = text[pos : pos + 2]
        if len(digits) != 2 or any(d not in _HEX for d in digits):
            raise RegexpError("invalid escape sequence: \\x")
        return int(digits, 16), pos + 2
    if char in _SIMPLE_ESCAPES:
        return _SIMPLE_ESCAPES[char], pos
    raise RegexpError(f"invalid escape sequence: \\{char}")


def _perl_class(text: str, pos: int) -> tuple[Ranges, int] | None:
    if pos + 1 < len(text) and text[pos] == "\\":
        letter = text[pos + 1]
        if letter.lower() in _PERL_CLASSES:
            ranges = _PERL_CLASSES[letter.lower()]
            return (ranges if letter.islower() else _complement(ranges)), pos + 2
        if letter in "pP":
            raise UnsupportedRegexp("Unicode character classes (\\p, \\P) are not supported")
    return None


def _parse_class(text: str, pos: int) -> tuple[str, int]:
    """regexp/syntax parseClass: text[pos] == '['. Returns Python text and new pos."""
    start = pos
    pos += 1
    negated = pos < len(text) and text[pos] == "^"
    if negated:
        pos += 1
    ranges: Ranges = []
    first = True
    while pos >= len(text) or text[pos] != "]" or first:
        first = False
        if pos >= len(text):
            raise RegexpError(f"missing closing ]: {text[start:]}")
        if text.startswith("[:", pos):
            end = text.find(":]", pos + 2)
            if end >= 0:
                name = text[pos + 2 : end]
                posix_negated = name.startswith("^")
                posix = _POSIX_CLASSES.get(name[1:] if posix_negated else name)
                if posix is None:
                    raise RegexpError(f"invalid character class range: [:{name}:]")
                ranges.extend(_complement(posix) if posix_negated else posix)
                pos = end + 2
                continue
        perl = _perl_class(text, pos)
        if perl is not None:
            ranges.extend(perl[0])
            pos = perl[1]
            continue
        low, pos = _class_char(text, pos, start)
        high = low
        if pos + 1 < len(text) and text[pos] == "-" and text[pos + 1] != "]":
            high, pos = _class_char(text, pos + 1, start)
            if high < low:
                raise RegexpError(f"invalid character class range: {chr(low)}-{chr(high)}")
        ranges.append((low, high))
    pos += 1
    merged = _complement(_complement(ranges))
    return _class_text(_complement(merged) if negated else merged), pos


def _class_char(text: str, pos: int, start: int) -> tuple[int, int]:
    if pos >= len(text):
        raise RegexpError(f"missing closing ]: {text[start:]}")
    if text[pos] == "\\":
        return _escape(text, pos)
    return ord(text[pos]), pos + 1


_MAX_REPEAT = 1000


def _repeat(text: str, pos: int) -> tuple[str, int] | None:
    """regexp/syntax parseRepeat at text[pos] == '{': Python text and new pos, or None.

    None means the brace is a literal (not ``{n}``, ``{n,}`` or ``{n,m}``).
    """
    match = re.compile(r"\{(0|[1-9][0-9]*)(,(0|[1-9][0-9]*)?)?\}").match(text, pos)
    if match is None:
        return None
    low = int(match.group(1))
    high = low  # "{n}"
    if match.group(2) is not None:
        high = int(match.group(3)) if match.group(3) is not None else -1  # "{n,m}", "{n,}"
    if low > _MAX_REPEAT or high > _MAX_REPEAT or (high >= 0 and low > high):
        raise RegexpError(f"invalid repeat count: {match.group(0)}")
    return match.group(0), match.end()


def translate(expression: str) -> tuple[str, bool]:
    """Python ``re`` text equivalent to the RE2 ``expression`` (Perl flags, no multiline).

    Also says whether the expression has a top-level ``|``, which makes Go's unanchored
    MatchString differ from a match at the start. The result must be compiled with
    ``re.ASCII`` (RE2's ``\\b`` is ASCII-only).
    """
    out: list[str] = []
    alternation = False
    pos = 0
    length = len(expression)
    while pos < length:
        char = expression[pos]
        if char == "[":
            text, pos = _parse_class(expression, pos)
            out.append(text)
            continue
        if char == "\\":
            if pos + 1 >= length:
                raise RegexpError("trailing backslash at end of expression")
            letter = expression[pos + 1]
            if letter == "A":
                out.append(r"(?:\A)")
                pos += 2
                continue
            if letter == "z":
                out.append(r"(?:\Z)")
                pos += 2
                continue
            if letter in "bB":
                out.append(f"(?:\\{letter})")
                pos += 2
                continue
            if letter == "Q":
                end = expression.find(r"\E", pos + 2)
                literal = expression[pos + 2 :] if end < 0 else expression[pos + 2 : end]
                out.append(re.escape(literal))
                pos = length if end < 0 else end + 2
                continue
            perl = _perl_class(expression, pos)
            if perl is not None:
                out.append(_class_text(perl[0]))
                pos = perl[1]
                continue
            code, pos = _escape(expression, pos)
            out.append(_literal(code))
            continue
        # Assertions are wrapped in a group: RE2 lets a repeat follow them, Python
        # only allows that on a group.
        if char == "$":
            out.append(r"(?:\Z)")  # RE2 without multi-line: end of text only
        elif char == "^":
            out.append(r"(?:\A)")
        elif char == "(":
            if expression.startswith("(?", pos):
                raise UnsupportedRegexp("regexp flags and named groups are not supported")
            out.append("(?:")
        elif char == "|":
            alternation = True
            out.append(char)
        elif char == "{":
            repeat = _repeat(expression, pos)
            if repeat is not None:
                out.append(repeat[0])
                pos = repeat[1]
                continue
            out.append(re.escape(char))
        elif char in ").*+?":
            out.append(char)
        else:
            # Anything else is a literal.
            out.append(re.escape(char))
        pos += 1
    return "".join(out), alternation
