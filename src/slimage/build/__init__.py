"""``slimage build``: build with the machine's own builder, then read the result.

One small interface (:class:`~slimage.build.base.Builder`) and one module per back-end:
:mod:`~slimage.build.docker` (the Docker Engine API, BuildKit through ``docker buildx``
when the CLI has it), :mod:`~slimage.build.podman` and :mod:`~slimage.build.buildah`.
``auto`` takes the first that can build here, in that order. Library use::

    from slimage.build import BuildRequest, build_image

    built = build_image(BuildRequest(context=Path(".")), builder="auto")
    image = open_image(built.reference)   # then analyze_image(image)
    built.cleanup()                       # the exported archive
"""

from __future__ import annotations

from typing import TextIO

from slimage.build.base import Builder, BuildRequest, BuiltImage
from slimage.errors import ToolError, UsageError

BUILDERS = ("auto", "docker", "podman", "buildah")

__all__ = ["BUILDERS", "BuildRequest", "Builder", "BuiltImage", "build_image", "choose_builder"]


def _make(name: str) -> Builder:
    if name == "docker":
        from slimage.build.docker import DockerBuilder

        return DockerBuilder()
    if name == "podman":
        from slimage.build.podman import PodmanBuilder

        return PodmanBuilder()
    from slimage.build.buildah import BuildahBuilder

    return BuildahBuilder()


def choose_builder(name: str = "auto") -> Builder:
    """The back-end ``name`` names, or for ``auto`` the first available of docker,
    podman, buildah; ToolError (exit 5) saying why when none can build here."""
    if name not in BUILDERS:
        raise UsageError(f"--builder: {name!r} is not one of {', '.join(BUILDERS)}")
    if name != "auto":
        builder = _make(name)
        reason = builder.available()
        if reason is not None:
            raise ToolError(f"--builder {name}: {reason}")
        return builder
    reasons = []
    for candidate in BUILDERS[1:]:
        builder = _make(candidate)
        reason = builder.available()
        if reason is None:
            return builder
        reasons.append(reason)
    raise ToolError("no builder found: " + "; ".join(reasons))


def build_image(
    request: BuildRequest, builder: str = "auto", progress: TextIO | None = None
) -> BuiltImage:
    """Build ``request`` with ``builder`` (see :func:`choose_builder`), streaming the
    builder's output to ``progress``; the result's ``reference`` is what
    :func:`slimage.image.open.open_image` reads. Call ``cleanup()`` when done with it."""
    if builder not in BUILDERS:
        raise UsageError(f"--builder: {builder!r} is not one of {', '.join(BUILDERS)}")
    if not request.context.is_dir():
        raise UsageError(f"{request.context}: the build context is not a directory")
    dockerfile = request.dockerfile or request.context / "Dockerfile"
    if not dockerfile.is_file():
        raise UsageError(f"{dockerfile}: no such Dockerfile")
    return choose_builder(builder).build(request, progress)
