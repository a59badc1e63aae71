from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TYPE_CHECKING

from slimage.dockerfile.spans import rest_span
from slimage.findings import Applicability, Edit, Fix, Severity
from slimage.rules.base import Rule, Violation
from slimage.stacks.base_entrypoints import BaseEntrypoint, base_entrypoint

if TYPE_CHECKING:
    from slimage.dockerfile.model import Instruction
    from slimage.dockerfile.stages import Stage
    from slimage.rules.context import LintContext


class CmdRepeatsEntrypointInterpreter(Rule):
    """
    What it does
    ------------
    Reports an exec-form `CMD` that starts with the interpreter the base image's
    `ENTRYPOINT` already runs, on bases whose entrypoint is known: the distroless
    `nodejs*` images (`ENTRYPOINT ["/nodejs/bin/node"]`), `python3` images
    (`["/usr/bin/python3.11"]` on debian12) and `java*` images
    (`["/usr/bin/java", "-jar"]`). A stage (or a stage it builds on) that sets its
    own `ENTRYPOINT` passes.

    Why is this bad?
    ----------------
    `CMD` is appended to the `ENTRYPOINT`, so on
    `gcr.io/distroless/nodejs22-debian12` `CMD ["node", "dist/server.js"]` runs
    `/nodejs/bin/node node dist/server.js`: node looks for a script called `node`
    and the container exits at once with "Cannot find module". The image builds;
    the mistake shows only when it runs.

    Example
    -------
    ```dockerfile
    FROM gcr.io/distroless/nodejs22-debian12:nonroot
    COPY dist/ /app/dist/
    WORKDIR /app
    CMD ["node", "dist/server.js"]
    ```

    Use instead
    -----------
    ```dockerfile
    FROM gcr.io/distroless/nodejs22-debian12:nonroot
    COPY dist/ /app/dist/
    WORKDIR /app
    CMD ["dist/server.js"]
    ```
    (on `java*` images, `CMD ["app.jar"]`: the entrypoint already says `-jar`).

    Fix safety
    ----------
    The fix drops the repeated interpreter (and, for java, a repeated `-jar`) from the
    JSON array; the command it leaves is what the entrypoint was meant to run, and the
    current one cannot start: safe. No fix when the CMD spans continuation lines.
    """

    code = "SL3028"
    name = "cmd-repeats-entrypoint-interpreter"
    title = "Do not repeat the base image's ENTRYPOINT interpreter in CMD"
    severity = Severity.ERROR
    fix_safety = "safe"

    def check(self, context: LintContext) -> Iterator[Violation]:
        for stage in context.stages.stages:
            commands = [i for i in stage.instructions if i.keyword == "CMD" and i.json]
            if not commands:
                continue
            known = _inherited_entrypoint(context, stage)
            if known is None:
                continue
            for instruction in commands:
                repeated = _repeated_words(known, instruction.args)
                if not repeated:
                    continue
                entrypoint = json.dumps(list(known.entrypoint))
                yield Violation(
                    message=f"CMD starts with {' '.join(instruction.args[:repeated])!r}, but "
                    f"the base image's ENTRYPOINT {entrypoint} already runs {known.interpreter}: "
                    f"the container runs {known.interpreter} "
                    f"{' '.join(known.options + tuple(instruction.args))}",
                    span=instruction.span,
                    help=f"drop {' '.join(instruction.args[:repeated])!r} from CMD",
                    fix=_fix(context, instruction, repeated),
                )


def _inherited_entrypoint(context: LintContext, stage: Stage) -> BaseEntrypoint | None:
    """The known interpreter ENTRYPOINT of the image the stage builds on, unless the stage
    or a stage it builds FROM sets its own ENTRYPOINT."""
    current: Stage | None = stage
    seen: set[int] = set()
    while current is not None and current.index not in seen:
        seen.add(current.index)
        if any(i.keyword == "ENTRYPOINT" for i in current.instructions):
            return None
        if current.base_stage is None:
            return base_entrypoint(current.base)
        current = context.stages.stages[current.base_stage]
    return None


def _repeated_words(known: BaseEntrypoint, args: list[str]) -> int:
    """How many leading CMD words repeat the entrypoint (0: none)."""
    count = 0
    if args and known.repeats(args[0]):
        count = 1
    options = known.options
    if options and tuple(args[count : count + len(options)]) == options:
        count += len(options)
    # A CMD that is only the options (`CMD ["-jar"]`) has nothing left to run: not this rule.
    return count if count < len(args) else 0


def _fix(context: LintContext, instruction: Instruction, repeated: int) -> Fix | None:
    offsets = instruction.rest_offsets
    rest = instruction.rest.rstrip()
    if not offsets or offsets[len(rest) - 1] - offsets[0] != len(rest) - 1:
        return None  # continuation lines inside the array: leave the layout to the user
    span = rest_span(context.dockerfile, instruction, 0, len(rest))
    replacement = json.dumps(instruction.args[repeated:])
    return Fix(
        title=f"Rewrite as CMD {replacement}",
        edits=(Edit(span.start, span.end, replacement),),
        applicability=Applicability.SAFE,
    )
