"""``RUN --mount=...`` values, read as BuildKit reads them: one CSV record of ``key=value``
fields (the keys case-insensitive). The one reader of them: the stage graph (``from=``),
the context model (bind mounts of the context) and the cache rules (cache targets).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from slimage.dockerfile.model import Instruction

_TARGET_KEYS = ("target", "dst", "destination")


def mount_options(value: str) -> dict[str, str]:
    """The ``key=value`` fields of a ``--mount`` value (CSV, as BuildKit reads it)."""
    import csv  # only RUN --mount needs it: imported on first use, not at start-up

    try:
        fields = next(csv.reader([value]), [])
    except csv.Error:
        fields = value.split(",")
    options: dict[str, str] = {}
    for item in fields:
        key, _, option = item.partition("=")
        options[key.strip().lower()] = option
    return options


def cache_mount_targets(instruction: Instruction) -> list[str]:
    """The targets of the instruction's ``type=cache`` mounts (blanks and quotes around a
    value dropped: a lint reads what the author meant, the build decides if it parses)."""
    targets = []
    for value in instruction.flag_values("mount"):
        options = {k: v.strip().strip("\"'") for k, v in mount_options(value).items()}
        target = next((options[k] for k in _TARGET_KEYS if options.get(k)), "")
        if options.get("type", "bind") == "cache" and target:
            targets.append(target)
    return targets
