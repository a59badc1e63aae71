from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from slimage.dockerfile.spans import line_break, rest_span
from slimage.findings import Applicability, Edit, Fix, Severity
from slimage.rules._checks import close_matches
from slimage.rules.base import Rule, Violation

if TYPE_CHECKING:
    from slimage.dockerfile.model import Instruction, Span
    from slimage.dockerfile.stages import Stage
    from slimage.rules.context import LintContext

# Variables the official images set with ENV, so a stage built FROM them may use them
# without declaring them (the base image's config is not known when linting the text).
BASE_IMAGE_ENV = frozenset(
    {
        "PATH",
        "LANG",
        "LC_ALL",
        "GOPATH",
        "GOLANG_VERSION",
        "GOTOOLCHAIN",
        "JAVA_HOME",
        "JAVA_VERSION",
        "NODE_VERSION",
        "YARN_VERSION",
        "PYTHON_VERSION",
        "PYTHON_SHA256",
        "GPG_KEY",
        "PHP_INI_DIR",
        "PHP_VERSION",
        "PHPIZE_DEPS",
        "PHP_CFLAGS",
        "PHP_CPPFLAGS",
        "PHP_LDFLAGS",
        "APACHE_CONFDIR",
        "APACHE_ENVVARS",
        "RUBY_VERSION",
        "RUBY_MAJOR",
        "GEM_HOME",
        "BUNDLE_PATH",
        "BUNDLE_APP_CONFIG",
        "BUNDLE_SILENCE_ROOT_WARNING",
        "CARGO_HOME",
        "RUSTUP_HOME",
        "RUST_VERSION",
        "MAVEN_HOME",
        "MAVEN_CONFIG",
        "GRADLE_HOME",
        "GRADLE_VERSION",
        "CATALINA_HOME",
        "TOMCAT_VERSION",
        "NGINX_VERSION",
        "NJS_VERSION",
        "DOTNET_VERSION",
        "ASPNET_VERSION",
        "ASPNETCORE_URLS",
        "ASPNETCORE_HTTP_PORTS",
        "APP_UID",
        "DOTNET_RUNNING_IN_CONTAINER",
        "NPM_CONFIG_LOGLEVEL",
        "VIRTUAL_ENV",
        "ELIXIR_VERSION",
        "OTP_VERSION",
        "ERLANG_VERSION",
        "PERL_VERSION",
    }
)


