"""A path of an image followed through its symbolic links, never out of the image.

One walk for whatever holds the image's files: the analysis's records of the final
filesystem (``analysis/runtime.py``) and a root filesystem mounted on the host
(``verify/files.py``) each say, through a lookup, what one component is; :func:`resolve_path`
does the rest. The walk goes a component at a time from the image root: ``..`` climbs
one level and stays at the root when it is there already, a symbolic link's target takes
its place (an absolute target starts again at the image root, never the host's), and a
chain of more than :data:`MAX_SYMLINK_HOPS` links is taken for a loop. The lookup is only
ever asked about plain names below the root: no ``..``, ``.``, empty or absolute
component reaches it.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass

# Links followed for one path before it is taken for a loop (Linux's MAXSYMLINKS).
MAX_SYMLINK_HOPS = 40


class Kind(enum.Enum):
    MISSING = "missing"
    SYMLINK = "symlink"
    HARDLINK = "hardlink"  # a tar's hard link: its target is a path from the image root
    OTHER = "other"  # a directory, a regular file, a device: the walk goes no further


@dataclass(frozen=True, slots=True)
class Component:
    """What one path component is, as the lookup finds it."""

    kind: Kind
    target: str = ""  # a link's target, as recorded


MISSING = Component(Kind.MISSING)
OTHER = Component(Kind.OTHER)

# Components of a path below the image root (each a plain name) -> what the last one is.
Lookup = Callable[[tuple[str, ...]], Component]


def _pieces(path: str) -> list[str]:
    return [piece for piece in path.split("/") if piece not in ("", ".")]


def _normalised(path: str) -> list[str]:
    """``path`` as components below the root, ``..`` climbing no higher than the root."""
    out: list[str] = []
    for piece in _pieces(path):
        if piece != "..":
            out.append(piece)
        elif out:
            out.pop()
    return out


def resolve_path(
    path: str, lookup: Lookup, *, follow_last: bool, implicit_dirs: bool
) -> list[str] | None:
    """The components below the image root that ``path`` names once the symbolic links on
    the way are followed; None when it does not exist or the links loop.

    ``follow_last``: the last component is followed too (a symbolic link to its target,
    a hard link to the path it links to); else it is left as it is, link or not.
    ``implicit_dirs``: a missing component before the last is a directory the listing did
    not hold (a layer tar need not list parents); else the path does not exist. A missing
    last component always means the path does not exist.
    """
    parts = _pieces(path)
    resolved: list[str] = []
    hops = 0
    while parts:
        part = parts.pop(0)
        if part == "..":
            if resolved:
                resolved.pop()
            continue
        candidate = (*resolved, part)
        found = lookup(candidate)
        last = not parts
        if found.kind is Kind.MISSING:
            if last or not implicit_dirs:
                return None
        elif found.kind is Kind.SYMLINK and (follow_last or not last):
            hops += 1
            if hops > MAX_SYMLINK_HOPS:
                return None  # a loop
            if found.target.startswith("/"):
                resolved = []
            parts = _pieces(found.target) + parts
            continue
        elif found.kind is Kind.HARDLINK and follow_last and last:
            return _normalised(found.target) or list(candidate)
        resolved.append(part)
    return resolved
