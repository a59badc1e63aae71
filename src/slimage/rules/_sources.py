"""ADD and COPY sources: URLs, git, archives, paths of the build context; image-looking
``--from`` values. :func:`looks_like_tar_archive` is the one I/O edge (the build context)."""

from __future__ import annotations

import posixpath
import re
from pathlib import Path
from typing import TYPE_CHECKING

from slimage.limits import path_is_file

if TYPE_CHECKING:
    from slimage.dockerfile.model import Instruction


# --- ADD / COPY sources --------------------------------------------------------------------

_ARCHIVE_SUFFIXES = (
    ".tar",
    ".tar.gz",
    ".tgz",
    ".tar.bz2",
    ".tbz",
    ".tbz2",
    ".tar.xz",
    ".txz",
    ".tar.zst",
    ".tzst",
    ".tar.lz",
    ".tar.lzma",
    ".tlz",
    ".gz",
    ".bz2",
    ".xz",
    ".zst",
)


def is_url(source: str) -> bool:
    return re.match(r"^[A-Za-z][A-Za-z0-9+.\-]*://", source) is not None


def is_git_source(source: str) -> bool:
    """A git repository as ADD accepts it (``git@host:repo``, ``*.git``, ``git://``)."""
    return (
        source.startswith(("git@", "git://"))
        or re.match(r"^https?://[^#]+\.git(?:#.*)?$", source) is not None
    )


def is_archive_name(source: str) -> bool:
    return source.lower().endswith(_ARCHIVE_SUFFIXES)


def copy_sources(instruction: Instruction) -> tuple[list[str], str | None]:
    """(sources, destination) of a COPY/ADD; heredoc sources are named as written."""
    args = list(instruction.args)
    if len(args) < 2:
        return args, None
    return args[:-1], args[-1]


def looks_like_tar_archive(path: Path) -> bool | None:
    """Whether a build-context file starts like a tar archive ADD would extract.

    ADD extracts by content, not by name (identity, gzip, bzip2 or xz compressed tar), so
    only the bytes answer. None when the file cannot be read.
    """
    if not path_is_file(path):  # never open a FIFO (it would block) or a device
        return None
    try:
        with path.open("rb") as handle:
            head = handle.read(512)
    except OSError:
        return None
    compressed = (b"\x1f\x8b", b"BZh", b"\xfd7zXZ\x00", b"\x28\xb5\x2f\xfd")
    if head.startswith(compressed):
        return True  # could be a compressed tar; ADD would try to extract it
    return len(head) >= 262 and head[257:262] == b"ustar"


# --- COPY/ADD from the build context --------------------------------------------------------


def context_sources(instruction: Instruction) -> list[str]:
    """The sources a COPY/ADD takes from the build context (none for --from, heredocs, URLs)."""
    if instruction.keyword not in ("COPY", "ADD") or instruction.flag("from") is not None:
        return []
    if len(instruction.args) < 2:
        return []
    heredoc_names = {h.name for h in instruction.heredocs}
    sources = []
    for source in instruction.args[:-1]:
        if source.startswith("<<") and source.lstrip("<-").strip("'\"") in heredoc_names:
            continue
        if instruction.keyword == "ADD" and ("://" in source or source.startswith("git@")):
            continue
        sources.append(source)
    return sources


def normalize_context_path(source: str) -> str:
    """A COPY source as a context-relative path: "./src/" -> "src", "." -> "."."""
    normalized = posixpath.normpath("/" + source.strip()).lstrip("/")
    return normalized or "."


def is_whole_context(source: str) -> bool:
    return normalize_context_path(source) in (".", "*")


# --- image references ----------------------------------------------------------------------


def looks_like_image_ref(text: str) -> bool:
    """Whether ``--from=text`` reads as an image (a tag, digest, registry or namespace)."""
    return any(c in text for c in ":@/.")
