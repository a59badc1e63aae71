"""``slimage audit --format json``: the fleet report as a versioned document.

Its JSON Schema is ``schemas/audit-v1.schema.json`` (draft 2020-12); byte counts are
integers, times in seconds, costs in the currency of ``--price-per-gb``.
"""

from __future__ import annotations

import json
from typing import Any

from slimage.audit.fleet import Fleet
from slimage.report.schemas import SCHEMA_VERSION


def audit_document(fleet: Fleet) -> dict[str, Any]:
    """The fleet as plain data, in the shape of ``schemas/audit-v1.schema.json``."""
    t = fleet.totals
    return {
        "schema_version": SCHEMA_VERSION,
        "run": fleet.run,
        "previous_run": fleet.previous_run,
        "assumptions": {
            "bandwidth_bits_per_second": fleet.bandwidth_bits,
            "price_per_gb_month": fleet.price_per_gb,
        },
        "totals": {
            "references": t.references,
            "images": t.images,
            "failed": t.failed,
            "content_bytes": t.content_bytes,
            "compressed_bytes": t.compressed_bytes,
            "stored_bytes": t.stored_bytes,
            "reclaimable_bytes": t.reclaimable_bytes,
            "stored_bytes_after": t.stored_bytes_after,
            "pull_seconds": round(t.pull_seconds, 3),
            "pull_seconds_after": round(t.pull_seconds_after, 3),
            "monthly_cost": round(t.monthly_cost, 4),
            "monthly_cost_after": round(t.monthly_cost_after, 4),
            "bases": t.bases,
            "bases_stored_bytes": t.bases_stored_bytes,
            "consolidation_saving_bytes": t.consolidation_saving_bytes,
        },
        "images": [
            {
                "references": item.references,
                "image_id": item.image.image_id,
                "base": item.base,
                "platform": item.image.platform,
                "os": item.image.os_name,
                "user": item.image.user,
                "content_bytes": item.image.content_bytes,
                "compressed_bytes": item.image.compressed_bytes,
                "hidden_bytes": item.image.hidden_bytes,
                "waste_bytes": item.image.waste_bytes,
                "reclaimable_bytes": item.image.reclaimable_bytes,
                "by_cause": dict(item.image.by_cause),
                "findings": list(item.image.findings),
                "layers": len(item.layers),
            }
            for item in fleet.images
        ],
        "bases": [
            {
                "key": base.key,
                "name": base.name,
                "layers": base.layers,
                "compressed_bytes": base.compressed_bytes,
                "content_bytes": base.content_bytes,
                "images": base.images,
            }
            for base in fleet.bases
        ],
        "failures": [{"reference": f.reference, "error": f.error} for f in fleet.failures],
        "changes": [
            {"reference": c.reference, "before_bytes": c.before_bytes, "after_bytes": c.after_bytes}
            for c in fleet.changes
        ],
    }


def render_audit_json(fleet: Fleet) -> str:
    return json.dumps(audit_document(fleet), indent=2) + "\n"
