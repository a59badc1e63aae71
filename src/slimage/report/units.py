"""Human-readable sizes for reports: :func:`slimage.units.human_bytes`, re-exported."""

from slimage.units import human_bytes

__all__ = ["human_bytes"]
