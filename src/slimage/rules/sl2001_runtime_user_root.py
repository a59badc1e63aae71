from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from slimage.dockerfile.spans import keyword_span, line_break
from slimage.findings import Applicability, Edit, Fix, Severity
from slimage.reference import parse_image_ref
from slimage.rules._checks import mentions
from slimage.rules.base import Rule, Violation

if TYPE_CHECKING:
    from slimage.dockerfile.model import Instruction
    from slimage.dockerfile.stages import Stage
    from slimage.rules.context import LintContext

_ROOT = frozenset({"root", "0"})
# Base images documented to run as a non-root user unless told otherwise.
_NONROOT_TAGS = ("nonroot", "debug-nonroot")


def is_root_user(user: str) -> bool:
    """``root``, ``0``, ``root:root``, ``0:0``: the user part decides (``1000:0`` is fine)."""
    return user.split(":", 1)[0].strip() in _ROOT


# Image families documented to run as a non-root user by default:
# (registry, repository prefix).
_NONROOT_IMAGES = (
    ("docker.io", "nginxinc/nginx-unprivileged"),
    ("docker.io", "bitnami/"),
    ("cgr.dev", "chainguard/"),
)


def _base_runs_as_nonroot(base: str) -> bool:
    ref = parse_image_ref(base)
    if ref is None:
        return False
    tag = ref.tag or ""
    if tag in _NONROOT_TAGS or tag.endswith("-nonroot"):
        return True
    if ref.registry == "cgr.dev" and tag.endswith("-dev"):
        return False  # -dev variants (shell, apk) differ between images: do not assume
    return any(
        ref.registry == registry and ref.repository.startswith(prefix)
        for registry, prefix in _NONROOT_IMAGES
    )


def _is_windows(base: str) -> bool:
    """Windows images have no root user; their default user is the image's business."""
    lowered = base.lower()
    return lowered.startswith("mcr.microsoft.com/windows") or any(
        word in lowered for word in ("nanoserver", "windowsservercore")
    )


class RuntimeUserRoot(Rule):
    """
    What it does
    ------------
    Reports a runtime stage that runs as root: it has no `USER` instruction (and
    neither has any stage it builds `FROM`), or its last `USER` is `root`, `0`
    or `0:0`. A `USER` in a build stage does not count, since only the runtime
    stage's user reaches the image. Bases that already run as a non-root user
    (distroless `:nonroot` tags, `nginxinc/nginx-unprivileged`, Bitnami and
    Chainguard images) pass, and so do Windows bases, which have no root user.

    Why is this bad?
    ----------------
    A process running as root in a container is root on the files of the container
    and one kernel bug away from root on the host. Most scanners and admission
    policies (Kubernetes `runAsNonRoot`) reject such images. hadolint only reports
    an explicit `USER root`, not a missing `USER`.

    Example
    -------
    ```dockerfile
    FROM node:20-slim
    COPY . /app
    CMD ["node", "/app/server.js"]
    ```

    Use instead
    -----------
    ```dockerfile
    FROM node:20-slim
    COPY --chown=node:node . /app
    USER node
    CMD ["node", "/app/server.js"]
    ```
    Or create a user (`useradd --system --uid 10001 app`) or use a numeric UID,
    which also works on `scratch`.

    Fix safety
    ----------
    When the runtime stage creates a user (`useradd`/`adduser`) but never switches to
    it, or builds on the `node` image (which has a `node` user), the fix inserts
    `USER <name>` before `CMD`/`ENTRYPOINT` (or at the end of the stage). It is unsafe:
    the program may need root for what it does at run time (a port below 1024, files
    owned by root).
    """

    code = "SL2001"
    name = "runtime-user-root"
    title = "Run the runtime stage as a non-root USER"
    severity = Severity.WARNING
    hadolint = ("DL3002",)
    fix_safety = "unsafe"

    def check(self, context: LintContext) -> Iterator[Violation]:
        graph = context.stages
        if not graph.stages:
            return
        runtime = context.runtime_stage
        df = context.dockerfile
        stage: Stage | None = runtime
        seen: set[int] = set()
        while stage is not None and stage.index not in seen:
            seen.add(stage.index)
            user = _last_user(stage)
            if user is not None:
                value = _user_value(context, user)
                if value is None or not is_root_user(value):
                    return  # unknown ($VAR without value) or a non-root user
                yield Violation(
                    message=f"the runtime stage runs as root: the last USER is {value!r}",
                    span=user.span,
                    help="switch to a non-root user (`USER app`, or a numeric UID like "
                    "`USER 10001`) after the steps that need root",
                )
                return
            if stage.base_stage is None:
                break
            stage = graph.stages[stage.base_stage]
        external = stage.base if stage is not None and stage.base_stage is None else ""
        if external and (_base_runs_as_nonroot(external) or _is_windows(external)):
            return
        where = "the runtime stage" if len(seen) == 1 else "the runtime stage or its base stages"
        created = _created_user(context, [graph.stages[i] for i in sorted(seen)])
        fix = None
        if created is not None:
            name, line = created
            help_text = f"user {name!r} is created on line {line} but never used: add `USER {name}`"
            fix = _add_user_fix(context, runtime, name, after_line=line)
        elif external and _image_repository(external) == "library/node":
            help_text = "the node image has a `node` user (uid 1000): add `USER node`"
            fix = _add_user_fix(context, runtime, "node", after_line=0)
        else:
            help_text = (
                "add `USER` with a non-root user (create one with `useradd`/`adduser`, or use "
                "a numeric UID like `USER 10001`) after installing packages"
            )
        yield Violation(
            message=f"no USER in {where}: the container runs as root",
            span=keyword_span(df, runtime.from_instruction),
            fix=fix,
            help=help_text,
        )


