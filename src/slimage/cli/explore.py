"""``slimage explore IMAGE``: the image's layers, files and findings in a terminal app."""

from __future__ import annotations

import gc
import os
import sys

import typer

from slimage.cli._app import app
from slimage.cli._image_options import (
    INSECURE_REGISTRY_OPTION,
    NO_CACHE_OPTION,
    PASSWORD_STDIN_OPTION,
    PLATFORM_OPTION,
    USERNAME_OPTION,
    image_source,
)
from slimage.cli._layer_progress import layer_progress
from slimage.errors import UsageError


@app.command("explore")
def explore_command(
    image: str = typer.Argument(
        ...,
        help="The image, as `slimage analyze` takes it: an archive or OCI layout, "
        "docker-archive:, oci:, oci-archive:, docker://REF, docker-daemon:REF, "
        "containers-storage:REF or a plain name.",
        show_default=False,
    ),
    platform: str | None = PLATFORM_OPTION,
    insecure_registry: bool = INSECURE_REGISTRY_OPTION,
    username: str | None = USERNAME_OPTION,
    password_stdin: bool = PASSWORD_STDIN_OPTION,
    no_cache: bool = NO_CACHE_OPTION,
) -> None:
    """Explore an image in the terminal: layers, each layer's files, waste and findings.

    Keys: arrows move, Enter opens a directory, Tab changes pane, w cycles waste by cause.

    / searches paths (Enter applies, Escape clears); q quits.

    Needs the tui extra: pip install 'slimage[tui]'.

    Exit codes: 0 ok; 2 bad options or no terminal; 3 unreadable image; 5 no tui extra.
    """
    from slimage import extras

    extras.require("textual", "tui", "slimage explore")
    from slimage.api import AnalyzeOptions, analyze, open_image

    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise UsageError(
            "explore needs a terminal; for a report use `slimage analyze IMAGE` "
            "(--format json or html)"
        )
    from slimage.cli._options import use_color

    if not use_color(sys.stdout):  # --color never, or NO_COLOR: Textual reads NO_COLOR
        os.environ["NO_COLOR"] = "1"
    source = image_source(platform, insecure_registry, username, password_stdin)
    options = AnalyzeOptions(**source, use_cache=not no_cache)
    opened = open_image(image, **source)
    total = sum(layer.compressed_size for layer in opened.layers)
    with layer_progress(total) as advance:
        result = analyze(opened, options, progress=advance)
    # The result (one record per path: 200k on a big image) lives as long as the app;
    # without this every full collection while the app starts walks it (~0.6 s there).
    gc.freeze()

    from slimage.explore.app import ExploreApp

    ExploreApp(result).run()
