"""Lint configuration: ``[tool.slimage]`` in ``pyproject.toml`` or a ``.slimage.toml``.

Discovery starts in the linted file's directory and walks upwards; the first directory
holding a ``.slimage.toml`` (whole file is the table) or a ``pyproject.toml`` with a
``[tool.slimage]`` table wins (``.slimage.toml`` first when both sit in one directory).
A ``pyproject.toml`` without the table does not stop the walk, as in ruff.

Keys (kebab-case, as in ruff)::

    select = ["SL1", "SL2001"]        # codes or prefixes; default: every rule
    extend-select = ["SL3"]
    ignore = ["SL1007"]
    severity = { SL1003 = "error" }
    per-file-ignores = { "docker/dev.Dockerfile" = ["SL1"] }
    fail-level = "warning"
    allowed-registries = ["registry.example.com"]
    allowed-base-images = ["python", "gcr.io/distroless/*"]

A directory without either may hold hadolint's ``.hadolint.yaml`` (or ``.yml``): it is
read in slimage's terms (:mod:`slimage.hadolint_config`, docs/lint.md).

Unknown keys and bad values raise :class:`~slimage.errors.ConfigError` naming the file
and the key.
"""

from __future__ import annotations

import contextlib
import fnmatch
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath

from slimage.errors import ConfigError
from slimage.findings import Severity

CONFIG_FILE = ".slimage.toml"
PYPROJECT = "pyproject.toml"
HADOLINT_FILES = (".hadolint.yaml", ".hadolint.yml")

DEFAULT_FAIL_LEVEL = Severity.WARNING
_RULE_NAME = re.compile(r"[a-z][a-z0-9]*(-[a-z0-9]+)*")


@dataclass(frozen=True)
class LintConfig:
    """What to check and how to grade it. The default checks every rule."""

    select: tuple[str, ...] = ("SL",)
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    severity: Mapping[str, Severity] = field(default_factory=dict)
    per_file_ignores: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    fail_level: Severity = DEFAULT_FAIL_LEVEL
    # No finding fails the run (hadolint's no-fail, failure-threshold none); --fail-level
    # on the command line turns failing back on.
    never_fail: bool = False
    allowed_registries: tuple[str, ...] = ()
    allowed_base_images: tuple[str, ...] = ()
    # The file this came from (None for defaults); per-file-ignores globs are relative
    # to its directory.
    source: Path | None = None

    def is_enabled(self, code: str, name: str = "", *, path: str | None = None) -> bool:
        """Whether a rule runs, for a file at ``path`` (per-file-ignores) when given.

        The most specific matching selector wins (``select = ["SL1"]`` with
        ``ignore = ["SL1003"]`` keeps SL1001 but drops SL1003); on a tie, ignore wins.
        """
        return self.rule_filter(path)(code, name)

    def rule_filter(self, path: str | None = None) -> Callable[[str, str], bool]:
        """``is_enabled`` for many rules of one file: per-file-ignores are matched once."""
        selected = (*self.select, *self.extend_select)
        ignored = (*self.ignore, *(self.ignores_for_path(path) if path is not None else ()))

        def enabled(code: str, name: str = "") -> bool:
            chosen = _best_match(code, name, selected)
            return chosen >= 0 and chosen > _best_match(code, name, ignored)

        return enabled

    def ignores_for_path(self, path: str) -> list[str]:
        """Selectors from ``per-file-ignores`` whose glob matches ``path``."""
        if not self.per_file_ignores:
            return []
        candidates = _path_forms(path, self.source.parent if self.source else None)
        selectors: list[str] = []
        for pattern, codes in self.per_file_ignores.items():
            if any(_glob_match(candidate, pattern) for candidate in candidates):
                selectors.extend(codes)
        return selectors

    def severity_for(self, code: str, default: Severity) -> Severity:
        """The configured severity for ``code`` (the longest matching prefix), or ``default``."""
        best = ""
        for selector in self.severity:
            if code.startswith(selector) and len(selector) > len(best):
                best = selector
        return self.severity[best] if best else default

    def with_overrides(
        self,
        *,
        select: Iterable[str] | None = None,
        extend_select: Iterable[str] | None = None,
        ignore: Iterable[str] | None = None,
        fail_level: Severity | None = None,
    ) -> LintConfig:
        """Command-line options over the file: ``select`` replaces, the others extend."""
        config = self
        if select is not None:
            config = replace(config, select=_selectors(select, "--select"), extend_select=())
        if extend_select is not None:
            extra = _selectors(extend_select, "--extend-select")
            config = replace(config, extend_select=(*config.extend_select, *extra))
        if ignore is not None:
            config = replace(config, ignore=(*config.ignore, *_selectors(ignore, "--ignore")))
        if fail_level is not None:
            config = replace(config, fail_level=fail_level, never_fail=False)
        return config


