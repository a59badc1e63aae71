"""``slimage build``'s report: what was built, by which builder, in how long; then the
analysis of the result (the ``analyze`` report, unchanged).

JSON: ``schemas/build-v1.schema.json``; the ``analysis`` member is the ``analyze --format
json`` document.
"""

from __future__ import annotations

import json
from typing import IO, TYPE_CHECKING, Any

from slimage.report.safe_text import clean

if TYPE_CHECKING:
    from slimage.analysis.result import AnalysisResult
    from slimage.build.base import BuildRequest, BuiltImage

SCHEMA_VERSION = 1


def build_document(
    request: BuildRequest, built: BuiltImage, result: AnalysisResult
) -> dict[str, Any]:
    from slimage.report.analysis_json import analysis_document

    return {
        "schema_version": SCHEMA_VERSION,
        "build": {
            "builder": built.builder,
            "context": str(request.context),
            "dockerfile": str(request.dockerfile) if request.dockerfile else None,
            "image_id": built.image_id,
            "tags": list(built.tags),
            "target": request.target,
            "platform": request.platform,
            "build_seconds": round(built.seconds, 3),
        },
        "analysis": analysis_document(result),
    }


def render_build_json(request: BuildRequest, built: BuiltImage, result: AnalysisResult) -> str:
    return json.dumps(build_document(request, built, result), indent=2) + "\n"


def render_build_text(built: BuiltImage, result: AnalysisResult, stream: IO[str]) -> None:
    from slimage.report.analysis_text import render_analysis_text

    tags = f" as {', '.join(clean(tag) for tag in built.tags)}" if built.tags else ""
    short_id = built.image_id.removeprefix("sha256:")[:12]
    stream.write(f"Built {short_id}{tags} with {built.builder} in {built.seconds:.1f} s\n\n")
    render_analysis_text(result, stream)
