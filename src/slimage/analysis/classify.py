"""Classify paths: match a file's path against the rules of :mod:`slimage.analysis.path_rules`.

All rules are matched in one walk over the path's parts, and each directory's matches are
remembered (:class:`PathClassifier`), since most of the work depends on the directory
only. A path may match several rules (a ``.deb`` in the apt cache of a ``-dev`` package);
the rule whose class comes first in :data:`PRECEDENCE` wins, so every byte is counted
once. Package-based classes (toolchain packages, dev dependencies, the base OS) are
decided by :mod:`slimage.analysis.claimers` from package databases; this module knows
paths only.
"""

from __future__ import annotations

from collections.abc import Container, Iterable
from dataclasses import dataclass, field
from fnmatch import fnmatchcase

from slimage.analysis.path_rules import (
    PACKAGE_INSTALL,
    PATH_RULES,
    PRECEDENCE,
    PathMatch,
    PathRule,
    WasteClass,
)

__all__ = [
    "PACKAGE_INSTALL",
    "PATH_RULES",
    "PRECEDENCE",
    "PathClassifier",
    "PathMatch",
    "PathRule",
    "WasteClass",
    "classify_path",
    "path_matches",
]


RULES_BY_ID: dict[str, PathRule] = {rule.id: rule for rule in PATH_RULES}
LOCALE_RULE_ID = "locales"

# Python's standard library: its __pycache__ is part of the runtime, not waste.
_STDLIB_DIRS = ("usr/lib/python3", "usr/local/lib/python3")


@dataclass
class _TrieNode:
    """A node of the trie of rule prefixes: literal and glob children, and the rules ending here."""

    children: dict[str, _TrieNode] = field(default_factory=dict)
    globs: list[tuple[str, _TrieNode]] = field(default_factory=list)
    rules: list[PathRule] = field(default_factory=list)


def _expand_home(prefix: str) -> list[str]:
    if not prefix.startswith("~/"):
        return [prefix]
    rest = prefix[2:]
    return [f"root/{rest}", f"home/*/{rest}"]


def _build_trie(rules: Iterable[PathRule]) -> _TrieNode:
    root = _TrieNode()
    for rule in rules:
        for written in rule.prefixes:
            for prefix in _expand_home(written):
                node = root
                for segment in prefix.rstrip("/").split("/"):
                    if any(ch in segment for ch in "*?["):
                        for glob, child in node.globs:
                            if glob == segment:
                                node = child
                                break
                        else:
                            child = _TrieNode()
                            node.globs.append((segment, child))
                            node = child
                    else:
                        node = node.children.setdefault(segment, _TrieNode())
                node.rules.append(rule)
    return root


_TRIE = _build_trie(PATH_RULES)
_COMPONENT_RULES: dict[str, list[tuple[tuple[str, ...], PathRule]]] = {}
for _rule in PATH_RULES:
    for _sequence in _rule.components:
        _COMPONENT_RULES.setdefault(_sequence[0], []).append((_sequence, _rule))
_COMPONENT_NAMES = frozenset(_COMPONENT_RULES)
_SUFFIX_RULES = [(suffix, rule) for rule in PATH_RULES for suffix in rule.suffixes]
_ALL_SUFFIXES = tuple(suffix for suffix, _ in _SUFFIX_RULES)


_Frontier = list[_TrieNode]


def _step(nodes: _Frontier, segment: str) -> _Frontier:
    stepped = []
    for node in nodes:
        child = node.children.get(segment)
        if child is not None:
            stepped.append(child)
        for glob, glob_child in node.globs:
            if fnmatchcase(segment, glob):
                stepped.append(glob_child)
    return stepped


def _directory_matches(parts: list[str]) -> tuple[list[PathMatch], _Frontier]:
    """Prefix and component matches of a directory, and the trie nodes it reaches."""
    found: list[PathMatch] = []
    frontier: _Frontier = [_TRIE]
    for depth, segment in enumerate(parts, start=1):
        frontier = _step(frontier, segment)
        if not frontier:
            break
        for node in frontier:
            if node.rules:
                group = "/".join(parts[:depth])
                found.extend(PathMatch(rule, group) for rule in node.rules)
    if not _COMPONENT_NAMES.isdisjoint(parts):
        found.extend(_component_matches(parts))
    return found, frontier


def _component_matches(parts: list[str]) -> list[PathMatch]:
    """Runs of directory names (``parts`` are directories only) with their conditions."""
    found: list[PathMatch] = []
    for index, part in enumerate(parts):
        candidates = _COMPONENT_RULES.get(part)
        if not candidates:
            continue
        for sequence, rule in candidates:
            end = index + len(sequence)
            if end > len(parts) or tuple(parts[index:end]) != sequence:
                continue
            if rule.inside and not any(p in rule.inside for p in parts[:index]):
                continue
            found.append(PathMatch(rule, "/".join(parts[:end])))
    return found


