"""Per-instruction argument parsing: the dispatch table of BuildKit's parser.go and the
functions of line_parsers.go. Each parser takes the argument text (after the flags, spaces
trimmed) and returns BuildKit's ``Next`` chain as strings plus the JSON attribute."""

from __future__ import annotations

from collections.abc import Callable

from slimage.dockerfile._gotext import (
    BYTE_SPACE_SET,
    RE_WHITESPACE,
    byte_view,
    from_byte_view,
    go_quote,
)
from slimage.dockerfile._json import parse_json_array
from slimage.dockerfile._words import parse_words


class LineParseError(ValueError):
    """An argument error BuildKit's parser reports (not an instruction-level check)."""


Args = tuple[list[str], bool]
LineParser = Callable[[str, str], Args]


def parse_ignore(rest: str, escape: str) -> Args:
    # Unknown keywords keep a single empty node: (foo "").
    return [""], False


def parse_name_val(rest: str, key: str, escape: str) -> list[str]:
    """``parseNameVal``: ENV and LABEL as key, value, marker triplets."""
    words = parse_words(rest, escape)
    if not words:
        return []
    if "=" not in words[0]:
        # The legacy form `KEY name value...`: the value is the rest of the line.
        parts = RE_WHITESPACE.split(rest, maxsplit=1)
        if len(parts) < 2:
            raise LineParseError(f"{key} must have two arguments")
        return [parts[0], parts[1], ""]
    args: list[str] = []
    for word in words:
        if "=" not in word:
            raise LineParseError(
                f"Syntax error - can't find = in {go_quote(word)}. Must be of the form: name=value"
            )
        name, value = word.split("=", 1)
        args += (name, value, "=")
    return args


def parse_env(rest: str, escape: str) -> Args:
    return parse_name_val(rest, "ENV", escape), False


def parse_label(rest: str, escape: str) -> Args:
    return parse_name_val(rest, "LABEL", escape), False


def parse_name_or_name_val(rest: str, escape: str) -> Args:
    """``parseNameOrNameVal`` (ARG): one node per word, quotes kept."""
    return parse_words(rest, escape), False


def split_whitespace(rest: str) -> list[str]:
    """``parseStringsWhitespaceDelimited``: split on runs of ASCII blanks."""
    if not rest:
        return []
    return RE_WHITESPACE.split(rest)


def parse_strings_whitespace_delimited(rest: str, escape: str) -> Args:
    return split_whitespace(rest), False


def parse_string(rest: str, escape: str) -> Args:
    return ([rest] if rest else []), False


def parse_maybe_json(rest: str, escape: str) -> Args:
    """``parseMaybeJSON``: a JSON array of strings, else the whole text as one node."""
    if not rest:
        return [], False
    values = parse_json_array(rest)
    if values is not None:
        return values, True
    return [rest], False


def parse_maybe_json_to_list(rest: str, escape: str) -> Args:
    """``parseMaybeJSONToList``: a JSON array of strings, else whitespace-split."""
    values = parse_json_array(rest)
    if values is not None:
        return values, True
    return split_whitespace(rest), False


def parse_health_config(rest: str, escape: str) -> Args:
    """``parseHealthConfig``: the type word (CMD, NONE) then parseMaybeJSON of the rest."""
    # BuildKit scans bytes here: 0x85 and 0xA0 count as spaces even inside a character.
    view = rest if rest.isascii() else byte_view(rest)
    sep = 0
    while sep < len(view) and view[sep] not in BYTE_SPACE_SET:
        sep += 1
    following = sep
    while following < len(view) and view[following] in BYTE_SPACE_SET:
        following += 1
    if sep == 0:
        return [], False
    if view is rest:
        kind, command = rest[:sep], rest[following:]
    else:
        kind, command = from_byte_view(view[:sep]), from_byte_view(view[following:])
    values, is_json = parse_maybe_json(command, escape)
    return [kind, *values], is_json


DISPATCH: dict[str, LineParser] = {
    "add": parse_maybe_json_to_list,
    "arg": parse_name_or_name_val,
    "cmd": parse_maybe_json,
    "copy": parse_maybe_json_to_list,
    "entrypoint": parse_maybe_json,
    "env": parse_env,
    "expose": parse_strings_whitespace_delimited,
    "from": parse_strings_whitespace_delimited,
    "healthcheck": parse_health_config,
    "label": parse_label,
    "maintainer": parse_string,
    "run": parse_maybe_json,
    "shell": parse_maybe_json,
    "stopsignal": parse_string,
    "user": parse_string,
    "volume": parse_maybe_json_to_list,
    "workdir": parse_string,
    # "onbuild" (parseSubCommand) is handled by the parser: it nests an instruction.
}

# parser.go heredocDirectives: the only instructions whose line may announce heredocs.
HEREDOC_KEYWORDS = frozenset({"add", "copy", "run"})
