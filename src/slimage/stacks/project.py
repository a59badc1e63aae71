"""What `slimage init` knows about the project in front of it.

Each stack module (``stacks/<stack>.py``) looks at the project's own files and
returns a :class:`Project`; :mod:`slimage.generate.render` turns it into a Dockerfile.
Detection never guesses silently: when a choice is ambiguous (two main packages, a
workspace with several binaries) it raises :class:`AmbiguousProject` listing the options
and the flag that picks one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from slimage.errors import InputError, UsageError
from slimage.limits import MAX_TEXT_FILE_BYTES, loads_json, loads_toml, read_optional


class AmbiguousProject(UsageError):
    """Detection found several equally good answers; the user must pick one."""

    def __init__(self, what: str, options: list[str], flag: str) -> None:
        listed = ", ".join(options)
        super().__init__(f"{what}: found {listed}; choose one with {flag}")
        self.options = options


@dataclass
class Project:
    """What detection found in a project: stack, package manager, versions, entry, and facts."""

    root: Path
    stack: str  # go | node | python | rust | java
    package_manager: str  # go, npm, pnpm, yarn, yarn-berry, bun, pip, uv, poetry, pdm, ...
    language_version: str  # "1.22", "20", "3.12", "1.77", "21"
    name: str  # binary / app name
    entry: list[str]  # the runtime command (exec form) or, for compiled stacks, the target
    port: int | None = None
    # Why a choice was made, shown to the user and written as comments where useful.
    notes: list[str] = field(default_factory=list)
    # Stack-specific facts the template needs (lockfile names, build script, ...).
    facts: dict[str, Any] = field(default_factory=dict)
    # Native code that needs glibc: steers runtime away from alpine.
    needs_glibc: list[str] = field(default_factory=list)


def read_text(path: Path, limit: int = MAX_TEXT_FILE_BYTES, *, quiet: bool = False) -> str | None:
    """A small project file as text, or None when it is missing.

    Only a regular file is read (a FIFO or a device is an InputError, never waited on or
    read without end); one over ``limit`` bytes is an InputError naming the limit.
    ``quiet``: None instead of an error (for source files scanned for hints).
    """
    try:
        data = read_optional(path, limit=limit)
    except InputError:
        if quiet:
            return None
        raise
    return None if data is None else data.decode("utf-8", errors="replace")


def read_json(path: Path) -> dict[str, Any] | None:
    text = read_text(path)
    if text is None:
        return None
    data = loads_json(text, str(path), error=InputError, limit=MAX_TEXT_FILE_BYTES)
    return data if isinstance(data, dict) else None


def read_toml(path: Path) -> dict[str, Any] | None:
    text = read_text(path)
    if text is None:
        return None
    return loads_toml(text, str(path), error=InputError)


_PORT_PATTERNS = (
    re.compile(r"""["']:(\d{2,5})["']"""),  # ":8080"
    # port = "8080", PORT || 3000, port ?? 3000, port := "8080"
    re.compile(r"""(?i)\bport\b["')\]]*\s*(?:=|:=|\|\||\?\?|,)\s*["']?(\d{2,5})(?![\d.])"""),
    re.compile(r"""\b(?:listen|Listen)\(\s*(\d{2,5})(?![\d.])"""),  # app.listen(3000)
)


def guess_port(texts: list[str]) -> int | None:
    """The first plausible TCP port a server in these sources listens on."""
    for text in texts:
        for pattern in _PORT_PATTERNS:
            for match in pattern.finditer(text):
                port = int(match.group(1))
                if 80 <= port <= 65535:
                    return port
    return None


def major_minor(text: str | None) -> str | None:
    """'>=3.11,<4' -> '3.11'; '^20.10' -> '20'; 'v1.22.3' -> '1.22'. None if no number."""
    if not text:
        return None
    match = re.search(r"(\d+)(?:\.(\d+))?", text)
    if not match:
        return None
    return f"{match.group(1)}.{match.group(2)}" if match.group(2) else match.group(1)
