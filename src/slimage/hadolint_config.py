"""A hadolint config (``.hadolint.yaml``) read as a slimage lint config.

A team switching from hadolint keeps its file: slimage finds ``.hadolint.yaml`` (or
``.yml``) where it looks for its own config (a slimage config in the same directory
wins), and ``--config .hadolint.yaml`` names one. Each key maps as docs/lint.md's table
says; hadolint codes become the slimage rules that cover them (each rule's
``hadolint`` codes, as for ``# hadolint ignore=`` pragmas):

==========================  =====================================================
hadolint                    slimage
==========================  =====================================================
``ignored: [DL3008]``       ``ignore`` the rules covering those codes
``trustedRegistries``       ``allowed-registries`` (SL2007, hadolint's DL3026)
``override.error: [...]``   ``severity``: those rules' findings become errors
(``warning``, ``info``,     (``style`` is slimage's ``info``)
``style`` alike)
``failure-threshold``       ``fail-level`` (``style`` -> info; ``none``/``ignore``:
                            never fail, as ``no-fail: true``)
``no-fail: true``           findings never fail the run (exit 0)
==========================  =====================================================

Codes no slimage rule covers (``SC2086``, ``DL3008``) have nothing to ignore or
re-grade, and are skipped. Presentation keys (``format``, ``no-color``) and keys for
checks slimage does not have (``label-schema``, ``strict-labels``,
``disable-ignore-pragma``) are accepted and have no effect; any other key is an error,
as in a slimage config.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from slimage.config import LintConfig
from slimage.errors import ConfigError
from slimage.findings import Severity

# hadolint's severities and failure thresholds in slimage's terms ("style" is below info).
_LEVELS = {
    "error": Severity.ERROR,
    "warning": Severity.WARNING,
    "info": Severity.INFO,
    "style": Severity.INFO,
}
_NEVER_FAIL = ("none", "ignore")
_MAPPED_KEYS = {"ignored", "trustedRegistries", "override", "failure-threshold", "no-fail"}
_INERT_KEYS = {"format", "no-color", "label-schema", "strict-labels", "disable-ignore-pragma"}


def load_hadolint_config(path: Path) -> LintConfig:
    """Read ``path`` (hadolint's YAML config) as a :class:`LintConfig`."""
    import yaml

    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ConfigError(f"{path}: cannot read: {error.strerror or error}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f":{mark.line + 1}" if mark is not None else ""
        raise ConfigError(f"{path}{where}: not valid YAML") from None
    return hadolint_to_config({} if data is None else data, source=path)


def hadolint_to_config(data: Any, *, source: Path | None = None) -> LintConfig:
    """hadolint's config keys (already parsed) as slimage's :class:`LintConfig`."""
    from slimage.rules.registry import hadolint_map

    where = str(source) if source is not None else ".hadolint.yaml"
    if not isinstance(data, Mapping):
        raise ConfigError(f"{where}: expected a mapping of hadolint settings")
    unknown = sorted(set(data) - _MAPPED_KEYS - _INERT_KEYS)
    if unknown:
        expected = ", ".join(sorted(_MAPPED_KEYS | _INERT_KEYS))
        raise ConfigError(
            f"{where}: {unknown[0]}: unknown hadolint key (expected one of {expected})"
        )
    covering = hadolint_map()

    def rules_for(codes: Iterable[str]) -> list[str]:
        return [code for hadolint in codes for code in covering.get(hadolint.upper(), ())]

    ignore = rules_for(_strings(data, "ignored", where))
    severity: dict[str, Severity] = {}
    override = data.get("override") or {}
    if not isinstance(override, Mapping):
        raise ConfigError(f"{where}: override: expected a mapping like {{error: [DL3008]}}")
    for level in override:
        if level not in _LEVELS:
            raise ConfigError(
                f"{where}: override.{level}: unknown level (expected error, warning, info or style)"
            )
        for code in rules_for(_strings(override, level, f"{where}: override")):
            severity[code] = _LEVELS[level]
    registries = data.get("trustedRegistries") or []
    if isinstance(registries, str):
        registries = [registries]  # hadolint takes one registry as a plain string too
    allowed = _string_list(registries, f"{where}: trustedRegistries")

    fail_level = LintConfig().fail_level
    never_fail = data.get("no-fail", False)
    if not isinstance(never_fail, bool):
        raise ConfigError(f"{where}: no-fail: expected true or false")
    threshold = data.get("failure-threshold")
    if threshold is not None:
        if not isinstance(threshold, str) or threshold not in (*_LEVELS, *_NEVER_FAIL):
            raise ConfigError(
                f"{where}: failure-threshold: {threshold!r} is not one of error, warning, "
                "info, style, ignore or none"
            )
        if threshold in _NEVER_FAIL:
            never_fail = True
        else:
            fail_level = _LEVELS[threshold]
    return LintConfig(
        ignore=tuple(dict.fromkeys(ignore)),
        severity=severity,
        fail_level=fail_level,
        never_fail=never_fail,
        allowed_registries=tuple(allowed),
        source=source,
    )


def _strings(table: Mapping[str, Any], key: str, where: str) -> list[str]:
    return _string_list(table.get(key) or [], f"{where}: {key}")


def _string_list(value: Any, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ConfigError(f"{where}: expected a list of strings")
    return value
