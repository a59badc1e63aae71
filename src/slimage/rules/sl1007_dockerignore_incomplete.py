from __future__ import annotations

import fnmatch
from collections.abc import Iterator
from typing import TYPE_CHECKING, ClassVar

from slimage.dockerfile.spans import instruction_head_span
from slimage.rules import _sources
from slimage.rules.base import Rule, Violation

if TYPE_CHECKING:
    from pathlib import Path

    from slimage.dockerfile.model import Instruction
    from slimage.rules.context import LintContext

# Top-level entries that should never reach an image when they exist in the context.
_WATCHED_DIRS = (".git", "node_modules")


class DockerignoreIncomplete(Rule):
    """
    What it does
    ------------
    Flags a `.dockerignore` that lets `.git`, `node_modules` or `.env` files through,
    when they exist in the build context and a COPY/ADD takes them (for example
    `COPY . .`). Silent when slimage does not know the build context.

    Why is this bad?
    ----------------
    `.git` holds the whole history of the project, often larger than the code;
    `node_modules` from the host is platform-specific and is re-installed in the image
    anyway; `.env` files hold local secrets, which then live in a layer for anyone who
    can pull the image.

    Example
    -------
    ```
    # .dockerignore
    dist/
    ```
    with `.git` and `.env` in the context and `COPY . .` in the Dockerfile.

    Use instead
    -----------
    ```
    # .dockerignore
    dist/
    .git
    node_modules
    .env*
    ```
    """

    code: ClassVar[str] = "SL1007"
    name: ClassVar[str] = "dockerignore-incomplete"
    title: ClassVar[str] = "Exclude .git, node_modules and .env files in .dockerignore"

    def check(self, context: LintContext) -> Iterator[Violation]:
        context_dir = context.context_dir
        if context_dir is None:
            return
        matcher = context.ignore_matcher()
        if matcher is None:
            return  # dockerignore-missing reports this
        copies = [
            (
                instruction,
                [_sources.normalize_context_path(s) for s in _sources.context_sources(instruction)],
            )
            for instruction in context.dockerfile.instructions
        ]
        copies = [(i, sources) for i, sources in copies if sources]
        for entry in _watched_entries(context_dir):
            if matcher.matches(entry):
                continue
            instruction = _first_copy_of(copies, entry)
            if instruction is None:
                continue
            yield Violation(
                message=f"`{entry}` is in the build context and .dockerignore lets it through "
                f"(copied by line {instruction.line})",
                span=instruction_head_span(context.dockerfile, instruction),
                help=f"add `{entry}` to .dockerignore",
            )


def _watched_entries(context_dir: Path) -> list[str]:
    entries = [name for name in _WATCHED_DIRS if (context_dir / name).exists()]
    try:
        env_files = sorted(
            p.name
            for p in context_dir.iterdir()
            if (p.name == ".env" or p.name.startswith(".env."))
            and p.name not in (".env.example", ".env.sample", ".env.template", ".env.dist")
        )
    except OSError:
        env_files = []
    return entries + env_files


def _first_copy_of(copies: list[tuple[Instruction, list[str]]], entry: str) -> Instruction | None:
    for instruction, sources in copies:
        for source in sources:
            if source in (".", "*") or source == entry or entry.startswith(source + "/"):
                return instruction
            glob = any(ch in source for ch in "*?[") and "/" not in source
            if glob and fnmatch.fnmatchcase(entry, source):
                return instruction
    return None
