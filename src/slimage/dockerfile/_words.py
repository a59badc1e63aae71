"""Word splitters of BuildKit's parser: ``parseWords`` (ENV, LABEL, ARG) and
``extractBuilderFlags`` (the leading ``--flag`` words of any instruction)."""

from __future__ import annotations

import re

from slimage.dockerfile._gotext import (
    BYTE_SPACE_SET,
    GO_SPACE_SET,
    byte_to_char_index,
    byte_view,
    replace_invalid_utf8,
    split_go_spaces,
)

_SPACES, _WORD, _QUOTE = 0, 1, 2
_NEEDS_SLOW_PATH = re.compile("['\"\\\\`\udc80-\udcff]")


def parse_words(rest: str, escape: str) -> list[str]:
    """``parseWords``: split on whitespace outside quotes, keeping quotes and escapes."""
    if _NEEDS_SLOW_PATH.search(rest) is None:
        return split_go_spaces(rest)
    words: list[str] = []
    phase = _SPACES
    word: list[str] = []
    quote = ""
    blank_ok = False
    length = len(rest)
    pos = 0
    while pos <= length:
        char = rest[pos] if pos != length else ""
        if phase == _SPACES:
            if pos == length:
                break
            if char in GO_SPACE_SET:
                pos += 1
                continue
            phase = _WORD
        if pos == length:
            if blank_ok or word:
                words.append("".join(word))
            break
        if phase == _WORD:
            if char in GO_SPACE_SET:
                phase = _SPACES
                if blank_ok or word:
                    words.append("".join(word))
                word = []
                blank_ok = False
                pos += 1
                continue
            if char in ("'", '"'):
                quote = char
                blank_ok = True
                phase = _QUOTE
            if char == escape:
                if pos + 1 == length:
                    pos += 1  # an escape at the very end is dropped
                    continue
                word.append(char)
                pos += 1
                char = rest[pos]
            word.append(char)
            pos += 1
            continue
        # _QUOTE
        if char == quote:
            phase = _WORD
        if char == escape and quote != "'":
            if pos + 1 == length:
                phase = _WORD
                pos += 1
                continue
            pos += 1
            word.append(char)
            char = rest[pos]
        word.append(char)
        pos += 1
    # Go decodes runes: an invalid byte becomes U+FFFD in the word.
    return [replace_invalid_utf8(word_) for word_ in words]


FlagWord = tuple[str, int, int]  # processed text, start, end (char indices in the line)


def extract_builder_flags(line: str, start: int, end: int) -> tuple[int, list[FlagWord]]:
    """``extractBuilderFlags`` on ``line[start:end]``.

    Returns the index where the arguments start (``end`` when nothing follows the flags)
    and the flag words. BuildKit walks this part byte by byte: ``\\`` escapes whatever the
    escape directive says, quotes are removed, bytes 0x85 and 0xA0 count as spaces and a
    non-ASCII byte becomes the Latin-1 character of the same value.
    """
    if not line.startswith("--", start) and not "\udc80" <= line[start : start + 1] <= "\udcff":
        return start, []  # fast path: the first word is no flag
    segment = line[start:end]
    if segment.isascii():
        position, words = _extract(segment)
        return start + position, [(text, start + a, start + b) for text, a, b in words]
    view = byte_view(segment)
    position, words = _extract(view)
    to_char = byte_to_char_index(segment)
    return start + to_char[position], [
        (text, start + to_char[a], start + to_char[b]) for text, a, b in words
    ]


def _extract(line: str) -> tuple[int, list[FlagWord]]:
    words: list[FlagWord] = []
    phase = _SPACES
    word: list[str] = []
    word_start = 0
    quote = ""
    blank_ok = False
    length = len(line)
    pos = 0
    while pos <= length:
        char = line[pos] if pos != length else ""
        if phase == _SPACES:
            if pos == length:
                break
            if char in BYTE_SPACE_SET:
                pos += 1
                continue
            if char != "-" or pos + 1 == length or line[pos + 1] != "-":
                return pos, words
            phase = _WORD
            word_start = pos
        if pos == length:
            text = "".join(word)
            if text != "--" and (blank_ok or text):
                words.append((text, word_start, pos))
            break
        if phase == _WORD:
            if char in BYTE_SPACE_SET:
                phase = _SPACES
                text = "".join(word)
                if text == "--":
                    return pos, words
                if blank_ok or text:
                    words.append((text, word_start, pos))
                word = []
                blank_ok = False
                pos += 1
                continue
            if char in ("'", '"'):
                quote = char
                blank_ok = True
                phase = _QUOTE
                pos += 1
                continue
            if char == "\\":
                if pos + 1 == length:
                    pos += 1
                    continue
                pos += 1
                char = line[pos]
            word.append(char)
            pos += 1
            continue
        # _QUOTE
        if char == quote:
            phase = _WORD
            pos += 1
            continue
        if char == "\\":
            if pos + 1 == length:
                phase = _WORD
                pos += 1
                continue
            pos += 1
            char = line[pos]
        word.append(char)
        pos += 1
    return length, words
