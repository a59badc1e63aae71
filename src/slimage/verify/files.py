"""Reading one path of a mounted image root as a one-member tar, the way ``podman cp
CONTAINER:PATH -`` starts, but with the ownership the image records (``podman cp`` reports
files as owned by the container's user).

Every path is resolved inside the root: a symbolic link on the way (``/bin`` -> ``usr/bin``
on merged-/usr systems, or an absolute one) never leads out of the image. The last
component is not followed; the structure tests follow it themselves.
"""

from __future__ import annotations

import io
import os
import posixpath
import tarfile

SYMLINK_HOPS = 40
FILE_LIMIT = 16 << 20  # bytes of one file copied out (as much as a content test reads)


def resolve_inside(root: str, path: str) -> str | None:
    """``path`` of the image mounted at ``root`` as a host path; None when something on
    the way does not exist."""
    parts = [part for part in path.split("/") if part not in ("", ".")]
    resolved: list[str] = []
    hops = 0
    while parts:
        part = parts.pop(0)
        if part == "..":
            if resolved:
                resolved.pop()
            continue
        host = os.path.join(root, *resolved, part)
        if not os.path.lexists(host):
            return None
        if os.path.islink(host) and parts:
            hops += 1
            if hops > SYMLINK_HOPS:
                return None
            target = os.readlink(host)
            if target.startswith("/"):
                resolved = []
            parts = [piece for piece in target.split("/") if piece not in ("", ".")] + parts
            continue
        resolved.append(part)
    return os.path.join(root, *resolved)


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
