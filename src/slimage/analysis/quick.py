"""``slimage analyze --quick``: what the manifest and config alone say, no layer read.

For a registry image this downloads two small JSON documents instead of the layers:
compressed sizes per layer, the step that made each, and the runtime configuration. It
cannot see hidden bytes or waste (those need the layers' contents).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from slimage.analysis.layers import map_history
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
    from slimage.analysis.runtime import runtime_settings

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


def quick_to_json(summary: QuickSummary) -> dict[str, Any]:
    """The ``--quick --format json`` document (schemas/analyze-quick-v1.schema.json)."""
    from slimage.report.schemas import SCHEMA_VERSION

    return {
        "schema_version": SCHEMA_VERSION,
        "kind": "quick",
        "image": {
            "source": summary.source,
            "platform": summary.platform,
            "layer_count": len(summary.layers),
        },
        "compressed_size": summary.compressed_size,
        "layers": [
            {
                "index": layer.index,
                "digest": layer.digest,
                "diff_id": layer.diff_id,
                "media_type": layer.media_type,
                "compressed_size": layer.compressed_size,
                "created_by": layer.created_by,
            }
            for layer in summary.layers
        ],
        "config": {
            "user": summary.user,
            "exposed_ports": summary.exposed_ports,
            "entrypoint": summary.entrypoint,
            "cmd": summary.cmd,
        },
        "notes": summary.notes,
    }


def quick_to_text(summary: QuickSummary) -> str:
    from slimage.report.safe_text import clean
    from slimage.report.units import human_bytes
    from slimage.wording import plural

    lines = [
        f"{clean(summary.source)} ({clean(summary.platform or 'platform unknown')}): "
        f"{human_bytes(summary.compressed_size)} as stored, "
        f"in {plural(len(summary.layers), 'layer')} "
        "(--quick: from the manifest; hidden bytes and waste need a full analysis)",
    ]
    for layer in summary.layers:
        step = (layer.created_by or "(no recorded step)").replace("\n", " ")
        if len(step) > 90:
            step = step[:87] + "..."
        size = human_bytes(layer.compressed_size)
        lines.append(f"  {layer.index + 1:>3}  {size:>9}  {clean(step)}")
    user = clean(summary.user or "root (no USER)")
    ports = clean(", ".join(summary.exposed_ports) or "none")
    lines.append(f"user: {user}; ports: {ports}")
    lines.extend(f"note: {clean(note)}" for note in summary.notes)
    return "\n".join(lines) + "\n"
