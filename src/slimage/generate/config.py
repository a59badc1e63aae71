"""Base-image substitutions from the project's own config (``[tool.slimage.images]``)."""

from __future__ import annotations

from pathlib import Path

from slimage.errors import ConfigError
from slimage.stacks.project import read_toml


def configured_images(root: Path) -> dict[str, str]:
    """``[tool.slimage.images]`` of pyproject.toml, or ``[images]`` of .slimage.toml."""
    found: dict[str, str] = {}
    for name, keys in (
        (".slimage.toml", ("images",)),
        ("pyproject.toml", ("tool", "slimage", "images")),
    ):
        data: object = read_toml(root / name) or {}
        for key in keys:
            data = data.get(key, {}) if isinstance(data, dict) else {}
        if not isinstance(data, dict):
            raise ConfigError(f'{root / name}: images must be a table of NAME = "REFERENCE"')
        for image, reference in data.items():
            if not isinstance(reference, str):
                raise ConfigError(f"{root / name}: images.{image} must be a string")
            found.setdefault(str(image), reference)
    return found
