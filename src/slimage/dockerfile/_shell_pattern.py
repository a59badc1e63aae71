"""Shell patterns of ``${v#p}``, ``${v%p}`` and ``${v/p/r}`` as BuildKit evaluates them.

BuildKit (``frontend/dockerfile/shell/lex.go``) turns the pattern into a Go regular
expression: ``*`` is any run of characters, ``?`` one character, ``\\*``, ``\\?`` and
``\\\\`` are literals, ``\\}`` and ``\\/`` drop their backslash, and every other regex
metacharacter, brackets included, is literal (BuildKit has no ``[...]`` classes).
Any other backslash escape is an error. Go's ``.`` does not match a newline and neither
does Python's, so the translated expressions behave the same in ``re``.

A suffix removal (``%``) is a prefix removal on the reversed value with the reversed
pattern, because a regex cannot ask for the shortest match that ends at the right edge.
"""

from __future__ import annotations

import re

# Characters that mean something to a regex and are literal in a BuildKit pattern.
_REGEX_SPECIALS = frozenset("[]{}.+()|^$")


class PatternError(ValueError):
    """The pattern has an escape BuildKit rejects (``\\x``, or a trailing ``\\``)."""


def pattern_to_regex(pattern: str, *, greedy: bool, anchored: bool) -> re.Pattern[str]:
    """Compile a BuildKit shell pattern; ``greedy`` picks ``.*`` over ``.*?`` for ``*``."""
    out = ["^"] if anchored else []
    star = ".*" if greedy else ".*?"
    i = 0
    n = len(pattern)
    while i < n:
        char = pattern[i]
        i += 1
        if char == "*":
            out.append(star)
        elif char == "?":
            out.append(".")
        elif char == "\\":
            # "\}" and "\/" were needed to write the pattern inside ${...}; the
            # backslash is not part of the pattern (lex.go, convertShellPatternToRegex).
            if i < n and pattern[i] in "}/":
                continue
            if i >= n or pattern[i] not in "*?\\":
                shown = pattern[i] if i < n else ""
                raise PatternError(f"invalid escape '\\{shown}'")
            out.append("\\" + pattern[i])
            i += 1
        elif char in _REGEX_SPECIALS:
            out.append("\\" + char)
        else:
            out.append(char)
    return re.compile("".join(out))


def reverse_pattern(pattern: str) -> str:
    """Reverse a pattern, keeping each ``\\x`` escape pair in order (``a\\*c`` -> ``c\\*a``)."""
    tokens: list[str] = []
    i = 0
    while i < len(pattern):
        if pattern[i] == "\\" and i + 1 < len(pattern):
            tokens.append(pattern[i : i + 2])
            i += 2
        else:
            tokens.append(pattern[i])
            i += 1
    return "".join(reversed(tokens))


def trim_prefix(pattern: str, value: str, *, greedy: bool) -> str:
    """``${value#pattern}`` (``greedy``: ``##``)."""
    match = pattern_to_regex(pattern, greedy=greedy, anchored=True).search(value)
    return value[match.end() :] if match else value


def trim_suffix(pattern: str, value: str, *, greedy: bool) -> str:
    """``${value%pattern}`` (``greedy``: ``%%``)."""
    return trim_prefix(reverse_pattern(pattern), value[::-1], greedy=greedy)[::-1]


def replace_first(pattern: str, value: str, replacement: str) -> str:
    """``${value/pattern/replacement}``: the replacement is inserted literally."""
    match = pattern_to_regex(pattern, greedy=True, anchored=False).search(value)
    if match is None:
        return value
    return value[: match.start()] + replacement + value[match.end() :]


def replace_all(pattern: str, value: str, replacement: str) -> str:
    """``${value//pattern/replacement}`` with Go's ``Regexp.ReplaceAllString`` rules.

    Go expands ``$0``/``${0}`` to the match and ``$$`` to ``$`` in the replacement, and
    skips an empty match right after a previous match; Python's ``re.sub`` differs on
    both, so the loop is written out.
    """
    regex = pattern_to_regex(pattern, greedy=True, anchored=False)
    out: list[str] = []
    last_end = 0
    search_at = 0
    while search_at <= len(value):
        match = regex.search(value, search_at)
        if match is None:
            break
        start, end = match.span()
        out.append(value[last_end:start])
        if end > last_end or start == 0:
            out.append(_expand_go_template(replacement, match.group(0)))
        last_end = end
        search_at = search_at + 1 if search_at + 1 > end else end
    out.append(value[last_end:])
    return "".join(out)


_TEMPLATE_NAME = re.compile(r"\{?([^\W]+)(\}?)")


def _expand_go_template(template: str, matched: str) -> str:
    """Go ``Regexp.Expand`` for a regex without groups: ``$0`` is the match, ``$$`` a dollar."""
    out: list[str] = []
    i = 0
    while True:
        dollar = template.find("$", i)
        if dollar < 0:
            out.append(template[i:])
            return "".join(out)
        out.append(template[i:dollar])
        i = dollar + 1
        if template.startswith("$", i):
            out.append("$")
            i += 1
            continue
        name_match = _TEMPLATE_NAME.match(template, i)
        braced = template.startswith("{", i)
        if name_match is None or (braced and not name_match.group(2)):
            out.append("$")  # malformed: Go keeps the dollar as text
            continue
        name = name_match.group(1)
        i = name_match.end() if braced else name_match.start(1) + len(name)
        if name == "0":
            out.append(matched)
        # Any other number or name is a group this regex does not have: empty.