def _best_match(code: str, name: str, selectors: Iterable[str]) -> int:
    """Length of the longest selector matching the rule; -1 when none does.

    A selector is a code prefix ("SL", "SL1", "SL1003"), "ALL", or a rule name
    (counts as most specific).
    """
    best = -1
    for selector in selectors:
        if selector == "ALL":
            best = max(best, 0)
        elif code.startswith(selector):
            best = max(best, len(selector))
        elif name and selector == name:
            best = max(best, len(code))
    return best


def _path_forms(path: str, base: Path | None) -> list[str]:
    """The ways a glob may name ``path``: relative to the config directory, as given, bare name."""
    forms = [PurePosixPath(path.replace("\\", "/")).as_posix()]
    if base is not None:
        with contextlib.suppress(ValueError):
            forms.insert(0, Path(path).resolve().relative_to(base.resolve()).as_posix())
    forms.append(PurePosixPath(forms[-1]).name)
    return forms


def _glob_match(path: str, pattern: str) -> bool:
    # "**/" may match no directory at all, as in gitignore-style globs.
    if fnmatch.fnmatchcase(path, pattern):
        return True
    return pattern.startswith("**/") and fnmatch.fnmatchcase(path, pattern[3:])


_KEYS = {
    "select",
    "extend-select",
    "ignore",
    "severity",
    "per-file-ignores",
    "fail-level",
    "allowed-registries",
    "allowed-base-images",
}


def find_config(start: Path) -> Path | None:
    """The config file that governs ``start`` (a file or directory), or None."""
    directory = start if start.is_dir() else start.parent
    directory = directory.resolve()
    for candidate in (directory, *directory.parents):
        dotfile = candidate / CONFIG_FILE
        if dotfile.is_file():
            return dotfile
        pyproject = candidate / PYPROJECT
        if pyproject.is_file() and _has_tool_table(pyproject):
            return pyproject
        for name in HADOLINT_FILES:  # a team's hadolint config, read in slimage's terms
            if (candidate / name).is_file():
                return candidate / name
    return None


def _has_tool_table(pyproject: Path) -> bool:
    data = _read_toml(pyproject)
    tool = data.get("tool")
    return isinstance(tool, dict) and "slimage" in tool


def load_config(path: Path) -> LintConfig:
    """Read one config file (``.slimage.toml``, ``pyproject.toml`` or hadolint's
    ``.hadolint.yaml``, see :mod:`slimage.hadolint_config`)."""
    if path.suffix in (".yaml", ".yml"):
        from slimage.hadolint_config import load_hadolint_config

        return load_hadolint_config(path)
    data = _read_toml(path)
    if path.name == PYPROJECT:
        tool = data.get("tool", {})
        table = tool.get("slimage", {}) if isinstance(tool, dict) else {}
        prefix = "tool.slimage."
    else:
        table = data
        prefix = ""
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.slimage] must be a table")
    return parse_config(table, source=path, key_prefix=prefix)


def discover_config(start: Path) -> LintConfig:
    """The config for a file or directory: the nearest config file, or the defaults."""
    found = find_config(start)
    return load_config(found) if found is not None else LintConfig()


