"""Session fixtures shared by the integration modules (one instance per session: a
fixture imported into two modules would be two fixtures, built twice)."""

from __future__ import annotations

from support.container_store_fixtures import app_image, container_store, docker_host

__all__ = ["app_image", "container_store", "docker_host"]
