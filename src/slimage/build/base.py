"""What every builder back-end shares: the request, the result and the protocol.

A back-end (:mod:`slimage.build.docker`, :mod:`slimage.build.podman`,
:mod:`slimage.build.buildah`) runs the machine's own builder, streams its progress to a
text stream and leaves the result somewhere :func:`slimage.image.open.open_image` reads
without a daemon round trip where the builder allows (an OCI archive written by the
builder itself). Nothing here builds an image by hand.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, TextIO


@dataclass(frozen=True)
class BuildRequest:
    """One ``docker build``: the context, the Dockerfile and the usual options."""

    context: Path
    dockerfile: Path | None = None  # default: CONTEXT/Dockerfile
    tags: tuple[str, ...] = ()
    build_args: tuple[tuple[str, str], ...] = ()
    target: str | None = None
    platform: str | None = None


@dataclass
class BuiltImage:
    """A finished build: where to read it and what it took."""

    builder: str  # "docker", "docker-buildx", "podman" or "buildah"
    reference: str  # what open_image reads now: the archive the builder exported
    image_id: str
    tags: tuple[str, ...]
    seconds: float
    # Where the image stays once the archive is gone, as open_image names it
    # (containers-storage:TAG, docker-daemon:ID): the analysis reports this source.
    location: str = ""
    # Files and directories the export wrote (removed by BuiltImage.cleanup once the image is read).
    temporary: list[Path] = field(default_factory=list)

    def cleanup(self) -> None:
        for path in self.temporary:
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
        self.temporary.clear()


class Builder(Protocol):
    """One back-end: whether it can build here, and the build itself."""

    @property
    def name(self) -> str:
        """``docker``, ``podman`` or ``buildah`` (what ``--builder`` names)."""

    def available(self) -> str | None:
        """None when it can build on this machine, else why not (one line)."""

    def build(self, request: BuildRequest, progress: TextIO | None) -> BuiltImage:
        """Build ``request``, writing the builder's own output to ``progress`` as it
        comes; raise :class:`slimage.errors.ToolError` naming the failing step."""
