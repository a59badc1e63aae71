"""`.dockerignore` files: which one a build uses, and its text read as Docker reads it.

Reading follows ``moby/patternmatcher/ignorefile.ReadAll``: a UTF-8 BOM is dropped; a line
whose raw text starts with ``#`` is a comment; lines are trimmed and empty ones dropped;
``!`` marks an exception; each pattern is cleaned (``filepath.Clean``) and one leading
``/`` removed. The patterns are then matched by :mod:`slimage.context.ignore`.
"""

from __future__ import annotations

from pathlib import Path

from slimage.context import _golang
from slimage.context.ignore import PatternMatcher
from slimage.errors import IgnoreFileError, InputNotFound
from slimage.limits import MAX_IGNORE_PATTERNS, path_exists, path_is_file, read_regular

DOCKERIGNORE = ".dockerignore"


# bufio.Scanner's default limit: a longer line makes ignorefile.ReadAll fail.
_MAX_LINE_BYTES = 64 * 1024


_BOM = "\ufeff"


def read_ignore_lines(text: str) -> list[tuple[int, str]]:
    """``ignorefile.ReadAll`` keeping the 1-based line number of each pattern."""
    result: list[tuple[int, str]] = []
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()  # a final newline does not start another line
    for number, line in enumerate(lines, start=1):
        # bufio.Scanner fails once a line (with its '\r', without '\n') fills 64 KiB.
        if len(line) * 4 >= _MAX_LINE_BYTES and (
            len(line.encode("utf-8", "surrogateescape")) >= _MAX_LINE_BYTES
        ):
            raise IgnoreFileError(f"line {number} is longer than 64 KiB; Docker cannot read it")
        if line.endswith("\r"):
            line = line[:-1]
        if number == 1 and line.startswith(_BOM):
            line = line[1:]
        if line.startswith("#"):
            continue
        pattern = _golang.trim_space(line)
        if not pattern:
            continue
        invert = pattern.startswith("!")
        if invert:
            pattern = _golang.trim_space(pattern[1:])
        if pattern:
            pattern = _golang.clean_path(pattern)
            if len(pattern) > 1 and pattern.startswith("/"):
                pattern = pattern[1:]
        result.append((number, "!" + pattern if invert else pattern))
    return result


def read_ignore_file(text: str) -> list[str]:
    """The pattern list Docker reads from ignore-file ``text`` (``ignorefile.ReadAll``)."""
    return [pattern for _, pattern in read_ignore_lines(text)]


def find_ignore_file(context_dir: Path, dockerfile: Path | None) -> Path | None:
    """The ignore file BuildKit uses for this build, or None.

    ``<Dockerfile path>.dockerignore`` next to the Dockerfile (for ``app.Dockerfile``,
    ``app.Dockerfile.dockerignore``) wins over ``<context>/.dockerignore``.
    """
    if dockerfile is not None:
        specific = dockerfile.with_name(dockerfile.name + DOCKERIGNORE)
        if path_is_file(specific):
            return specific
    general = context_dir / DOCKERIGNORE
    if path_exists(general):
        return general
    return None


def decode_ignore_file(data: bytes, path: str) -> str:
    """Ignore-file bytes as text; a binary file (a NUL byte) is an IgnoreFileError."""
    nul = data.find(b"\x00")
    if nul >= 0:
        line = data.count(b"\n", 0, nul) + 1
        raise IgnoreFileError(
            f"{path}:{line}: contains a NUL byte; this is a binary file, not an ignore file"
        )
    return data.decode("utf-8", "surrogateescape")


def matcher_from_text(text: str, *, source: str = DOCKERIGNORE) -> PatternMatcher:
    """A matcher for ignore-file text; errors name ``source`` and the line."""
    try:
        numbered = read_ignore_lines(text)
    except IgnoreFileError as error:
        raise IgnoreFileError(f"{source}: {error.message}") from None
    if len(numbered) > MAX_IGNORE_PATTERNS:
        raise IgnoreFileError(
            f"{source}: {len(numbered)} patterns, over the limit of {MAX_IGNORE_PATTERNS}"
        )
    return PatternMatcher(
        [pattern for _, pattern in numbered],
        source=source,
        lines=[number for number, _ in numbered],
    )


def load_matcher(context_dir: Path, dockerfile: Path | None = None) -> PatternMatcher | None:
    """The matcher of the ignore file that applies to this build, or None if there is none."""
    if not context_dir.is_dir():
        raise InputNotFound(f"{context_dir}: build context directory not found")
    path = find_ignore_file(context_dir, dockerfile)
    if path is None:
        return None
    # Only a regular file, at most MAX_TEXT_FILE_BYTES: a FIFO is never waited on and
    # a symlink to /dev/zero never read.
    data = read_regular(path, str(path), error=IgnoreFileError)
    return matcher_from_text(decode_ignore_file(data, str(path)), source=str(path))
