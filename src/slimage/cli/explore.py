"""``slimage explore IMAGE``: the image's layers, files and findings in a terminal app."""

from __future__ import annotations

import gc
import os
import sys

import typer

from slimage.cli._app import app
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
    platform: str | None = typer.Option(
        None,
        "--platform",
        help="os/arch[/variant] to pick from a multi-platform index (default: this machine's).",
        show_default=False,
    ),
    insecure_registry: bool = typer.Option(
        False,
        "--insecure-registry",
        help="Allow plain HTTP to the registry (always allowed for localhost and 127.0.0.0/8).",
    ),
    username: str | None = typer.Option(
        None,
        "--username",
        help="Registry user name (the password comes from --password-stdin).",
        show_default=False,
    ),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Read the registry password from standard input."
    ),
    no_cache: bool = typer.Option(
        False,
        "--no-cache",
        help="Read every layer from the registry even when an earlier run recorded it.",
    ),
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
    from slimage.cli.analyze import _credentials, _progress

    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise UsageError(
            "explore needs a terminal; for a report use `slimage analyze IMAGE` "
            "(--format json or html)"
        )
    from slimage.cli._options import use_color

    if not use_color(sys.stdout):  # --color never, or NO_COLOR: Textual reads NO_COLOR
        os.environ["NO_COLOR"] = "1"
    options = AnalyzeOptions(
        platform=platform,
        insecure_registry=insecure_registry,
        credentials=_credentials(username, password_stdin),
        use_cache=not no_cache,
    )
    opened = open_image(
        image,
        platform=platform,
        insecure_registry=insecure_registry,
        credentials=options.credentials,
    )
    total = sum(layer.compressed_size for layer in opened.layers)
    with _progress(total) as advance:
        result = analyze(opened, options, progress=advance)
    # The result (one record per path: 200k on a big image) lives as long as the app;
    # without this every full collection while the app starts walks it (~0.6 s there).
    gc.freeze()

    from slimage.explore.app import ExploreApp

    ExploreApp(result).run()
