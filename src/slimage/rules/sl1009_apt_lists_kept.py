from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, ClassVar

from slimage.dockerfile import spans
from slimage.rules import _edits, _stage_walk
from slimage.rules.base import Rule, Violation
from slimage.stacks.caches import mounts_cover
from slimage.stacks.packages import package_manager, runs_package_manager

if TYPE_CHECKING:
    from slimage.dockerfile.model import Instruction
    from slimage.rules.context import LintContext

LISTS = "/var/lib/apt/lists"
REMOVE_LISTS = "rm -rf /var/lib/apt/lists/*"
# `apt-get update` on Debian bookworm writes about 20 MB of package lists (more with
# extra suites or Ubuntu's universe): a typical figure, hence an estimate.
TYPICAL_LISTS_BYTES = 20 * _stage_walk.MEGABYTE


class AptListsKept(Rule):
    """
    What it does
    ------------
    Flags a RUN in the image's layers that runs `apt-get update` or `apt-get install`
    and leaves `/var/lib/apt/lists` behind.

    Why is this bad?
    ----------------
    `apt-get update` downloads the package indexes of every configured suite, tens of
    megabytes that nothing needs once the packages are installed. Removing them in a
    later RUN does not help: the bytes stay in the earlier layer. A BuildKit cache mount
    on `/var/lib/apt` keeps them out of the layer altogether.

    Example
    -------
    ```dockerfile
    RUN apt-get update && apt-get install -y --no-install-recommends curl
    ```

    Use instead
    -----------
    ```dockerfile
    RUN apt-get update && apt-get install -y --no-install-recommends curl \\
        && rm -rf /var/lib/apt/lists/*
    ```
    or
    ```dockerfile
    RUN --mount=type=cache,target=/var/cache/apt \\
        --mount=type=cache,target=/var/lib/apt,sharing=locked \\
        apt-get update && apt-get install -y --no-install-recommends curl
    ```

    Fix safety
    ----------
    The fix appends `&& rm -rf /var/lib/apt/lists/*` after the last command of the RUN
    (or as the last line of a `RUN <<EOF` script). It is safe unless a later RUN of the
    image installs packages without running `apt-get update` again: that install would
    then fail, so in that case the fix is marked unsafe. No fix is offered when the last
    command sits inside a loop or conditional, or the RUN is in exec form.
    """

    code: ClassVar[str] = "SL1009"
    name: ClassVar[str] = "apt-lists-kept"
    title: ClassVar[str] = "Remove the apt lists in the same RUN that downloads them"
    hadolint: ClassVar[tuple[str, ...]] = ("DL3009",)
    fix_safety: ClassVar[str] = "safe"

    def check(self, context: LintContext) -> Iterator[Violation]:
        apt_runs = [
            instruction
            for stage in _stage_walk.image_layer_stages(context)
            for instruction in context.runs_running(stage, runs_package_manager)
        ]
        # Removing the lists is unsafe before a later RUN that installs without an update
        # of its own: found once, as the last such RUN of the image.
        last_bare_install = max(
            (
                n
                for n, instruction in enumerate(apt_runs)
                if _installs_without_update(context, instruction)
            ),
            default=-1,
        )
        for n, instruction in enumerate(apt_runs):
            updates = [
                c
                for c in _stage_walk.commands(context, instruction)
                if package_manager(c) == "apt" and c.subcommand == "update"
            ]
            # Only `update` writes the lists: the official images ship them empty.
            if not updates or mounts_cover(instruction, LISTS):
                continue
            if _stage_walk.removes_path(context, instruction, LISTS):
                continue
            first = updates[0]
            edit = _edits.append_to_run(context, instruction, REMOVE_LISTS)
            later_install = n < last_bare_install
            yield Violation(
                message="apt lists from `apt-get update` stay in this layer",
                span=spans.command_span(context.dockerfile, instruction, first),
                help=f"end the RUN with `&& {REMOVE_LISTS}` or mount a cache on /var/lib/apt",
                fix=_edits.fix("Remove the apt lists", edit, safe=not later_install),
                bytes_saved=TYPICAL_LISTS_BYTES,
                bytes_estimated=True,
            )


def _installs_without_update(context: LintContext, instruction: Instruction) -> bool:
    """Whether the RUN installs with apt and has no update of its own."""
    subs = [
        c.subcommand
        for c in _stage_walk.commands(context, instruction)
        if package_manager(c) == "apt"
    ]
    return "install" in subs and "update" not in subs
