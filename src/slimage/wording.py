"""Counts in text: one function, so no report says ``1 files`` or ``file(s)``."""

from __future__ import annotations


def plural(count: int, noun: str, plural_form: str | None = None) -> str:
    """``1 file``, ``2 files``, ``0 layers``, ``3 entries``: a count with its noun, in the
    right form. Every report says counts through this, so none prints ``1 files`` or
    ``file(s)``. ``plural_form`` for irregular nouns (``plural(2, "fix", "fixes")``)."""
    if count == 1:
        return f"1 {noun}"
    if plural_form is None:
        if noun.endswith("y") and noun[-2:-1] not in ("a", "e", "o", "u"):
            plural_form = noun[:-1] + "ies"
        elif noun.endswith(("s", "x", "sh", "ch")):
            plural_form = noun + "es"
        else:
            plural_form = noun + "s"
    return f"{count} {plural_form}"
