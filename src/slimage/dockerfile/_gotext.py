"""Go string semantics the BuildKit parser relies on, for Python ``str``.

BuildKit works on UTF-8 bytes with Go's ``unicode`` package. Text here is ``str``; bytes
that were not valid UTF-8 arrive as lone surrogates U+DC80..U+DCFF (``surrogateescape``),
which Go would see as ``utf8.RuneError``: never a space, never a letter.
"""

from __future__ import annotations

import re

# unicode.IsSpace: Latin-1 spaces plus the Unicode White_Space property. Python's
# str.isspace() also counts U+001C..U+001F, which Go does not.
GO_SPACE = (
    "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
    "\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
GO_SPACE_SET = frozenset(GO_SPACE)
# unicode.IsSpace(rune(b)) for a single byte b, as extractBuilderFlags and
# parseHealthConfig call it: bytes 0x85 and 0xA0 count, even inside a UTF-8 sequence.
BYTE_SPACE_SET = frozenset("\t\n\v\f\r \x85\xa0")

# reWhitespace / tokenWhitespace in parser.go: `[\t\v\f\r ]+` (ASCII only).
RE_WHITESPACE = re.compile(r"[\t\v\f\r ]+")
_RE_GO_SPACES = re.compile("[" + re.escape(GO_SPACE) + "]+")
_RE_SURROGATE = re.compile("[\udc80-\udcff]")


def trim_space(text: str) -> str:
    """strings.TrimSpace."""
    return text.strip(GO_SPACE)


def split_go_spaces(text: str) -> list[str]:
    """Fields of ``text`` split on runs of unicode.IsSpace, no empty strings."""
    return [part for part in _RE_GO_SPACES.split(text) if part]


def go_lower(text: str) -> str:
    """strings.ToLower for the keyword (ASCII fast path; Go maps U+0130 to 'i')."""
    if text.isascii():
        return text.lower()
    return "".join(
        "i" if c == "\u0130" else (c.lower() if len(c.lower()) == 1 else c) for c in text
    )


def replace_invalid_utf8(text: str) -> str:
    """What ``string(rune)`` after utf8.DecodeRune makes of invalid bytes: U+FFFD."""
    if _RE_SURROGATE.search(text):
        return _RE_SURROGATE.sub("\ufffd", text)
    return text


def utf8_length(text: str) -> int:
    """Length in bytes of ``text`` as BuildKit reads it."""
    if text.isascii():
        return len(text)
    return len(text.encode("utf-8", "surrogateescape"))


def byte_view(text: str) -> str:
    """The UTF-8 bytes of ``text`` as one char per byte (Latin-1), for byte-level Go loops."""
    return text.encode("utf-8", "surrogateescape").decode("latin-1")


def from_byte_view(view: str) -> str:
    """Inverse of :func:`byte_view` for a slice of it (invalid splits become surrogates)."""
    return view.encode("latin-1").decode("utf-8", "surrogateescape")


def byte_to_char_index(text: str) -> list[int]:
    """For each byte offset of ``text``'s UTF-8 form (and its end), the char index holding it."""
    index: list[int] = []
    for position, char in enumerate(text):
        index.extend([position] * len(char.encode("utf-8", "surrogateescape")))
    index.append(len(text))
    return index


# Characters strconv.Quote writes as they are: printable ASCII except `"` and `\`.
_PLAIN = re.compile(r"[ !#-\[\]-~]*\Z")
_NAMED_ESCAPES = {
    "\a": "\\a",
    "\b": "\\b",
    "\f": "\\f",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "\v": "\\v",
    '"': '\\"',
    "\\": "\\\\",
}


def go_quote(text: str) -> str:
    """``strconv.Quote``: Go's double-quoted form of ``text``.

    Printable characters (``strconv.IsPrint``, which matches ``str.isprintable``) stay;
    bytes that were not UTF-8 (surrogate-escaped) become ``\\xNN``.
    """
    if _PLAIN.match(text):
        return '"' + text + '"'
    out = ['"']
    for char in text:
        named = _NAMED_ESCAPES.get(char)
        if named is not None:
            out.append(named)
            continue
        code = ord(char)
        if 0xDC80 <= code <= 0xDCFF:
            out.append(f"\\x{code - 0xDC00:02x}")
        elif char.isprintable():
            out.append(char)
        elif code < 0x20 or code == 0x7F:
            out.append(f"\\x{code:02x}")
        elif 0xD800 <= code <= 0xDFFF:
            out.append("\\ufffd")  # a lone surrogate cannot be UTF-8; Go sees RuneError
        elif code < 0x10000:
            out.append(f"\\u{code:04x}")
        else:
            out.append(f"\\U{code:08x}")
    out.append('"')
    return "".join(out)
