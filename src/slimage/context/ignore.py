"""`.dockerignore` patterns matched with Docker's exact semantics (the file itself is read
by :mod:`slimage.context.ignore_file`).

Matching follows ``moby/patternmatcher`` v0.6.1, which BuildKit uses to filter the build
context (through ``tonistiigi/fsutil``). In short, in ``PatternMatcher``: patterns are
evaluated in order and the last one that matches a path (or one of its parent directories)
decides. ``*`` and ``?`` never cross ``/``; ``**`` crosses any number of directories;
``[...]`` and ``\\`` work as in Go's ``filepath.Match``. Go compiles most patterns to a
regular expression by copying characters, so RE2 syntax leaks through (``\\d`` is a digit,
``[[:alpha:]]`` a POSIX class): :mod:`slimage.context._re2` reproduces that.

The "walk" entry points (:meth:`PatternMatcher.matches`,
:meth:`PatternMatcher.matches_using_parent_results`) give what BuildKit actually
sends; :meth:`PatternMatcher.matches_or_parent_matches` is Go's function of that name,
which differs from the walk in rare cases with repeated patterns.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Sequence

from slimage.context import _golang, _matchset, _re2
from slimage.errors import IgnoreFileError

# fsutil (filter.go): exception patterns made only of these characters let the walker
# skip an excluded directory that no exception points into.
_GLOB_CHARS = frozenset("*[]?^\\")


class MatchType(enum.Enum):
    """How patternmatcher evaluates one pattern (its ``matchType``)."""

    EXACT = "exact"
    PREFIX = "prefix"  # "dir/**"
    SUFFIX = "suffix"  # a leading "**"
    REGEXP = "regexp"


class MatchInfo:
    """What each pattern said about a directory, carried down to its children.

    The empty value means "nothing known": matching then checks parent prefixes. Kept
    sparse (the indices of the patterns that matched), so a directory costs nothing per
    pattern that did not match it.
    """

    __slots__ = ("count", "hits")

    def __init__(
        self,
        parent_matched: Sequence[bool] = (),
        *,
        hits: frozenset[int] | None = None,
        count: int = 0,
    ) -> None:
        if hits is None:
            hits = frozenset(i for i, hit in enumerate(parent_matched) if hit)
            count = len(parent_matched)
        self.hits = hits
        self.count = count  # the number of patterns; 0 means "nothing known"

    @property
    def parent_matched(self) -> tuple[bool, ...]:
        """One bool per pattern (patternmatcher's ``MatchInfo.parentMatched``)."""
        return tuple(i in self.hits for i in range(self.count))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, MatchInfo):
            return NotImplemented
        return self.count == other.count and self.hits == other.hits

    def __hash__(self) -> int:
        return hash((self.count, self.hits))

    def __repr__(self) -> str:
        return f"MatchInfo(hits={sorted(self.hits)}, count={self.count})"


# patternmatcher means to escape `.+()|{}$`, but it records them in an [8]byte bitmap
# with `1 << (b / 8)`: for '{', '|' and '}' (codes >= 64) the bit falls off the byte,
# so Docker copies those three into the expression unescaped, where RE2 reads `|` as
# alternation and `{n,m}` as a repeat. Verified against the real code.
_ESCAPED = frozenset(".+()$")


def _go_regexp(pattern: str) -> tuple[MatchType, str]:
    """patternmatcher's ``Pattern.compile`` for '/' separators: the type and Go regexp.

    Characters are copied into the expression except ``*``, ``?``, ``**`` and an escaped
    character; ``.+()$`` are escaped; ``[``, ``]`` and ``\\x`` make it a regexp.
    """
    out = ["^"]
    kind = MatchType.EXACT
    chars = list(pattern)
    if chars and chars[0] == "\ufeff":
        chars.pop(0)  # text/scanner skips a byte order mark at the start
    chars = ["\ufffd" if "\udc80" <= c <= "\udcff" else c for c in chars]
    index = 0
    iteration = 0
    while index < len(chars):
        char = chars[index]
        index += 1
        peek = chars[index] if index < len(chars) else None
        if char == "*":
            if peek == "*":
                index += 1
                if index < len(chars) and chars[index] == "/":
                    index += 1
                if index >= len(chars):
                    if kind is MatchType.EXACT:
                        kind = MatchType.PREFIX
                    else:
                        out.append(".*")
                        kind = MatchType.REGEXP
                else:
                    out.append("(.*/)?")
                    kind = MatchType.REGEXP
                if iteration == 0:
                    kind = MatchType.SUFFIX
            else:
                out.append("[^/]*")
                kind = MatchType.REGEXP
        elif char == "?":
            out.append("[^/]")
            kind = MatchType.REGEXP
        elif char in _ESCAPED:
            out.append("\\" + char)
        elif char == "\\":
            if peek is not None:
                out.append("\\" + peek)
                index += 1
                kind = MatchType.REGEXP
            else:
                out.append("\\")
        elif char in "[]":
            out.append(char)
            kind = MatchType.REGEXP
        else:
            out.append(char)
        iteration += 1
    out.append("$")
    return kind, "".join(out)


