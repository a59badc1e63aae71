"""The lint engine: parsing, rule selection, severity, ordering, the LintContext views."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest
from engine_helpers import DOC, AptCleanup, EveryFrom, EveryRun

from slimage.config import LintConfig, parse_config
from slimage.errors import DockerfileSyntaxError
from slimage.findings import Severity
from slimage.rules.base import Rule, Violation
from slimage.rules.context import LintContext
from slimage.rules.engine import lint, lint_path
from slimage.rules.registry import RegistryError, all_rules, get_rule, validate_rule

TEXT = """\
FROM golang:1.22 AS build
RUN go build -o /app .

FROM debian:12 AS tools
RUN apt-get update

FROM gcr.io/distroless/static
COPY --from=build /app /app
"""

RULES = [EveryRun, EveryFrom]


def test_findings_sorted_by_line_across_rules() -> None:
    result = lint(TEXT, rules=RULES)
    assert [(f.code, f.location.line) for f in result.findings] == [
        ("SL2901", 1),
        ("SL1901", 2),
        ("SL2901", 4),
        ("SL1901", 5),
        ("SL2901", 7),
    ]
    first = result.findings[0]
    assert first.severity is Severity.ERROR
    assert first.help == "Flag every FROM"
    assert first.location.path == "Dockerfile"
    assert (first.location.column, first.location.end_line) == (1, 1)
    assert result.dockerfile.instructions[0].keyword == "FROM"


def test_selection_by_prefix_code_and_name() -> None:
    only_size = parse_config({"select": ["SL1"]})
    assert {f.code for f in lint(TEXT, rules=RULES, config=only_size).findings} == {"SL1901"}
    by_name = parse_config({"select": ["every-from"]})
    assert {f.code for f in lint(TEXT, rules=RULES, config=by_name).findings} == {"SL2901"}
    ignored = parse_config({"ignore": ["SL2901"]})
    assert {f.code for f in lint(TEXT, rules=RULES, config=ignored).findings} == {"SL1901"}


def test_severity_override() -> None:
    config = parse_config({"severity": {"SL2901": "info"}})
    severities = {f.code: f.severity for f in lint(TEXT, rules=RULES, config=config).findings}
    assert severities == {"SL2901": Severity.INFO, "SL1901": Severity.WARNING}


def test_per_file_ignores_use_the_path(tmp_path: Path) -> None:
    config = parse_config(
        {"per-file-ignores": {"dev.Dockerfile": ["SL1"]}}, source=tmp_path / ".slimage.toml"
    )
    dev = lint(TEXT, rules=RULES, config=config, path=str(tmp_path / "dev.Dockerfile"))
    prod = lint(TEXT, rules=RULES, config=config, path=str(tmp_path / "Dockerfile"))
    assert {f.code for f in dev.findings} == {"SL2901"}
    assert {f.code for f in prod.findings} == {"SL1901", "SL2901"}


def test_syntax_error_raises_with_path() -> None:
    with pytest.raises(DockerfileSyntaxError) as raised:
        lint("# only a comment\n", path="x/Dockerfile", rules=RULES)
    assert raised.value.path == "x/Dockerfile"
    assert raised.value.exit_code == 3


class _Views(Rule):
    __doc__ = DOC
    code: ClassVar[str] = "SL3901"
    name: ClassVar[str] = "views"
    title: ClassVar[str] = "Report the context's views"
    seen: ClassVar[dict[str, object]] = {}

    def check(self, context: LintContext) -> Iterator[Violation]:
        stages = context.stages.stages
        run = stages[1].instructions[0]
        _Views.seen.update(
            runtime=context.runtime_stage.index,
            is_runtime=[context.is_runtime(s) for s in stages],
            reaches=[context.reaches_runtime(s) for s in stages],
            same_commands=context.commands(run) is context.commands(run),
            programs=[c.program for c in context.commands(run)],
            matcher=context.ignore_matcher(),
        )
        return iter(())


def test_context_views_default_target() -> None:
    lint(TEXT, rules=[_Views])
    seen = _Views.seen
    assert seen["runtime"] == 2
    assert seen["is_runtime"] == [False, False, True]
    assert seen["reaches"] == [True, False, True]  # build is copied from; tools is not
    assert seen["same_commands"] is True
    assert seen["programs"] == ["apt-get"]
    assert seen["matcher"] is None  # no context directory for plain text


def test_context_views_with_target() -> None:
    lint(TEXT, rules=[_Views], target="tools")
    assert _Views.seen["runtime"] == 1
    assert _Views.seen["reaches"] == [False, True, False]


def test_unknown_target_is_a_usage_error() -> None:
    from slimage.errors import UsageError

    with pytest.raises(UsageError, match=r"--target prod: no such stage \(stages: build, tools\)"):
        lint(TEXT, rules=[_Views], target="prod")


def test_context_reaches_runtime_through_base_stages() -> None:
    text = (
        "FROM alpine AS base\nRUN echo\n"
        "FROM base AS deps\nRUN echo\n"
        "FROM deps AS builder\nRUN echo\n"
        "FROM alpine AS other\nRUN echo\n"
        "FROM builder\nCOPY --from=other /x /x\n"
    )

    class Reach(_Views):
        def check(self, context: LintContext) -> Iterator[Violation]:
            _Views.seen["reach"] = [context.reaches_runtime(s) for s in context.stages.stages]
            _Views.seen["base"] = [context.is_base_of_runtime(s) for s in context.stages.stages]
            return iter(())

    lint(text, rules=[Reach])
    assert _Views.seen["reach"] == [True, True, True, True, True]
    assert _Views.seen["base"] == [True, True, True, False, True]


def test_ignore_matcher_reads_the_context(tmp_path: Path) -> None:
    (tmp_path / ".dockerignore").write_text(".git\nnode_modules\n")
    lint(TEXT, rules=[_Views], context_dir=tmp_path)
    matcher = _Views.seen["matcher"]
    assert matcher is not None
    assert matcher.matches("node_modules/x")  # type: ignore[attr-defined]
    assert not matcher.matches("src/app.js")  # type: ignore[attr-defined]


def test_crashing_rule_keeps_traceback_with_a_note() -> None:
    class Crash(_Views):
        code: ClassVar[str] = "SL3902"

        def check(self, context: LintContext) -> Iterator[Violation]:
            raise ZeroDivisionError("bug")

    with pytest.raises(ZeroDivisionError) as raised:
        lint(TEXT, rules=[Crash], path="p/Dockerfile")
    assert "while checking p/Dockerfile with rule SL3902" in raised.value.__notes__


def test_lint_path_discovers_config_and_context(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (tmp_path / ".slimage.toml").write_text('ignore = ["SL1"]\n')
    dockerfile = project / "Dockerfile"
    dockerfile.write_text("FROM alpine:3.20\nRUN apk add curl\n")
    result = lint_path(dockerfile)
    assert result.path == str(dockerfile)
    codes = {f.code for f in result.findings}
    assert not any(code.startswith("SL1") for code in codes)


def test_lint_path_missing_file_is_an_input_error(tmp_path: Path) -> None:
    from slimage.errors import InputError

    with pytest.raises(InputError):
        lint_path(tmp_path / "nope" / "Dockerfile", LintConfig())


def test_registry_is_consistent() -> None:
    rules = all_rules()
    assert rules, "no rules registered"
    assert len({r.code for r in rules}) == len(rules)
    assert len({r.name for r in rules}) == len(rules)
    for rule in rules:
        assert get_rule(rule.code) is rule
        assert get_rule(rule.name) is rule
        assert get_rule(rule.code.lower()) is rule


def test_unknown_rule_is_a_usage_error() -> None:
    from slimage.errors import UsageError

    with pytest.raises(UsageError, match="unknown rule"):
        get_rule("SL0000")


def test_validate_rule_rejects_broken_rules() -> None:
    validate_rule(EveryRun, "slimage.rules.sl1901_every_run")
    with pytest.raises(RegistryError, match="does not match the module"):
        validate_rule(EveryRun, "slimage.rules.sl1902_every_run")

    class NoDocs(EveryRun):
        __doc__ = "Only a summary."

    with pytest.raises(RegistryError, match="lacks section"):
        validate_rule(NoDocs, "slimage.rules.sl1901_x")

    class BadName(EveryRun):
        name: ClassVar[str] = "Every_Run"

    with pytest.raises(RegistryError, match="kebab-case"):
        validate_rule(BadName, "slimage.rules.sl1901_x")

    class FixWithoutSafetyDocs(AptCleanup):
        __doc__ = DOC

    with pytest.raises(RegistryError, match="Fix safety"):
        validate_rule(FixWithoutSafetyDocs, "slimage.rules.sl1902_x")


def test_commands_follow_the_shell_of_the_stage_and_its_base() -> None:
    shells: list[list[str] | None] = []

    class Shells(_Views):
        def check(self, context: LintContext) -> Iterator[Violation]:
            for instruction in context.dockerfile.instructions:
                if instruction.keyword == "RUN":
                    shells.append(context._shell_for(instruction))
            return iter(())

    text = (
        "FROM debian AS plain\nRUN echo a\n"
        'FROM mcr.microsoft.com/powershell AS base\nSHELL ["pwsh", "-Command"]\n'
        "RUN echo b\n"
        "FROM base\nRUN echo c\n"
        'SHELL ["/bin/bash", "-c"]\nRUN echo d\n'
    )
    lint(text, rules=[Shells])
    assert shells == [None, ["pwsh", "-Command"], ["pwsh", "-Command"], ["/bin/bash", "-c"]]
