"""Text from an image, made safe to print: control characters shown as escapes.

Paths, build steps and config values come from whoever built the image. Printed as they
are, an escape sequence in a file name could recolour or clear the terminal, and a
newline could forge a line in a CI log; shown as ``\\x1b`` and ``\\x0a`` they cannot.
"""

from __future__ import annotations

# C0 controls, DEL and C1 controls are shown as escapes (\x1b), never sent as they are.
_CONTROLS = {code: f"\\x{code:02x}" for code in (*range(0x20), *range(0x7F, 0xA0))}


def clean(text: str) -> str:
    """``text`` with control characters escaped: safe to print on a terminal or in a log."""
    return text.translate(_CONTROLS)
