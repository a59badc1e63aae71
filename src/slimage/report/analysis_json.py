"""``slimage analyze --format json``: a versioned document, every byte count an integer.

The schema is :data:`SCHEMA` (JSON Schema draft 2020-12), documented in docs/analyze.md.
``schema_version`` changes its major number when a field is removed or changes meaning;
new fields may appear in any version. Byte counts are exact integers; ratios are floats
in 0..1 (``null`` where dive's would be NaN or infinite).
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from slimage.findings import Finding

if TYPE_CHECKING:
    from slimage.analysis.result import AnalysisResult

SCHEMA_VERSION = "1.0"

_BYTES = {"type": "integer", "minimum": 0}
_PATH_BYTES = {
    "type": "object",
    "required": ["path", "bytes"],
    "properties": {"path": {"type": "string"}, "bytes": _BYTES},
}

SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "slimage analyze report",
    "type": "object",
    "required": [
        "schema_version",
        "image",
        "summary",
        "hidden",
        "dive",
        "layers",
        "findings",
        "gates",
        "warnings",
        "notes",
    ],
    "properties": {
        "schema_version": {"const": SCHEMA_VERSION},
        "image": {
            "type": "object",
            "required": ["source", "platform", "layer_count"],
            "properties": {
                "source": {"type": "string"},
                "platform": {"type": ["string", "null"]},
                "layer_count": {"type": "integer", "minimum": 0},
            },
        },
        "summary": {
            "type": "object",
            "required": [
                "content_bytes",
                "compressed_bytes",
                "final_bytes",
                "hidden_bytes",
                "classified_waste_bytes",
                "unexplained_bytes",
                "reclaimable_bytes",
                "classes",
            ],
            "properties": {
                "content_bytes": _BYTES,
                "compressed_bytes": _BYTES,
                "final_bytes": _BYTES,
                "hidden_bytes": _BYTES,
                "classified_waste_bytes": _BYTES,
                "unexplained_bytes": _BYTES,
                "reclaimable_bytes": _BYTES,
                "classes": {"type": "object", "additionalProperties": _BYTES},
            },
        },
        "hidden": {
            "type": "object",
            "required": ["total_bytes", "by_cause", "items"],
            "properties": {
                "total_bytes": _BYTES,
                "by_cause": {
                    "type": "object",
                    "required": ["overwritten", "deleted_file", "deleted_dir", "opaque"],
                    "additionalProperties": _BYTES,
                },
                "items": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["path", "bytes", "cause", "from_layer", "by_layer"],
                    },
                },
            },
        },
        "dive": {
            "type": "object",
            "required": ["efficiency", "wasted_bytes", "user_size_bytes", "user_wasted_fraction"],
            "properties": {
                "efficiency": {"type": "number"},
                "wasted_bytes": _BYTES,
                "size_bytes": _BYTES,
                "user_size_bytes": _BYTES,
                "user_wasted_fraction": {"type": ["number", "null"]},
            },
        },
        "layers": {
            "type": "array",
            "items": {
                "type": "object",
                "required": [
                    "index",
                    "digest",
                    "diff_id",
                    "media_type",
                    "compressed_bytes",
                    "uncompressed_bytes",
                    "content_bytes",
                    "kept_bytes",
                    "hidden_later_bytes",
                    "hides_bytes",
                    "entries",
                    "created_by",
                ],
                "properties": {
                    "index": {"type": "integer", "minimum": 0},
                    "compressed_bytes": _BYTES,
                    "uncompressed_bytes": _BYTES,
                    "content_bytes": _BYTES,
                    "kept_bytes": _BYTES,
                    "hidden_later_bytes": _BYTES,
                    "hides_bytes": _BYTES,
                    "created_by": {"type": ["string", "null"]},
                    "biggest_files": {"type": "array", "items": _PATH_BYTES},
                    "biggest_dirs": {"type": "array", "items": _PATH_BYTES},
                },
            },
        },
        "findings": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["code", "name", "message", "severity", "path", "bytes_saved"],
                "properties": {"bytes_saved": {"type": ["integer", "null"], "minimum": 0}},
            },
        },
        "inventory": {"type": ["object", "null"]},
        "gates": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["name", "limit", "value", "passed"],
                "properties": {"passed": {"type": "boolean"}},
            },
        },
        "warnings": {"type": "array", "items": {"type": "string"}},
        "notes": {"type": "array", "items": {"type": "string"}},
    },
}


def _ratio(value: float) -> float | None:
    return value if math.isfinite(value) else None


def _finding(finding: Finding) -> dict[str, Any]:
    return {
        "code": finding.code,
        "name": finding.name,
        "message": finding.message,
        "severity": str(finding.severity),
        "path": finding.location.path,
        "bytes_saved": finding.bytes_saved,
        "bytes_estimated": finding.bytes_estimated,
        "help": finding.help,
    }


def analysis_document(result: AnalysisResult) -> dict[str, Any]:
    layers = result.layers
    explanation = result.explanation
    dive = layers.dive
    hidden_total = layers.hidden_bytes
    return {
        "schema_version": SCHEMA_VERSION,
        "image": {
            "source": result.source,
            "platform": result.platform,
            "layer_count": len(layers.layers),
        },
        "summary": {
            "content_bytes": layers.content_bytes,
            "compressed_bytes": layers.compressed_bytes,
            "final_bytes": layers.final_bytes,
            "hidden_bytes": hidden_total,
            "classified_waste_bytes": explanation.explained_bytes,
            "unexplained_bytes": explanation.unexplained_bytes,
            "reclaimable_bytes": hidden_total + explanation.explained_bytes,
            "classes": dict(explanation.classes),
        },
        "hidden": {
            "total_bytes": hidden_total,
            "by_cause": dict(layers.hidden),
            "items": [
                {
                    "path": item.path,
                    "bytes": item.size,
                    "cause": item.cause,
                    "from_layer": item.from_layer,
                    "by_layer": item.by_layer,
                }
                for item in layers.hidden_items
            ],
        },
        "dive": {
            "efficiency": dive.efficiency,
            "wasted_bytes": dive.wasted_bytes,
            "size_bytes": dive.size_bytes,
            "user_size_bytes": dive.user_size_bytes,
            "user_wasted_fraction": _ratio(dive.user_wasted_fraction),
            "inefficiencies": [
                {"path": path, "count": count, "bytes": size}
                for path, count, size in dive.inefficiencies
            ],
        },
        "layers": [
            {
                "index": layer.index,
                "digest": layer.digest,
                "diff_id": layer.diff_id,
                "media_type": layer.media_type,
                "compressed_bytes": layer.compressed_size,
                "uncompressed_bytes": layer.uncompressed_size,
                "content_bytes": layer.content_bytes,
                "kept_bytes": layer.kept_bytes,
                "hidden_later_bytes": layer.hidden_later_bytes,
                "hides_bytes": layer.hides_bytes,
                "entries": layer.entries,
                "files": layer.files,
                "dirs": layer.dirs,
                "symlinks": layer.symlinks,
                "hardlinks": layer.hardlinks,
                "whiteouts": layer.whiteouts,
                "opaque_dirs": layer.opaque_dirs,
                "created_by": layer.created_by,
                "history_index": layer.history_index,
                "squashed_steps": layer.squashed_steps,
                "biggest_files": [{"path": p, "bytes": b} for p, b in layer.biggest_files],
                "biggest_dirs": [{"path": p, "bytes": b} for p, b in layer.biggest_dirs],
            }
            for layer in layers.layers
        ],
        "findings": [_finding(finding) for finding in explanation.findings],
        "inventory": asdict(explanation.inventory),
        "gates": [
            {
                "name": gate.name,
                "limit": gate.limit,
                "value": gate.value,
                "unit": gate.unit,
                "passed": gate.passed,
            }
            for gate in result.gates
        ],
        "warnings": list(layers.warnings),
        "notes": [*layers.notes, *explanation.notes],
    }


def render_analysis_json(result: AnalysisResult) -> str:
    return json.dumps(analysis_document(result), indent=2, sort_keys=False) + "\n"
