"""What ``slimage verify`` is asked to check and what it found: plain data."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from slimage.errors import UsageError

_PROBE = re.compile(r"^:?(?P<port>\d{1,5})(?P<path>/\S*?)?(?:=(?P<status>\d{3}))?$")


@dataclass(frozen=True)
class HttpProbe:
    """``--http :PORT/PATH[=STATUS]``: GET PATH on the container's PORT; STATUS expected
    (default: any 2xx or 3xx answer). ``any_status``: every answer passes (the probes
    ``rewrite --verify`` derives from EXPOSE, where only the same answer as the original
    image's is required)."""

    port: int
    path: str = "/"
    status: int | None = None
    any_status: bool = False

    @classmethod
    def parse(cls, text: str) -> HttpProbe:
        match = _PROBE.match(text.strip())
        if match is None or not 0 < int(match.group("port")) < 65536:
            raise UsageError(
                f"--http: {text!r} is not :PORT/PATH[=STATUS] (examples: :8080/, :8000/health=200)"
            )
        status = match.group("status")
        return cls(
            int(match.group("port")), match.group("path") or "/", int(status) if status else None
        )

    def __str__(self) -> str:
        return f":{self.port}{self.path}" + (f"={self.status}" if self.status else "")


@dataclass(frozen=True)
class VerifySpec:
    """The checks to run against an image (the same for both images of ``--like``)."""

    http: tuple[HttpProbe, ...] = ()
    commands: tuple[str, ...] = ()
    expect_stdout: str | None = None
    structure_tests: Path | None = None
    timeout: float = 60.0

    def __post_init__(self) -> None:
        if self.expect_stdout is not None:
            try:
                re.compile(self.expect_stdout)
            except re.error as error:
                raise UsageError(f"--expect-stdout: {self.expect_stdout!r}: {error}") from None
        if self.timeout <= 0:
            raise UsageError("--timeout must be more than 0 seconds")


@dataclass
class Check:
    """One check's outcome. ``observed`` keeps what ``--like`` compares (an HTTP status
    and body, a command's exit status and output); it is not reported."""

    image: str
    kind: str  # start, entrypoint, http, cmd, stdout, command-test, file-existence, ...
    name: str
    passed: bool
    reason: str = ""
    observed: Any = field(default=None, compare=False, repr=False)

    def to_json(self) -> dict[str, Any]:
        return {
            "image": self.image,
            "kind": self.kind,
            "name": self.name,
            "passed": self.passed,
            "reason": self.reason,
        }


@dataclass
class VerifyReport:
    images: list[str]
    runtime: str
    checks: list[Check]
    seconds: float

    @property
    def passed(self) -> bool:
        return all(check.passed for check in self.checks)

    @property
    def failed(self) -> list[Check]:
        return [check for check in self.checks if not check.passed]
