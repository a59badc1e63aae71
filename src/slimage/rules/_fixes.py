"""Spans, raw words and text edits for the size rules (SL1xxx).

Fixes are minimal text edits on ``Dockerfile.source``. To put a flag after ``install``
or a clean-up after the last command of a RUN, the rules need the offsets of words as
they appear in the source, continuations and quotes included: :func:`scan_words` gives
them, and the helpers below refuse (return None) whenever the text is not plainly a
simple command, so a fix is only offered where it cannot change what else the RUN does.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from slimage.dockerfile import workdir as workdirs
from slimage.dockerfile.model import Span

# Offsets -> lines and columns: one implementation, in slimage.dockerfile.positions.
from slimage.dockerfile.positions import span_at as span_at
from slimage.dockerfile.run_commands import ShellCommand
from slimage.findings import Applicability, Edit, Fix

if TYPE_CHECKING:
    from slimage.dockerfile.model import Dockerfile, Instruction
    from slimage.dockerfile.run_commands import ShellCommand as Command
    from slimage.dockerfile.stages import Stage
    from slimage.rules.context import LintContext


def command_span(dockerfile: Dockerfile, instruction: Instruction, command: Command) -> Span:
    """The command's own span when the parser knows it, else the instruction's."""
    start, end = command.source_start, command.source_end
    if start is not None and end is not None and end > start:
        return span_at(dockerfile.source, start, end)
    return instruction.span


def instruction_head_span(dockerfile: Dockerfile, instruction: Instruction) -> Span:
    """The first line of an instruction (for findings about the whole instruction)."""
    start = instruction.span.start
    end = dockerfile.source.find("\n", start, instruction.span.end)
    return span_at(dockerfile.source, start, end if end != -1 else instruction.span.end)


# --- raw words ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RawWord:
    """One shell word as written in the source: its text without quotes, and its offsets."""

    text: str  # quotes removed (no expansion)
    start: int  # offsets in the source
    end: int


def scan_words(source: str, start: int, end: int, escape: str = "\\") -> list[RawWord]:
    """Shell words of ``source[start:end]``, with their source offsets.

    Line continuations (escape + newline) separate words, and comment lines inside a
    continuation (which BuildKit drops) are skipped. Quotes are removed from ``text``.
    """
    words: list[RawWord] = []
    i = start
    current: list[str] = []
    word_start = -1

    def flush(at: int) -> None:
        nonlocal current, word_start
        if word_start >= 0:
            words.append(RawWord("".join(current), word_start, at))
        current, word_start = [], -1

    while i < end:
        char = source[i]
        if char == escape and i + 1 < end and source[i + 1] in "\r\n":
            flush(i)
            i += 3 if source[i + 1 : i + 3] == "\r\n" else 2
            # BuildKit drops comment and blank lines inside a continuation.
            while i < end:
                line_end = source.find("\n", i, end)
                line_end = end if line_end == -1 else line_end
                stripped = source[i:line_end].strip()
                if stripped.startswith("#") or not stripped:
                    i = line_end + 1
                    continue
                break
            continue
        if char in " \t\r\n":
            flush(i)
            i += 1
            continue
        if word_start < 0:
            word_start = i
        if char in "'\"":
            close = source.find(char, i + 1, end)
            if close == -1:
                close = end - 1
            current.append(source[i + 1 : close])
            i = close + 1
            continue
        if char == "\\" and escape == "\\" and i + 1 < end:
            current.append(source[i + 1])
            i += 2
            continue
        current.append(char)
        i += 1
    flush(end)
    return words


def command_words(dockerfile: Dockerfile, command: Command) -> list[RawWord] | None:
    if command.source_start is None or command.source_end is None:
        return None
    return scan_words(
        dockerfile.source, command.source_start, command.source_end, dockerfile.escape
    )


def insert_after_subcommand(
    dockerfile: Dockerfile, command: Command, subcommands: tuple[str, ...], text: str
) -> Edit | None:
    """An edit putting `` text`` right after the first word of ``subcommands`` following
    the command's program word (``apt-get install`` -> ``apt-get install --flag``)."""
    if command.word_source_spans is not None:
        for index in range(command.program_index + 1, len(command.words)):
            if command.words[index] in subcommands:
                end = command.word_source_end(index)
                return Edit(end, end, " " + text) if end is not None else None
        return None
    words = command_words(dockerfile, command)
    if not words:
        return None
    program = command.program
    seen_program = False
    for word in words:
        if not seen_program:
            seen_program = posixpath.basename(word.text) == program
            continue
        if word.text in subcommands:
            return Edit(word.end, word.end, " " + text)
    return None