class UndefinedVariable(Rule):
    """
    What it does
    ------------
    Reports `$NAME` / `${NAME}` in an instruction the builder expands (`ADD`,
    `COPY`, `ENV`, `EXPOSE`, `LABEL`, `STOPSIGNAL`, `USER`, `VOLUME`,
    `WORKDIR`, `ARG` defaults, `--chown`/`--chmod`) when no `ARG` or `ENV`
    before it defines `NAME`, as BuildKit's `UndefinedVar` check does, with a
    suggestion when a defined name is close. Variables that the official base images
    set (`GOPATH`, `JAVA_HOME`, `NODE_VERSION`, ...) pass when the stage has a
    base image; `FROM` is left to `undefined-arg-in-from`. `RUN`, `CMD` and
    `ENTRYPOINT` are left alone: their variables belong to the shell at run time.

    Why is this bad?
    ----------------
    An undefined variable expands to an empty string without any error:
    `WORKDIR $APP_HOME` becomes `WORKDIR /` and `COPY app $DEST` copies into
    the wrong place. It is almost always a typo or an `ARG` declared in another
    stage (an `ARG` before `FROM` is not visible inside a stage unless declared
    again there).

    Example
    -------
    ```dockerfile
    ARG APP_HOME=/app
    FROM python:3.12-slim
    WORKDIR $APP_HOME
    ```

    Use instead
    -----------
    ```dockerfile
    ARG APP_HOME=/app
    FROM python:3.12-slim
    ARG APP_HOME
    WORKDIR $APP_HOME
    ```

    Fix safety
    ----------
    For a global `ARG` not declared in the stage, the fix inserts `ARG NAME` above the
    instruction; for a name one typo away from a defined one, it renames the
    reference. Both change what the build does (that is the point), and the guess may
    be wrong, so both are unsafe.
    """

    code = "SL3002"
    name = "undefined-variable"
    title = "Define variables with ARG or ENV before using them"
    severity = Severity.WARNING
    fix_safety = "unsafe"

    def check(self, context: LintContext) -> Iterator[Violation]:
        graph = context.stages
        seen: set[tuple[int, str]] = set()
        declared: set[tuple[int, str]] = set()
        for instruction, name in graph.undefined_variables:
            if instruction.keyword == "FROM" or (id(instruction), name) in seen:
                continue
            seen.add((id(instruction), name))
            stage = graph.stage_of(instruction)
            from_image = stage is not None and _has_image_base(context, stage)
            if from_image and name in BASE_IMAGE_ENV:
                continue
            known = sorted(graph.env_before(instruction))
            if stage is None:
                known = sorted({*known, *graph.global_args})
            close = close_matches(name, known)
            hint = f" (did you mean {close[0]}?)" if close else ""
            global_only = stage is not None and name in graph.global_args
            fix = None
            if global_only:
                help_text = f"declare it again inside the stage: `ARG {name}`"
                why = "; an ARG before FROM is only visible to FROM"
                if (stage_key := (id(stage), name)) not in declared:
                    declared.add(stage_key)
                    fix = _declare_fix(context, instruction, name)
            else:
                if close:
                    fix = _rename_fix(context, instruction, name, close[0])
                help_text = f"define it with `ARG {name}=...` or `ENV {name}=...` before this line"
                why = ", so it expands to an empty string"
                if from_image:
                    why += " unless the base image sets it"
            yield Violation(
                message=f"${name} is not defined by an ARG or ENV before this line{hint}{why}",
                span=_variable_span(context, instruction, name),
                fix=fix,
                help=help_text,
            )


def _reference_pattern(name: str) -> re.Pattern[str]:
    return re.compile(r"\$(\{)?" + re.escape(name) + r"(?![A-Za-z0-9_])")


def _rename_fix(
    context: LintContext, instruction: Instruction, name: str, replacement: str
) -> Fix | None:
    """Rename every `$name`/`${name...}` of the instruction to the close defined name."""
    offsets = instruction.rest_offsets
    if not offsets:
        return None
    edits = []
    for match in _reference_pattern(name).finditer(instruction.rest):
        start = match.end() - len(name)
        if offsets[match.end() - 1] + 1 - offsets[start] != len(name):
            return None  # a line continuation inside the name
        edits.append(Edit(offsets[start], offsets[start] + len(name), replacement))
    if not edits:
        return None
    return Fix(
        title=f"Use ${replacement}",
        edits=tuple(edits),
        applicability=Applicability.UNSAFE,
    )


def _declare_fix(context: LintContext, instruction: Instruction, name: str) -> Fix | None:
    """Insert `ARG name` on its own line above the instruction (the global value then
    reaches the stage)."""
    source = context.dockerfile.source
    line_start = source.rfind("\n", 0, instruction.span.start) + 1
    if source[line_start : instruction.span.start].strip():
        return None
    indent = source[line_start : instruction.span.start]
    keyword = "arg" if instruction.keyword_raw.islower() else "ARG"
    return Fix(
        title=f"Declare ARG {name} in the stage",
        edits=(Edit(line_start, line_start, f"{indent}{keyword} {name}{line_break(source)}"),),
        applicability=Applicability.UNSAFE,
    )


def _has_image_base(context: LintContext, stage: Stage) -> bool:
    """Whether the stage chain starts from an image (not scratch), whose ENV is unknown."""
    current = stage
    seen: set[int] = set()
    while current.base_stage is not None and current.index not in seen:
        seen.add(current.index)
        current = context.stages.stages[current.base_stage]
    return current.base.lower() != "scratch"


def _variable_span(context: LintContext, instruction: Instruction, name: str) -> Span:
    pattern = re.compile(r"\$(?:\{" + re.escape(name) + r"\b|" + re.escape(name) + r"\b)")
    match = pattern.search(instruction.rest)
    if match is None:
        return instruction.span
    return rest_span(context.dockerfile, instruction, match.start(), match.end())
