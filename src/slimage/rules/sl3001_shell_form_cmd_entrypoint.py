from __future__ import annotations

import json
import re
import weakref
from collections.abc import Iterator
from typing import TYPE_CHECKING

from slimage.dockerfile.spans import rest_span
from slimage.findings import Applicability, Edit, Fix, Severity
from slimage.reference import parse_image_ref
from slimage.rules.base import Rule, Violation

if TYPE_CHECKING:
    from slimage.dockerfile.model import Instruction
    from slimage.dockerfile.stages import Stage
    from slimage.rules.context import LintContext

# A word the shell passes through unchanged: no quotes, escapes, variables, globs,
# redirections, operators, comments, braces or tilde.
_PLAIN_WORD = re.compile(r"^[A-Za-z0-9_./:@%+,-][A-Za-z0-9_./:@%+,=-]*$")
# Words that are shell syntax or builtins with no executable behind them.
_SHELL_ONLY = frozenset(
    {
        "exec",
        "cd",
        "export",
        "source",
        ".",
        "set",
        "unset",
        "trap",
        "ulimit",
        "umask",
        "eval",
        "if",
        "for",
        "while",
        "until",
        "case",
        "function",
        "alias",
        "readonly",
        "wait",
        "shift",
        "exit",
        "return",
        "local",
    }
)


def exec_form(rest: str) -> list[str] | None:
    """The exec-form words that run exactly what ``sh -c rest`` runs, or None.

    Only a simple command made of plain words qualifies: anything the shell would
    interpret (quotes, ``$``, globs, ``~``, operators, builtins, ``VAR=x`` prefixes)
    makes the two forms differ.
    """
    words = rest.split()
    if not words or not all(_PLAIN_WORD.match(w) for w in words):
        return None
    if words[0] in _SHELL_ONLY or "=" in words[0]:
        return None
    return words


class ShellFormCmdEntrypoint(Rule):
    """
    What it does
    ------------
    Reports `CMD` and `ENTRYPOINT` in shell form (`CMD node server.js`), as
    BuildKit's `JSONArgsRecommended` check does. A stage that sets `SHELL`
    explicitly has chosen a shell and passes.

    Why is this bad?
    ----------------
    Shell form runs `/bin/sh -c "node server.js"`: PID 1 is the shell, which does not
    forward `SIGTERM` to your program, so `docker stop` waits 10 seconds and then
    kills it without a graceful shutdown. A shell-form `ENTRYPOINT` also ignores
    `CMD` and the arguments of `docker run`. Exec form runs the program as PID 1.

    Example
    -------
    ```dockerfile
    CMD node server.js
    ```

    Use instead
    -----------
    ```dockerfile
    CMD ["node", "server.js"]
    ```
    When you need shell features, `CMD ["sh", "-c", "exec node server.js"]` keeps
    the program as PID 1 through `exec`.

    Fix safety
    ----------
    A fix is offered only for a simple command of plain words (no quotes, variables,
    globs, operators or shell builtins), where the JSON array runs the same program
    with the same arguments. `CMD` is passed to the image's `ENTRYPOINT` when there is
    one, and entrypoints that look at their first argument (nginx, postgres, redis
    run set-up steps only for their own program) then behave differently, so the fix
    is safe only for a `CMD` whose stage sets no `ENTRYPOINT` and builds on `scratch`
    or on a base known to have no entrypoint or one that just runs its arguments
    (debian, ubuntu, alpine, busybox, python, golang, node, php, ruby, rust, JDKs,
    distroless static/base/cc). Otherwise, and always for `ENTRYPOINT` (exec form
    starts receiving `CMD` and `docker run` arguments, which shell form dropped), the
    fix is unsafe.
    """

    code = "SL3001"
    name = "shell-form-cmd-entrypoint"
    title = "Use exec form (JSON array) for CMD and ENTRYPOINT"
    severity = Severity.WARNING
    hadolint = ("DL3025",)
    fix_safety = "safe"

    def check(self, context: LintContext) -> Iterator[Violation]:
        df = context.dockerfile
        for stage in context.stages.stages:
            if _sets_shell(context, stage):
                continue
            has_entrypoint = _has_entrypoint(context, stage)
            plain_base = _plain_entrypoint_base(context, stage)
            for instruction in stage.instructions:
                if instruction.keyword not in ("CMD", "ENTRYPOINT") or instruction.json:
                    continue
                if not instruction.rest.strip() or instruction.rest.lstrip().startswith("["):
                    continue  # empty, or a broken JSON array (json-args-single-quotes)
                safe = instruction.keyword == "CMD" and not has_entrypoint and plain_base
                yield Violation(
                    message=f"{instruction.keyword} in shell form runs under /bin/sh -c, which "
                    "does not forward signals to your program",
                    span=rest_span(df, instruction, 0, len(instruction.rest)),
                    fix=_fix(instruction, safe),
                    help=f"write {instruction.keyword} as a JSON array: "
                    f'`{instruction.keyword} ["program", "arg"]`',
                )


