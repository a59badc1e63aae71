from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from slimage.findings import Applicability, Edit, Fix, Severity
from slimage.rules._checks import close_matches
from slimage.rules._sources import looks_like_image_ref
from slimage.rules.base import Rule, Violation

if TYPE_CHECKING:
    from slimage.dockerfile.model import Instruction, Span
    from slimage.dockerfile.stages import Stage, StageRef
    from slimage.rules.context import LintContext


class CopyFromUnknownStage(Rule):
    """
    What it does
    ------------
    Reports `COPY --from=x` and `RUN --mount=from=x` where `x` names the stage
    itself or a stage defined later in the file, is a stage index out of range, or
    is a plain word that is neither an earlier stage nor written like an image
    reference (no tag, registry or namespace), which usually means a typo.

    Why is this bad?
    ----------------
    A stage can only copy from stages built before it: BuildKit rejects a reference
    to itself or to a later stage. A plain word that names no stage is pulled as an
    image from Docker Hub (`--from=buidler` means `docker.io/library/buidler`),
    which fails, or worse, copies files from a stranger's image.

    Example
    -------
    ```dockerfile
    FROM golang:1.22 AS builder
    RUN go build -o /app .
    FROM scratch
    COPY --from=buidler /app /app
    ```

    Use instead
    -----------
    ```dockerfile
    COPY --from=builder /app /app
    ```
    To copy from an image on purpose, write it with a tag: `--from=nginx:1.27`.

    Fix safety
    ----------
    When a plain `COPY --from` word is a close misspelling of an earlier stage name,
    the fix replaces it with that name. It is unsafe: the author may have meant an
    image of that name after all.
    """

    code = "SL3004"
    name = "copy-from-unknown-stage"
    title = "COPY --from must name an earlier stage or a tagged image"
    severity = Severity.ERROR
    hadolint = ("DL3022", "DL3023")
    fix_safety = "unsafe"

    def check(self, context: LintContext) -> Iterator[Violation]:
        stages = context.stages.stages
        for stage in stages:
            for ref in (*stage.copies_from, *stage.mounts_from):
                problem = _problem(stages, stage, ref)
                if problem is None:
                    continue
                message, help_text = problem
                yield Violation(
                    message=message,
                    span=_flag_span(ref.instruction, ref.ref),
                    fix=_typo_fix(stages, stage, ref),
                    help=help_text,
                )


def _typo_fix(stages: list[Stage], stage: Stage, ref: StageRef) -> Fix | None:
    """Replace a COPY --from value by the earlier stage name it is one typo away from."""
    flag = ref.instruction.flag("from")
    if ref.instruction.keyword != "COPY" or flag is None or flag.value != ref.ref:
        return None
    if ref.stage is not None or ref.ref.isdigit():
        return None  # names a stage (itself or a later one): no typo to correct
    lowered = ref.ref.lower()
    if any(s.name == lowered for s in stages):
        return None
    earlier = [s.name for s in stages[: stage.index] if s.name]
    close = close_matches(lowered, earlier)
    if not close or not flag.raw.endswith("=" + ref.ref):
        return None
    end = flag.span.end
    start = end - len(ref.ref)
    return Fix(
        title=f"Copy from stage {close[0]!r}",
        edits=(Edit(start, end, close[0]),),
        applicability=Applicability.UNSAFE,
    )


def _problem(stages: list[Stage], stage: Stage, ref: StageRef) -> tuple[str, str] | None:
    name = ref.ref
    what = "RUN --mount=from" if ref.instruction.keyword == "RUN" else "COPY --from"
    if not name or "$" in name:
        return None
    if ref.stage is not None:
        target = ref.stage
    elif name.isdigit():
        target = int(name)
        if target >= len(stages):
            return (
                f"{what}={name}: there is no stage {name} (stages are numbered from 0)",
                "refer to an earlier stage by its name",
            )
    else:
        lowered = name.lower()
        later = [s for s in stages if s.name == lowered and s.index >= stage.index]
        if later:
            target = later[0].index
        elif looks_like_image_ref(name):
            return None
        else:
            earlier = [s.name for s in stages[: stage.index] if s.name]
            close = close_matches(lowered, earlier)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            return (
                f"{what}={name}: no earlier stage is named {name!r}{hint}; it would be pulled "
                f"as the image docker.io/library/{lowered}:latest",
                "name an earlier stage, or write an image with its tag (--from=image:tag); "
                "a name given with --build-context is fine (suppress this finding)",
            )
    if target == stage.index:
        return (
            f"{what}={name} refers to its own stage",
            "copy from an earlier stage; a stage cannot read its own result",
        )
    if target > stage.index:
        return (
            f"{what}={name} refers to a stage defined later in the file",
            "move that stage above this one",
        )
    return None


def _flag_span(instruction: Instruction, ref: str) -> Span:
    for flag in instruction.flags:
        if flag.name in ("from", "mount") and flag.value and ref in flag.value:
            return flag.span
    return instruction.span
