"""Sizes, ratios and bandwidths as options take them: the one parser every command uses.

Sizes are decimal as ``docker images`` prints them (``200MB`` = 200,000,000 bytes) unless
the unit says binary (``1.5GiB``); a bare number is bytes. Bandwidths are bits per second
(``100Mbit``, ``1Gbps``; ``12.5MB/s`` in bytes per second).
"""

from __future__ import annotations

import re

from slimage.errors import UsageError

_UNITS = {
    "": 1,
    "b": 1,
    "k": 1000,
    "kb": 1000,
    "m": 1000**2,
    "mb": 1000**2,
    "g": 1000**3,
    "gb": 1000**3,
    "t": 1000**4,
    "tb": 1000**4,
    "kib": 1024,
    "mib": 1024**2,
    "gib": 1024**3,
    "tib": 1024**4,
}
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$")


def parse_size(text: str, option: str) -> int:
    """``200MB`` -> 200_000_000; ``1.5GiB`` -> 1_610_612_736; a bare number is bytes."""
    match = _SIZE.match(text)
    unit = match.group(2).lower() if match else ""
    if match is None or unit not in _UNITS:
        raise UsageError(
            f"{option}: {text!r} is not a size (examples: 500000, 200MB, 1.5GiB, 300KiB)"
        )
    return int(float(match.group(1)) * _UNITS[unit])


def parse_ratio(text: str, option: str) -> float:
    """``0.9`` or ``90%`` -> 0.9."""
    raw = text.strip()
    try:
        value = float(raw[:-1]) / 100 if raw.endswith("%") else float(raw)
    except ValueError:
        raise UsageError(f"{option}: {text!r} is not a number (examples: 0.9, 90%)") from None
    if not 0 <= value <= 1:
        raise UsageError(f"{option}: {text!r} is outside 0..1 (or 0%..100%)")
    return value


_BANDWIDTH = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)(/s)?\s*$")
_BIT_UNITS = {
    f"{prefix}{unit}": scale
    for prefix, scale in (("", 1), ("k", 1000), ("m", 1000**2), ("g", 1000**3), ("t", 1000**4))
    for unit in ("bit", "bps")
}


def parse_bandwidth(text: str, option: str) -> int:
    """``100Mbit`` -> 100_000_000 bits per second; ``12.5MB/s`` -> 100_000_000 too."""
    match = _BANDWIDTH.match(text)
    unit = match.group(2).lower() if match else ""
    if match is not None and unit in _BIT_UNITS and not match.group(3):
        value = float(match.group(1)) * _BIT_UNITS[unit]
    elif match is not None and unit in _UNITS and match.group(3):
        value = float(match.group(1)) * _UNITS[unit] * 8
    else:
        raise UsageError(
            f"{option}: {text!r} is not a bandwidth (examples: 100Mbit, 1Gbit, 12.5MB/s)"
        )
    if value < 1:
        raise UsageError(f"{option}: {text!r} must be more than 0")
    return int(value)


def parse_growth(text: str, option: str) -> tuple[int | None, float | None]:
    """``10MB`` -> (10_000_000, None); ``5%`` -> (None, 0.05): a size or a share."""
    raw = text.strip()
    if raw.endswith("%"):
        try:
            share = float(raw[:-1]) / 100
        except ValueError:
            share = -1.0
        if share < 0:
            raise UsageError(f"{option}: {text!r} is not a percentage (examples: 5%, 0.5%)")
        return None, share
    return parse_size(raw, option), None
