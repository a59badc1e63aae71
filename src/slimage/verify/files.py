"""Reading one path of a mounted image root as a one-member tar, the way ``podman cp
CONTAINER:PATH -`` starts, but with the ownership the image records (``podman cp`` reports
files as owned by the container's user).

Every path is resolved inside the root: a symbolic link on the way (``/bin`` -> ``usr/bin``
on merged-/usr systems, or an absolute one) never leads out of the image. The last
component is not followed; the structure tests follow it themselves. The walk itself is
``slimage.symlinks.resolve_path``'s, shared with the analysis.
"""

from __future__ import annotations

import io
import os
import posixpath
import tarfile

from slimage.symlinks import MISSING, OTHER, Component, Kind, resolve_path

FILE_LIMIT = 16 << 20  # bytes of one file copied out (as much as a content test reads)


def resolve_inside(root: str, path: str) -> str | None:
    """``path`` of the image mounted at ``root`` as a host path; None when something on
    the way does not exist."""

    def lookup(components: tuple[str, ...]) -> Component:
        host = os.path.join(root, *components)
        if not os.path.lexists(host):
            return MISSING
        if os.path.islink(host):
            return Component(Kind.SYMLINK, os.readlink(host))
        return OTHER

    found = resolve_path(path, lookup, follow_last=False, implicit_dirs=False)
    return None if found is None else os.path.join(root, *found)


def member_tar(root: str, path: str) -> io.BytesIO:
    """A tar holding ``path`` alone (a regular file with its first FILE_LIMIT bytes);
    empty when the path does not exist."""
    buffer = io.BytesIO()
    found = resolve_inside(root, path)
    if found is not None:
        with tarfile.open(fileobj=buffer, mode="w") as archive:
            info = archive.gettarinfo(found, arcname=posixpath.basename(path) or ".")
            if info.isreg():
                with open(found, "rb") as handle:
                    data = handle.read(FILE_LIMIT)
                info.size = len(data)
                archive.addfile(info, io.BytesIO(data))
            else:
                archive.addfile(info)
    buffer.seek(0)
    return buffer