def _regexp_text(path: str) -> str:
    # Go's regexp decodes an invalid UTF-8 byte as U+FFFD; Python sees U+DCxx instead.
    if path.isascii():
        return path
    return "".join("\ufffd" if "\udc80" <= c <= "\udcff" else c for c in path)


class Pattern:
    """One cleaned pattern of an ignore file."""

    __slots__ = (
        "_error",
        "_test",
        "alternation",
        "exclusion",
        "go_regexp",
        "line",
        "match_type",
        "python_regexp",
        "raw",
        "re2_ok",
        "text",
    )

    def __init__(self, text: str, *, exclusion: bool, raw: str, line: int | None) -> None:
        self.text = text  # cleaned, without the leading "!"
        self.exclusion = exclusion
        self.raw = raw
        self.line = line
        self.match_type, self.go_regexp = _go_regexp(text)
        self.alternation = False  # the expression has a top-level '|' (see _ESCAPED)
        self.python_regexp: str | None = None  # for the regexp type, when it compiles
        self.re2_ok = False  # RE2 evaluates go_regexp (linear time)
        self._error: str | None = None
        self._test: Callable[[str], bool] = self._build_test(self.go_regexp)

    def _build_test(self, go_regexp: str) -> Callable[[str], bool]:
        text = self.text
        if self.match_type is MatchType.EXACT:
            return text.__eq__
        if self.match_type is MatchType.PREFIX:
            return _prefix_test(text[:-2])
        if self.match_type is MatchType.SUFFIX:
            return _suffix_test(text[2:])
        # Validity is decided as Go's regexp/syntax decides it (slimage.context._re2);
        # matching runs on RE2 itself, in linear time, when google-re2 is installed.
        unsupported = False
        try:
            self.python_regexp, self.alternation = _re2.translate(go_regexp)
            if "{" in go_regexp:
                # Only a leaked {n,m} repeat can make a translated expression invalid.
                re.compile(self.python_regexp, re.ASCII)
        except _re2.UnsupportedRegexp as error:
            # \p{..} classes and (?flags): RE2 evaluates them; Python's re cannot.
            self._error = f"slimage cannot evaluate it: {error}"
            self.python_regexp = None
            unsupported = True
        except (_re2.RegexpError, re.error) as error:
            self._error = f"not a valid regular expression once compiled: {error}"
            self.python_regexp = None
            return self._raise
        if _matchset.HAVE_RE2:
            if not unsupported:
                self.re2_ok = True
                return _matchset.lazy_re2(go_regexp, self.python_regexp, self.alternation)
            try:
                test = _matchset.compile_re2(go_regexp)
            except ValueError:
                return self._raise  # RE2 rejects it too: Docker fails the build
            self._error = None
            self.re2_ok = True
            return test
        if self.python_regexp is None:
            return self._raise
        # Go's MatchString searches; with an unescaped '|' the anchors bind only the
        # first and last alternatives, so only then does search differ from match.
        return _matchset.python_search(self.python_regexp, self.alternation)

    def _raise(self, path: str) -> bool:
        raise _MatchError(self)

    @property
    def error(self) -> str | None:
        """Why matching with this pattern fails (Docker fails the build), if it does."""
        return self._error

    def match(self, path: str) -> bool:
        """Whether this one pattern matches ``path`` (no parent logic)."""
        return self._test(path)

    def without_trailing_glob(self) -> str:
        """fsutil's patternWithoutTrailingGlob: drop a final ``/**`` or ``/*``."""
        text = self.text.removesuffix("/**")
        return text.removesuffix("/*")

    def __repr__(self) -> str:
        return f"Pattern({'!' if self.exclusion else ''}{self.text!r}, line={self.line})"


def _prefix_test(prefix: str) -> Callable[[str], bool]:
    return lambda path: path.startswith(prefix)


def _suffix_test(suffix: str) -> Callable[[str], bool]:
    bare = suffix[1:] if suffix.startswith("/") else None
    if bare is None:
        return lambda path: path.endswith(suffix)
    return lambda path: path.endswith(suffix) or path == bare


class _MatchError(Exception):
    def __init__(self, pattern: Pattern) -> None:
        super().__init__(pattern.error)
        self.pattern = pattern