def _suffix_matches(path: str) -> list[PathMatch]:
    if not path.endswith(_ALL_SUFFIXES):
        return []
    found: list[PathMatch] = []
    for suffix, rule in _SUFFIX_RULES:
        if not path.endswith(suffix):
            continue
        if rule.under and not path.startswith(rule.under):
            continue
        found.append(PathMatch(rule, path))
    return found


def _is_installed_bytecode(path: str) -> bool:
    """Bytecode of the standard library or of installed packages: compiled on purpose,
    so imports do not recompile at every start (and a read-only filesystem cannot)."""
    return path.startswith(_STDLIB_DIRS) or "/site-packages/" in path or "/dist-packages/" in path


# Files of a JDK that some JREs ship too.
JRE_SHIPPED = ("/lib/ct.sym",)
_CONDITIONAL_RULES = frozenset({"python-bytecode", "jdk-only", LOCALE_RULE_ID})


def _locale_used(group_path: str, path: str, used_locales: frozenset[str]) -> bool:
    """Whether a locale file serves a configured language (``de`` for ``de_DE.UTF-8``)."""
    if not used_locales:
        return False
    if path == "usr/lib/locale/locale-archive":
        return True  # compiled locales: needed as soon as any non-C locale is configured
    rest = path[len(group_path) :].lstrip("/")
    language = rest.split("/", 1)[0]
    base = language.split("_", 1)[0].split(".", 1)[0].split("@", 1)[0]
    return base in used_locales or language in used_locales


class PathClassifier:
    """Classifies many paths, remembering each directory's matches (most of the work):
    an image of 200k files has some 20k directories."""

    def __init__(
        self,
        *,
        used_locales: frozenset[str] = frozenset(),
        skip_rules: frozenset[str] = frozenset(),
        present: Container[str] | None = None,
    ) -> None:
        self.used_locales = used_locales
        self.skip_rules = skip_rules
        # The final filesystem's paths, for matches that depend on a sibling; None: unknown
        # (every such match applies).
        self.present = present
        self._directories: dict[str, tuple[list[PathMatch], _Frontier]] = {}
        # The rules whose match :meth:`_applies` may turn down; any other match stands.
        self._conditional = skip_rules | _CONDITIONAL_RULES

    def _directory(self, directory: str) -> tuple[list[PathMatch], _Frontier]:
        cached = self._directories.get(directory)
        if cached is None:
            cached = _directory_matches(directory.split("/") if directory else [])
            self._directories[directory] = cached
        return cached

    def matches(self, path: str) -> list[PathMatch]:
        """Every rule ``path`` matches (``path`` normalised: no leading "/")."""
        directory, _, name = path.rpartition("/")
        cached = self._directories.get(directory)
        found, frontier = cached if cached is not None else self._directory(directory)
        # Rules naming a file exactly (var/log/dpkg.log) end at the file's own segment.
        end = [node for node in _step(frontier, name) if node.rules] if frontier else None
        suffixes = _suffix_matches(path)
        if end or suffixes:
            candidates = found + [PathMatch(r, path) for node in end or () for r in node.rules]
            candidates += suffixes
        elif found:
            candidates = found
        else:
            return []
        conditional = self._conditional
        return [
            match
            for match in candidates
            if match.rule.id not in conditional or self._applies(match, path)
        ]

    def _applies(self, match: PathMatch, path: str) -> bool:
        rule_id = match.rule.id
        if rule_id in self.skip_rules:
            return False
        if rule_id == "python-bytecode" and _is_installed_bytecode(path):
            return False
        if rule_id == "jdk-only" and path.endswith(JRE_SHIPPED) and self.present is not None:
            # Debian's openjdk-*-jre-headless ships lib/ct.sym: only beside a javac is it
            # part of a JDK that a JRE would replace.
            java_home = path[: path.rindex("/lib/")]
            return java_home + "/bin/javac" in self.present
        return not (
            rule_id == LOCALE_RULE_ID and _locale_used(match.group, path, self.used_locales)
        )

    def classify(self, path: str) -> PathMatch | None:
        """The one rule that owns ``path``'s bytes, by class precedence; None when none does."""
        matches = self.matches(path)
        if len(matches) < 2:
            return matches[0] if matches else None
        return min(matches, key=lambda m: (PRECEDENCE[m.rule.waste_class], len(m.group)))


def path_matches(
    path: str,
    *,
    used_locales: frozenset[str] = frozenset(),
    skip_rules: frozenset[str] = frozenset(),
) -> list[PathMatch]:
    """Every rule ``path`` matches (``path`` normalised: no leading "/")."""
    return PathClassifier(used_locales=used_locales, skip_rules=skip_rules).matches(path)


def classify_path(
    path: str,
    *,
    used_locales: frozenset[str] = frozenset(),
    skip_rules: frozenset[str] = frozenset(),
) -> PathMatch | None:
    """The one rule that owns ``path``'s bytes, by class precedence; None when none does."""
    return PathClassifier(used_locales=used_locales, skip_rules=skip_rules).classify(path)
