"""Bounded reading of everything slimage takes from users and images.

Every file slimage reads from a directory (a Dockerfile, a ``.dockerignore``, a
``package.json``, an OCI layout's blobs) is opened here: only regular files (a FIFO, a
device or ``/dev/zero`` behind a symlink is refused, never read or waited on), never more
than a stated number of bytes. Every JSON and TOML document is parsed here too, with a
nesting limit checked before the parser runs (Python's parsers recurse). Each limit is
documented in ``docs/reliability.md``; exceeding one is an :class:`InputError` (or the
error class the caller names) with a one-line message naming the input and the limit.
"""

from __future__ import annotations

import json
import os
import stat
import tomllib
from pathlib import Path
from typing import Any

from slimage.errors import InputError, SlimageError

# A Dockerfile, an ignore file or a project manifest (package.json, pyproject.toml...).
MAX_TEXT_FILE_BYTES = 4 << 20
# A JSON document from an image: manifest, index, config, manifest.json.
MAX_IMAGE_JSON_BYTES = 32 << 20
# Nesting of JSON arrays/objects and TOML arrays/inline tables. Real documents stay
# under 10; Python's parsers recurse once per level.
MAX_NESTING = 100
# Patterns in one .dockerignore.
MAX_IGNORE_PATTERNS = 100_000
# Layers in one image, manifests listed by one index, nesting of indexes.
MAX_LAYERS = 10_000
MAX_INDEX_MANIFESTS = 100_000
MAX_INDEX_DEPTH = 8

_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "something else"


def regular_file_size(
    path: str | os.PathLike[str], what: str, error: type[SlimageError] = InputError
) -> int:
    """The size of ``path`` (symlinks followed) if it is a regular file, else ``error``."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise error(f"{what}: no such file (or a dangling symlink)") from None
    except OSError as failure:
        raise error(f"{what}: cannot be read: {failure.strerror}") from None
    if not stat.S_ISREG(info.st_mode):
        raise error(f"{what}: is {_kind(info.st_mode)}, not a regular file")
    return info.st_size


def read_regular(
    path: str | os.PathLike[str],
    what: str,
    *,
    limit: int = MAX_TEXT_FILE_BYTES,
    error: type[SlimageError] = InputError,
) -> bytes:
    """The bytes of the regular file at ``path``, at most ``limit`` of them.

    Opened without blocking and checked with ``fstat`` on the open descriptor, so a
    FIFO swapped in after a check is refused too; a file that grows while read is cut
    off at ``limit`` and refused.
    """
    regular_file_size(path, what, error)
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except OSError as failure:
        raise error(f"{what}: cannot be read: {failure.strerror}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise error(f"{what}: is {_kind(info.st_mode)}, not a regular file")
        if info.st_size > limit:
            raise error(f"{what}: {info.st_size} bytes, over the limit of {limit} bytes")
        chunks: list[bytes] = []
        total = 0
        while True:
            chunk = os.read(fd, min(1 << 20, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > limit:
                raise error(f"{what}: over the limit of {limit} bytes")
        return b"".join(chunks)
    except OSError as failure:
        raise error(f"{what}: cannot be read: {failure.strerror}") from None
    finally:
        os.close(fd)


def read_optional(
    path: Path, *, limit: int = MAX_TEXT_FILE_BYTES, error: type[SlimageError] = InputError
) -> bytes | None:
    """Like :func:`read_regular`, but None when ``path`` does not exist at all."""
    if not path_exists(path):
        return None
    return read_regular(path, str(path), limit=limit, error=error)


def path_exists(path: Path) -> bool:
    """``Path.exists`` that says False, not raises, for names the system refuses
    (too long, a loop, no permission on a parent)."""
    try:
        os.stat(path)
    except (OSError, ValueError):
        return path_is_link(path)
    return True


def path_is_link(path: Path) -> bool:
    try:
        return stat.S_ISLNK(os.lstat(path).st_mode)
    except (OSError, ValueError):
        return False


def path_is_dir(path: Path) -> bool:
    try:
        return stat.S_ISDIR(os.stat(path).st_mode)
    except (OSError, ValueError):
        return False


def path_is_file(path: Path) -> bool:
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except (OSError, ValueError):
        return False


def nesting_depth(text: str | bytes, openers: str = "[{", closers: str = "]}") -> int:
    """The deepest bracket nesting in ``text`` outside JSON strings (linear time).

    Used before parsing: for JSON it is exact; for TOML it may overcount brackets in
    strings, which only matters for documents near the limit.
    """
    if isinstance(text, bytes):
        text = text.decode("latin-1")
    # Drop string literals first (JSON escapes only; TOML's other quotes rarely nest).
    if '"' in text:
        import re

        text = re.sub(r'"(?:[^"\\]|\\.)*"', "", text, flags=re.DOTALL)
    depth = deepest = 0
    table = {ord(c): "(" for c in openers} | {ord(c): ")" for c in closers}
    brackets = text.translate(table)
    for char in brackets:
        if char == "(":
            depth += 1
            if depth > deepest:
                deepest = depth
        elif char == ")":
            depth -= 1
    return deepest


def _check_depth(text: str | bytes, what: str, error: type[SlimageError], limit: int) -> None:
    # Cheap exit: a document cannot nest deeper than it has opening brackets.
    opening = (
        text.count(b"[") + text.count(b"{")
        if isinstance(text, bytes)
        else text.count("[") + text.count("{")
    )
    if opening <= limit:
        return
    if nesting_depth(text) > limit:
        raise error(f"{what}: nested more than {limit} levels deep")


def loads_json(
    data: str | bytes,
    what: str,
    *,
    error: type[SlimageError] = InputError,
    limit: int = MAX_IMAGE_JSON_BYTES,
    depth: int = MAX_NESTING,
) -> Any:
    """``json.loads`` with a size and a nesting limit; failures raise ``error``."""
    if len(data) > limit:
        raise error(f"{what}: {len(data)} bytes of JSON, over the limit of {limit} bytes")
    _check_depth(data, what, error, depth)
    try:
        return json.loads(data)
    except RecursionError:
        raise error(f"{what}: nested too deeply") from None
    except (ValueError, UnicodeDecodeError) as failure:
        raise error(f"{what}: not valid JSON ({failure})") from None


def loads_toml(
    text: str,
    what: str,
    *,
    error: type[SlimageError] = InputError,
    limit: int = MAX_TEXT_FILE_BYTES,
    depth: int = MAX_NESTING,
) -> dict[str, Any]:
    """``tomllib.loads`` with a size and a nesting limit; failures raise ``error``."""
    if len(text) > limit:
        raise error(f"{what}: {len(text)} characters of TOML, over the limit of {limit}")
    _check_depth(text, what, error, depth)
    try:
        return tomllib.loads(text)
    except RecursionError:
        raise error(f"{what}: nested too deeply") from None
    except tomllib.TOMLDecodeError as failure:
        raise error(f"{what}: invalid TOML: {failure}") from None
