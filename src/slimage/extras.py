"""Optional dependencies: the extras that bring them, and one line when one is missing.

The base install is what ``lint``, ``context``, ``init``, ``parse`` and ``analyze`` of
archives, OCI layouts and registries need. Extras add the rest (pyproject.toml):

- ``docker``: the Docker SDK, for ``docker-daemon:`` images and plain names looked up in
  a local daemon;
- ``html``: what ``--format html`` needs (Jinja2, also in the base install because
  ``init`` renders its templates with it).
"""

from __future__ import annotations

import importlib
from types import ModuleType

from slimage.errors import MissingExtra


def require(module: str, extra: str, feature: str) -> ModuleType:
    """Import ``module``, or raise :class:`MissingExtra` naming the extra to install."""
    try:
        return importlib.import_module(module)
    except ImportError:
        raise MissingExtra(
            f"{feature} needs the Python package {module!r}, which is not installed: "
            f"pip install 'slimage[{extra}]' (or pipx inject slimage {module})"
        ) from None
