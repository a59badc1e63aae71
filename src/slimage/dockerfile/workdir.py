"""The working directory in effect at each instruction: one reading for every rule and
for the build-context replay (:mod:`slimage.context.reach`).

A stage starts in its base stage's final WORKDIR when it is built FROM an earlier stage
(BuildKit carries the image config over), else in ``/`` (an external base image's own
WORKDIR is not known from the Dockerfile). Each ``WORKDIR`` joins onto the current one
and is cleaned as BuildKit cleans it (Go's ``path.Clean``: ``//srv`` is ``/srv``).
Variables are kept as written unless the caller passes ``expand``, which turns an
instruction's word into its expanded text (the rules read the text as written; the
context replay expands, as the build does).
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from slimage.dockerfile.model import Instruction
from slimage.dockerfile.stages import Stage

# (instruction, word) -> the word with the variables in effect there expanded.
Expand = Callable[[Instruction, str], str]


def _clean(path: str) -> str:
    """``posixpath.normpath`` as Go's ``path.Clean``: two leading slashes are one."""
    cleaned = posixpath.normpath(path)
    return "/" + cleaned.lstrip("/") if cleaned.startswith("//") else cleaned


def after(workdir: str, instruction: Instruction, expand: Expand | None = None) -> str:
    """The working directory once ``instruction`` has run in ``workdir``."""
    if instruction.keyword == "WORKDIR" and instruction.args:
        target = instruction.args[0]
        if expand is not None:
            target = expand(instruction, target)
        return _clean(posixpath.join(workdir, target))
    return workdir


def initial(
    stages: Sequence[Stage],
    stage: Stage,
    expand: Expand | None = None,
    *,
    finals: Mapping[int, str] | None = None,
) -> str:
    """The working directory ``stage`` starts in.

    ``finals`` (stage index -> the working directory a stage ends in), when a caller
    walking the stages in order keeps it, answers for a base stage it holds. Otherwise
    the chain of base stages is walked iteratively (a file may chain thousands of
    stages) and stops at a stage already seen (BuildKit rejects cycles; slimage must not
    loop on one either).
    """
    by_index = {s.index: s for s in stages}
    chain: list[Stage] = []
    seen = {stage.index}
    current = stage
    workdir = "/"
    while current.base_stage is not None:
        if finals is not None and current.base_stage in finals:
            workdir = finals[current.base_stage]
            break
        base = by_index.get(current.base_stage)
        if base is None or base.index in seen:
            break
        seen.add(base.index)
        chain.append(base)
        current = base
    for base in reversed(chain):
        for instruction in base.instructions:
            workdir = after(workdir, instruction, expand)
    return workdir


@dataclass(frozen=True, slots=True)
class Workdirs:
    """The working directory of every stage and instruction of a file, read in one pass
    (see :func:`read_workdirs`)."""

    starts: dict[int, str]  # by stage index: what :func:`initial` gives
    before: dict[int, str]  # by id(instruction): what :func:`workdir_at` gives

    def initial(self, stage: Stage) -> str:
        return self.starts[stage.index]

    def at(self, instruction: Instruction) -> str:
        return self.before[id(instruction)]


def read_workdirs(stages: Sequence[Stage]) -> Workdirs:
    """The working directories of every stage and instruction of ``stages`` (all the
    file's stages), in one pass: a stage's base is always an earlier stage. For readers
    that ask about many instructions, where :func:`workdir_at` walks the stage again
    for each."""
    starts: dict[int, str] = {}
    before: dict[int, str] = {}
    final: dict[int, str] = {}
    for stage in stages:
        base = stage.base_stage
        workdir = final.get(base, "/") if base is not None else "/"
        starts[stage.index] = workdir
        for instruction in stage.instructions:
            before[id(instruction)] = workdir
            workdir = after(workdir, instruction)
        final[stage.index] = workdir
    return Workdirs(starts, before)


def workdir_at(
    stages: Sequence[Stage],
    stage: Stage,
    instruction: Instruction,
    expand: Expand | None = None,
) -> str:
    """The working directory in effect for ``instruction`` of ``stage``."""
    workdir = initial(stages, stage, expand)
    for candidate in stage.instructions:
        if candidate is instruction:
            break
        workdir = after(workdir, candidate, expand)
    return workdir
