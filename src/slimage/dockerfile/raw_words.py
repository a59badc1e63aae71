"""Words as they appear in the source (offsets, continuations and quotes included), for
minimal text edits: :func:`scan_words` refuses whatever is not plainly a simple command."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from slimage.dockerfile.model import Dockerfile
    from slimage.dockerfile.run_commands import ShellCommand as Command


# --- raw words ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RawWord:
    """One shell word as written in the source: its text without quotes, and its offsets."""

    text: str  # quotes removed (no expansion)
    start: int  # offsets in the source
    end: int


def scan_words(source: str, start: int, end: int, escape: str = "\\") -> list[RawWord]:
    """Shell words of ``source[start:end]``, with their source offsets.

    Line continuations (escape + newline) separate words, and comment lines inside a
    continuation (which BuildKit drops) are skipped. Quotes are removed from ``text``.
    """
    words: list[RawWord] = []
    i = start
    current: list[str] = []
    word_start = -1

    def flush(at: int) -> None:
        nonlocal current, word_start
        if word_start >= 0:
            words.append(RawWord("".join(current), word_start, at))
        current, word_start = [], -1

    while i < end:
        char = source[i]
        if char == escape and i + 1 < end and source[i + 1] in "\r\n":
            flush(i)
            i += 3 if source[i + 1 : i + 3] == "\r\n" else 2
            # BuildKit drops comment and blank lines inside a continuation.
            while i < end:
                line_end = source.find("\n", i, end)
                line_end = end if line_end == -1 else line_end
                stripped = source[i:line_end].strip()
                if stripped.startswith("#") or not stripped:
                    i = line_end + 1
                    continue
                break
            continue
        if char in " \t\r\n":
            flush(i)
            i += 1
            continue
        if word_start < 0:
            word_start = i
        if char in "'\"":
            close = source.find(char, i + 1, end)
            if close == -1:
                close = end - 1
            current.append(source[i + 1 : close])
            i = close + 1
            continue
        if char == "\\" and escape == "\\" and i + 1 < end:
            current.append(source[i + 1])
            i += 2
            continue
        current.append(char)
        i += 1
    flush(end)
    return words


def command_words(dockerfile: Dockerfile, command: Command) -> list[RawWord] | None:
    if command.source_start is None or command.source_end is None:
        return None
    return scan_words(
        dockerfile.source, command.source_start, command.source_end, dockerfile.escape
    )
