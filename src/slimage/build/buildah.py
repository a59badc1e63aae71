"""``buildah bud``: builds without a daemon, into containers-storage.

buildah reads ``STORAGE_DRIVER`` (``vfs`` where overlay cannot be mounted, as in most
containers and CI runners) and ``BUILDAH_ISOLATION`` (``chroot`` when it cannot create
namespaces) from the environment itself; slimage passes the environment through. The
image is written out with ``buildah push ID oci-archive:FILE``.
"""

from __future__ import annotations

from typing import TextIO

from slimage.build._cli import build_with_cli, find_tool
from slimage.build.base import BuildRequest, BuiltImage
from slimage.errors import ToolError


class BuildahBuilder:
    name = "buildah"

    def available(self) -> str | None:
        return None if find_tool("buildah") else "buildah is not installed"

    def build(self, request: BuildRequest, progress: TextIO | None) -> BuiltImage:
        tool = find_tool("buildah")
        if tool is None:
            raise ToolError("buildah is not installed (apt-get install buildah)")
        return build_with_cli(
            tool,
            self.name,
            ["bud", "--layers", "--force-rm"],
            ["push", "--quiet", "{id}", "oci-archive:{archive}"],
            request,
            progress,
        )
