"""The lint engine: text in, findings out.

:func:`lint` is pure (no file system unless ``context_dir`` is given, for the
``.dockerignore`` checks); :func:`lint_path` is the thin I/O edge beside it. Rules know
nothing of configuration: the engine picks the enabled rules, drops what suppression
comments cover, applies severity overrides and turns each
:class:`~slimage.rules.base.Violation` into a :class:`~slimage.findings.Finding`.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from slimage.config import LintConfig, discover_config
from slimage.dockerfile.model import Dockerfile
from slimage.errors import UsageError
from slimage.findings import Finding, Location
from slimage.rules.base import Rule, Violation
from slimage.rules.context import LintContext


@dataclass
class LintResult:
    """The findings for one file, sorted by position, and the parsed file they refer to."""

    path: str
    dockerfile: Dockerfile
    findings: list[Finding] = field(default_factory=list)
    suppressed: int = 0  # findings dropped by suppression comments


def enabled_rules(config: LintConfig, path: str | None = None) -> list[type[Rule]]:
    """The registered rules that ``config`` selects (for ``path``, per-file-ignores)."""
    ignored = (*config.ignore, *(config.ignores_for_path(path) if path is not None else ()))
    return list(_registered_selection(tuple(config.select), tuple(config.extend_select), ignored))


@lru_cache(maxsize=64)
def _registered_selection(
    select: tuple[str, ...], extend_select: tuple[str, ...], ignore: tuple[str, ...]
) -> tuple[type[Rule], ...]:
    # Cached by the selectors alone: linting many files with one config selects once.
    from slimage.rules.registry import all_rules

    enabled = LintConfig(select=select, extend_select=extend_select, ignore=ignore).rule_filter()
    return tuple(r for r in all_rules() if enabled(r.code, r.name))


def lint(
    text: str,
    *,
    path: str = "Dockerfile",
    config: LintConfig | None = None,
    context_dir: Path | None = None,
    build_args: Mapping[str, str] | None = None,
    target: str | None = None,
    rules: Iterable[type[Rule]] | None = None,
) -> LintResult:
    """Lint Dockerfile ``text``. Raises DockerfileSyntaxError when it does not parse,
    UsageError when ``target`` names no stage of the file.

    ``rules`` replaces the registry (still filtered by ``config``), for tests and tools.
    """
    from slimage.dockerfile.parser import parse_dockerfile

    dockerfile = parse_dockerfile(text, path=path)
    return lint_dockerfile(
        dockerfile,
        path=path,
        config=config,
        context_dir=context_dir,
        build_args=build_args,
        target=target,
        rules=rules,
    )


def lint_path(
    path: str | os.PathLike[str],
    config: LintConfig | None = None,
    *,
    context_dir: Path | None = None,
    build_args: Mapping[str, str] | None = None,
    target: str | None = None,
) -> LintResult:
    """Read and lint one Dockerfile; the config is discovered from its directory when None.

    The build context defaults to the Dockerfile's directory. A file ``docker build``
    rejects after parsing (bare ``FROM``, an unknown instruction) raises
    DockerfileSyntaxError, as ``slimage lint`` reports it.
    """
    from slimage.dockerfile.parser import read_dockerfile
    from slimage.dockerfile.validate import validate_instructions

    file_path = Path(path)
    dockerfile = read_dockerfile(file_path)
    validate_instructions(dockerfile)
    if config is None:
        config = discover_config(file_path)
    return lint_dockerfile(
        dockerfile,
        path=str(path),
        config=config,
        context_dir=context_dir if context_dir is not None else file_path.parent,
        build_args=build_args,
        target=target,
    )


def lint_dockerfile(
    dockerfile: Dockerfile,
    *,
    path: str = "Dockerfile",
    config: LintConfig | None = None,
    context_dir: Path | None = None,
    build_args: Mapping[str, str] | None = None,
    target: str | None = None,
    rules: Iterable[type[Rule]] | None = None,
) -> LintResult:
    """Lint an already parsed Dockerfile (what :func:`lint` and :func:`lint_path` share)."""
    from slimage.dockerfile.stages import build_stage_graph
    from slimage.rules.registry import hadolint_map
    from slimage.rules.suppression import find_suppressions

    config = config if config is not None else LintConfig()
    if rules is not None:
        enabled = config.rule_filter(path)
        selected = [r for r in rules if enabled(r.code, r.name)]
    else:
        selected = enabled_rules(config, path)
    result = LintResult(path=path, dockerfile=dockerfile)
    if not selected or not dockerfile.instructions:
        return result
    stages = build_stage_graph(dockerfile, dict(build_args or {}))
    if target and stages.by_name(target) is None:
        # As `docker build --target`: naming a stage the file does not have is an error.
        names = ", ".join(s.name for s in stages.stages if s.name) or "none"
        raise UsageError(f"{path}: --target {target}: no such stage (stages: {names})")
    context = LintContext(
        dockerfile=dockerfile,
        path=path,
        stages=stages,
        config=config,
        context_dir=context_dir,
        target=target,
        build_args=dict(build_args or {}),
    )
    suppressions = find_suppressions(dockerfile, hadolint_map(tuple(selected)))
    findings: list[Finding] = []
    for rule_class in selected:
        try:
            violations = list(rule_class().check(context))
        except Exception as error:
            # A crashing rule is a bug in slimage: keep the traceback, but say where.
            error.add_note(f"while checking {path} with rule {rule_class.code}")
            raise
        for violation in violations:
            if suppressions.is_suppressed(rule_class.code, rule_class.name, violation.span.line):
                result.suppressed += 1
                continue
            findings.append(_to_finding(rule_class, violation, path, config))
    findings.sort(key=lambda f: (f.location.line, f.location.column, f.code))
    result.findings = findings
    return result


def _to_finding(rule: type[Rule], violation: Violation, path: str, config: LintConfig) -> Finding:
    span = violation.span
    return Finding(
        code=rule.code,
        name=rule.name,
        message=violation.message,
        severity=config.severity_for(rule.code, rule.severity),
        location=Location(
            path=path,
            line=span.line,
            column=span.column,
            end_line=span.end_line,
            end_column=span.end_column,
        ),
        help=violation.help or rule.title,
        bytes_saved=violation.bytes_saved,
        bytes_estimated=violation.bytes_estimated if violation.bytes_saved is not None else False,
        fix=violation.fix,
        extra=dict(violation.extra),
    )
