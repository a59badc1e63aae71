"""What an image config says about how the image runs (OCI or Docker, nested or flat)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


def image_config_body(config: Mapping[str, Any]) -> Mapping[str, Any]:
    """The ``config`` object of an OCI/Docker image config, or ``config`` itself if flat."""
    inner = config.get("config")
    if isinstance(inner, Mapping):
        return inner
    inner = config.get("Config")
    if isinstance(inner, Mapping):
        return inner
    return config


@dataclass(frozen=True)
class RuntimeSettings:
    """How the image runs, from its config: user, entry point, command, exposed ports."""

    user: str  # "" when the config sets none: the container runs as root
    entrypoint: list[str]
    cmd: list[str]
    exposed_ports: list[str]  # "8080/tcp", sorted


def runtime_settings(config: Mapping[str, Any]) -> RuntimeSettings:
    """The runtime settings of an image ``config`` (OCI or Docker, nested or flat)."""
    body = image_config_body(config)
    ports = body.get("ExposedPorts")
    return RuntimeSettings(
        user=str(body.get("User") or ""),
        entrypoint=[str(word) for word in body.get("Entrypoint") or []],
        cmd=[str(word) for word in body.get("Cmd") or []],
        exposed_ports=sorted(str(port) for port in ports) if isinstance(ports, Mapping) else [],
    )
