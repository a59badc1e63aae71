"""slimage: explain, lint and shrink container images."""

from __future__ import annotations

from slimage.errors import SlimageError
from slimage.findings import Applicability, Edit, Finding, Fix, Location, Severity

__version__ = "0.1.0"

__all__ = [
    "Applicability",
    "Edit",
    "Finding",
    "Fix",
    "Location",
    "Severity",
    "SlimageError",
    "__version__",
]
