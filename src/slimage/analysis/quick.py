"""``slimage analyze --quick``: what the manifest and config alone say, no layer read.

For a registry image this downloads two small JSON documents instead of the layers:
compressed sizes per layer, the step that made each, and the runtime configuration. It
cannot see hidden bytes or waste (those need the layers' contents). Its text and JSON
renderings are in :mod:`slimage.report.quick`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from slimage.image.history import map_history
from slimage.image.model import Image


@dataclass(frozen=True)
class QuickLayer:
    """One layer as the manifest and history describe it: identity, compressed size, its step."""

    index: int
    digest: str
    diff_id: str
    media_type: str
    compressed_size: int
    created_by: str | None


@dataclass
class QuickSummary:
    """What ``analyze --quick`` reports: the layers from the manifest and the runtime config."""

    source: str
    platform: str | None
    layers: list[QuickLayer]
    user: str
    exposed_ports: list[str]
    entrypoint: list[str]
    cmd: list[str]
    notes: list[str] = field(default_factory=list)

    @property
    def compressed_size(self) -> int:
        return sum(layer.compressed_size for layer in self.layers)


def quick_summary(image: Image) -> QuickSummary:
    mapping, notes = map_history(image.history, len(image.layers))
    layers = [
        QuickLayer(
            index,
            layer.digest,
            layer.diff_id,
            layer.media_type,
            layer.compressed_size,
            mapping[index][1],
        )
        for index, layer in enumerate(image.layers)
    ]
    from slimage.image.config import runtime_settings

    runtime = runtime_settings(image.config)
    return QuickSummary(
        source=image.source,
        platform=image.platform,
        layers=layers,
        user=runtime.user,
        exposed_ports=runtime.exposed_ports,
        entrypoint=runtime.entrypoint,
        cmd=runtime.cmd,
        notes=notes,
    )
