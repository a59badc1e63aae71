"""``slimage analyze --quick`` as text and as JSON, from a
:class:`~slimage.analysis.quick.QuickSummary`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from slimage.report.safe_text import clean
from slimage.report.schemas import SCHEMA_VERSION
from slimage.units import human_bytes
from slimage.wording import plural

if TYPE_CHECKING:
    from slimage.analysis.quick import QuickSummary


def quick_to_json(summary: QuickSummary) -> dict[str, Any]:
    """The ``--quick --format json`` document (schemas/analyze-quick-v1.schema.json)."""
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