# Text allowed between the last command of a RUN and the end of its shell text: blanks,
# continuations, a trailing ";" and comments. Anything else (a closing "fi", "done",
# ")", "}", a background "&") means the last command sits inside a compound command.
_TRAILER = re.compile(r"(?:[ \t\r\n;]|\\\r?\n|#[^\n]*)*")


def append_to_run(context: LintContext, instruction: Instruction, text: str) -> Edit | None:
    """An edit appending `` && text`` after the last command of a shell-form RUN.

    Heredoc RUNs (``RUN <<EOF``) get ``text`` as a new last line of the script instead.
    None when the RUN is in exec form, runs a heredoc through another program, or its
    last command is nested in a compound command (appending there would repeat it).
    """
    dockerfile = context.dockerfile
    if instruction.json or instruction.keyword != "RUN":
        return None
    if instruction.heredocs:
        return _append_to_heredoc(instruction, text)
    in_script = [c for c in commands(context, instruction) if not c.in_heredoc]
    if not in_script:
        return None
    last = in_script[-1]
    if last.source_end is None or last.connector in ("&", "|"):
        return None
    end = instruction.span.end
    trailer = dockerfile.source[last.source_end : end]
    match = _TRAILER.fullmatch(trailer)
    if match is None:
        return None
    return Edit(last.source_end, last.source_end, " && " + text)


def _append_to_heredoc(instruction: Instruction, text: str) -> Edit | None:
    # Only `RUN <<EOF` runs the body as the shell script; `RUN python3 <<EOF` feeds it to
    # another program, where a shell line would be a syntax error.
    if len(instruction.heredocs) != 1 or not instruction.rest.lstrip().startswith("<<"):
        return None
    heredoc = instruction.heredocs[0]
    if heredoc.file_descriptor != 0 or not heredoc.content.endswith("\n"):
        return None
    first_line = heredoc.content.splitlines()[0] if heredoc.content.strip() else ""
    if first_line.startswith("#!") and "sh" not in first_line:
        return None
    return Edit(
        heredoc.span.start + len(heredoc.content),
        heredoc.span.start + len(heredoc.content),
        text + "\n",
    )


def fix(title: str, *edits: Edit | None, safe: bool = True) -> Fix | None:
    """A Fix of the given edits, or None when any edit could not be made."""
    if not edits or any(e is None for e in edits):
        return None
    applicability = Applicability.SAFE if safe else Applicability.UNSAFE
    return Fix(title, tuple(e for e in edits if e is not None), applicability)


# --- commands and environments, computed once per lint -----------------------------------


def commands(context: LintContext, instruction: Instruction) -> list[ShellCommand]:
    """``context.commands(instruction)`` (cached by the context)."""
    return context.commands(instruction)


def env_before(context: LintContext, instruction: Instruction) -> Mapping[str, str]:
    """``context.stages.env_before(instruction)``, computed once per instruction and
    shared read-only (rules ask for it per command; a copy each time cost more)."""
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


def run_commands_in(context: LintContext, stage: Stage) -> Iterator[tuple[Instruction, Command]]:
    for instruction in runs(stage):
        for command in commands(context, instruction):
            yield instruction, command


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


# --- COPY/ADD from the build context --------------------------------------------------------


def context_sources(instruction: Instruction) -> list[str]:
    """The sources a COPY/ADD takes from the build context (none for --from, heredocs, URLs)."""
    if instruction.keyword not in ("COPY", "ADD") or instruction.flag("from") is not None:
        return []
    if len(instruction.args) < 2:
        return []
    heredoc_names = {h.name for h in instruction.heredocs}
    sources = []
    for source in instruction.args[:-1]:
        if source.startswith("<<") and source.lstrip("<-").strip("'\"") in heredoc_names:
            continue
        if instruction.keyword == "ADD" and ("://" in source or source.startswith("git@")):
            continue
        sources.append(source)
    return sources


def normalize_context_path(source: str) -> str:
    """A COPY source as a context-relative path: "./src/" -> "src", "." -> "."."""
    normalized = posixpath.normpath("/" + source.strip()).lstrip("/")
    return normalized or "."


def is_whole_context(source: str) -> bool:
    return normalize_context_path(source) in (".", "*")


# --- what a build stage hands to the image ------------------------------------------------------


def workdir_at(stage: Stage, instruction: Instruction, stages: Sequence[Stage] = ()) -> str:
    """The WORKDIR in effect for ``instruction`` (see :mod:`slimage.dockerfile.workdir`);
    give ``stages`` so that a stage built FROM another starts in that stage's WORKDIR."""
    return workdirs.workdir_at(stages or (stage,), stage, instruction)


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
