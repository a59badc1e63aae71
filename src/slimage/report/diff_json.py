"""``slimage diff --format json``: a versioned document, every byte count an integer.

The schema is ``slimage/report/schemas/diff-v1.schema.json`` (JSON Schema draft 2020-12),
documented in docs/diff.md. ``schema_version`` (an integer) changes when a field is
removed or changes meaning; new fields may appear in any version. A "delta" is after
minus before. The file list holds the :data:`MAX_FILES` biggest changes (``files.total``
says how many there are).
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from slimage.diff.model import ChangeGroup, ImageDiff, ImageTotals

SCHEMA_VERSION = 1
SCHEMA_PATH = Path(__file__).parent / "schemas" / "diff-v1.schema.json"
MAX_FILES = 1000
MAX_DIRECTORIES = 200


def _seconds(value: float) -> float | None:
    return round(value, 3) if math.isfinite(value) else None


def _image(totals: ImageTotals) -> dict[str, Any]:
    return {
        "source": totals.source,
        "platform": totals.platform,
        "size_bytes": totals.size_bytes,
        "final_bytes": totals.final_bytes,
        "compressed_bytes": totals.compressed_bytes,
        "layers": totals.layers,
        "files": totals.files,
        "waste_bytes": totals.waste_bytes,
        "pull_seconds": _seconds(totals.pull_seconds),
    }


def _group(group: ChangeGroup, key: str) -> dict[str, Any]:
    entry: dict[str, Any] = {key: group.key}
    if key == "cause":
        entry["title"] = group.title
        entry["class"] = group.waste_class or None
    entry.update(
        {
            "added_files": group.added_files,
            "added_bytes": group.added_bytes,
            "removed_files": group.removed_files,
            "removed_bytes": group.removed_bytes,
            "changed_files": group.changed_files,
            "changed_delta_bytes": group.changed_delta,
            "delta_bytes": group.delta,
        }
    )
    return entry


def diff_document(diff: ImageDiff) -> dict[str, Any]:
    """The JSON document as Python values (see the module docstring)."""
    before, after = diff.before, diff.after
    totals = diff.file_totals
    return {
        "schema_version": SCHEMA_VERSION,
        "before": _image(before),
        "after": _image(after),
        "change": {
            "size_bytes": diff.size_delta,
            "compressed_bytes": diff.compressed_delta,
            "final_bytes": after.final_bytes - before.final_bytes,
            "layers": after.layers - before.layers,
            "files": after.files - before.files,
            "waste_bytes": after.waste_bytes - before.waste_bytes,
            "pull_seconds": _seconds(after.pull_seconds - before.pull_seconds),
            "size_ratio": (after.size_bytes / before.size_bytes) if before.size_bytes else None,
        },
        "bandwidth_bits_per_second": diff.bandwidth_bits,
        "layers": {"shared": diff.shared_layers, "new_compressed_bytes": diff.new_layer_bytes},
        "files": {
            "totals": {
                "added_files": totals.added_files,
                "added_bytes": totals.added_bytes,
                "removed_files": totals.removed_files,
                "removed_bytes": totals.removed_bytes,
                "changed_files": totals.changed_files,
                "changed_before_bytes": totals.changed_before_bytes,
                "changed_after_bytes": totals.changed_after_bytes,
                "unchanged_files": totals.unchanged_files,
                "unchanged_bytes": totals.unchanged_bytes,
            },
            "total": len(diff.files),
            "changes": [
                {
                    "path": change.path,
                    "change": change.change,
                    "before_bytes": change.before_bytes,
                    "after_bytes": change.after_bytes,
                    "delta_bytes": change.delta,
                    "cause": change.cause or None,
                }
                for change in diff.files[:MAX_FILES]
            ],
        },
        "directories": [_group(group, "directory") for group in diff.directories][:MAX_DIRECTORIES],
        "causes": [_group(group, "cause") for group in diff.causes],
        "waste_classes": [
            {
                "class": change.waste_class,
                "before_bytes": change.before_bytes,
                "after_bytes": change.after_bytes,
                "delta_bytes": change.delta,
            }
            for change in diff.waste_classes
        ],
        "packages": [
            {
                "manager": package.manager,
                "name": package.name,
                "change": package.change,
                "before_version": package.before_version or None,
                "after_version": package.after_version or None,
                "before_bytes": package.before_bytes,
                "after_bytes": package.after_bytes,
                "location": package.location or None,
            }
            for package in diff.packages
        ],
        "inventory": [
            {
                "name": item.name,
                "before": item.before,
                "after": item.after,
                "added": item.added,
                "removed": item.removed,
            }
            for item in diff.inventory
        ],
        "config": [
            {"key": item.key, "before": item.before, "after": item.after, "notable": item.notable}
            for item in diff.config
        ],
        "gates": [
            {
                "name": "max-growth",
                "limit": gate.limit,
                "unit": gate.unit,
                "value": gate.value if math.isfinite(gate.value) else None,
                "passed": gate.passed,
            }
            for gate in diff.gates
        ],
        "notes": diff.notes,
    }


def render_diff_json(diff: ImageDiff) -> str:
    return json.dumps(diff_document(diff), indent=2, ensure_ascii=False) + "\n"
