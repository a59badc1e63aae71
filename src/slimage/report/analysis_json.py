"""``slimage analyze --format json``: a versioned document, every byte count an integer.

The schema is ``slimage/report/schemas/analyze-v1.schema.json`` (JSON Schema draft
2020-12), documented in docs/analyze.md.
``schema_version`` (an integer) changes when a field is removed or changes meaning;
new fields may appear in any version. Byte counts are exact integers; ratios are floats
in 0..1 (``null`` where dive's would be NaN or infinite).
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict
from typing import Any

from slimage.analysis.result import AnalysisResult
from slimage.findings import Finding
from slimage.report.schemas import SCHEMA_VERSION


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


def _runtime(result: AnalysisResult) -> dict[str, Any]:
    from slimage.analysis.runtime import runtime_settings

    return asdict(runtime_settings(result.config))


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
        "runtime": _runtime(result),
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
