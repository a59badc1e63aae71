"""BuildKit's ``Node.Dump()``: the s-expression text its parser tests compare against.

One line per instruction, ``(keyword ["--flag" ...] "arg" ...)``, keyword lower-cased,
flags as Go's ``%q`` of a string slice, each argument as ``strconv.Quote``; ONBUILD nests
its trigger: ``(onbuild (run "echo" "hi"))``.
"""

from __future__ import annotations

from slimage.dockerfile._gotext import go_lower, go_quote, trim_space
from slimage.dockerfile.model import Dockerfile, Instruction

__all__ = ["dump_buildkit", "dump_instruction", "go_quote"]


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
