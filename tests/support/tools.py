"""Access to external tools for integration tests.

On a laptop without buildah (or podman, skopeo, ...) an integration test skips. Under
``CI=true`` a missing tool is a failure, never a skip: CI must prove the real thing.
"""

from __future__ import annotations

import os
import shutil

import pytest


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def require_tool(name: str) -> str:
    """Return the path of ``name``; skip (locally) or fail (CI) when it is missing."""
    path = shutil.which(name)
    if path is None:
        message = f"{name} is not installed"
        if in_ci():
            pytest.fail(f"{message}; under CI=true integration tools must be present")
        pytest.skip(message)
    return path


def require_root() -> None:
    if os.geteuid() != 0:
        if in_ci():
            pytest.fail("integration tests must run as root under CI=true")
        pytest.skip("needs root (buildah with the vfs driver)")
