"""Human-readable sizes: the one formatter of every message and report (analysis findings,
lint messages, the analyze report).

Decimal (SI) units, as ``docker images`` and the registries print them: 1 kB = 1000 B.
"""

from __future__ import annotations

_UNITS = ("kB", "MB", "GB", "TB", "PB")


def human_bytes(size: int | float) -> str:
    """``1234567`` -> ``"1.23 MB"``: three significant digits, never scientific notation."""
    value = float(size)
    sign = "-" if value < 0 else ""
    value = abs(value)
    if value < 1000:
        return f"{sign}{int(value)} B"
    unit = ""
    for unit in _UNITS:
        value /= 1000
        if value < 999.5 or unit == _UNITS[-1]:
            break
    if value >= 99.95:
        text = f"{value:.0f}"
    elif value >= 9.995:
        text = f"{value:.1f}"
    else:
        text = f"{value:.2f}"
    return f"{sign}{text} {unit}"
