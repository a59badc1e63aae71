"""Apply fixes, and keep only those that provably change nothing but what they meant to.

Every fix is verified before it is kept (issue 3: published autofixers turn multi-line
``ENV KEY \\`` into invalid syntax or append ``&& rm`` onto a comment line):

1. the text with the fix applied must parse;
2. its parser directives (``# syntax``, ``# escape``...) must be unchanged;
3. apart from the instructions the fix's edits touch, the instruction list must be the
   same, instruction by instruction: keyword, flags, arguments, exec form, heredocs;
4. the touched instructions keep their number, unless the fix only inserts whole new
   instructions, only deletes whole instructions, or joins instructions by deleting the
   keyword of each one that disappears (two RUNs into one); they keep their keywords
   unless an edit replaces the keyword itself (ADD -> COPY);
5. something BuildKit sees must change (a fix that only edits a comment does nothing).

A fix failing any check is dropped and reported in :attr:`FixResult.rejected`, never
written. :func:`apply_fixes` is one pass over the findings of one text; :func:`fix_text`
re-lints and repeats until nothing more applies (fixes whose edits collided with an
earlier one get their turn on the next pass), with a bound on the passes.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from slimage.config import LintConfig
from slimage.dockerfile.model import Dockerfile, Instruction
from slimage.errors import DockerfileSyntaxError
from slimage.findings import Applicability, Edit, Finding
from slimage.rules.base import Rule

MAX_PASSES = 8


@dataclass(frozen=True)
class RejectedFix:
    """A finding whose fix failed verification, and why."""

    finding: Finding
    reason: str


@dataclass
class FixResult:
    """The text after fixing, the findings whose fixes were applied, and the fixes rejected."""

    text: str
    applied: list[Finding] = field(default_factory=list)
    rejected: list[RejectedFix] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.applied)


def _signature(instruction: Instruction) -> tuple[object, ...]:
    """What BuildKit sees in an instruction, and nothing of its layout."""
    trigger = _signature(instruction.trigger) if instruction.trigger is not None else None
    return (
        instruction.keyword,
        tuple(flag.raw for flag in instruction.flags),
        tuple(instruction.args),
        instruction.json,
        tuple(
            (h.name, h.file_descriptor, h.expand, h.chomp, h.content) for h in instruction.heredocs
        ),
        trigger,
    )


def _touches(instruction: Instruction, edits: Iterable[Edit]) -> bool:
    # Inclusive at both ends: appending at an instruction's very end edits it.
    span = instruction.span
    return any(edit.start <= span.end and span.start <= edit.end for edit in edits)


def _rewrites_keyword(instruction: Instruction, edits: Iterable[Edit]) -> bool:
    """Whether an edit replaces the keyword itself (ADD -> COPY is meant, not an accident)."""
    start = instruction.span.start
    end = start + len(instruction.keyword_raw)
    return any(edit.start <= start and end <= edit.end and edit.end > edit.start for edit in edits)


def _conflict(a: Edit, b: Edit) -> bool:
    # Closed intervals: edits that merely meet are also kept apart (order would be ambiguous).
    return a.start <= b.end and b.start <= a.end


def _splice(text: str, edits: list[Edit]) -> str:
    for edit in sorted(edits, key=lambda e: (e.start, e.end), reverse=True):
        text = text[: edit.start] + edit.replacement + text[edit.end :]
    return text


def verify_fix(
    before: Dockerfile, after: Dockerfile, edits: list[Edit], *, line_offset: int = 0
) -> str | None:
    """Why ``after`` is not ``before`` with only ``edits`` applied; None when it is.

    ``edits`` are in ``before``'s offsets; ``line_offset`` is added to the line numbers
    of the messages (when ``before`` is a fragment of a file).
    """
    if [(d.name, d.value) for d in before.directives] != [
        (d.name, d.value) for d in after.directives
    ] or before.escape != after.escape:
        return "changes the parser directives"
    old, new = before.instructions, after.instructions
    old_sigs = [_signature(i) for i in old]
    new_sigs = [_signature(i) for i in new]
    prefix = 0
    while prefix < min(len(old), len(new)) and old_sigs[prefix] == new_sigs[prefix]:
        prefix += 1
    suffix = 0
    while (
        suffix < min(len(old), len(new)) - prefix
        and old_sigs[len(old) - 1 - suffix] == new_sigs[len(new) - 1 - suffix]
    ):
        suffix += 1
    old_mid = old[prefix : len(old) - suffix]
    new_mid = new[prefix : len(new) - suffix]
    if not old_mid and not new_mid:
        # Same instructions, flags and arguments: the fix would change nothing BuildKit
        # sees (e.g. "&& rm -rf ..." appended to a comment line inside a RUN).
        return "changes nothing that BuildKit parses"
    if len(old_mid) == len(new_mid):
        for old_instruction, new_instruction in zip(old_mid, new_mid, strict=True):
            if _signature(old_instruction) == _signature(new_instruction):
                continue
            if not _touches(old_instruction, edits):
                line = old_instruction.line + line_offset
                return f"changes line {line}, which the fix does not edit"
            if old_instruction.keyword != new_instruction.keyword and not _rewrites_keyword(
                old_instruction, edits
            ):
                return (
                    f"turns {old_instruction.keyword} on line {old_instruction.line + line_offset}"
                    f" into {new_instruction.keyword}"
                )
        return None
    if not old_mid:
        return _check_insertion(new_mid, edits, line_offset)
    if not new_mid:
        for instruction in old_mid:
            if not any(
                e.start <= instruction.span.start and instruction.span.end <= e.end for e in edits
            ):
                line = instruction.line + line_offset
                return f"removes or merges the instruction on line {line}"
        return None
    if len(new_mid) < len(old_mid) and _is_deliberate_merge(old_mid, new_mid, edits):
        return None
    return (
        f"turns {len(old_mid)} instruction(s) from line {old_mid[0].line + line_offset} "
        f"into {len(new_mid)} instruction(s)"
    )


def _is_deliberate_merge(old: list[Instruction], new: list[Instruction], edits: list[Edit]) -> bool:
    """Joining instructions (two RUNs into one) is meant when the fix edits every one of
    them and deletes the keyword of each instruction that disappears into the one before
    it, of the same kind; a lost line continuation or a stray newline never deletes a
    keyword, so it is still caught."""
    if not all(_touches(instruction, edits) for instruction in old):
        return False
    removed = {id(i) for i in old[1:] if _rewrites_keyword(i, edits)}
    if len(removed) < len(old) - len(new):
        return False
    kept: list[str] = []
    for instruction in old:
        if id(instruction) not in removed:
            kept.append(instruction.keyword)
        elif not kept or kept[-1] != instruction.keyword:
            return False  # only like instructions join: RUN into RUN, never CMD into RUN
    return [i.keyword for i in new] == kept


def _check_insertion(
    inserted: list[Instruction], edits: list[Edit], line_offset: int = 0
) -> str | None:
    """New instructions are fine only when they lie wholly in text that an edit inserted."""
    regions = _inserted_regions(edits)
    for instruction in inserted:
        span = instruction.span
        if not any(start <= span.start and span.end <= end for start, end in regions):
            line = instruction.line + line_offset
            return f"creates an instruction on line {line} outside its edit"
    return None


def _wanted(finding: Finding, unsafe: bool) -> bool:
    fix = finding.fix
    if fix is None or not fix.edits:
        return False
    return unsafe or fix.applicability is Applicability.SAFE


def apply_fixes(
    text: str,
    findings: Iterable[Finding],
    *,
    unsafe: bool = False,
    path: str = "Dockerfile",
) -> FixResult:
    """One pass: apply the fixes of ``findings`` (found on ``text``) that do not collide.

    Safe fixes only, unless ``unsafe``. Each fix is verified against the text as it
    stands after the fixes kept before it; a fix whose edits collide with a kept one is
    skipped (neither applied nor rejected: a re-lint offers it again).

    Each fix is verified on a fragment: the instructions it touches, parsed after the
    fixes kept before it with and without its edits, followed by a sentinel instruction
    that catches an edit leaking past the fragment (a trailing line continuation, an
    unterminated heredoc). That keeps a pass linear in the size of the file. The whole
    result is then parsed once and checked again; should that check fail, the pass is
    redone fix by fix on the whole file.
    """
    from slimage.dockerfile.parser import parse_dockerfile

    candidates = [f for f in findings if _wanted(f, unsafe)]
    if not candidates:
        return FixResult(text=text)
    original = parse_dockerfile(text, path=path)
    index = _SpanIndex(original)
    # Fixes that span several instructions (joining two RUNs) go first: a fix inside one
    # of them (appending a cleanup) collides, waits for the next pass and then lands on
    # the joined instruction, after the command it must follow.
    ordered = [
        finding
        for *_, finding in sorted(
            (-len(index.touched(f.fix.edits)), min(e.start for e in f.fix.edits), i, f)
            for i, f in enumerate(candidates)
            if f.fix
        )
    ]
    fast = _apply_by_fragments(text, original, index, ordered, path)
    if fast is not None:
        return fast
    return _apply_sequentially(text, original, ordered, path)


def _precheck(finding: Finding, text: str, kept: list[Edit]) -> str | None:
    """Why the fix cannot be tried: a reason, "" when it only collides with a kept fix."""
    assert finding.fix is not None
    edits = finding.fix.edits
    if any(_conflict(a, b) for i, a in enumerate(edits) for b in edits[i + 1 :]):
        return "its edits overlap each other"
    if any(not 0 <= e.start <= e.end <= len(text) for e in edits):
        return "its edits fall outside the file"
    if any(_conflict(a, b) for a in edits for b in kept):
        return ""
    return None


class _SpanIndex:
    """Instruction spans of one parse, to find the instructions edits touch quickly."""

    def __init__(self, dockerfile: Dockerfile) -> None:
        self.spans = [(i.span.start, i.span.end) for i in dockerfile.instructions]
        self.starts = [start for start, _ in self.spans]

    def touched(self, edits: Iterable[Edit]) -> set[int]:
        found: set[int] = set()
        for edit in edits:
            position = bisect.bisect_right(self.starts, edit.end) - 1
            while position >= 0 and self.spans[position][1] >= edit.start:
                found.add(position)
                position -= 1
        return found


_SENTINEL = "LABEL slimage.fix.sentinel=1\n"


def _apply_by_fragments(
    text: str, original: Dockerfile, index: _SpanIndex, ordered: list[Finding], path: str
) -> FixResult | None:
    """The pass with fragment verification; None when the final check fails."""
    from slimage.dockerfile.parser import parse_dockerfile

    result = FixResult(text=text)
    kept: list[Edit] = []
    # Always state the escape: a fragment that starts with a comment such as
    # "# escape=`" would otherwise read it as a parser directive (it is not one mid-file).
    header = f"# escape={original.escape}\n"
    for finding in ordered:
        assert finding.fix is not None
        problem = _precheck(finding, text, kept)
        if problem is not None:
            if problem:
                result.rejected.append(RejectedFix(finding, problem))
            continue
        edits = list(finding.fix.edits)
        low, high = _fragment_bounds(text, index, edits, kept)
        inside = [
            Edit(k.start - low, k.end - low, k.replacement)
            for k in kept
            if low <= k.start and k.end <= high
        ]
        before_text = _splice(text[low:high], inside)
        local = [_move(Edit(e.start - low, e.end - low, e.replacement), inside) for e in edits]
        after_text = _splice(before_text, local)
        prefix = header if low > 0 else ""
        lines_before = text.count("\n", 0, low) - prefix.count("\n")
        try:
            before = parse_dockerfile(prefix + _terminated(before_text) + _SENTINEL, path=path)
        except DockerfileSyntaxError:
            return None  # the fragment does not stand alone: verify on the whole file
        try:
            after = parse_dockerfile(prefix + _terminated(after_text) + _SENTINEL, path=path)
        except DockerfileSyntaxError as error:
            message = f"the result does not parse: {error.reason}"
            result.rejected.append(RejectedFix(finding, message))
            continue
        shifted = [Edit(e.start + len(prefix), e.end + len(prefix), e.replacement) for e in local]
        reason = verify_fix(before, after, shifted, line_offset=lines_before)
        if reason is not None:
            result.rejected.append(RejectedFix(finding, reason))
            continue
        kept.extend(edits)
        result.applied.append(finding)
    if not kept:
        return result
    result.text = _splice(text, kept)
    try:
        final = parse_dockerfile(result.text, path=path)
    except DockerfileSyntaxError:
        return None
    if _check_combined(original, final, kept) is not None:
        return None
    return result


def _terminated(fragment: str) -> str:
    return fragment if fragment.endswith("\n") else fragment + "\n"


def _fragment_bounds(
    text: str, index: _SpanIndex, edits: list[Edit], kept: list[Edit]
) -> tuple[int, int]:
    """Whole lines around the edits, the instructions they touch, and any kept edit
    overlapping that range (with its instructions), in the original offsets."""
    low = min(e.start for e in edits)
    high = max(e.end for e in edits)
    while True:
        new_low, new_high = low, high
        for position in index.touched([Edit(low, high, "")]):
            start, end = index.spans[position]
            new_low, new_high = min(new_low, start), max(new_high, end)
        for k in kept:
            if k.start <= new_high and new_low <= k.end:
                new_low, new_high = min(new_low, k.start), max(new_high, k.end)
        if (new_low, new_high) == (low, high):
            break
        low, high = new_low, new_high
    line_start = text.rfind("\n", 0, low) + 1
    line_end = text.find("\n", high)
    return line_start, len(text) if line_end < 0 else line_end + 1


def _check_combined(before: Dockerfile, after: Dockerfile, edits: list[Edit]) -> str | None:
    """The whole pass at once: the same directives, and every instruction that changed,
    vanished or appeared lies where a kept edit is."""
    if [(d.name, d.value) for d in before.directives] != [
        (d.name, d.value) for d in after.directives
    ] or before.escape != after.escape:
        return "changes the parser directives"
    old = [_signature(i) for i in before.instructions]
    new = [_signature(i) for i in after.instructions]
    if len(old) == len(new):
        changed_old = {i for i in range(len(old)) if old[i] != new[i]}
        changed_new = changed_old
    else:
        import difflib

        matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
        changed_old, changed_new = set(), set()
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag != "equal":
                changed_old.update(range(i1, i2))
                changed_new.update(range(j1, j2))
    if changed_old - _SpanIndex(before).touched(edits):
        return "changes an instruction no fix edits"
    regions = _inserted_regions(edits)
    for position in changed_new:
        span = after.instructions[position].span
        if not any(start <= span.end and span.start <= end for start, end in regions):
            return "changes an instruction no fix edits"
    return None


def _inserted_regions(edits: list[Edit]) -> list[tuple[int, int]]:
    """Where each edit's replacement lies in the edited text."""
    regions: list[tuple[int, int]] = []
    shift = 0
    for edit in sorted(edits, key=lambda e: (e.start, e.end)):
        start = edit.start + shift
        regions.append((start, start + len(edit.replacement)))
        shift += len(edit.replacement) - (edit.end - edit.start)
    return regions


