"""The options that say how an image is read, defined once for every command that reads
images (``analyze``, ``explore``, ``diff``, ``audit``), and what they become.

A command declares the ones it has as parameters with these defaults (Typer builds its
options from the signature) and turns them into :func:`slimage.api.open_image`'s keyword
arguments with :func:`image_source`; ``--no-cache`` is ``use_cache=not no_cache``.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, TypedDict

import typer

from slimage.errors import UsageError

if TYPE_CHECKING:
    from slimage.image.credentials import Credentials

PLATFORM_OPTION = typer.Option(
    None,
    "--platform",
    help="os/arch[/variant] to pick from a multi-platform index (default: this machine's).",
    show_default=False,
)
INSECURE_REGISTRY_OPTION = typer.Option(
    False,
    "--insecure-registry",
    help="Allow plain HTTP to registries (always allowed for localhost and 127.0.0.0/8).",
)
USERNAME_OPTION = typer.Option(
    None,
    "--username",
    help="Registry user name (the password comes from --password-stdin).",
    show_default=False,
)
PASSWORD_STDIN_OPTION = typer.Option(
    False, "--password-stdin", help="Read the registry password from standard input."
)
NO_CACHE_OPTION = typer.Option(
    False,
    "--no-cache",
    help="Read every layer from the registry even when an earlier run recorded it "
    "(the cache is ~/.cache/slimage/layers, bounded by SLIMAGE_CACHE_MAX_BYTES).",
)


class ImageSource(TypedDict):
    """:func:`slimage.api.open_image`'s keyword arguments (``AnalyzeOptions`` and
    ``DiffOptions`` have fields of the same names)."""

    platform: str | None
    insecure_registry: bool
    credentials: Credentials | None


def image_source(
    platform: str | None = None,
    insecure_registry: bool = False,
    username: str | None = None,
    password_stdin: bool = False,
) -> ImageSource:
    """The options as ``open_image`` keyword arguments; reads the password from standard
    input when ``--password-stdin`` is given."""
    return {
        "platform": platform,
        "insecure_registry": insecure_registry,
        "credentials": credentials(username, password_stdin),
    }


def credentials(username: str | None, password_stdin: bool) -> Credentials | None:
    """``--username`` with ``--password-stdin``: a password never goes on the command line."""
    if password_stdin and not username:
        raise UsageError("--password-stdin needs --username")
    if username is None:
        return None
    from slimage.image.credentials import Credentials

    if not password_stdin:
        raise UsageError(
            "--username needs --password-stdin (a password never goes on the command line)"
        )
    password = sys.stdin.readline().rstrip("\r\n")
    if not password:
        raise UsageError("--password-stdin: no password on standard input")
    return Credentials(username, password)
