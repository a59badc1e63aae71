"""``podman build``: buildah's builder behind podman's command line, no daemon.

The image lands in podman's storage (tagged when ``-t`` is given, so ``podman run`` finds
it) and is written out with ``podman save --format oci-archive``.
"""

from __future__ import annotations

from typing import TextIO

from slimage.build._cli import build_with_cli, find_tool
from slimage.build.base import BuildRequest, BuiltImage
from slimage.errors import ToolError


class PodmanBuilder:
    name = "podman"

    def available(self) -> str | None:
        return None if find_tool("podman") else "podman is not installed"

    def build(self, request: BuildRequest, progress: TextIO | None) -> BuiltImage:
        tool = find_tool("podman")
        if tool is None:
            raise ToolError("podman is not installed (apt-get install podman)")
        return build_with_cli(
            tool,
            self.name,
            ["build", "--layers", "--force-rm"],
            ["save", "--quiet", "--format", "oci-archive", "-o", "{archive}", "{id}"],
            request,
            progress,
        )
