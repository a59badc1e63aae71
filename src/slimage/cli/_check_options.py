"""The options that say how an image is put to work, defined once for the commands that
build or run images (``build``, ``verify``, ``rewrite --verify``), and what they become.

``rewrite`` offers the same options prefixed "With --verify:" in their help (they mean
nothing without it); :func:`verify_spec` turns the checks into the
:class:`~slimage.verify.VerifySpec` both commands run, failing on a broken
container-structure-test file before anything is built or started.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

if TYPE_CHECKING:
    from slimage.verify.model import VerifySpec

_HTTP_HELP = ":PORT/PATH[=STATUS]: GET PATH on PORT until it answers"
_HTTP_EXPECTED = "(default status: any 2xx or 3xx). Repeatable."
_CMD_HELP = "A command run in the container (split like a shell, no shell run);"
_CMD_EXPECTED = "exit 0 expected. Repeatable."
_EXPECT_STDOUT_HELP = "A regex the image's own output (its entry point's stdout) must match."
_CONFIG_HELP = "A container-structure-test file (YAML or JSON, schemaVersion 2.0.0)."
_BUILDER_HELP = (
    "auto (the Docker Engine API if one answers, else podman, else buildah), docker, "
    "podman or buildah."
)
_BUILD_ARG_HELP = "KEY=VALUE for an ARG (KEY alone: its value from the environment). Repeatable."


def http_option(prefix: str = "", expected: str = _HTTP_EXPECTED) -> Any:
    """``--http``; ``expected`` says what answer passes (``verify``: a 2xx or 3xx status)."""
    return typer.Option(
        None, "--http", help=_help(prefix, _HTTP_HELP, expected), show_default=False
    )


def cmd_option(prefix: str = "", expected: str = _CMD_EXPECTED) -> Any:
    """``--cmd``; ``expected`` says what result passes (``verify``: exit status 0)."""
    return typer.Option(None, "--cmd", help=_help(prefix, _CMD_HELP, expected), show_default=False)


def expect_stdout_option(prefix: str = "") -> Any:
    return typer.Option(
        None, "--expect-stdout", help=_help(prefix, _EXPECT_STDOUT_HELP), show_default=False
    )


def config_option(prefix: str = "") -> Any:
    return typer.Option(None, "--config", help=_help(prefix, _CONFIG_HELP), show_default=False)


def timeout_option(prefix: str = "") -> Any:
    return typer.Option(
        60.0,
        "--timeout",
        help=_help(prefix, "Seconds the checks get, counted from when the container runs."),
    )


def builder_option(prefix: str = "") -> Any:
    return typer.Option("auto", "--builder", help=_help(prefix, _BUILDER_HELP))


def build_arg_option(prefix: str = "") -> Any:
    return typer.Option(
        None, "--build-arg", help=_help(prefix, _BUILD_ARG_HELP), show_default=False
    )


def verify_spec(
    http: list[str] | None,
    cmd: list[str] | None,
    expect_stdout: str | None,
    config: Path | None,
    timeout: float,
) -> VerifySpec:
    """The checks as one spec; a bad probe or structure-test file fails here, first."""
    from slimage.verify import HttpProbe, VerifySpec

    if config is not None:
        from slimage.verify.structure import load_structure_tests

        load_structure_tests(config)
    return VerifySpec(
        http=tuple(HttpProbe.parse(item) for item in http or ()),
        commands=tuple(cmd or ()),
        expect_stdout=expect_stdout,
        structure_tests=config,
        timeout=timeout,
    )


def _help(prefix: str, text: str, expected: str = "") -> str:
    """The help text; after a prefix a sentence goes on in lower case ("With --verify: a
    regex ..."), a name in capitals (KEY=VALUE) stays as it is."""
    if prefix and text[:1].isupper() and not text[1:2].isupper():
        text = text[0].lower() + text[1:]
    return " ".join(part for part in (prefix, text, expected) if part)
