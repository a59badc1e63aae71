"""Fixes as minimal text edits on ``Dockerfile.source``: keywords, flags after a subcommand,
a clean-up appended to a RUN. Each helper refuses (None) where the edit could change
what else the instruction does."""

from __future__ import annotations

import posixpath
import re
from typing import TYPE_CHECKING

from slimage.dockerfile.raw_words import command_words
from slimage.findings import Applicability, Edit, Fix
from slimage.rules._stage_walk import commands

if TYPE_CHECKING:
    from slimage.dockerfile.model import Dockerfile, Instruction
    from slimage.dockerfile.run_commands import ShellCommand as Command
    from slimage.rules.context import LintContext


def same_case(written: str, keyword: str) -> str:
    """``keyword`` in the case the author wrote ``written`` in (lower stays lower)."""
    return keyword.lower() if written.islower() else keyword.upper()


def keyword_edit(instruction: Instruction, new_keyword: str) -> Edit:
    """Replace the instruction keyword, keeping the author's upper/lower case."""
    start = instruction.span.start
    return Edit(
        start, start + len(instruction.keyword_raw), same_case(instruction.keyword_raw, new_keyword)
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
