"""Variables in Dockerfile text, and the key/value pairs of ENV, ARG and LABEL."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from slimage.dockerfile.model import Instruction


# --- variables -----------------------------------------------------------------------------

_VARIABLE = re.compile(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)|([A-Za-z_][A-Za-z0-9_]*))")


def variable_names(text: str) -> list[str]:
    """Names of ``$VAR`` and ``${VAR...}`` references in ``text`` (escapes not honoured)."""
    return [m.group(1) or m.group(2) for m in _VARIABLE.finditer(text)]


def has_variable(text: str) -> bool:
    return _VARIABLE.search(text) is not None


# BuildKit's automatic platform ARGs: defined in the global scope without a declaration.
AUTOMATIC_ARGS = frozenset(
    {
        "TARGETPLATFORM",
        "TARGETOS",
        "TARGETARCH",
        "TARGETVARIANT",
        "BUILDPLATFORM",
        "BUILDOS",
        "BUILDARCH",
        "BUILDVARIANT",
    }
)


# --- ENV / ARG / LABEL ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class KeyValue:
    """One pair of an ENV, LABEL or ARG instruction, and whether it uses the legacy form."""

    key: str
    value: str | None  # as written (quotes kept); None for a bare "ARG NAME"
    legacy: bool  # "ENV KEY value" (space separated), deprecated


def key_values(instruction: Instruction) -> list[KeyValue]:
    """The pairs of an ENV, LABEL or ARG instruction, from BuildKit's ``Next`` chain.

    ENV and LABEL come as (key, value, marker) triplets, the marker ``=`` for the modern
    form and empty for the legacy ``KEY value`` one (``parseNameVal``); ARG words are
    ``NAME`` or ``NAME=value`` (``parseNameOrNameVal``).
    """
    pairs: list[KeyValue] = []
    if instruction.keyword in ("ENV", "LABEL"):
        args = instruction.args
        for i in range(0, len(args) - 2, 3):
            pairs.append(KeyValue(args[i], args[i + 1], args[i + 2] != "="))
    elif instruction.keyword == "ARG":
        for word in instruction.args:
            key, sep, value = word.partition("=")
            pairs.append(KeyValue(key, value if sep else None, False))
    return pairs
