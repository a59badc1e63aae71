"""The working directory in effect at each instruction: one reading for every rule.

A stage starts in its base stage's final WORKDIR when it is built FROM an earlier stage
(BuildKit carries the image config over), else in ``/`` (an external base image's own
WORKDIR is not known from the Dockerfile). Each ``WORKDIR`` joins onto the current one.
Paths are kept as written otherwise (variables are not expanded).
"""

from __future__ import annotations

import posixpath
from collections.abc import Sequence

from slimage.dockerfile.model import Instruction
from slimage.dockerfile.stages import Stage


def after(workdir: str, instruction: Instruction) -> str:
    """The working directory once ``instruction`` has run in ``workdir``."""
    if instruction.keyword == "WORKDIR" and instruction.args:
        return posixpath.normpath(posixpath.join(workdir, instruction.args[0]))
    return workdir


def initial(stages: Sequence[Stage], stage: Stage, _depth: int = 0) -> str:
    """The working directory ``stage`` starts in."""
    if stage.base_stage is None or _depth > len(stages):
        return "/"
    base = next((s for s in stages if s.index == stage.base_stage), None)
    if base is None or base is stage:
        return "/"
    workdir = initial(stages, base, _depth + 1)
    for instruction in base.instructions:
        workdir = after(workdir, instruction)
    return workdir


def workdir_at(stages: Sequence[Stage], stage: Stage, instruction: Instruction) -> str:
    """The working directory in effect for ``instruction`` of ``stage``."""
    workdir = initial(stages, stage)
    for candidate in stage.instructions:
        if candidate is instruction:
            break
        workdir = after(workdir, candidate)
    return workdir
