"""``parseJSON`` of BuildKit's line_parsers.go: a JSON array of strings, Go-style.

BuildKit decodes with ``json.NewDecoder(...).Decode(&[]interface{})``: it reads the first
JSON value only (text after the closing ``]`` is ignored), rejects anything Go's
encoding/json rejects, turns invalid UTF-8 and lone surrogate escapes into U+FFFD, and
fails on numbers outside float64. Only a decoded array holding a non-string is the hard
error :data:`NOT_STRING_ARRAY`; every other failure lets the caller fall back to the
shell form.
"""

from __future__ import annotations

import json
import math
import re

from slimage.dockerfile._gotext import GO_SPACE

NOT_STRING_ARRAY = "when using JSON array syntax, arrays must be comprised of strings only"

_SURROGATES = re.compile("[\ud800-\udfff]")


class NotStringArrayError(ValueError):
    """errDockerfileNotStringArray."""

    def __init__(self) -> None:
        super().__init__(NOT_STRING_ARRAY)


class _JSONRejected(ValueError):
    """Go's decoder would fail here (syntax, NaN, float overflow)."""


def _reject_constant(name: str) -> object:
    raise _JSONRejected(name)


def _float(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise _JSONRejected(text)  # strconv.ParseFloat: value out of range
    return value


def _int(text: str) -> float:
    return _float(text)


_DECODER = json.JSONDecoder(
    parse_constant=_reject_constant, parse_float=_float, parse_int=_int, strict=True
)


def parse_json_array(rest: str) -> list[str] | None:
    """The strings of a JSON array at the start of ``rest``, or None when it is not one.

    Raises :class:`NotStringArrayError` for a valid array holding a non-string.
    """
    text = rest.lstrip(GO_SPACE)
    if not text.startswith("["):
        return None
    try:
        value, _ = _DECODER.raw_decode(text)
    except (ValueError, RecursionError):
        return None
    if not isinstance(value, list):  # pragma: no cover - starts with "[" so always a list
        return None
    strings: list[str] = []
    for item in value:
        if not isinstance(item, str):
            raise NotStringArrayError()
        if _SURROGATES.search(item):
            # Go writes U+FFFD for a lone \uD8xx escape and for each invalid UTF-8 byte;
            # Python keeps the surrogate (a valid pair was already combined).
            item = _SURROGATES.sub("\ufffd", item)
        strings.append(item)
    return strings
