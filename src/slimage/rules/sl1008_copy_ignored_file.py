from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, ClassVar

from slimage.dockerfile.spans import instruction_head_span
from slimage.rules import _sources
from slimage.rules.base import Rule, Violation

if TYPE_CHECKING:
    from slimage.rules.context import LintContext

_GLOB = frozenset("*?[")


class CopyIgnoredFile(Rule):
    """
    What it does
    ------------
    Flags a COPY or ADD source from the build context that `.dockerignore` excludes
    (what `docker build --check` calls `CopyIgnoredFile`). Sources with variables or
    wildcards are skipped. Silent when slimage does not know the build context.

    Why is this bad?
    ----------------
    The build fails with "not found", or, for a directory, silently copies less than
    the Dockerfile suggests.

    Example
    -------
    ```dockerfile
    # .dockerignore contains "config/"
    COPY config/app.yaml /etc/app/
    ```

    Use instead
    -----------
    Remove the path from `.dockerignore` (or add an exception `!config/app.yaml`), or
    stop copying it.
    """

    code: ClassVar[str] = "SL1008"
    name: ClassVar[str] = "copy-ignored-file"
    title: ClassVar[str] = "Do not COPY files that .dockerignore excludes"

    def check(self, context: LintContext) -> Iterator[Violation]:
        if context.context_dir is None:
            return
        matcher = context.ignore_matcher()
        if matcher is None:
            return
        for instruction in context.dockerfile.instructions:
            for source in _sources.context_sources(instruction):
                if "$" in source or _GLOB.intersection(source):
                    continue
                path = _sources.normalize_context_path(source)
                if path == "." or not matcher.matches(path):
                    continue
                yield Violation(
                    message=f"`{source}` is excluded by .dockerignore, so {instruction.keyword} "
                    "cannot copy it",
                    span=instruction_head_span(context.dockerfile, instruction),
                    help=f"add `!{path}` to .dockerignore or drop the source",
                )
