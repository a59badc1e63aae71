"""slimage: explain, lint and shrink container images."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = [
    "AnalyzeOptions",
    "Applicability",
    "BuildRequest",
    "DiffOptions",
    "Edit",
    "Finding",
    "Fix",
    "HttpProbe",
    "Location",
    "Severity",
    "SlimageError",
    "VerifySpec",
    "__version__",
    "analyze",
    "build_image",
    "diff_images",
    "lint",
    "lint_path",
    "open_image",
    "verify_image",
    "verify_like",
]

if TYPE_CHECKING:
    from slimage.api import AnalyzeOptions, analyze, open_image
    from slimage.build import BuildRequest, build_image
    from slimage.diff import DiffOptions, diff_images
    from slimage.errors import SlimageError
    from slimage.findings import Applicability, Edit, Finding, Fix, Location, Severity
    from slimage.rules.engine import lint, lint_path
    from slimage.verify import HttpProbe, VerifySpec, verify_image, verify_like

# Where each public name lives. They are imported on first use: every command imports this
# package first, and ``slimage analyze`` starts hashing layers sooner without the findings
# model (its dataclasses and enums) in the way.
_EXPORTS = {
    **dict.fromkeys(("AnalyzeOptions", "analyze", "open_image"), "slimage.api"),
    **dict.fromkeys(("lint", "lint_path"), "slimage.rules.engine"),
    **dict.fromkeys(("DiffOptions", "diff_images"), "slimage.diff"),
    "SlimageError": "slimage.errors",
    **dict.fromkeys(("BuildRequest", "build_image"), "slimage.build"),
    **dict.fromkeys(("HttpProbe", "VerifySpec", "verify_image", "verify_like"), "slimage.verify"),
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