def _image_repository(base: str) -> str | None:
    ref = parse_image_ref(base)
    return ref.repository if ref is not None and ref.registry == "docker.io" else None


def _add_user_fix(context: LintContext, runtime: Stage, name: str, after_line: int) -> Fix | None:
    """Insert `USER name` before the runtime stage's CMD/ENTRYPOINT, or at its end.

    The user must exist by then, so nothing is inserted above the line creating it.
    """
    df = context.dockerfile
    if not runtime.instructions:
        return None
    keyword = "user" if runtime.from_instruction.keyword_raw.islower() else "USER"
    for instruction in runtime.instructions:
        if instruction.keyword in ("CMD", "ENTRYPOINT") and instruction.span.line > after_line:
            start = df.source.rfind("\n", 0, instruction.span.start) + 1
            if df.source[start : instruction.span.start].strip():
                return None
            edit = Edit(start, start, f"{keyword} {name}{line_break(df.source)}")
            break
    else:
        last = runtime.instructions[-1]
        if last.span.line <= after_line and last.keyword != "RUN":
            return None
        edit = Edit(last.span.end, last.span.end, f"{line_break(df.source)}{keyword} {name}")
    return Fix(
        title=f"Add USER {name}",
        edits=(edit,),
        applicability=Applicability.UNSAFE,
    )


# Options of useradd, adduser (Debian and BusyBox) that take a value.
_VALUE_OPTIONS = frozenset(
    {
        "-u",
        "-g",
        "-G",
        "-d",
        "-s",
        "-c",
        "-k",
        "-e",
        "-f",
        "-K",
        "-p",
        "-b",
        "-h",
        "--uid",
        "--gid",
        "--groups",
        "--home",
        "--home-dir",
        "--shell",
        "--comment",
        "--gecos",
        "--ingroup",
        "--skel",
        "--key",
        "--password",
        "--base-dir",
        "--firstuid",
        "--lastuid",
        "--add_extra_groups",
        "--expiredate",
        "--inactive",
    }
)


def _created_user(context: LintContext, stages: list[Stage]) -> tuple[str, int] | None:
    """(name, line) of the last user a useradd/adduser in ``stages`` creates."""
    found: tuple[str, int] | None = None
    for stage in stages:
        for instruction in stage.instructions:
            if instruction.keyword != "RUN" or not mentions(instruction, "useradd", "adduser"):
                continue
            for command in context.commands(instruction):
                if command.program not in ("useradd", "adduser"):
                    continue
                words = command.argv[1:]
                skip = False
                for word in words:
                    if skip:
                        skip = False
                        continue
                    if word.startswith("-"):
                        skip = word in _VALUE_OPTIONS
                        continue
                    if "$" not in word:
                        found = (word, instruction.span.line)
                    break
    return found


def _last_user(stage: Stage) -> Instruction | None:
    for instruction in reversed(stage.instructions):
        if instruction.keyword == "USER" and instruction.args:
            return instruction
    return None


def _user_value(context: LintContext, instruction: Instruction) -> str | None:
    """The USER argument with ARG/ENV expanded; None when a variable has no known value."""
    raw = instruction.args[0]
    if "$" not in raw:
        return raw
    from slimage.dockerfile.shell_lex import ShellLex, ShellLexError

    env = context.stages.env_before(instruction)
    try:
        value, _matched, unmatched = ShellLex(context.dockerfile.escape).process_word_with_matches(
            raw, env
        )
    except ShellLexError:
        return None
    return None if unmatched or not value else value
