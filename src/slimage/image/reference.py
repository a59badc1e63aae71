"""Kept for imports written before the reference moved: see :mod:`slimage.reference`."""

from slimage.reference import (
    DOCKER_HUB,
    DOCKER_HUB_API,
    Reference,
    is_local_host,
    parse_reference,
    split_reference,
)

__all__ = [
    "DOCKER_HUB",
    "DOCKER_HUB_API",
    "Reference",
    "is_local_host",
    "parse_reference",
    "split_reference",
]
