"""Following a builder's output: the step it is at and its last lines, for one error line.

Each builder announces its steps in its own words: buildah and podman print
``STEP 2/3: RUN make``, the classic Docker builder ``Step 2/3 : RUN make``, BuildKit
``#7 [build 2/3] RUN make``. :class:`StepTracker` keeps the last announcement and the last
lines, so a failed build ends in one line naming the step, as the issue asks.
"""

from __future__ import annotations

import re
from collections import deque
from typing import TextIO

from slimage.errors import ToolError

_STEP = re.compile(
    r"^(?:STEP \d+(?:/\d+)?: .+"  # buildah, podman
    r"|Step \d+/\d+ : .+"  # Docker's classic builder (and podman's compatible API)
    r"|#\d+ \[[^\]]*\d+/\d+\] .+)"  # BuildKit
)
TAIL_LINES = 3


class StepTracker:
    """Feed it the builder's lines; it forwards them to ``progress`` and remembers."""

    def __init__(self, progress: TextIO | None) -> None:
        self.progress = progress
        self.step: str | None = None
        self.tail: deque[str] = deque(maxlen=TAIL_LINES)

    def feed(self, text: str) -> None:
        for raw in text.splitlines():
            line = raw.rstrip()
            if self.progress is not None:
                self.progress.write(line + "\n")
                self.progress.flush()
            if not line.strip():
                continue
            if _STEP.match(line):
                self.step = line
            self.tail.append(line.strip())

    def failure(self, builder: str, status: int | str, reason: str | None = None) -> ToolError:
        """The one-line error for a failed build: step, the builder's last lines, status."""
        where = f"at {self.step}" if self.step else "before its first step"
        lines = [reason] if reason else list(self.tail)
        said = " | ".join(line for line in lines if line)
        return ToolError(
            f"{builder} build failed {where} (exit status {status})" + (f": {said}" if said else "")
        )
