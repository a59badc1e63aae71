"""Byte counts for messages: :func:`slimage.units.human_bytes` (kept for old imports)."""

from slimage.units import human_bytes as human_size

__all__ = ["human_size"]
