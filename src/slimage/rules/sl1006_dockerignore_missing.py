from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from slimage.dockerfile.spans import instruction_head_span
from slimage.rules import _sources
from slimage.rules.base import Rule, Violation

if TYPE_CHECKING:
    from slimage.rules.context import LintContext


class DockerignoreMissing(Rule):
    """
    What it does
    ------------
    Flags a Dockerfile that copies from its build context when the context has no
    `.dockerignore` (nor a `<Dockerfile>.dockerignore` beside the Dockerfile). Silent
    when slimage does not know the build context (linting text from stdin).

    Why is this bad?
    ----------------
    Without an ignore file, `COPY . .` copies everything: `.git`, `node_modules`, build
    output, local `.env` files with secrets, editor folders. The image grows, the build
    cache breaks on every unrelated change, and secrets can end up in a layer.

    Example
    -------
    ```dockerfile
    COPY . /app
    ```
    (with no `.dockerignore` beside it)

    Use instead
    -----------
    A `.dockerignore` in the build context:
    ```
    .git
    node_modules
    .env*
    *.md
    dist/
    ```
    """

    code: ClassVar[str] = "SL1006"
    name: ClassVar[str] = "dockerignore-missing"
    title: ClassVar[str] = "Add a .dockerignore to the build context"

    def check(self, context: LintContext) -> Iterator[Violation]:
        if context.context_dir is None:
            return
        from slimage.context.ignore_file import find_ignore_file

        dockerfile = Path(context.path) if context.path else None
        if find_ignore_file(context.context_dir, dockerfile) is not None:
            return
        for instruction in context.dockerfile.instructions:
            if _sources.context_sources(instruction):
                yield Violation(
                    message="the build context has no .dockerignore: COPY sends everything in it",
                    span=instruction_head_span(context.dockerfile, instruction),
                    help="add a .dockerignore: .git, node_modules, .env files, build output",
                )
                return