def parse_config(
    table: Mapping[str, object], *, source: Path | None = None, key_prefix: str = ""
) -> LintConfig:
    """Validate a config table (already read from TOML) into a :class:`LintConfig`."""
    where = str(source) if source is not None else "config"

    def fail(key: str, problem: str) -> ConfigError:
        return ConfigError(f"{where}: {key_prefix}{key}: {problem}")

    unknown = sorted(set(table) - _KEYS)
    if unknown:
        expected = ", ".join(sorted(_KEYS))
        raise fail(unknown[0], f"unknown key (expected one of {expected})")

    def strings(key: str) -> tuple[str, ...]:
        value = table.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise fail(key, "expected a list of strings")
        return tuple(value)

    def selectors(key: str) -> tuple[str, ...]:
        try:
            return _selectors(strings(key), key)
        except ValueError as error:
            raise fail(key, str(error)) from None

    kwargs: dict[str, object] = {"source": source}
    if "select" in table:
        kwargs["select"] = selectors("select")
    kwargs["extend_select"] = selectors("extend-select")
    kwargs["ignore"] = selectors("ignore")
    kwargs["allowed_registries"] = strings("allowed-registries")
    kwargs["allowed_base_images"] = strings("allowed-base-images")

    severity_table = table.get("severity", {})
    if not isinstance(severity_table, dict):
        raise fail("severity", 'expected a table like { SL1003 = "error" }')
    severities: dict[str, Severity] = {}
    for code, level in severity_table.items():
        if not isinstance(level, str):
            raise fail(f"severity.{code}", "expected a string")
        try:
            severities[_code(code)] = Severity.parse(level)
        except ValueError as error:
            raise fail(f"severity.{code}", str(error)) from None
    kwargs["severity"] = severities

    per_file = table.get("per-file-ignores", {})
    if not isinstance(per_file, dict):
        raise fail("per-file-ignores", 'expected a table like { "glob" = ["SL1"] }')
    per_file_ignores: dict[str, tuple[str, ...]] = {}
    for pattern, codes in per_file.items():
        if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
            raise fail(f"per-file-ignores.{pattern}", "expected a list of strings")
        try:
            per_file_ignores[pattern] = _selectors(codes, "per-file-ignores")
        except ValueError as error:
            raise fail(f"per-file-ignores.{pattern}", str(error)) from None
    kwargs["per_file_ignores"] = per_file_ignores

    if "fail-level" in table:
        level = table["fail-level"]
        if not isinstance(level, str):
            raise fail("fail-level", "expected a string")
        try:
            kwargs["fail_level"] = Severity.parse(level)
        except ValueError as error:
            raise fail("fail-level", str(error)) from None
    return LintConfig(**kwargs)  # type: ignore[arg-type]


def _selectors(values: Iterable[str], key: str) -> tuple[str, ...]:
    """Normalise selectors: codes and prefixes upper-case, rule names lower-case."""
    result: list[str] = []
    for raw in values:
        value = raw.strip()
        if not value:
            raise ValueError(f"empty selector in {key}")
        if value.upper() == "ALL" or value.upper().startswith("SL"):
            result.append(_code(value))
        elif _is_rule_name(value):
            result.append(value)
        else:
            raise ValueError(f"{raw!r} is not a rule code, prefix (SL, SL1, SL1003) or name")
    return tuple(result)


def _code(value: str) -> str:
    code = value.strip().upper()
    if code != "ALL" and not ((code.startswith("SL") and code[2:].isdigit()) or code == "SL"):
        raise ValueError(f"{value!r} is not a rule code or prefix")
    return code


def _is_rule_name(value: str) -> bool:
    # Rule names are kebab-case and lower-case ("apt-lists-kept"); "DL3008" is not one.
    return _RULE_NAME.fullmatch(value) is not None


def _read_toml(path: Path) -> dict[str, object]:
    # Here, not at start-up: most runs find no config file to read.
    from slimage.limits import loads_toml, read_regular

    data = read_regular(path, str(path), error=ConfigError)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: invalid TOML: not UTF-8") from None
    return loads_toml(text, str(path), error=ConfigError)
