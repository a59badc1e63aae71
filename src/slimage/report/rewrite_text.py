"""The text report of `slimage rewrite`: what moved where and why, savings, doubts."""

from __future__ import annotations

from slimage.report.safe_text import clean
from slimage.rewrite.model import BOTH, BUILD, DROPPED, RUNTIME, RewriteResult
from slimage.units import human_bytes

_ARROW = {
    BUILD: "build stage",
    RUNTIME: "runtime stage",
    BOTH: "both stages",
    DROPPED: "build stage only (new runtime base)",
}


def render_report(result: RewriteResult) -> str:
    lines = [
        f"slimage rewrite: {clean(result.path)}: {result.stack}, "
        f"{clean(result.build_base)} -> {clean(result.runtime_base)}"
    ]
    if result.artifacts:
        lines.append("  artifacts: " + ", ".join(clean(a) for a in result.artifacts))
    lines.append("What moved where:")
    for move in result.moves:
        lines.append(
            f"  {move.line:>3}  `{clean(move.text)}` -> {_ARROW[move.placement]}: {move.reason}"
        )
    lines.append("Expected saving (size model of analyze/lint):")
    for saving in result.savings:
        amount = human_bytes(saving.bytes) if saving.bytes else "not estimated"
        lines.append(f"  {saving.cause}: {amount} ({clean(saving.detail)})")
    if result.expected_saving:
        lines.append(f"  total: about {human_bytes(result.expected_saving)}")
    for note in result.notes:
        lines.append(f"note: {clean(note)}")
    for doubt in result.doubts:
        lines.append(f"doubt: {clean(doubt)}")
    return "\n".join(lines) + "\n"
