"""Walking the build: stages that reach the image, their RUN commands and environments
(computed once per lint), and whether a path reaches the runtime (WORKDIR: the
context's ``workdirs``)."""

from __future__ import annotations

import posixpath
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING

from slimage.dockerfile.run_commands import ShellCommand

if TYPE_CHECKING:
    from slimage.dockerfile.model import Instruction
    from slimage.dockerfile.stages import Stage
    from slimage.rules.context import LintContext


# --- commands and environments, computed once per lint -----------------------------------


def commands(context: LintContext, instruction: Instruction) -> list[ShellCommand]:
    """``context.commands(instruction)`` (cached by the context)."""
    return context.commands(instruction)


def env_before(context: LintContext, instruction: Instruction) -> Mapping[str, str]:
    """``context.stages.env_before(instruction)``, read-only and shared by the
    instructions between two ARG/ENV changes (rules ask for it per command: a copy each
    time cost more)."""
    return context.env_before(instruction)


# --- walking stages -------------------------------------------------------------------------


def image_layer_stages(context: LintContext) -> Iterator[Stage]:
    """Stages whose layers become layers of the image (the runtime stage and its bases)."""
    for stage in context.stages.stages:
        if context.is_base_of_runtime(stage):
            yield stage


def build_only_stages(context: LintContext) -> Iterator[Stage]:
    """Stages whose layers never ship (only files copied out of them may)."""
    for stage in context.stages.stages:
        if not context.is_base_of_runtime(stage):
            yield stage


def runs(stage: Stage) -> Iterator[Instruction]:
    for instruction in stage.instructions:
        if instruction.keyword == "RUN":
            yield instruction


def removes_path(context: LintContext, instruction: Instruction, prefix: str) -> bool:
    """Whether the RUN deletes ``prefix`` or something below it (rm -rf /var/lib/apt/lists/*)."""
    for command in commands(context, instruction):
        if command.program != "rm":
            continue
        for word in command.argv[1:]:
            if word.startswith("-"):
                continue
            path = word.rstrip("*").rstrip("/")
            if path and (
                path == prefix or path.startswith(prefix + "/") or prefix.startswith(path + "/")
            ):
                return True
    return False


MEGABYTE = 1_000_000


# --- what a build stage hands to the image ------------------------------------------------------


def path_reaches_runtime(context: LintContext, stage: Stage, path: str | None) -> bool:
    """Whether ``path`` (absolute, in ``stage``) can end up in the image.

    True when the image is built FROM the stage, or a stage whose files reach the image
    copies ``path`` (or a directory holding it, or something inside it) with
    ``COPY --from``. When the path or a copied source is not known exactly (variables,
    wildcards), it is assumed to reach the image whenever the stage does.
    """
    if context.is_base_of_runtime(stage):
        return True
    if not context.reaches_runtime(stage):
        return False
    if path is None or "$" in path:
        return True
    path = posixpath.normpath(path)
    for other in context.stages.stages:
        if not context.reaches_runtime(other):
            continue
        for ref in other.copies_from:
            if ref.stage != stage.index:
                continue
            for source in ref.instruction.args[:-1]:
                if "$" in source or any(ch in source for ch in "*?["):
                    return True
                copied = posixpath.normpath(posixpath.join("/", source))
                if (
                    copied in ("/", path)
                    or path.startswith(copied + "/")
                    or copied.startswith(path + "/")
                ):
                    return True
    return False
