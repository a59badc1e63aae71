"""``slimage verify``'s report: each check passed or failed, with its reason.

JSON: ``schemas/verify-v1.schema.json``.
"""

from __future__ import annotations

import json
from typing import IO, Any

from slimage.report.safe_text import clean
from slimage.verify.model import VerifyReport

SCHEMA_VERSION = 1


def verify_document(report: VerifyReport) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "images": report.images,
        "runtime": report.runtime,
        "passed": report.passed,
        "counts": {
            "passed": len(report.checks) - len(report.failed),
            "failed": len(report.failed),
        },
        "seconds": round(report.seconds, 3),
        "checks": [check.to_json() for check in report.checks],
    }


def render_verify_json(report: VerifyReport) -> str:
    return json.dumps(verify_document(report), indent=2) + "\n"


def render_verify_text(report: VerifyReport, stream: IO[str]) -> None:
    several = len(report.images) > 1
    for check in report.checks:
        mark = "PASS" if check.passed else "FAIL"
        where = f"[{clean(check.image)}] " if several else ""
        reason = f": {clean(check.reason)}" if check.reason else ""
        stream.write(f"{mark}  {where}{clean(check.name)}{reason}\n")
    failed = len(report.failed)
    verdict = "passed" if report.passed else "FAILED"
    stream.write(
        f"\n{', '.join(clean(image) for image in report.images)}: verify {verdict}: "
        f"{len(report.checks) - failed} passed, {failed} failed "
        f"({report.runtime}, {report.seconds:.1f} s)\n"
    )