def _apply_sequentially(
    text: str, original: Dockerfile, ordered: list[Finding], path: str
) -> FixResult:
    """The pass verified fix by fix on the whole file (slower, and exact)."""
    from slimage.dockerfile.parser import parse_dockerfile

    result = FixResult(text=text)
    current_text, current = text, original
    kept: list[Edit] = []  # in the original text's offsets
    for finding in ordered:
        assert finding.fix is not None
        problem = _precheck(finding, text, kept)
        if problem is not None:
            if problem:
                result.rejected.append(RejectedFix(finding, problem))
            continue
        edits = list(finding.fix.edits)
        moved = [_move(edit, kept) for edit in edits]
        candidate_text = _splice(current_text, moved)
        try:
            candidate = parse_dockerfile(candidate_text, path=path)
        except DockerfileSyntaxError as error:
            message = f"the result does not parse: {error.reason}"
            result.rejected.append(RejectedFix(finding, message))
            continue
        reason = verify_fix(current, candidate, moved)
        if reason is not None:
            result.rejected.append(RejectedFix(finding, reason))
            continue
        kept.extend(edits)
        current_text, current = candidate_text, candidate
        result.applied.append(finding)
    result.text = current_text
    return result


def _move(edit: Edit, kept: list[Edit]) -> Edit:
    """``edit`` in the offsets of the text after the ``kept`` edits (none collide with it)."""
    shift = sum(len(k.replacement) - (k.end - k.start) for k in kept if k.end <= edit.start)
    return Edit(edit.start + shift, edit.end + shift, edit.replacement)


