"""BuildKit's ``Node.Dump()``: the s-expression text its parser tests compare against.

One line per instruction, ``(keyword ["--flag" ...] "arg" ...)``, keyword lower-cased,
flags as Go's ``%q`` of a string slice, each argument as ``strconv.Quote``; ONBUILD nests
its trigger: ``(onbuild (run "echo" "hi"))``.
"""

from __future__ import annotations

import re

from slimage.dockerfile._gotext import go_lower, trim_space
from slimage.dockerfile.model import Dockerfile, Instruction

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


def dump_instruction(instruction: Instruction) -> str:
    """One instruction as ``Node.Dump()`` prints it (without the outer parentheses)."""
    # Walk the ONBUILD chain iteratively: a hostile file may nest thousands deep.
    chain: list[Instruction] = []
    node: Instruction | None = instruction
    while node is not None:
        chain.append(node)
        node = node.trigger
    text = ""
    for current in reversed(chain):
        parts = [go_lower(current.keyword_raw)]
        if current.flags:
            parts.append("[" + " ".join(go_quote(flag.raw) for flag in current.flags) + "]")
        if current.trigger is not None:
            parts.append("(" + text + ")")
        else:
            parts.extend(go_quote(arg) for arg in current.args)
        text = trim_space(" ".join(parts))
    return text


def dump_buildkit(df: Dockerfile) -> str:
    """The whole file as ``Node.Dump()`` of the root: one ``(...)`` line per instruction."""
    return "\n".join("(" + dump_instruction(item) + ")" for item in df.instructions)
