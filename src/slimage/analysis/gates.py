"""The CI gate limits of ``slimage analyze``: a plain record, cheap to import.

The command parses its options into :class:`GateLimits` before the analysis modules are
loaded (the layers' digests are being computed meanwhile);
:func:`slimage.analysis.result.evaluate_gates` checks a result against them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class GateLimits:
    """Limits of the ``analyze`` CI gates (None: not checked), and path patterns they ignore."""

    max_size: int | None = None
    max_hidden: int | None = None
    max_waste: int | None = None
    min_efficiency: float | None = None
    max_secrets: int | None = None  # secret findings (files and config Env) allowed
    ignore: Sequence[str] = ()
