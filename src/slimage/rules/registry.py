"""The rule registry: every ``slimage/rules/slNNNN_<name>.py`` module, found, not listed.

Each rule module defines exactly one :class:`~slimage.rules.base.Rule` subclass. The
registry imports them once (``pkgutil`` over this package), checks the invariants a rule
set must keep (unique codes and names, code matching the module, the documentation
sections present) and serves them by code or name. A broken rule module is a bug in
slimage, so it raises :class:`RegistryError` loudly rather than being skipped.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from collections.abc import Iterable, Mapping
from functools import cache, lru_cache
from types import MappingProxyType, ModuleType

from slimage.errors import UsageError
from slimage.rules.base import Rule

MODULE_PATTERN = re.compile(r"^sl(\d{4})_[a-z0-9_]+$")
CODE_PATTERN = re.compile(r"^SL[1-9]\d{3}$")
NAME_PATTERN = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")

# The sections of a rule docstring, in ruff's style; "Fix safety" only for fixable rules.
REQUIRED_SECTIONS = ("What it does", "Why is this bad?", "Example", "Use instead")
FIX_SECTION = "Fix safety"


class RegistryError(RuntimeError):
    """A rule module breaks the registry's invariants (a bug, not a user error)."""


def rule_module_names() -> list[str]:
    """Names of the rule modules in :mod:`slimage.rules`, sorted by code."""
    import slimage.rules as package

    names = [
        info.name
        for info in pkgutil.iter_modules(package.__path__)
        if MODULE_PATTERN.match(info.name)
    ]
    return sorted(names)


def _rule_class(module: ModuleType) -> type[Rule]:
    classes = [
        value
        for value in vars(module).values()
        if inspect.isclass(value)
        and issubclass(value, Rule)
        and value is not Rule
        and value.__module__ == module.__name__
        and not inspect.isabstract(value)
    ]
    if len(classes) != 1:
        found = ", ".join(c.__name__ for c in classes) or "none"
        raise RegistryError(f"{module.__name__}: expected one Rule subclass, found {found}")
    return classes[0]


def doc_sections(rule: type[Rule]) -> dict[str, str]:
    """The rule's docstring split into its sections (title line -> body text)."""
    sections: dict[str, str] = {}
    current: str | None = None
    lines: list[str] = []
    known = (*REQUIRED_SECTIONS, FIX_SECTION)
    for line in rule.documentation().splitlines():
        heading = line.strip().lstrip("#").strip().rstrip(":").strip()
        if heading in known:
            if current is not None:
                sections[current] = "\n".join(lines).strip()
            current, lines = heading, []
        elif current is not None:
            # A reStructuredText/numpydoc underline right under the heading is not body text.
            if not lines and line.strip() and set(line.strip()) <= {"-", "="}:
                continue
            lines.append(line)
    if current is not None:
        sections[current] = "\n".join(lines).strip()
    return sections


def validate_rule(rule: type[Rule], module_name: str) -> None:
    """Raise :class:`RegistryError` when ``rule`` breaks a registry invariant."""
    where = f"{module_name}.{rule.__name__}"
    for attribute in ("code", "name", "title"):
        if not isinstance(getattr(rule, attribute, None), str):
            raise RegistryError(f"{where}: missing class attribute {attribute!r}")
    if not CODE_PATTERN.match(rule.code):
        raise RegistryError(f"{where}: code {rule.code!r} is not SLNNNN")
    match = MODULE_PATTERN.match(module_name.rsplit(".", 1)[-1])
    if match is None or f"SL{match.group(1)}" != rule.code:
        raise RegistryError(f"{where}: code {rule.code} does not match the module name")
    if not NAME_PATTERN.match(rule.name):
        raise RegistryError(f"{where}: name {rule.name!r} is not kebab-case")
    if rule.fix_safety not in ("safe", "unsafe", "none"):
        raise RegistryError(f"{where}: fix_safety must be 'safe', 'unsafe' or 'none'")
    sections = doc_sections(rule)
    missing = [s for s in REQUIRED_SECTIONS if not sections.get(s)]
    if rule.fix_safety != "none" and not sections.get(FIX_SECTION):
        missing.append(FIX_SECTION)
    if missing:
        raise RegistryError(f"{where}: docstring lacks section(s): {', '.join(missing)}")


def _check_unique(rules: list[type[Rule]]) -> None:
    seen_codes: dict[str, str] = {}
    seen_names: dict[str, str] = {}
    for rule in rules:
        if rule.code in seen_codes:
            raise RegistryError(f"duplicate code {rule.code}: {seen_codes[rule.code]}, {rule}")
        if rule.name in seen_names:
            raise RegistryError(f"duplicate name {rule.name}: {seen_names[rule.name]}, {rule}")
        seen_codes[rule.code] = rule.__module__
        seen_names[rule.name] = rule.__module__


@cache
def _load() -> tuple[type[Rule], ...]:
    rules: list[type[Rule]] = []
    for name in rule_module_names():
        module = importlib.import_module(f"slimage.rules.{name}")
        rule = _rule_class(module)
        validate_rule(rule, module.__name__)
        rules.append(rule)
    _check_unique(rules)
    return tuple(sorted(rules, key=lambda r: r.code))


def all_rules() -> tuple[type[Rule], ...]:
    """Every registered rule class, sorted by code."""
    return _load()


def get_rule(code_or_name: str) -> type[Rule]:
    """A rule by code (``SL1003``, any case) or name (``apt-lists-kept``).

    Raises :class:`~slimage.errors.UsageError` for an unknown rule (a user typo).
    """
    wanted = code_or_name.strip()
    for rule in _load():
        if rule.code == wanted.upper() or rule.name == wanted.lower():
            return rule
    raise UsageError(f"unknown rule {code_or_name!r} (see `slimage rules`)")


def hadolint_map(rules: Iterable[type[Rule]] | None = None) -> Mapping[str, tuple[str, ...]]:
    """hadolint code -> slimage codes that cover it (``# hadolint ignore=`` pragmas).

    Over ``rules``, or every registered rule when None; cached (the engine asks once per
    file, nearly always for the same rules).
    """
    return _hadolint_map(_load() if rules is None else tuple(rules))


@lru_cache(maxsize=32)
def _hadolint_map(rules: tuple[type[Rule], ...]) -> Mapping[str, tuple[str, ...]]:
    mapping: dict[str, list[str]] = {}
    for rule in rules:
        for code in rule.hadolint:
            mapping.setdefault(code.upper(), []).append(rule.code)
    # Read-only: the one mapping is shared by every caller.
    return MappingProxyType({code: tuple(codes) for code, codes in mapping.items()})