class PatternMatcher:
    """A compiled list of ignore patterns (``patternmatcher.New``).

    Raises :class:`IgnoreFileError` for patterns Docker rejects up front: a lone ``!``
    and globs ``filepath.Match`` calls malformed. A pattern that only fails when it is
    evaluated (an invalid range such as ``[z-a]`` once compiled to RE2) raises the same
    error at match time, as Docker does.
    """

    def __init__(
        self,
        patterns: Sequence[str],
        *,
        source: str | None = None,
        lines: Sequence[int] | None = None,
    ) -> None:
        self.source = source
        self.patterns: list[Pattern] = []
        self.exclusions = False
        for index, raw in enumerate(patterns):
            line = lines[index] if lines is not None else None
            text = _golang.trim_space(raw)
            if not text:
                continue
            text = _golang.clean_path(text)
            exclusion = text.startswith("!")
            if exclusion:
                if len(text) == 1:
                    raise IgnoreFileError(self._where(line, raw, 'illegal exclusion pattern: "!"'))
                text = text[1:]
                self.exclusions = True
            if not _golang.glob_is_well_formed(text):
                raise IgnoreFileError(self._where(line, raw, "syntax error in pattern"))
            self.patterns.append(Pattern(text, exclusion=exclusion, raw=raw, line=line))
        count = len(self.patterns)
        self._no_info = MatchInfo()
        self._all_false = MatchInfo(hits=frozenset(), count=count)
        self._set = _matchset.MatchSet(self.patterns)
        self._any_match = self._build_prefilter()
        self._only_prefix_exceptions = not any(
            p.exclusion and _GLOB_CHARS.intersection(p.without_trailing_glob())
            for p in self.patterns
        )
        self._dir_cache: dict[str, MatchInfo] = {}

    def _where(self, line: int | None, raw: str, reason: str) -> str:
        place = self.source or "ignore patterns"
        if line is not None:
            place = f"{place}:{line}"
        return f"{place}: invalid pattern {raw.strip()!r}: {reason}"

    def _match_failed(self, error: _MatchError) -> IgnoreFileError:
        pattern = error.pattern
        place = self.source or "ignore patterns"
        if pattern.line is not None:
            place = f"{place}:{pattern.line}"
        return IgnoreFileError(
            f"{place}: pattern {pattern.raw.strip()!r} makes Docker fail the build "
            f"('syntax error in pattern'): {pattern.error}"
        )

    def _build_prefilter(self) -> Callable[[str], object] | None:
        """A test that returns None only when no pattern matches the path itself."""
        if self._set.broken:
            return None  # a broken pattern must be evaluated to raise
        hits = self._set.hits
        return lambda path: True if hits(path) else None

    def __bool__(self) -> bool:
        return bool(self.patterns)

    @property
    def prefilter(self) -> Callable[[str], object] | None:
        """A regexp match that returns None only when no pattern can match an ASCII path.

        None when some pattern cannot be compiled (it must be evaluated to fail).
        """
        return self._any_match

    @property
    def all_false(self) -> MatchInfo:
        """The MatchInfo of a directory that no pattern matched."""
        return self._all_false

    # --- Go's entry points -------------------------------------------------------

    def matches_or_parent_matches(self, path: str) -> bool:
        """patternmatcher ``MatchesOrParentMatches``: the path or any parent matches."""
        matched = False
        parent = _golang.dir_name(path)
        dirs = parent.split("/") if parent != "." else []
        try:
            for pattern in self.patterns:
                if pattern.exclusion != matched:
                    continue
                hit = pattern.match(path)
                if not hit:
                    hit = self._any_parent_matches(pattern, dirs)
                if hit:
                    matched = not pattern.exclusion
        except _MatchError as error:
            raise self._match_failed(error) from None
        return matched

    def matches_exact(self, path: str) -> bool:
        """patternmatcher ``MatchesExact``: no parent directories considered."""
        matched = False
        try:
            for pattern in self.patterns:
                if pattern.exclusion != matched:
                    continue
                if pattern.match(path):
                    matched = not pattern.exclusion
        except _MatchError as error:
            raise self._match_failed(error) from None
        return matched

    def matches_single_parent(self, path: str) -> bool:
        """The deprecated ``Matches`` method (checks one parent prefix only).

        Kept for the upstream conformance cases; everything else uses the walk.
        """
        matched = False
        parent = _golang.dir_name(path)
        parent_dirs = parent.split("/")
        try:
            for pattern in self.patterns:
                if pattern.exclusion != matched:
                    continue
                hit = pattern.match(path)
                depth = pattern.text.count("/") + 1
                if not hit and parent != "." and depth <= len(parent_dirs):
                    hit = _quiet_match(pattern, "/".join(parent_dirs[:depth]))
                if hit:
                    matched = not pattern.exclusion
        except _MatchError as error:
            raise self._match_failed(error) from None
        return matched

    def matches_using_parent_result(self, path: str, parent_matched: bool) -> bool:
        """The deprecated ``MatchesUsingParentResult`` (one bool per parent)."""
        matched = parent_matched
        try:
            for pattern in self.patterns:
                if pattern.exclusion != matched:
                    continue
                if pattern.match(path):
                    matched = not pattern.exclusion
        except _MatchError as error:
            raise self._match_failed(error) from None
        return matched

    def matches_using_parent_results(self, path: str, parent: MatchInfo) -> tuple[bool, MatchInfo]:
        """patternmatcher ``MatchesUsingParentResults``: what fsutil's walk calls.

        ``parent`` is the MatchInfo returned for the parent directory, or an empty
        ``MatchInfo()`` when unknown (parent prefixes are then checked instead).

        Only the patterns that match (the path, a parent, or one that must fail) are
        visited, in order: the same answer as Go's loop over every pattern, since a
        pattern that matches nothing changes nothing.
        """
        patterns = self.patterns
        known = parent.count > 0
        if known and parent.count != len(patterns):
            raise ValueError("wrong number of values in parentMatched")
        parent_hits = parent.hits
        hits = self._set.hits(path)
        above: set[int] = set()
        if not known:
            parent_dir = _golang.dir_name(path)
            if parent_dir != ".":
                dirs = parent_dir.split("/")
                for depth in range(1, len(dirs) + 1):
                    above |= self._set.hits("/".join(dirs[:depth]))
        broken = self._set.broken
        if not hits and not parent_hits and not above and not broken:
            return False, self._all_false
        matched = False
        results: list[int] = []
        for index in sorted(hits | parent_hits | above | broken):
            pattern = patterns[index]
            if index not in parent_hits:
                if pattern.exclusion != matched:
                    continue
                if index in broken:
                    raise self._match_failed(_MatchError(pattern))
                if index not in hits and index not in above:
                    continue
            results.append(index)
            matched = not pattern.exclusion
        if not results:
            return matched, self._all_false
        return matched, MatchInfo(hits=frozenset(results), count=len(patterns))

    @staticmethod
    def _any_parent_matches(pattern: Pattern, dirs: list[str]) -> bool:
        for depth in range(1, len(dirs) + 1):
            if _quiet_match(pattern, "/".join(dirs[:depth])):
                return True
        return False

    # --- slimage conveniences ----------------------------------------------------

    def matches(self, path: str) -> bool:
        """Whether BuildKit leaves ``path`` (relative to the context) out of the context.

        Follows fsutil's walk: each parent directory is matched first, from the top,
        and its result carried down. ``./``, a leading ``/`` and ``..`` are cleaned
        away; the context root itself is never excluded. Note that an excluded
        directory is still sent (as a bare directory) when one of its children is
        re-included by an exception.
        """
        path = _golang.clean_path(path)
        path = path.lstrip("/")
        if path in ("", "."):
            return False
        parent = self._directory_info(_golang.dir_name(path))
        return self.matches_using_parent_results(path, parent)[0]

    def _directory_info(self, directory: str) -> MatchInfo:
        if directory in (".", ""):
            return self._no_info
        cached = self._dir_cache.get(directory)
        if cached is not None:
            return cached
        parent = self._directory_info(_golang.dir_name(directory))
        info = self.matches_using_parent_results(directory, parent)[1]
        if len(self._dir_cache) > 65536:
            self._dir_cache.clear()
        self._dir_cache[directory] = info
        return info

    def excluded_dir_needs_walk(self, directory: str) -> bool:
        """Whether fsutil walks into ``directory``, which the patterns exclude.

        fsutil skips an excluded directory when every exception pattern is a plain
        path (no glob characters, ignoring a trailing ``/*`` or ``/**``) and none of
        them lies inside it; otherwise it walks in, since an exception may re-include
        something there.
        """
        if not self._only_prefix_exceptions:
            return True
        if not self.exclusions:
            return False
        dir_slash = directory + "/"
        return any(
            p.exclusion and (p.without_trailing_glob() + "/").startswith(dir_slash)
            for p in self.patterns
        )

    def deferred_errors(self) -> list[str]:
        """Patterns that pass ``New`` but fail when evaluated (Docker fails then)."""
        return [self._match_failed(_MatchError(p)).message for p in self.patterns if p.error]


def _quiet_match(pattern: Pattern, path: str) -> bool:
    # Go ignores errors when it checks parent prefixes (`match, _ = pattern.match(...)`).
    try:
        return pattern.match(path)
    except _MatchError:
        return False
