"""bashlex as a test oracle for slimage's own shell splitter.

slimage splits RUN scripts with its own tokenizer (slimage.dockerfile._shell_words);
this module turns bashlex's parse tree into the same RawCommand records, so the tests
can compare the two on the real corpus.

bashlex 0.18 loops forever on some malformed words: for ``${`` without a closing ``}``
its ``subst._paramexpand`` returns a position before the one it started from, and the
word expander restarts from there. The guard below turns a position that does not
advance into bashlex's own ``ParsingError``.
"""

from __future__ import annotations

from typing import Any

from slimage.dockerfile._shell_words import RawCommand

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


def bashlex_commands(script: str) -> list[RawCommand] | None:
    """Commands from bashlex's tree, or None when bashlex cannot parse ``script``."""
    if not script.strip():
        return []
    try:
        trees = parse(script)
    except Exception:  # bashlex raises many kinds of errors; the fallback handles all
        return None
    walker = _TreeWalker()
    for index, tree in enumerate(trees):
        if index:
            walker.pending = walker.pending or "\n"
        walker.walk(tree)
    return walker.commands


class _TreeWalker:
    def __init__(self) -> None:
        self.commands: list[RawCommand] = []
        self.pending = ""

    def walk(self, node: Any) -> None:
        kind = getattr(node, "kind", "")
        if kind == "command":
            self.command(node)
        elif kind == "operator":
            op = node.op
            if not (op == "\n" and self.pending):
                self.pending = {";;": ";"}.get(op, op)
        elif kind == "pipe":
            self.pending = "|"
        elif kind == "compound":
            for part in node.list:
                self.walk(part)
        elif kind in ("list", "pipeline", "if", "while", "until", "function"):
            for part in node.parts:
                self.walk(part)
        elif kind == "for":
            # Only the body: the words after "for x in" are not commands.
            for part in node.parts:
                if getattr(part, "kind", "") in ("list", "compound", "pipeline", "command"):
                    self.walk(part)

    def command(self, node: Any) -> None:
        words: list[str] = []
        spans: list[tuple[int, int]] = []
        heredocs: list[str] = []
        for part in node.parts:
            kind = getattr(part, "kind", "")
            if kind in ("word", "assignment"):
                words.append(part.word)
                spans.append(part.pos)
            elif kind == "redirect" and part.type in ("<<", "<<-"):
                target: Any = getattr(part, "output", None)
                if target is not None and getattr(target, "kind", "") == "word":
                    heredocs.append(target.word)
        if not words:
            return  # a bare redirection ("> file") runs no program
        start, end = node.pos
        self.commands.append(RawCommand(words, start, end, self.pending, heredocs, spans))
        self.pending = ""
