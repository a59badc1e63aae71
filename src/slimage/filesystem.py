"""The records that flow from the image readers into the analysis.

``image/`` streams each layer's tar entries and turns them into :class:`FileRecord` s;
``analysis/`` applies whiteouts, measures hidden bytes and classifies what remains. Paths
are normalised: relative to the image root, no leading "/", no "." or ".." parts, "/" as
separator (``usr/bin/gcc``).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class FileKind(enum.Enum):
    FILE = "file"
    DIR = "dir"
    SYMLINK = "symlink"
    HARDLINK = "hardlink"
    CHAR = "char"
    BLOCK = "block"
    FIFO = "fifo"


@dataclass(slots=True)
class FileRecord:
    """One path of an image's filesystem: kind, size, mode, owner and the layer that wrote it."""

    path: str
    kind: FileKind
    size: int  # content bytes (0 for anything but regular files)
    mode: int  # permission and setuid/setgid/sticky bits
    uid: int
    gid: int
    layer_index: int  # the layer that wrote this entry
    link_target: str = ""  # symlink target, or hard-link target path
    digest: str | None = None  # content hash, when the reader computed one (duplicates)
