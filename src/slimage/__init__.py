"""slimage: explain, lint and shrink container images."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = [
    "AnalyzeOptions",
    "Applicability",
    "Edit",
    "Finding",
    "Fix",
    "Location",
    "Severity",
    "SlimageError",
    "__version__",
    "analyze",
    "lint",
    "lint_path",
    "open_image",
]

if TYPE_CHECKING:
    from slimage.api import AnalyzeOptions, analyze, open_image
    from slimage.errors import SlimageError
    from slimage.findings import Applicability, Edit, Finding, Fix, Location, Severity
    from slimage.rules.engine import lint, lint_path

# Where each public name lives. They are imported on first use: every command imports this
# package first, and ``slimage analyze`` starts hashing layers sooner without the findings
# model (its dataclasses and enums) in the way.
_EXPORTS = {
    **dict.fromkeys(("AnalyzeOptions", "analyze", "open_image"), "slimage.api"),
    **dict.fromkeys(("lint", "lint_path"), "slimage.rules.engine"),
    "SlimageError": "slimage.errors",
    **dict.fromkeys(
        ("Applicability", "Edit", "Finding", "Fix", "Location", "Severity"), "slimage.findings"
    ),
}


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'slimage' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
