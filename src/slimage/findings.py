"""Findings: what lint rules and image analysis report, in one shape.

Rules and analysis both emit :class:`Finding`, so every report format
(text, JSON, SARIF, GitHub annotations) serves both. A finding may carry a
:class:`Fix`, a set of text :class:`Edit` s on the Dockerfile, marked safe
(applied by ``--fix``) or unsafe (only with ``--unsafe-fixes``).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


class Severity(enum.IntEnum):
    """Ordered so that ``severity >= fail_level`` reads naturally."""

    INFO = 1
    WARNING = 2
    ERROR = 3

    @classmethod
    def parse(cls, text: str) -> Severity:
        try:
            return cls[text.strip().upper()]
        except KeyError:
            names = ", ".join(s.name.lower() for s in cls)
            raise ValueError(f"unknown severity {text!r} (expected one of {names})") from None

    def __str__(self) -> str:
        return self.name.lower()


class Applicability(enum.Enum):
    SAFE = "safe"
    UNSAFE = "unsafe"


@dataclass(frozen=True, order=True)
class Edit:
    """Replace ``source[start:end]`` (character offsets) with ``replacement``."""

    start: int
    end: int
    replacement: str


@dataclass(frozen=True)
class Fix:
    """A titled set of text edits on the Dockerfile, safe or unsafe to apply."""

    title: str
    edits: tuple[Edit, ...]
    applicability: Applicability = Applicability.SAFE


@dataclass(frozen=True)
class Location:
    """Where a finding points: a file and 1-based line/column range, or an image path."""

    path: str
    line: int = 0
    column: int = 0
    end_line: int = 0
    end_column: int = 0


@dataclass(frozen=True)
class Finding:
    """What a lint rule or the image analysis reports: code, message, location, bytes saved."""

    code: str
    name: str
    message: str
    severity: Severity
    location: Location
    help: str = ""
    # Bytes the change would save (exact when measured from an image, an estimate from
    # the catalog when only a Dockerfile is known; ``bytes_estimated`` says which).
    bytes_saved: int | None = None
    bytes_estimated: bool = False
    fix: Fix | None = None
    extra: dict[str, object] = field(default_factory=dict, compare=False, hash=False)
