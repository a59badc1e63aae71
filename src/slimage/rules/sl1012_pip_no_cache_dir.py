from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, ClassVar

from slimage.dockerfile import spans
from slimage.rules import _edits, _stage_walk
from slimage.rules.base import Rule, Violation
from slimage.stacks.caches import has_cache_mount

if TYPE_CHECKING:
    from slimage.dockerfile.run_commands import ShellCommand as Command
    from slimage.rules.context import LintContext

FLAG = "--no-cache-dir"
_FALSE = ("", "0", "false", "no", "off")


class PipNoCacheDir(Rule):
    """
    What it does
    ------------
    Flags `pip install` in the image's layers without `--no-cache-dir`, unless
    `PIP_NO_CACHE_DIR` is set or a cache is mounted on pip's cache directory.

    Why is this bad?
    ----------------
    pip keeps every wheel it downloads or builds in `~/.cache/pip`. In an image that
    cache is never used again, and it is often as large as the installed packages.

    Example
    -------
    ```dockerfile
    RUN pip install -r requirements.txt
    ```

    Use instead
    -----------
    ```dockerfile
    RUN pip install --no-cache-dir -r requirements.txt
    ```
    or, in a build stage, `RUN --mount=type=cache,target=/root/.cache/pip pip install ...`.

    Fix safety
    ----------
    The fix inserts `--no-cache-dir` after `install`; the same packages are installed.
    """

    code: ClassVar[str] = "SL1012"
    name: ClassVar[str] = "pip-no-cache-dir"
    title: ClassVar[str] = "Use pip install --no-cache-dir"
    hadolint: ClassVar[tuple[str, ...]] = ("DL3042",)
    fix_safety: ClassVar[str] = "safe"

    def check(self, context: LintContext) -> Iterator[Violation]:
        for stage in _stage_walk.image_layer_stages(context):
            for instruction in context.runs_running(stage, _may_run_pip):
                if has_cache_mount(instruction, "pip"):
                    continue
                env = _stage_walk.env_before(context, instruction)
                if env.get("PIP_NO_CACHE_DIR", "").strip().lower() not in _FALSE:
                    continue
                for command in _stage_walk.commands(context, instruction):
                    if not _is_pip_install(command) or command.has_option(FLAG):
                        continue
                    if any(w.startswith("PIP_NO_CACHE_DIR=") for w in command.words):
                        continue
                    edit = _edits.insert_after_subcommand(
                        context.dockerfile, command, ("install",), FLAG
                    )
                    yield Violation(
                        message="`pip install` without `--no-cache-dir` keeps pip's cache",
                        span=spans.command_span(context.dockerfile, instruction, command),
                        help=f"add `{FLAG}` after `pip install`",
                        fix=_edits.fix(f"Add `{FLAG}`", edit),
                    )


def _may_run_pip(program: str) -> bool:
    """False when no command running ``program`` is a :func:`_is_pip_install`."""
    return program in ("pip", "pip3") or program.startswith(("pip3.", "python"))


def _is_pip_install(command: Command) -> bool:
    argv = command.argv
    if command.program in ("pip", "pip3") or command.program.startswith("pip3."):
        return command.subcommand == "install"
    if command.program.startswith("python") and argv[1:3] == ["-m", "pip"]:
        rest = [w for w in argv[3:] if not w.startswith("-")]
        return bool(rest) and rest[0] == "install"
    return False
