"""Platforms (``os/arch[/variant]``) and picking one image of a multi-platform index."""

from __future__ import annotations

import platform as host_platform
from collections.abc import Mapping, Sequence
from typing import Any

from slimage.errors import ImageNotFound


def host_platform_name() -> str:
    """The machine's platform as an OCI ``os/arch[/variant]``."""
    machine = host_platform.machine().lower()
    arch = {
        "x86_64": "amd64",
        "amd64": "amd64",
        "aarch64": "arm64",
        "arm64": "arm64",
        "armv7l": "arm/v7",
        "armv6l": "arm/v6",
        "i686": "386",
        "i386": "386",
        "ppc64le": "ppc64le",
        "s390x": "s390x",
        "riscv64": "riscv64",
    }.get(machine, machine)
    return f"linux/{arch}"


def config_platform(config: Mapping[str, Any]) -> str | None:
    """``os/arch[/variant]`` of an image config (or a descriptor's ``platform``)."""
    os_name = config.get("os")
    arch = config.get("architecture")
    if not isinstance(os_name, str) or not isinstance(arch, str):
        return None
    variant = config.get("variant")
    return (
        f"{os_name}/{arch}/{variant}"
        if isinstance(variant, str) and variant
        else f"{os_name}/{arch}"
    )


def platform_of(descriptor: Mapping[str, Any]) -> str | None:
    # A descriptor's platform has the same os/architecture/variant fields as a config.
    platform = descriptor.get("platform")
    return config_platform(platform) if isinstance(platform, Mapping) else None


def platform_matches(have: str, wanted: str) -> bool:
    """``linux/arm64`` matches ``linux/arm64/v8``; a variant asked for must match."""
    have_parts = have.split("/")
    wanted_parts = wanted.split("/")
    if have_parts[:2] != wanted_parts[:2]:
        return False
    if len(wanted_parts) > 2 and len(have_parts) > 2:
        return have_parts[2] == wanted_parts[2]
    return len(wanted_parts) <= 2 or len(have_parts) == 2


def choose_platform(
    manifests: Sequence[Mapping[str, Any]], platform: str | None, label: str, many_hint: str
) -> Mapping[str, Any]:
    """The manifest descriptor for ``platform`` (default: this machine's).

    Attestation manifests (BuildKit's provenance) carry ``unknown/unknown`` and are never
    chosen. A lone manifest without a platform is the image; several without one are
    ambiguous (``many_hint`` says how to name one).
    """
    with_platform = [d for d in manifests if platform_of(d) not in (None, "unknown/unknown")]
    if len(manifests) == 1 and (platform is None or not with_platform):
        return manifests[0]
    if not with_platform:
        raise ImageNotFound(f"{label}: {len(manifests)} images and no platforms; {many_hint}")
    wanted = platform or host_platform_name()
    for descriptor in with_platform:
        if platform_matches(platform_of(descriptor) or "", wanted):
            return descriptor
    available = ", ".join(sorted({platform_of(d) or "" for d in with_platform}))
    raise ImageNotFound(f"{label}: no image for platform {wanted} (available: {available})")
