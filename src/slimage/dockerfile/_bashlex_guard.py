"""bashlex, made safe to call on any text.

bashlex 0.18 loops forever on some malformed words: for ``${`` without a closing ``}``
its ``subst._paramexpand`` returns a position before the one it started from
(``str.find`` gives -1), and the word expander restarts from there. Found by the
hypothesis test in tests/dockerfile/test_run_commands.py. The guard below turns a
position that does not advance into bashlex's own ``ParsingError``, which our caller
already handles by falling back to the plain splitter. It is installed once, on first
use, and only changes behaviour on inputs that would otherwise never return.
"""

from __future__ import annotations

from typing import Any

_installed = False


def parse(script: str) -> list[Any]:
    """``bashlex.parse(script)`` with the non-termination guard in place."""
    import bashlex

    _install()
    trees: list[Any] = bashlex.parse(script)
    return trees


def _install() -> None:
    global _installed
    if _installed:
        return
    from bashlex import errors, subst

    original = subst._paramexpand

    def guarded(parser: Any, string: str, start: int) -> Any:
        node, end = original(parser, string, start)
        if end <= start:
            raise errors.ParsingError("unterminated parameter expansion", string, start)
        return node, end

    subst._paramexpand = guarded
    _installed = True
