"""Byte counts for messages: "1.1 GB", "200 MB" (decimal units, as registries print)."""

from __future__ import annotations


def human_size(count: int) -> str:
    for unit, scale in (("GB", 10**9), ("MB", 10**6), ("kB", 10**3)):
        if count >= scale:
            value = count / scale
            return f"{value:.1f} {unit}" if value < 10 else f"{value:.0f} {unit}"
    return f"{count} B"
