"""The progress bar of a command that reads an image's layers (``analyze``, ``explore``)."""

from __future__ import annotations

import sys
from typing import Any

from slimage.cli._options import quiet

# A progress bar only on a terminal and only for images big enough to wait for.
PROGRESS_MIN_BYTES = 50_000_000


class _NoProgress:
    def __enter__(self) -> Any:
        return None

    def __exit__(self, *args: object) -> None:
        return None


def layer_progress(total: int) -> Any:
    """A context manager giving a callable that advances the bar by bytes read (or None
    when there is no bar: not a terminal, -q, or fewer than PROGRESS_MIN_BYTES)."""
    if total < PROGRESS_MIN_BYTES or not sys.stderr.isatty() or quiet():
        return _NoProgress()
    from contextlib import contextmanager

    from rich.console import Console
    from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn

    @contextmanager
    def bar() -> Any:
        progress = Progress(
            "reading layers",
            BarColumn(),
            DownloadColumn(),
            TimeRemainingColumn(),
            console=Console(file=sys.stderr),
            transient=True,
        )
        task = progress.add_task("read", total=total)
        with progress:
            yield lambda amount: progress.advance(task, amount)

    return bar()
