"""The Typer application object that every command module registers on.

Every command is a :class:`SlimageCommand` (and ``slimage`` itself a :class:`SlimageGroup`),
which give all of them, without each declaring it:

- the shared options of :mod:`slimage.cli._options` (``-q/--quiet``, ``--color``);
- command-line mistakes (an unknown option, a missing argument) as one line,
  ``slimage: error: ...`` with a hint to ``--help``, exit 2, instead of Click's usage block;
- help text shown as written: brackets such as ``[tool.slimage.images]`` are not taken
  for Rich markup.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import typer
from typer.core import TyperCommand, TyperGroup
from typer.models import CommandFunctionType


def _usage_error(error: Any, context: Any) -> Exception:
    """Click's UsageError as slimage's: one line naming the fix, exit 2."""
    from slimage.errors import UsageError

    command_path = context.command_path if context is not None else "slimage"
    message = error.format_message().rstrip(".")
    return UsageError(f"{message} (see '{command_path} --help')")


def _escape_help(command: Any) -> None:
    """Escape Rich markup in ``command``'s help texts, once, when help is shown."""
    if getattr(command, "_slimage_escaped", False):
        return
    from rich.markup import escape

    command._slimage_escaped = True
    for attribute in ("help", "short_help", "epilog"):
        text = getattr(command, attribute, None)
        if text:
            setattr(command, attribute, escape(text))
    for parameter in command.params:
        if getattr(parameter, "help", None):
            parameter.help = escape(parameter.help)


class _SlimageParsing:
    """What commands and the group share: the options, the errors, the help."""

    def _add_shared_options(self: Any) -> None:
        """Append the shared options, except one the command declares itself (its own
        ``--quiet`` then decides, with the meaning its help gives)."""
        from slimage.cli._options import shared_options

        declared = {flag for parameter in self.params for flag in parameter.opts}
        self.params.extend(
            option for option in shared_options() if not declared.intersection(option.opts)
        )

    def make_context(self, info_name: Any, args: Any, parent: Any = None, **extra: Any) -> Any:
        from typer import _click

        try:
            return super().make_context(info_name, args, parent=parent, **extra)  # type: ignore[misc]
        except _click.exceptions.NoArgsIsHelpError:
            raise
        except _click.exceptions.UsageError as error:
            raise _usage_error(error, error.ctx) from None

    def format_help(self, ctx: Any, formatter: Any) -> None:
        _escape_help(self)
        for command in getattr(self, "commands", {}).values():
            _escape_help(command)
        super().format_help(ctx, formatter)  # type: ignore[misc]


class SlimageCommand(_SlimageParsing, TyperCommand):
    """A slimage command: shared options, one-line usage errors, help as written."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._add_shared_options()


class SlimageGroup(_SlimageParsing, TyperGroup):
    """``slimage`` itself: as :class:`SlimageCommand`, and unknown command names too."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._add_shared_options()

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        from typer import _click

        try:
            return super().resolve_command(ctx, args)
        except _click.exceptions.UsageError as error:
            raise _usage_error(error, ctx) from None


class SlimageTyper(typer.Typer):
    """A Typer whose commands are :class:`SlimageCommand` unless they say otherwise: the
    application, and any group of subcommands added to it (give it ``cls=SlimageGroup``
    or a subclass)."""

    def command(
        self, name: str | None = None, *, cls: type[TyperCommand] | None = None, **kwargs: Any
    ) -> Callable[[CommandFunctionType], CommandFunctionType]:
        return super().command(name, cls=cls or SlimageCommand, **kwargs)


@dataclass(slots=True)
class _State:
    """Global options every command shares (set by the root callback)."""

    debug: bool = False


state = _State()

app = SlimageTyper(
    name="slimage",
    cls=SlimageGroup,
    help=(
        "Explain, lint and shrink container images.\n\n"
        "Exit codes: 0 ok; 1 findings at or above the fail level, a size gate or a check "
        "failed; 2 usage or configuration error; 3 an input (Dockerfile, image, context) "
        "cannot be used; 4 internal error (a bug in slimage); 5 an external tool (builder, "
        "container runtime) is missing or failed."
    ),
    no_args_is_help=True,
    add_completion=True,
    context_settings={"help_option_names": ["-h", "--help"]},
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)


def _version_callback(value: bool) -> None:
    if value:
        from slimage import __version__

        typer.echo(f"slimage {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: bool = typer.Option(
        False,
        "--version",
        callback=_version_callback,
        is_eager=True,
        help="Print the version and exit.",
    ),
    debug: bool = typer.Option(
        False,
        "--debug",
        help="On an internal error, print the traceback (also SLIMAGE_DEBUG=1).",
    ),
) -> None:
    """Explain, lint and shrink container images."""
    state.debug = debug
