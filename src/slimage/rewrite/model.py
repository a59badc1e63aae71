"""What a rewrite produces: the new text, and the report of what moved where and why."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Where an instruction of the original final stage goes.
BUILD = "build"  # build stage only (toolchains, dev dependencies, the build itself, tests)
RUNTIME = "runtime"  # runtime stage only (metadata, entry point)
BOTH = "both"  # both stages (ENV, WORKDIR, sources of interpreted apps, runtime packages)
DROPPED = "dropped"  # replaced by something the rewrite writes (the base image)


@dataclass(frozen=True, slots=True)
class Move:
    """One instruction of the original final stage: where it went, and why."""

    line: int
    text: str  # the instruction, first line, shortened
    placement: str  # BUILD, RUNTIME, BOTH or DROPPED
    reason: str


@dataclass(frozen=True, slots=True)
class Saving:
    """Expected bytes the runtime image loses, by cause (None: not estimated)."""

    cause: str  # "base image", "build toolchain", "dev dependencies", ...
    bytes: int | None
    detail: str


@dataclass
class RewriteResult:
    """A rewritten Dockerfile and its report."""

    path: str
    stack: str
    text: str  # the new Dockerfile
    original: str
    runtime_base: str
    build_base: str
    artifacts: list[str] = field(default_factory=list)
    moves: list[Move] = field(default_factory=list)
    savings: list[Saving] = field(default_factory=list)
    doubts: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def expected_saving(self) -> int:
        return sum(s.bytes or 0 for s in self.savings)

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": 1,
            "path": self.path,
            "stack": self.stack,
            "build_base": self.build_base,
            "runtime_base": self.runtime_base,
            "artifacts": list(self.artifacts),
            "moves": [
                {"line": m.line, "instruction": m.text, "to": m.placement, "why": m.reason}
                for m in self.moves
            ],
            "savings": [
                {"cause": s.cause, "bytes": s.bytes, "detail": s.detail} for s in self.savings
            ],
            "expected_saving_bytes": self.expected_saving,
            "doubts": list(self.doubts),
            "notes": list(self.notes),
            "dockerfile": self.text,
        }
