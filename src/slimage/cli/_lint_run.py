"""The work behind ``slimage lint``: find files, load configs, lint, fix, report, exit code.

Exit codes (also in docs/lint.md): 0 nothing at or above the fail level; 1 findings at
or above it (with ``--diff``: a diff was printed); 2 usage or configuration error; 3 a
file could not be read or parsed (the other files are still linted and reported).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from slimage.cli._options import quiet
from slimage.config import LintConfig, discover_config, load_config
from slimage.errors import (
    EXIT_FINDINGS,
    EXIT_INPUT,
    EXIT_OK,
    ConfigError,
    InputError,
    InputNotFound,
    SlimageError,
    UsageError,
)
from slimage.findings import Finding, Severity

SKIP_DIRECTORIES = frozenset({".git", "node_modules", ".hg", ".svn", ".venv", "__pycache__"})

# The path ``-`` on the command line: the Dockerfile comes from standard input, and is
# reported under this name (as ``slimage parse -`` does).
STDIN = Path("-")
STDIN_NAME = "<stdin>"


@dataclass
class LintOptions:
    """The options of ``slimage lint``, as its command line gives them."""

    paths: list[Path]
    output_format: str = "text"
    fail_level: str | None = None
    select: list[str] | None = None
    extend_select: list[str] | None = None
    ignore: list[str] | None = None
    config: Path | None = None
    build_args: list[str] = field(default_factory=list)
    target: str | None = None
    context: Path | None = None
    fix: bool = False
    unsafe_fixes: bool = False
    diff: bool = False
    jobs: int = 0  # worker processes; 0: one per CPU for large runs
    stdin: bytes | None = None  # the Dockerfile read from standard input (path ``-``)


def is_dockerfile_name(name: str) -> bool:
    """Dockerfile, Containerfile, ``*.Dockerfile``, ``Dockerfile.*`` (not ``*.dockerignore``)."""
    if name.endswith(".dockerignore"):
        return False
    lowered = name.lower()
    for stem in ("dockerfile", "containerfile"):
        if lowered == stem or lowered.startswith(stem + ".") or lowered.endswith("." + stem):
            return True
    return False


def find_dockerfiles(paths: Iterable[Path]) -> list[Path]:
    """Files named on the command line as they are; directories searched, sorted, deduplicated.

    Raises InputNotFound for a path that does not exist.
    """
    found: dict[str, Path] = {}
    for path in paths:
        if path == STDIN:
            found.setdefault(STDIN_NAME, STDIN)
        elif path.is_file() or (path.exists() and not path.is_dir()):
            found.setdefault(os.path.normpath(path), path)
        elif path.is_dir():
            for file in _walk(path):
                found.setdefault(os.path.normpath(file), file)
        else:
            raise InputNotFound(f"{path}: no such file or directory")
    return list(found.values())


def _walk(root: Path) -> Iterator[Path]:
    for directory, subdirectories, files in os.walk(root):
        subdirectories[:] = sorted(d for d in subdirectories if d not in SKIP_DIRECTORIES)
        for name in sorted(files):
            if is_dockerfile_name(name):
                yield Path(directory, name)


def parse_build_args(values: Sequence[str]) -> dict[str, str]:
    """``KEY=VALUE``; a bare ``KEY`` takes its value from the environment, as docker build."""
    args: dict[str, str] = {}
    for value in values:
        key, sep, rest = value.partition("=")
        if not key.strip():
            raise UsageError(f"--build-arg {value!r}: expected KEY=VALUE")
        if sep:
            args[key] = rest
        elif key in os.environ:
            args[key] = os.environ[key]
    return args


def _split(values: list[str] | None) -> list[str] | None:
    if values is None:
        return None
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def check_selectors(config: LintConfig, origin: str) -> None:
    """Every selector must name at least one rule: a typo should not silently select nothing."""
    from slimage.rules.registry import all_rules

    rules = all_rules()
    groups = {
        "select": config.select,
        "extend-select": config.extend_select,
        "ignore": config.ignore,
        "severity": tuple(config.severity),
        **{f"per-file-ignores.{k}": v for k, v in config.per_file_ignores.items()},
    }
    for key, selectors in groups.items():
        for selector in selectors:
            if selector in ("ALL", "SL"):
                continue
            if not any(r.code.startswith(selector) or r.name == selector for r in rules):
                raise ConfigError(f"{origin}: {key}: {selector!r} matches no rule")


class _Configs:
    """Config per linted file: --config for all, or discovered once per directory."""

    def __init__(self, options: LintOptions) -> None:
        self.options = options
        self.fixed: LintConfig | None = None
        self.by_directory: dict[Path, LintConfig] = {}
        if options.config is not None:
            if not options.config.is_file():
                raise ConfigError(f"{options.config}: config file not found")
            self.fixed = self._finish(load_config(options.config), str(options.config))

    def _finish(self, config: LintConfig, origin: str) -> LintConfig:
        check_selectors(config, origin)
        options = self.options
        fail_level = None
        if options.fail_level is not None:
            try:
                fail_level = Severity.parse(options.fail_level)
            except ValueError as error:
                raise UsageError(f"--fail-level: {error}") from None
        try:
            overridden = config.with_overrides(
                select=_split(options.select),
                extend_select=_split(options.extend_select),
                ignore=_split(options.ignore),
                fail_level=fail_level,
            )
        except ValueError as error:
            raise UsageError(str(error)) from None
        check_selectors(overridden, "command line")
        return overridden

    def for_file(self, path: Path) -> LintConfig:
        if self.fixed is not None:
            return self.fixed
        directory = path.parent.resolve()
        if directory not in self.by_directory:
            config = discover_config(directory)
            origin = str(config.source) if config.source else "defaults"
            self.by_directory[directory] = self._finish(config, origin)
        return self.by_directory[directory]


def run_lint(options: LintOptions) -> int:
    """Lint (and fix) the files of ``options``; write the report; return the exit code."""
    from slimage.report import LINT_FORMATS, LintReport, render_lint
    from slimage.rules.registry import all_rules

    if options.output_format not in LINT_FORMATS:
        raise UsageError(
            f"--format {options.output_format!r}: expected one of {', '.join(LINT_FORMATS)}"
        )
    if options.unsafe_fixes and not (options.fix or options.diff):
        raise UsageError("--unsafe-fixes needs --fix or --diff")
    if options.context is not None and not options.context.is_dir():
        raise InputNotFound(f"{options.context}: build context is not a directory")
    build_args = parse_build_args(options.build_args)
    configs = _Configs(options)
    files = find_dockerfiles(options.paths)
    if not files:
        # As ruff with no input: linting nothing is a mistake worth a failing exit.
        where = ", ".join(str(path) for path in options.paths)
        raise InputNotFound(
            f"nothing to lint: no Dockerfile, Containerfile, *.Dockerfile or Dockerfile.* "
            f"in {where}"
        )
    if STDIN in files:
        if options.fix:
            raise UsageError("--fix cannot write back to standard input; use --diff")
        options.stdin = sys.stdin.buffer.read()

    findings: list[Finding] = []
    errors: list[str] = []
    failing = False
    fixes_applied = 0
    diffs: list[str] = []
    tasks = [(file, configs.for_file(file), options, build_args) for file in files]
    outcomes = _run_tasks(tasks, options.jobs)
    for (_, config, _, _), outcome in zip(tasks, outcomes, strict=True):
        for warning in outcome.warnings:
            if not quiet():
                sys.stderr.write(f"slimage: warning: {warning}\n")
        if outcome.fatal is not None:
            fatal = SlimageError(outcome.fatal[1])
            fatal.exit_code = outcome.fatal[0]
            raise fatal
        if outcome.error is not None:
            errors.append(outcome.error)
            sys.stderr.write(f"slimage: error: {outcome.error}\n")
            continue
        fixes_applied += outcome.applied
        if outcome.patch:
            diffs.append(outcome.patch)
        findings.extend(outcome.findings)
        failing = failing or (
            not config.never_fail and any(f.severity >= config.fail_level for f in outcome.findings)
        )

    if options.diff:
        _emit("".join(diffs))
        return EXIT_INPUT if errors else (EXIT_FINDINGS if diffs else EXIT_OK)

    report = LintReport(
        findings=findings,
        files=[STDIN_NAME if f == STDIN else str(f) for f in files],
        rules=list(all_rules()),
        errors=errors,
        fixes_applied=fixes_applied,
    )
    from slimage.cli._options import use_color

    color = options.output_format == "text" and use_color(sys.stdout)
    _emit(render_lint(report, options.output_format, color=color, quiet=quiet()))
    if errors:
        return EXIT_INPUT
    return EXIT_FINDINGS if failing else EXIT_OK


@dataclass
class _Outcome:
    """What linting one file gave, in a form that crosses a process boundary."""

    findings: list[Finding] = field(default_factory=list)
    applied: int = 0
    patch: str = ""
    warnings: list[str] = field(default_factory=list)
    error: str | None = None  # the file cannot be used (exit 3, the others go on)
    fatal: tuple[int, str] | None = None  # (exit code, message): stop the whole run


_Task = tuple[Path, LintConfig, LintOptions, dict[str, str]]

# Below this many files a second process costs more than it saves.
PARALLEL_MIN_FILES = 24


def _run_tasks(tasks: list[_Task], jobs: int) -> Iterator[_Outcome]:
    """Outcomes in the order of ``tasks``; in several processes when that pays.

    ``jobs`` is how many processes lint: 0 means one per CPU (at most 8) for large
    runs; 1 means this one only.
    """
    if jobs == 0:
        jobs = min(os.cpu_count() or 1, 8) if len(tasks) >= PARALLEL_MIN_FILES else 1
    if jobs <= 1 or len(tasks) < 3 or not hasattr(os, "fork"):
        yield from map(_lint_task, tasks)
        return
    # The first file here, before forking: every lazily built table (catalog, compiled
    # patterns, imports) is then inherited by the other processes instead of rebuilt.
    yield _lint_task(tasks[0])
    yield from _forked(tasks[1:], min(jobs, len(tasks) - 1))


def _forked(tasks: list[_Task], jobs: int) -> list[_Outcome]:
    """Lint ``tasks`` in this process and ``jobs - 1`` forked ones, each taking every
    ``jobs``-th task; children send their outcomes back pickled through a pipe.

    Plain fork and pipes rather than a process pool: no pool threads, no per-task
    messages, and this process lints a share too. A child that fails (a bug in a rule)
    has its share linted again here, so the error surfaces with its traceback.
    """
    import gc
    import pickle

    shares = [tasks[index::jobs] for index in range(jobs)]
    sys.stdout.flush()
    sys.stderr.flush()
    # Objects that exist now are never collected in the children: freezing them keeps
    # the collector from touching (and so copying) every page the processes share.
    gc.freeze()
    children: list[tuple[int, int]] = []
    for share in shares[1:]:
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: lint, send, and leave without any cleanup of the parent's
            os.close(read_end)
            status = 1
            try:
                data = pickle.dumps([_lint_task(task) for task in share])
                with os.fdopen(write_end, "wb") as pipe:
                    pipe.write(data)
                status = 0
            finally:
                os._exit(status)
        os.close(write_end)
        children.append((pid, read_end))
    results = [[_lint_task(task) for task in shares[0]]]
    for (pid, read_end), share in zip(children, shares[1:], strict=True):
        with os.fdopen(read_end, "rb") as pipe:
            data = pipe.read()
        _, status = os.waitpid(pid, 0)
        outcomes: list[_Outcome] | None = None
        if status == 0:
            try:
                outcomes = pickle.loads(data)
            except Exception:  # a truncated message: the child died mid-write
                outcomes = None
        if outcomes is None or len(outcomes) != len(share):
            outcomes = [_lint_task(task) for task in share]
        results.append(outcomes)
    return [results[index % jobs][index // jobs] for index in range(len(tasks))]


def _lint_task(task: _Task) -> _Outcome:
    file, config, options, build_args = task
    try:
        return _lint_one(file, config, options, build_args)
    except InputError as error:
        return _Outcome(error=error.message)
    except SlimageError as error:
        # Expected failures travel as data: an exception with keyword arguments (such
        # as DockerfileSyntaxError) does not survive pickling between processes intact.
        return _Outcome(fatal=(error.exit_code, error.message))


def _lint_one(
    file: Path, config: LintConfig, options: LintOptions, build_args: dict[str, str]
) -> _Outcome:
    """Findings left in ``file``, fixes applied, and the diff (``--diff``)."""
    from slimage.dockerfile.parser import decode_dockerfile, parse_dockerfile, read_dockerfile
    from slimage.dockerfile.validate import validate_instructions
    from slimage.rules.engine import lint_dockerfile

    context_dir = options.context if options.context is not None else file.parent
    if file == STDIN:
        assert options.stdin is not None
        path = STDIN_NAME
        dockerfile = parse_dockerfile(decode_dockerfile(options.stdin, path=path), path=path)
    else:
        path = str(file)
        dockerfile = read_dockerfile(file)
    # What `docker build` rejects right after parsing (bare FROM, unknown instructions,
    # argument counts) is an error here too, as in `slimage parse --strict`: no findings
    # for a file that cannot be built.
    validate_instructions(dockerfile)
    outcome = _Outcome()
    if options.fix or options.diff:
        from slimage.rules.fixer import fix_text

        fixed = fix_text(
            dockerfile.source,
            path=path,
            config=config,
            unsafe=options.unsafe_fixes,
            context_dir=context_dir,
            build_args=build_args,
            target=options.target,
        )
        for rejected in fixed.rejected:
            finding = rejected.finding
            outcome.warnings.append(
                f"{path}:{finding.location.line}: fix for {finding.code} "
                f"not applied: {rejected.reason}"
            )
        if fixed.applied:
            outcome.applied = len(fixed.applied)
            if options.diff:
                import difflib

                outcome.patch = "".join(
                    difflib.unified_diff(
                        dockerfile.source.splitlines(keepends=True),
                        fixed.text.splitlines(keepends=True),
                        fromfile=f"a/{path}",
                        tofile=f"b/{path}",
                    )
                )
            else:
                _write(file, fixed.text)
                from slimage.dockerfile.parser import parse_dockerfile

                dockerfile = parse_dockerfile(fixed.text, path=path)
    result = lint_dockerfile(
        dockerfile,
        path=path,
        config=config,
        context_dir=context_dir,
        build_args=build_args,
        target=options.target,
    )
    outcome.findings = result.findings
    return outcome


def _emit(text: str) -> None:
    """Write to stdout; bytes of the Dockerfile that are not UTF-8 (kept as lone
    surrogates by the parser) are shown escaped rather than crashing the report."""
    try:
        sys.stdout.write(text)
    except UnicodeEncodeError:
        encoding = sys.stdout.encoding or "utf-8"
        sys.stdout.write(text.encode(encoding, "backslashreplace").decode(encoding))
    sys.stdout.flush()


def _write(file: Path, text: str) -> None:
    # newline="" keeps the file's own line endings: the fixer edited the text as read;
    # surrogateescape writes back the non-UTF-8 bytes the parser kept (decode_dockerfile).
    try:
        with file.open("w", encoding="utf-8", errors="surrogateescape", newline="") as handle:
            handle.write(text)
    except OSError as error:
        raise InputError(f"{file}: cannot write: {error.strerror or error}") from None


def render_rules(output_format: str) -> str:
    """The rule list for ``slimage rules``."""
    from slimage.rules.docs import category
    from slimage.rules.registry import all_rules

    rules = all_rules()
    if output_format == "json":
        import json

        from slimage.report.schemas import SCHEMA_VERSION

        rule_list = [
            {
                "code": r.code,
                "name": r.name,
                "title": r.title,
                "category": category(r.code),
                "severity": str(r.severity),
                "fix": r.fix_safety,
                "hadolint": list(r.hadolint),
            }
            for r in rules
        ]
        document = {"schema_version": SCHEMA_VERSION, "rules": rule_list}
        return json.dumps(document, indent=2) + "\n"
    if output_format != "text":
        raise UsageError(f"--format {output_format!r}: expected text or json")
    name_width = max((len(r.name) for r in rules), default=4)
    lines = [f"{'CODE':<7} {'NAME':<{name_width}} {'SEVERITY':<8} {'FIX':<6} TITLE"]
    for r in rules:
        fix = r.fix_safety if r.fix_safety != "none" else "-"
        lines.append(f"{r.code:<7} {r.name:<{name_width}} {r.severity!s:<8} {fix:<6} {r.title}")
    return "\n".join(lines) + "\n"


def render_rule(code_or_name: str) -> str:
    """One rule's documentation for ``slimage rule``."""
    from slimage.rules.docs import rule_markdown
    from slimage.rules.registry import get_rule

    return rule_markdown(get_rule(code_or_name))
