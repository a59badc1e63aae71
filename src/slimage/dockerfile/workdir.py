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


def initial(stages: Sequence[Stage], stage: Stage) -> str:
    """The working directory ``stage`` starts in.

    The chain of base stages is walked iteratively (a file may chain thousands of
    stages) and stops at a stage already seen (BuildKit rejects cycles; slimage must not
    loop on one either).
    """
    by_index = {s.index: s for s in stages}
    chain: list[Stage] = []
    seen = {stage.index}
    current = stage
    while current.base_stage is not None:
        base = by_index.get(current.base_stage)
        if base is None or base.index in seen:
            break
        seen.add(base.index)
        chain.append(base)
        current = base
    workdir = "/"
    for base in reversed(chain):
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
