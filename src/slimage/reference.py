"""Image references as Docker resolves them (distribution/reference's normalisation).

``nginx`` is ``docker.io/library/nginx:latest``; ``team/app`` is ``docker.io/team/app``;
the first path component is a registry host only when it has a ``.`` or a ``:`` or is
``localhost``. A reference names a tag, a digest, or both (the digest wins).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from slimage.errors import UsageError

DOCKER_HUB = "docker.io"
# Docker Hub's registry API lives on another host than its name.
DOCKER_HUB_API = "registry-1.docker.io"

_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_REPOSITORY = re.compile(rf"^{_COMPONENT}(?:/{_COMPONENT})*$")
_TAG = re.compile(r"^[\w][\w.-]{0,127}$")
_DIGEST = re.compile(r"^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$")
_HOST = re.compile(r"^(?:[a-zA-Z0-9-]+(?:\.[a-zA-Z0-9-]+)*|\[[0-9a-fA-F:]+\])(?::\d+)?$")


@dataclass(frozen=True)
class Reference:
    """An image reference normalised as Docker does: registry, repository, tag and digest."""

    registry: str  # "docker.io", "127.0.0.1:5000", "ghcr.io"
    repository: str  # "library/nginx"
    tag: str | None = None
    digest: str | None = None

    @property
    def api_host(self) -> str:
        return DOCKER_HUB_API if self.registry == DOCKER_HUB else self.registry

    @property
    def reference(self) -> str:
        """What to ask the manifests endpoint for: the digest, else the tag."""
        return self.digest or self.tag or "latest"

    def __str__(self) -> str:
        text = f"{self.registry}/{self.repository}"
        if self.tag:
            text += f":{self.tag}"
        if self.digest:
            text += f"@{self.digest}"
        return text


def is_local_host(registry: str) -> bool:
    """Docker talks plain HTTP to these without being told (127.0.0.0/8 and localhost)."""
    host = registry.rsplit(":", 1)[0] if not registry.startswith("[") else registry
    return host in {"localhost", "[::1]"} or host.startswith("127.")


def split_reference(text: str) -> tuple[str, str, str | None, str | None]:
    """``text`` as registry, repository, tag and digest, normalised as Docker does
    (``docker.io``, ``library/``) but not validated: each caller decides what is wrong.

    The first path component is the registry only when it has a ``.`` or a ``:`` or is
    ``localhost``; a ``:`` after the last ``/`` starts the tag (``host:5000/app`` has
    none). An empty tag or digest (``app:``, ``app@``) is ``""``, an absent one None.
    """
    name, at, digest = text.partition("@")
    tag: str | None = None
    slash = name.rfind("/")
    colon = name.rfind(":")
    if colon > slash:
        name, tag = name[:colon], name[colon + 1 :]
    first, sep, rest = name.partition("/")
    if sep and ("." in first or ":" in first or first == "localhost"):
        registry, path = first, rest
    else:
        registry, path = DOCKER_HUB, name
    if registry in _HUB_ALIASES:
        registry = DOCKER_HUB
    if registry == DOCKER_HUB and path and "/" not in path:
        path = f"library/{path}"
    return registry, path, tag, digest if at else None


# Names Docker Hub is also written under.
_HUB_ALIASES = frozenset({"index.docker.io", DOCKER_HUB_API})


@dataclass(frozen=True, slots=True)
class ImageRef:
    """An image reference as a Dockerfile writes it (``FROM``, ``--from``), normalised as
    Docker does, its repository lower-cased; not validated (lint rules judge it)."""

    registry: str  # "docker.io" when none is written
    repository: str  # "library/node" for official images
    tag: str | None
    digest: str | None

    @property
    def on_hub(self) -> bool:
        return self.registry == DOCKER_HUB

    @property
    def short_name(self) -> str:
        """``node`` for ``docker.io/library/node``, else ``registry/repository``."""
        if self.on_hub:
            return self.repository.removeprefix("library/")
        return f"{self.registry}/{self.repository}"

    @property
    def name(self) -> str:
        """The last path component: ``node`` for ``docker.io/library/node``."""
        return self.repository.rsplit("/", 1)[-1]


def image_ref(text: str) -> ImageRef:
    """``text`` (stripped) split into an :class:`ImageRef`, however odd it is."""
    registry, repository, tag, digest = split_reference(text.strip())
    return ImageRef(registry, repository.lower(), tag, digest or None)


def parse_image_ref(text: str) -> ImageRef | None:
    """:func:`image_ref`, or None when ``text`` is odd: blank, with spaces or an
    unexpanded ``$``, an empty name or tag."""
    ref = text.strip()
    if not ref or any(c.isspace() for c in ref) or "$" in ref:
        return None
    parsed = image_ref(ref)
    if not parsed.repository or parsed.tag == "":
        return None
    return parsed


def parse_reference(text: str) -> Reference:
    """Parse ``text`` as Docker does; raise UsageError naming what is wrong."""
    registry, path, tag, digest = split_reference(text)
    if digest is not None and not _DIGEST.match(digest):
        raise UsageError(f"{text}: invalid digest {digest!r}")
    if tag is not None and not _TAG.match(tag):
        raise UsageError(f"{text}: invalid tag {tag!r}")
    if registry != DOCKER_HUB and not _HOST.match(registry):
        raise UsageError(f"{text}: invalid registry host {registry!r}")
    if not path or not _REPOSITORY.match(path):
        hint = " (repository names are lower-case)" if path != path.lower() else ""
        raise UsageError(f"{text}: invalid repository name {path!r}{hint}")
    if tag is None and not digest:
        tag = "latest"
    return Reference(registry, path, tag, digest or None)
