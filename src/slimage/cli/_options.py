"""Options every command has (``-q/--quiet``, ``--color``), and what they decide.

They are added to each command (and to ``slimage`` itself) by the command classes in
:mod:`slimage.cli._app`, so a new command has them without declaring them. Their values
are not passed to the command function: they land in :data:`OUTPUT`, which the command
and its report writers read through :func:`quiet`, :func:`use_color` and
:func:`rich_console`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console

COLOR_CHOICES = ("auto", "always", "never")


@dataclass
class OutputSettings:
    """How this run writes: the shared options as the command line gave them."""

    quiet: bool = False
    color: str = "auto"


OUTPUT = OutputSettings()


def quiet() -> bool:
    """``-q/--quiet``: only findings, errors and what fails; no summaries, notes or progress."""
    return OUTPUT.quiet


def use_color(stream: IO[Any]) -> bool:
    """Whether to colour what goes to ``stream``.

    ``--color always`` / ``never`` decide; ``auto`` (the default) follows the
    conventions of https://no-color.org and https://force-color.org (a non-empty
    ``NO_COLOR`` turns colour off, a non-empty ``FORCE_COLOR`` on; Rich's
    ``TTY_COMPATIBLE=0/1`` is honoured too, between the two), else colours a terminal
    only.
    """
    if OUTPUT.color != "auto":
        return OUTPUT.color == "always"
    if os.environ.get("NO_COLOR"):
        return False
    compatible = os.environ.get("TTY_COMPATIBLE", "")
    if compatible in ("0", "1"):
        return compatible == "1"
    if os.environ.get("FORCE_COLOR"):
        return True
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def rich_console(stream: IO[Any], **settings: Any) -> Console:
    """A Rich console on ``stream`` that colours exactly when :func:`use_color` says."""
    from rich.console import Console

    color = use_color(stream)
    return Console(file=stream, force_terminal=color, no_color=not color, **settings)


def _set_quiet(context: Any, parameter: Any, value: bool) -> None:
    if value:
        OUTPUT.quiet = True


def _set_color(context: Any, parameter: Any, value: str | None) -> None:
    # None when not given: `slimage --color never lint` keeps what the root option said.
    if value is not None:
        OUTPUT.color = value


def shared_options() -> list[Any]:
    """The Click options every command gets; their values go to :data:`OUTPUT`."""
    from typer._types import TyperChoice
    from typer.core import TyperOption

    return [
        TyperOption(
            param_decls=["-q", "--quiet"],
            is_flag=True,
            default=False,
            expose_value=False,
            callback=_set_quiet,
            help="Print only findings, errors and failures: no summary, notes or progress.",
        ),
        TyperOption(
            param_decls=["--color"],
            type=TyperChoice(COLOR_CHOICES),
            default=None,
            expose_value=False,
            callback=_set_color,
            help="Colour the output: auto (a terminal, unless NO_COLOR is set; FORCE_COLOR "
            "forces it), always or never. Default: auto.",
        ),
    ]


def parse_build_arg(text: str) -> tuple[str, str]:
    """``--build-arg KEY=VALUE``; ``KEY`` alone takes the value from the environment, as
    ``docker build`` does."""
    from slimage.errors import UsageError

    key, sep, value = text.partition("=")
    if not key:
        raise UsageError(f"--build-arg: {text!r} is not KEY=VALUE")
    if not sep:
        return key, os.environ.get(key, "")
    return key, value
