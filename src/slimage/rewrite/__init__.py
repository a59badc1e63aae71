"""`slimage rewrite`: the user's own fat Dockerfile, as a slim multi-stage one that still works.

:func:`rewrite_dockerfile` reads the Dockerfile with the BuildKit-exact model, the build
context and the stack knowledge (:mod:`slimage.stacks`), classifies each instruction of
the final stage (build-only, runtime or both), plans a build stage (the user's steps, in
order, on their base) and a runtime stage on the smallest base that fits, writes the new
text and re-parses it. It returns the text and a structured report (what moved where and
why, the expected saving per cause, and every doubt), never writing a file itself.
"""

from __future__ import annotations

from pathlib import Path

from slimage.rewrite.model import RewriteResult
from slimage.rewrite.plan import RUNTIMES, NotRewritable

__all__ = ["RUNTIMES", "NotRewritable", "RewriteResult", "rewrite_dockerfile", "rewrite_text"]


def rewrite_dockerfile(
    dockerfile: Path,
    context_dir: Path | None = None,
    *,
    runtime: str | None = None,
    base_images: dict[str, str] | None = None,
    artifacts: list[str] | None = None,
    keep_packages: list[str] | None = None,
) -> RewriteResult:
    """Rewrite the Dockerfile at ``dockerfile`` (context: its directory unless given).

    Raises :class:`~slimage.errors.InputNotFound` (exit 3) for a missing file or context,
    :class:`~slimage.errors.DockerfileSyntaxError` (exit 3) when BuildKit would reject it,
    :class:`NotRewritable` (exit 3) with the reason when it cannot be rewritten safely, and
    :class:`~slimage.errors.UsageError` (exit 2) for options that do not fit the stack.
    """
    from slimage.dockerfile.parser import decode_dockerfile
    from slimage.errors import InputNotFound

    if not dockerfile.is_file():
        raise InputNotFound(f"{dockerfile}: no such file")
    context = context_dir if context_dir is not None else dockerfile.parent
    if not context.is_dir():
        raise InputNotFound(f"{context}: no such directory (the build context)")
    text = decode_dockerfile(dockerfile.read_bytes(), path=str(dockerfile))
    return rewrite_text(
        text,
        path=str(dockerfile),
        context_dir=context,
        runtime=runtime,
        base_images=base_images,
        artifacts=artifacts,
        keep_packages=keep_packages,
    )


def rewrite_text(
    text: str,
    *,
    path: str = "Dockerfile",
    context_dir: Path | None = None,
    runtime: str | None = None,
    base_images: dict[str, str] | None = None,
    artifacts: list[str] | None = None,
    keep_packages: list[str] | None = None,
) -> RewriteResult:
    """Rewrite Dockerfile ``text`` (see :func:`rewrite_dockerfile`)."""
    from slimage.rewrite.engine import run

    return run(
        text,
        path=path,
        context_dir=context_dir,
        runtime=runtime,
        base_images=dict(base_images or {}),
        artifacts=list(artifacts or []),
        keep_packages=frozenset(keep_packages or ()),
    )
