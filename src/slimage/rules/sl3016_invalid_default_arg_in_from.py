from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from slimage.dockerfile.spans import word_span
from slimage.dockerfile.variables import AUTOMATIC_ARGS
from slimage.findings import Severity
from slimage.reference import parse_image_ref
from slimage.rules.base import Rule, Violation

if TYPE_CHECKING:
    from slimage.rules.context import LintContext

# Stand-ins for the platform ARGs the builder fills in; only their non-emptiness matters.
_AUTOMATIC_VALUES = {
    name: ("linux/amd64" if name.endswith("PLATFORM") else "linux" if name.endswith("OS") else "x")
    for name in AUTOMATIC_ARGS
}


class InvalidDefaultArgInFrom(Rule):
    """
    What it does
    ------------
    Expands the `FROM` image with the default values of the global `ARG` s (as a
    build without `--build-arg` does) and reports an empty or invalid result, as
    BuildKit's `InvalidDefaultArgInFrom` check does.

    Why is this bad?
    ----------------
    A build should work without build arguments. `ARG TAG` with no default makes
    `FROM busybox:${TAG}` read `FROM busybox:`, which fails, so everyone building
    the file must know the right `--build-arg`.

    Example
    -------
    ```dockerfile
    ARG TAG
    FROM busybox:${TAG}
    ```

    Use instead
    -----------
    ```dockerfile
    ARG TAG=1.36
    FROM busybox:${TAG}
    ```
    """

    code = "SL3016"
    name = "invalid-default-arg-in-from"
    title = "Give ARGs used in FROM a default that makes a valid image name"
    severity = Severity.WARNING

    def check(self, context: LintContext) -> Iterator[Violation]:
        from slimage.dockerfile.shell_lex import ShellLex, ShellLexError

        df = context.dockerfile
        defaults = {k: v or "" for k, v in context.stages.global_args.items()}
        env = {**_AUTOMATIC_VALUES, **defaults}
        lexer = ShellLex(df.escape)
        names = {s.name for s in context.stages.stages if s.name}
        for stage in context.stages.stages:
            raw = stage.base_raw
            if "$" not in raw:
                continue
            try:
                expanded = lexer.process_word(raw, env)
            except ShellLexError:
                continue  # the parser or undefined-arg-in-from reports these
            if expanded.lower() in names or expanded.lower() == "scratch":
                continue
            if expanded and parse_image_ref(expanded) is not None:
                continue
            shown = repr(expanded) if expanded else "an empty name"
            yield Violation(
                message=f"with the ARG defaults, FROM {raw} becomes {shown}, which is not a "
                "valid image",
                span=word_span(df, stage.from_instruction, raw),
                help="give the ARG a default value that makes the image reference valid",
            )