def fix_text(
    text: str,
    *,
    path: str = "Dockerfile",
    config: LintConfig | None = None,
    unsafe: bool = False,
    context_dir: Path | None = None,
    build_args: Mapping[str, str] | None = None,
    target: str | None = None,
    max_passes: int = MAX_PASSES,
    rules: Iterable[type[Rule]] | None = None,
) -> FixResult:
    """Lint and fix until no fix applies (at most ``max_passes`` passes).

    ``rules`` replaces the registry, as in :func:`slimage.rules.engine.lint`.
    """
    from slimage.rules.engine import lint

    rule_list = list(rules) if rules is not None else None
    total = FixResult(text=text)
    seen_rejections: set[tuple[str, str, str]] = set()
    for _ in range(max_passes):
        findings = lint(
            total.text,
            path=path,
            config=config,
            context_dir=context_dir,
            build_args=build_args,
            target=target,
            rules=rule_list,
        ).findings
        step = apply_fixes(total.text, findings, unsafe=unsafe, path=path)
        for rejected in step.rejected:
            key = (rejected.finding.code, rejected.finding.message, rejected.reason)
            if key not in seen_rejections:
                seen_rejections.add(key)
                total.rejected.append(rejected)
        if not step.applied:
            break
        total.applied.extend(step.applied)
        total.text = step.text
    return total
