"""Which of many ignore patterns match a path, in one pass and in linear time.

Docker evaluates ``.dockerignore`` patterns with Go's ``regexp`` (RE2: linear time, no
backtracking). Python's ``re`` backtracks: ``*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b`` against a
name of 200 ``a`` runs for minutes. So the patterns of a ``.dockerignore`` are compiled
once into:

* dictionaries for the three plain kinds (exact text, ``dir/**`` prefixes, ``**/x``
  suffixes), looked up once per distinct length, whatever the number of patterns;
* one ``RE2::Set`` (the ``google-re2`` bindings) holding every regexp-kind pattern's Go
  expression as Go builds it, which reports every matching pattern in one linear scan.

Measured (docs/reliability.md): 10,000 patterns over 3,000 files in a fraction of a
second, the backtracking pattern above in microseconds. Without ``google-re2`` (a platform
with no wheel) Python's ``re`` is used pattern by pattern, with the old worst case.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

try:  # the bindings ship wheels for the usual platforms; see the module docstring
    import re2 as _re2lib  # type: ignore[import-untyped]
except ImportError:  # pragma: no cover - exercised only where no wheel exists
    _re2lib = None

if TYPE_CHECKING:
    from slimage.context.ignore import Pattern

HAVE_RE2 = _re2lib is not None

# Patterns per RE2::Set: one huge set can exceed RE2's memory budget; sets of this size
# stay far below it and cost one scan each.
_SET_SIZE = 2000
_MAX_MEM = 64 << 20


def re2_text(text: str) -> str:
    """Text as Go's regexp sees it: a byte that is not UTF-8 (a lone surrogate once
    decoded with ``surrogateescape``) reads as U+FFFD."""
    if text.isascii():
        return text
    return "".join("\ufffd" if "\ud800" <= c <= "\udfff" else c for c in text)


def _options() -> Any:
    assert _re2lib is not None
    options = _re2lib.Options()
    options.max_mem = _MAX_MEM
    return options


def compile_re2(go_regexp: str) -> Callable[[str], bool]:
    """A single Go expression as a linear-time test (unanchored search, as Go's
    ``MatchString``). Raises ``ValueError`` when RE2 rejects it."""
    if _re2lib is None:
        raise ValueError("google-re2 is not installed")
    try:
        compiled = _re2lib.compile(re2_text(go_regexp), _options())
    except _re2lib.error as error:
        raise ValueError(str(error)) from None
    search = compiled.search
    return lambda path: search(re2_text(path)) is not None


def lazy_re2(go_regexp: str, python_regexp: str | None, alternation: bool) -> Callable[[str], bool]:
    """:func:`compile_re2` on first use (most patterns are only ever matched through
    a :class:`MatchSet`); Python's ``re`` if RE2 unexpectedly rejects the expression."""
    compiled: Callable[[str], bool] | None = None

    def test(path: str) -> bool:
        nonlocal compiled
        if compiled is None:
            try:
                compiled = compile_re2(go_regexp)
            except ValueError:
                if python_regexp is None:
                    raise
                compiled = python_search(python_regexp, alternation)
        return compiled(path)

    return test


class MatchSet:
    """Every pattern that matches a path (by itself, no parent logic), as indices."""

    def __init__(self, patterns: Sequence[Pattern]) -> None:
        from slimage.context.ignore import MatchType

        self.exact: dict[str, list[int]] = {}
        self.prefix: dict[str, list[int]] = {}
        self.suffix: dict[str, list[int]] = {}
        self.bare: dict[str, list[int]] = {}
        self.broken: frozenset[int] = frozenset(i for i, p in enumerate(patterns) if p.error)
        self._sets: list[tuple[Any, list[list[int]]]] = []
        self._slow: list[tuple[int, Callable[[str], bool]]] = []
        # Identical expressions (a pattern repeated, or written two ways) share one entry.
        regexps: dict[str, list[int]] = {}
        for index, pattern in enumerate(patterns):
            if pattern.error:
                continue
            text = pattern.text
            if pattern.match_type is MatchType.EXACT:
                self.exact.setdefault(text, []).append(index)
            elif pattern.match_type is MatchType.PREFIX:
                self.prefix.setdefault(text[:-2], []).append(index)
            elif pattern.match_type is MatchType.SUFFIX:
                suffix = text[2:]
                self.suffix.setdefault(suffix, []).append(index)
                if suffix.startswith("/"):
                    self.bare.setdefault(suffix[1:], []).append(index)
            elif HAVE_RE2 and pattern.re2_ok:
                regexps.setdefault(pattern.go_regexp, []).append(index)
            else:
                self._slow.append((index, pattern.match))
        self._prefix_lengths = sorted({len(k) for k in self.prefix})
        self._suffix_lengths = sorted({len(k) for k in self.suffix})
        distinct = list(regexps.items())
        for start in range(0, len(distinct), _SET_SIZE):
            chunk = distinct[start : start + _SET_SIZE]
            self._sets.append(self._compile_set(chunk, patterns))

    def _compile_set(
        self, chunk: list[tuple[str, list[int]]], patterns: Sequence[Pattern]
    ) -> tuple[Any, list[list[int]]]:
        assert _re2lib is not None
        regexp_set = _re2lib.Set.SearchSet(_options())
        members: list[list[int]] = []
        for expression, indices in chunk:
            try:
                regexp_set.Add(re2_text(expression))
            except _re2lib.error:
                self._slow.extend((index, patterns[index].match) for index in indices)
                continue
            members.append(indices)
        regexp_set.Compile()
        return regexp_set, members

    def hits(self, path: str) -> set[int]:
        """Indices of the patterns that match ``path``; broken patterns never do."""
        found: set[int] = set()
        listed = self.exact.get(path)
        if listed:
            found.update(listed)
        length = len(path)
        if self.prefix:
            for size in self._prefix_lengths:
                if size > length:
                    break
                listed = self.prefix.get(path[:size])
                if listed:
                    found.update(listed)
        if self.suffix:
            for size in self._suffix_lengths:
                if size > length:
                    break
                listed = self.suffix.get(path[length - size :])
                if listed:
                    found.update(listed)
            listed = self.bare.get(path)
            if listed:
                found.update(listed)
        if self._sets:
            text = re2_text(path)
            for regexp_set, members in self._sets:
                matched = regexp_set.Match(text)
                if matched:
                    for member in matched:
                        found.update(members[member])
        for index, test in self._slow:
            if test(path):
                found.add(index)
        return found


def python_search(python_regexp: str, alternation: bool) -> Callable[[str], bool]:
    """The fallback without RE2: Python's backtracking ``re`` (the old worst case)."""
    regexp = re.compile(python_regexp, re.ASCII)
    find = regexp.search if alternation else regexp.match
    return lambda path: find(re2_text(path)) is not None
