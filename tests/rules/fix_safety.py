"""Run every fix over a text pass by pass, judged by BuildKit's parser (test helper).

After each pass the result must parse with the ``dockerfile`` package (BuildKit's Go
parser, independent of slimage's) and differ from the pass's input only in instructions
that an applied fix's edits touch.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

import dockerfile
from slimage.dockerfile.parser import parse_dockerfile
from slimage.rules.engine import lint
from slimage.rules.fixer import MAX_PASSES, apply_fixes


@dataclass
class FixRun:
    text: str
    applied: int = 0
    rejected: int = 0
    problem: str | None = None


def buildkit_view(text: str) -> list[tuple[object, ...]]:
    """What BuildKit sees, instruction by instruction (raises when it does not parse)."""
    return [
        (c.cmd, c.sub_cmd, c.json, c.flags, c.value, repr(c.heredocs))
        for c in dockerfile.parse_string(text)
    ]


def changed_indices(old: list[tuple[object, ...]], new: list[tuple[object, ...]]) -> set[int]:
    """Indices of ``old`` instructions that were changed or removed in ``new``.

    Aligned like a diff, so a deleted instruction does not mark its neighbours changed.
    """
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    changed: set[int] = set()
    for tag, i1, i2, _, _ in matcher.get_opcodes():
        if tag != "equal":
            changed.update(range(i1, i2))
    return changed


def run_all_fixes(text: str, name: str = "Dockerfile") -> FixRun:
    """Apply every fix (unsafe included) until none applies; stop at the first problem."""
    run = FixRun(text=text)
    for _ in range(MAX_PASSES):
        findings = lint(run.text, path=name).findings
        step = apply_fixes(run.text, findings, unsafe=True, path=name)
        run.rejected += len(step.rejected)
        if not step.applied:
            break
        run.applied += len(step.applied)
        before = buildkit_view(run.text)
        try:
            after = buildkit_view(step.text)
        except Exception as error:  # BuildKit's parser raises its own error types
            run.problem = f"{name}: BuildKit cannot parse the fixed file: {error}"
            return run
        ours = parse_dockerfile(run.text, path=name).instructions
        if len(ours) != len(before):
            run.problem = f"{name}: slimage and BuildKit disagree on the instruction count"
            return run
        touched = {
            index
            for index, instruction in enumerate(ours)
            for finding in step.applied
            for edit in (finding.fix.edits if finding.fix else ())
            if edit.start <= instruction.span.end and instruction.span.start <= edit.end
        }
        stray = changed_indices(before, after) - touched
        if stray:
            lines = sorted(ours[i].line for i in stray)
            run.problem = f"{name}: fixes changed lines no fix edits: {lines}"
            return run
        run.text = step.text
    return run
