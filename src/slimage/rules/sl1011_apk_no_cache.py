from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, ClassVar

from slimage.dockerfile import spans
from slimage.rules import _edits, _stage_walk
from slimage.rules.base import Rule, Violation
from slimage.stacks.caches import has_cache_mount

if TYPE_CHECKING:
    from slimage.rules.context import LintContext

APK_CACHE = "/var/cache/apk"
# The APKINDEX files of main + community for one Alpine release, about 2.5 MB.
TYPICAL_INDEX_BYTES = 2_500_000


class ApkNoCache(Rule):
    """
    What it does
    ------------
    Flags `apk add` in the image's layers without `--no-cache`, unless the RUN removes
    `/var/cache/apk` itself or mounts a cache there. `apk add --no-network` (installing
    from what is already on disk, as the official images do for run-time dependencies
    after a build) fetches no index and leaves nothing behind, so it passes.

    Why is this bad?
    ----------------
    `apk add` (and `apk update`) store the repository indexes under `/var/cache/apk`,
    a few megabytes per repository that the image never uses again. `--no-cache`
    fetches the index into memory and leaves nothing behind; it also makes a separate
    `apk update` unnecessary.

    Example
    -------
    ```dockerfile
    RUN apk update && apk add curl
    ```

    Use instead
    -----------
    ```dockerfile
    RUN apk add --no-cache curl
    ```

    Fix safety
    ----------
    The fix inserts `--no-cache` after `add`; the same packages are installed. When the
    RUN also runs `apk update`, no fix is offered (the update would still leave its index
    behind): drop the `apk update` by hand.
    """

    code: ClassVar[str] = "SL1011"
    name: ClassVar[str] = "apk-no-cache"
    title: ClassVar[str] = "Use apk add --no-cache"
    hadolint: ClassVar[tuple[str, ...]] = ("DL3019",)
    fix_safety: ClassVar[str] = "safe"

    def check(self, context: LintContext) -> Iterator[Violation]:
        for stage in _stage_walk.image_layer_stages(context):
            for instruction in context.runs_running(stage, lambda program: program == "apk"):
                commands = [
                    c for c in _stage_walk.commands(context, instruction) if c.program == "apk"
                ]
                # --no-network: apk reads only what is on disk and writes no index.
                adds = [
                    c
                    for c in commands
                    if c.subcommand == "add" and not c.has_option("--no-cache", "--no-network")
                ]
                if not adds:
                    continue
                if has_cache_mount(instruction, "apk") or _stage_walk.removes_path(
                    context, instruction, APK_CACHE
                ):
                    continue
                updates = any(
                    c.subcommand == "update" and not c.has_option("--no-cache") for c in commands
                )
                for command in adds:
                    edit = (
                        None
                        if updates
                        else _edits.insert_after_subcommand(
                            context.dockerfile, command, ("add",), "--no-cache"
                        )
                    )
                    yield Violation(
                        message="`apk add` without `--no-cache` leaves the package index behind",
                        span=spans.command_span(context.dockerfile, instruction, command),
                        help="use `apk add --no-cache` (and drop `apk update`)"
                        if updates
                        else "use `apk add --no-cache`",
                        fix=_edits.fix("Add `--no-cache`", edit),
                        bytes_saved=TYPICAL_INDEX_BYTES,
                        bytes_estimated=True,
                    )
