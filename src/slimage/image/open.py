"""``open_image``: one entry point from a user's IMAGE argument to an :class:`Image`.

Accepted forms::

    FILE                         docker-archive or oci-archive, told by its contents
    DIR                          an OCI image layout directory
    docker-archive:FILE[:NAME]   NAME picks one image of several by its RepoTags
    oci:DIR[:TAG]                TAG is the org.opencontainers.image.ref.name annotation
    oci-archive:FILE[:TAG]
    docker://REF                 a registry (REF as Docker reads it: nginx, ghcr.io/o/app:1)
    docker-daemon:REF            a Docker-compatible daemon (Docker Engine API, podman)
    containers-storage:REF       buildah/podman local storage (through skopeo)
    REF                          a name that is not a path: the daemon when one
                                 answers and has it, else the registry; a plain word
                                 (no registry, tag or digest) only the daemon, so that
                                 a mistyped file name fails at once (issue 15)

The image's ``source`` says which one was used.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from slimage.errors import ImageFormatError, ImageNotFound, ImageSourceError
from slimage.image.docker_archive import docker_archive_from_members
from slimage.image.model import Image
from slimage.image.oci_layout import oci_from_members, open_oci_layout
from slimage.image.stored import TarMembers

if TYPE_CHECKING:  # registries only: not loaded for files
    from slimage.image.credentials import Credentials

TRANSPORTS = ("docker-archive", "oci-archive", "oci")
REMOTE_TRANSPORTS = ("docker://", "docker-daemon:", "containers-storage:")


def split_reference(reference: str) -> tuple[str | None, str, str | None]:
    """``oci:dir:tag`` -> ("oci", "dir", "tag"); a bare path -> (None, path, None)."""
    transport, sep, rest = reference.partition(":")
    if not sep or transport not in TRANSPORTS:
        return None, reference, None
    if os.path.exists(rest) or ":" not in rest:
        return transport, rest, None
    # The path may itself hold colons: take the first prefix that exists on disk.
    position = rest.find(":")
    while position >= 0:
        if os.path.exists(rest[:position]):
            return transport, rest[:position], rest[position + 1 :] or None
        position = rest.find(":", position + 1)
    path, _, tag = rest.rpartition(":")
    return transport, path, tag or None


def open_image(
    reference: str,
    platform: str | None = None,
    *,
    insecure: bool = False,
    credentials: Credentials | None = None,
) -> Image:
    """Open ``reference`` (see the module docstring); raise an ImageSourceError if unusable."""
    if reference.startswith(REMOTE_TRANSPORTS):
        return _open_remote(reference, platform, insecure, credentials)
    transport, path, tag = split_reference(reference)
    if transport is None and not os.path.exists(path) and _looks_like_reference(path):
        if _is_plain_word(path):
            return _open_local_name(path)
        return _open_by_name(path, platform, insecure, credentials)
    if not path:
        raise ImageNotFound(f"{reference}: no path given")
    if transport == "oci" or (transport is None and os.path.isdir(path)):
        return open_oci_layout(path, tag, platform)
    if not os.path.exists(path):
        raise ImageNotFound(
            f"{reference}: no such file or directory "
            "(slimage reads docker-archive, oci-archive and OCI layout paths)"
        )
    if not os.path.isfile(path):
        raise ImageNotFound(f"{reference}: not a regular file")
    _refuse_compressed(path, reference)
    if transport == "docker-archive":
        label = f"docker-archive:{path}"
        return docker_archive_from_members(TarMembers(path, label), label, tag)
    if transport == "oci-archive":
        label = f"oci-archive:{path}" + (f":{tag}" if tag else "")
        return oci_from_members(TarMembers(path, label), label, tag, platform)
    members = TarMembers(path, path)
    if "manifest.json" in members:
        label = f"docker-archive:{path}"
        members.label = label
        return docker_archive_from_members(members, label, tag)
    if "index.json" in members:
        label = f"oci-archive:{path}"
        members.label = label
        return oci_from_members(members, label, tag, platform)
    raise ImageFormatError(f"{path}: neither a docker-archive nor an oci-archive")


def _open_remote(
    reference: str, platform: str | None, insecure: bool, credentials: Credentials | None
) -> Image:
    from slimage.image.daemon import open_containers_storage, open_daemon_image
    from slimage.image.registry import open_registry_image

    if reference.startswith("docker://"):
        return open_registry_image(
            reference[len("docker://") :],
            platform=platform,
            insecure=insecure,
            credentials=credentials,
        )
    if reference.startswith("docker-daemon:"):
        return open_daemon_image(reference[len("docker-daemon:") :])
    return open_containers_storage(reference[len("containers-storage:") :])


def _looks_like_reference(text: str) -> bool:
    from slimage.errors import UsageError
    from slimage.image.reference import parse_reference

    if text.startswith(("/", "./", "../")) or text.endswith((".tar", ".tar.gz", ".tgz")):
        return False
    try:
        parse_reference(text)
    except UsageError:
        return False
    return True


def _is_plain_word(text: str) -> bool:
    """No registry, tag or digest (``app``, ``team/app``): as likely a mistyped file name
    as an image, so it is not looked up on a registry (``app:1``, ``ghcr.io/o/app`` are)."""
    first, slash, _ = text.partition("/")
    has_registry = bool(slash) and ("." in first or first == "localhost")
    return not has_registry and ":" not in text and "@" not in text


def _open_local_name(name: str) -> Image:
    """A plain word: a local daemon's image of that name, else no such file (exit 3)."""
    from slimage.errors import DaemonUnavailable
    from slimage.image.daemon import daemon_endpoints, open_daemon_image

    # Sockets that do not exist are skipped before the Docker SDK is imported (~0.8 s).
    endpoints = [
        endpoint
        for endpoint in daemon_endpoints()
        if not endpoint.startswith("unix://") or os.path.exists(endpoint[len("unix://") :])
    ]
    try:
        if endpoints:
            return open_daemon_image(name, endpoints=endpoints)
    except (DaemonUnavailable, ImageNotFound):
        pass
    raise ImageNotFound(
        f"{name}: no such file or directory, and no local image of that name "
        f"(for a registry image name its tag or registry: {name}:latest, docker://{name})"
    )


def _open_by_name(
    name: str, platform: str | None, insecure: bool, credentials: Credentials | None
) -> Image:
    """A plain name: the local daemon when one answers and has it, else the registry."""
    from slimage.errors import DaemonUnavailable, MissingExtra
    from slimage.image.daemon import open_daemon_image
    from slimage.image.registry import open_registry_image

    try:
        return open_daemon_image(name)
    except (DaemonUnavailable, ImageNotFound, MissingExtra):
        pass  # without the docker extra, a plain name goes to its registry
    try:
        return open_registry_image(
            name, platform=platform, insecure=insecure, credentials=credentials
        )
    except ImageSourceError as error:
        # Say everything that was tried: a mistyped path lands here too.
        raise type(error)(
            f"{name}: no such file or directory, no local daemon has it, and its "
            f"registry failed: {error.message}"
        ) from None


def _refuse_compressed(path: str, reference: str) -> None:
    with open(path, "rb") as file:
        head = file.read(4)
    if head.startswith(b"\x1f\x8b") or head.startswith(b"\x28\xb5\x2f\xfd"):
        raise ImageFormatError(
            f"{reference}: a compressed archive; decompress it first (e.g. gunzip)"
        )