def _fix(instruction: Instruction, safe: bool) -> Fix | None:
    words = exec_form(instruction.rest)
    offsets = instruction.rest_offsets
    if words is None or not offsets:
        return None
    stripped = instruction.rest.rstrip()
    leading = len(instruction.rest) - len(instruction.rest.lstrip())
    start = offsets[leading]
    end = offsets[len(stripped) - 1] + 1
    replacement = json.dumps(words, ensure_ascii=False)
    return Fix(
        title=f"Rewrite as {instruction.keyword} {replacement}",
        edits=(Edit(start, end, replacement),),
        applicability=Applicability.SAFE if safe else Applicability.UNSAFE,
    )


# Per file: the keywords used in each stage's FROM chain, and the chain's root stage, each
# computed once from the base's answer (a walk per stage made chained stages quadratic).
_CHAIN_FACTS: weakref.WeakKeyDictionary[LintContext, dict[int, tuple[frozenset[str], Stage]]] = (
    weakref.WeakKeyDictionary()
)


def _chain_facts(context: LintContext, stage: Stage) -> tuple[frozenset[str], Stage]:
    facts = _CHAIN_FACTS.setdefault(context, {})
    found = facts.get(stage.index)
    if found is not None:
        return found
    chain = []
    current: Stage | None = stage
    seen: set[int] = set()
    while current is not None and current.index not in seen and current.index not in facts:
        seen.add(current.index)
        chain.append(current)
        base = current.base_stage
        current = context.stages.stages[base] if base is not None else None
    inherited: tuple[frozenset[str], Stage] | None = (
        facts[current.index] if current is not None and current.index in facts else None
    )
    for item in reversed(chain):
        keywords = frozenset(i.keyword for i in item.instructions)
        if inherited is None:
            inherited = (keywords, item)
        else:
            inherited = (keywords | inherited[0], inherited[1])
        facts[item.index] = inherited
    return facts[stage.index]


def _sets_shell(context: LintContext, stage: Stage) -> bool:
    return "SHELL" in _chain_facts(context, stage)[0]


# Official images without an ENTRYPOINT, or whose entrypoint only execs its arguments
# (node's and php's docker-entrypoint scripts); "library/" repositories on Docker Hub.
_PLAIN_ENTRYPOINT_IMAGES = frozenset(
    {
        "debian",
        "ubuntu",
        "alpine",
        "busybox",
        "python",
        "pypy",
        "golang",
        "node",
        "php",
        "ruby",
        "rust",
        "eclipse-temurin",
        "openjdk",
        "amazoncorretto",
        "ibm-semeru-runtimes",
        "fedora",
        "centos",
        "rockylinux",
        "almalinux",
        "amazonlinux",
        "oraclelinux",
        "archlinux",
        "buildpack-deps",
        "perl",
        "swift",
        "erlang",
        "elixir",
        "haskell",
        "julia",
        "gcc",
    }
)
_PLAIN_DISTROLESS = ("static", "base", "cc")


def _plain_entrypoint_base(context: LintContext, stage: Stage) -> bool:
    """Whether the external image the stage builds on runs CMD as given."""
    root = _chain_facts(context, stage)[1]
    if root.base_stage is not None:
        return False  # a cycle; cannot tell
    base = root.base.lower()
    if base == "scratch":
        return True
    ref = parse_image_ref(base)
    if ref is None:
        return False
    if ref.registry == "docker.io" and ref.repository.startswith("library/"):
        return ref.repository.removeprefix("library/") in _PLAIN_ENTRYPOINT_IMAGES
    if ref.registry == "gcr.io" and ref.repository.startswith("distroless/"):
        flavour = ref.repository.removeprefix("distroless/")
        return flavour.startswith(_PLAIN_DISTROLESS)
    return False


def _has_entrypoint(context: LintContext, stage: Stage) -> bool:
    return "ENTRYPOINT" in _chain_facts(context, stage)[0]
