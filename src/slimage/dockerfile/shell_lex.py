"""Variable expansion and word splitting as BuildKit's Dockerfile shell lexer does them.

This follows ``frontend/dockerfile/shell/lex.go`` in moby/buildkit behaviour for
behaviour, checked against its data files (``envVarTest``, ``wordsTest``) and test tables
(tests/data/conformance/buildkit-shell). It is not a shell: there is no command
substitution, globbing or arithmetic, only what a Dockerfile instruction gets:

* quotes: ``'...'`` is literal; ``"..."`` expands ``$`` and lets the escape token
  escape only ``"``, ``$`` and itself; outside quotes the escape token escapes anything
  and a trailing one is dropped;
* ``$name``, ``${name}`` and the modifiers ``:-`` ``-`` ``:+`` ``+`` ``:?`` ``?`` ``#``
  ``##`` ``%`` ``%%`` ``/`` ``//`` (patterns: :mod:`slimage.dockerfile._shell_pattern`);
* positional (``$1``, ``${001}``) and special (``$@ $* $# $? $- $$ $! $0``) parameters
  are looked up like any name, so they expand to nothing in practice;
* errors where BuildKit errors: ``${}``, ``${:x}``, ``${x=y}``, ``${x:#}``, unterminated
  quotes and braces, ``${x?}`` on an unset variable, bad pattern escapes.

Names are case-sensitive (BuildKit on Linux; on Windows they are not).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from slimage.dockerfile import _shell_pattern

__all__ = ["ExpansionResult", "ShellLex", "ShellLexError", "envs_from_list"]


class ShellLexError(ValueError):
    """A word BuildKit refuses to expand (bad substitution, unterminated quote, ...)."""


# Go's unicode.IsSpace for Latin-1; above it Python's notion matches White_Space.
_LATIN1_SPACES = frozenset("\t\n\v\f\r \x85\xa0")


def _is_space(char: str) -> bool:
    return char in _LATIN1_SPACES or (char > "\xff" and char.isspace())


def _split_fields(word: str) -> list[str]:
    fields: list[str] = []
    current: list[str] = []
    for char in word:
        if _is_space(char):
            if current:
                fields.append("".join(current))
                current = []
        else:
            current.append(char)
    if current:
        fields.append("".join(current))
    return fields


def _is_name_char(char: str) -> bool:
    # unicode.IsLetter (categories L*) / unicode.IsDigit (Nd) / underscore.
    return char.isalpha() or char.isdecimal() or char == "_"


# POSIX special parameters (XCU 2.5.2); "0" is caught by the digit branch first.
_SPECIAL_PARAMETERS = frozenset("@*#?-$!0")


def envs_from_list(entries: Iterable[str]) -> dict[str, str]:
    """``KEY=VALUE`` strings to a mapping; a bare ``KEY`` is empty and the last duplicate wins."""
    env: dict[str, str] = {}
    for entry in entries:
        key, _, value = entry.partition("=")
        env[key] = value
    return env


@dataclass
class _Words:
    """Word splitting of an expansion result: unquoted ``$`` results split on spaces."""

    word: str = ""
    words: list[str] = field(default_factory=list)
    in_word: bool = False

    def add_char(self, char: str) -> None:
        if _is_space(char):
            if self.in_word and self.word:
                self.words.append(self.word)
                self.word = ""
                self.in_word = False
        else:
            self.add_raw_char(char)

    def add_raw_char(self, char: str) -> None:
        self.word += char
        self.in_word = True

    def add_string(self, text: str) -> None:
        for char in text:
            self.add_char(char)

    def add_raw_string(self, text: str) -> None:
        self.word += text
        self.in_word = True

    def result(self) -> list[str]:
        if self.word:
            self.words.append(self.word)
            self.word = ""
            self.in_word = False
        return self.words


class _Expansion:
    """One pass over one word (BuildKit's ``shellWord``).

    ``split_words``: also split the result into words (only :meth:`ShellLex.expand` and
    ``process_words`` want them; instruction arguments take the word whole).
    """

    def __init__(
        self, lex: ShellLex, text: str, env: Mapping[str, str], *, split_words: bool = True
    ) -> None:
        self.lex = lex
        self.text = text
        self.pos = 0
        self.env = env
        self.raw_escapes = lex.raw_escapes
        self.split_words = split_words
        self.matched: set[str] = set()
        self.unmatched: set[str] = set()

    # -- scanner ---------------------------------------------------------------------
    def peek(self) -> str | None:
        return self.text[self.pos] if self.pos < len(self.text) else None

    def next(self) -> str | None:
        if self.pos >= len(self.text):
            return None
        char = self.text[self.pos]
        self.pos += 1
        return char

    def lookup(self, name: str) -> str | None:
        value = self.env.get(name)
        if value is None:
            self.unmatched.add(name)
        else:
            self.matched.add(name)
        return value

    # -- grammar -----------------------------------------------------------------------
    def process_until(self, stop: str | None, raw_escapes: bool) -> tuple[str, list[str]]:
        """Expand up to ``stop`` (consumed) or the end of input when ``stop`` is None."""
        saved = self.raw_escapes
        self.raw_escapes = raw_escapes
        try:
            return self._process_until(stop)
        finally:
            self.raw_escapes = saved

    def _process_until(self, stop: str | None) -> tuple[str, list[str]]:
        result: list[str] = []
        # Only the whole word is split into words (the word of a ${x:-word} is not).
        words = _Words() if self.split_words and stop is None else None
        escape = self.lex.escape
        quotes = not self.lex.skip_process_quotes
        ordinary = self.lex.ordinary_run
        while (char := self.peek()) is not None:
            if stop is not None and char == stop:
                self.pos += 1
                return "".join(result), words.result() if words else []
            if char == "$":
                value = self.dollar()
                result.append(value)
                if words:
                    words.add_string(value)
            elif quotes and char == "'":
                value = self.single_quoted()
                result.append(value)
                if words:
                    words.add_raw_string(value)
            elif quotes and char == '"':
                value = self.double_quoted()
                result.append(value)
                if words:
                    words.add_raw_string(value)
            elif char == escape:
                self.pos += 1
                if self.raw_escapes:
                    if words:
                        words.add_raw_char(char)
                    result.append(char)
                escaped = self.next()
                if escaped is None:
                    break  # a trailing escape token is dropped
                if words:
                    words.add_raw_char(escaped)
                result.append(escaped)
            else:
                # Characters with no meaning here, taken as one run (a stop character
                # ends it, and is then taken alone when it is not the stop).
                run = ordinary.match(self.text, self.pos)
                end = run.end() if run else self.pos + 1
                text = self.text[self.pos : end]
                self.pos = end
                if words:
                    words.add_string(text)
                result.append(text)
        if stop is not None:
            raise ShellLexError(f"unexpected end of statement while looking for matching {stop}")
        return "".join(result), words.result() if words else []

    def single_quoted(self) -> str:
        # Everything up to the next quote is literal; a single quote cannot be escaped.
        opening = self.next()
        end = self.text.find("'", self.pos)
        if end < 0:
            raise ShellLexError(
                "unexpected end of statement while looking for matching single-quote"
            )
        body = self.text[self.pos : end]
        self.pos = end + 1
        if self.lex.raw_quotes:
            return f"{opening}{body}'"
        return body

    def double_quoted(self) -> str:
        result: list[str] = []
        opening = self.next()
        if self.lex.raw_quotes:
            result.append(opening or "")
        escape = self.lex.escape
        quoted_run = self.lex.quoted_run
        while True:
            char = self.peek()
            if char is None:
                raise ShellLexError(
                    "unexpected end of statement while looking for matching double-quote"
                )
            if char == '"':
                self.pos += 1
                if self.lex.raw_quotes:
                    result.append(char)
                return "".join(result)
            if char == "$":
                result.append(self.dollar())
                continue
            if char != escape:
                # Up to the next quote, "$" or escape token in one step.
                run = quoted_run.match(self.text, self.pos)
                end = run.end() if run else self.pos + 1
                result.append(self.text[self.pos : end])
                self.pos = end
                continue
            self.pos += 1  # the escape token
            if self.raw_escapes:
                result.append(char)
            following = self.peek()
            if following is None:
                continue  # the loop then reports the missing quote
            # Only ", $ and the escape token itself are escapable inside "...".
            if following in ('"', "$", escape):
                self.pos += 1
                char = following
            result.append(char)

    def name(self) -> str:
        """A variable name: letters, digits, ``_``; or a digit run; or one special char."""
        start = self.pos
        first = self.peek()
        if first is None:
            return ""
        if first.isdecimal():
            while (char := self.peek()) is not None and char.isdecimal():
                self.pos += 1
            return self.text[start : self.pos]
        if first in _SPECIAL_PARAMETERS:
            self.pos += 1
            return first
        while (char := self.peek()) is not None and _is_name_char(char):
            self.pos += 1
        return self.text[start : self.pos]

    def dollar(self) -> str:
        self.pos += 1  # the "$"
        if self.peek() != "{":
            name = self.name()
            if not name:
                return "$"
            value = self.lookup(name)
            if value is None:
                return "$" + name if self.lex.skip_unset_env else ""
            return value

        self.pos += 1  # the "{"
        first = self.peek()
        if first is None:
            raise ShellLexError("syntax error: missing '}'")
        if first in "{}:":
            raise ShellLexError("syntax error: bad substitution")
        name = self.name()
        modifier = self.next()
        if modifier == "}":
            value = self.lookup(name)
            if value is None:
                return "${" + name + "}" if self.lex.skip_unset_env else ""
            return value
        if modifier == "/":
            return self.replacement(name)
        if modifier is None:
            raise ShellLexError("unsupported modifier () in substitution")

        operator = modifier
        null_is_unset = False
        if modifier == ":":
            null_is_unset = True
            operator = self.next() or ""
        shown = modifier + operator if null_is_unset else modifier
        if operator not in ("+", "-", "?", "#", "%") or (null_is_unset and operator in "#%"):
            # BuildKit has no ${v=w}, ${v:=w}, ${v:#p} or ${v:%p}.
            raise ShellLexError(f"unsupported modifier ({shown}) in substitution")

        try:
            word, _ = self.process_until("}", raw_escapes=operator in "#%")
        except ShellLexError:
            if self.peek() is None:
                raise ShellLexError("syntax error: missing '}'") from None
            raise

        value = self.lookup(name)
        if value is None and self.lex.skip_unset_env:
            return "${" + name + shown + word + "}"
        unset_or_null = value is None or (null_is_unset and value == "")
        if operator == "-":
            return word if unset_or_null else (value or "")
        if operator == "+":
            return "" if unset_or_null else word
        if operator == "?":
            if value is None:
                raise ShellLexError(f"{name}: {word or 'is not allowed to be unset'}")
            if null_is_unset and value == "":
                raise ShellLexError(f"{name}: {word or 'is not allowed to be empty'}")
            return value
        # "#", "##", "%", "%%": shortest (single) or longest (doubled) match removed.
        greedy = word.startswith(operator)
        if greedy:
            word = word[1:]
        try:
            if operator == "%":
                return _shell_pattern.trim_suffix(word, value or "", greedy=greedy)
            return _shell_pattern.trim_prefix(word, value or "", greedy=greedy)
        except _shell_pattern.PatternError as error:
            raise ShellLexError(f"invalid pattern ({word}) in substitution: {error}") from None

    def replacement(self, name: str) -> str:
        """``${name/pattern/replacement}`` and ``${name//pattern/replacement}``."""
        replace_all = self.peek() == "/"
        if replace_all:
            self.pos += 1
        try:
            pattern, _ = self.process_until("/", raw_escapes=True)
        except ShellLexError:
            if self.peek() is None:
                raise ShellLexError("syntax error: missing '/' in ${}") from None
            raise
        try:
            replacement, _ = self.process_until("}", raw_escapes=True)
        except ShellLexError:
            if self.peek() is None:
                raise ShellLexError("syntax error: missing '}'") from None
            raise
        value = self.lookup(name)
        if value is None and self.lex.skip_unset_env:
            return "${" + name + "/" + pattern + "/" + replacement + "}"
        try:
            if replace_all:
                return _shell_pattern.replace_all(pattern, value or "", replacement)
            return _shell_pattern.replace_first(pattern, value or "", replacement)
        except _shell_pattern.PatternError as error:
            raise ShellLexError(f"invalid pattern ({pattern}) in substitution: {error}") from None


@dataclass(frozen=True, slots=True)
class ExpansionResult:
    """Everything one expansion produces."""

    result: str  # the word with quotes removed and variables expanded
    words: list[str]  # ``result`` split into words (quoted parts are not split)
    matched: set[str]  # variable names that were looked up and found
    unmatched: set[str]  # variable names that were looked up and not set


class ShellLex:
    """BuildKit's ``shell.Lex``: expand Dockerfile words against an environment.

    ``escape`` is the Dockerfile's escape token (``\\`` or ``\\```). The keyword flags
    mirror BuildKit's ``RawQuotes``, ``RawEscapes``, ``SkipProcessQuotes`` and
    ``SkipUnsetEnv`` (all off for instruction arguments).
    """

    def __init__(
        self,
        escape: str = "\\",
        *,
        raw_quotes: bool = False,
        raw_escapes: bool = False,
        skip_process_quotes: bool = False,
        skip_unset_env: bool = False,
    ) -> None:
        if len(escape) != 1:
            raise ValueError(f"escape token must be one character, got {escape!r}")
        self.escape = escape
        self.raw_quotes = raw_quotes
        self.raw_escapes = raw_escapes
        self.skip_process_quotes = skip_process_quotes
        self.skip_unset_env = skip_unset_env
        # Runs of characters that mean nothing to the expansion: outside quotes (neither
        # "$", a quote, the escape token, nor a "}" or "/" that may end a ${...} part),
        # and inside double quotes (neither the closing quote, "$" nor the escape token).
        self.ordinary_run = re.compile("[^" + re.escape("$'\"}/" + escape) + "]+")
        self.quoted_run = re.compile("[^" + re.escape('"$' + escape) + "]+")

    def expand(self, word: str, env: Mapping[str, str]) -> ExpansionResult:
        """Expand ``word``; raises :class:`ShellLexError` naming the word on bad syntax."""
        return self._expand(word, env, split_words=True)

    def _expand(self, word: str, env: Mapping[str, str], *, split_words: bool) -> ExpansionResult:
        if self._is_plain(word):
            return ExpansionResult(word, _split_fields(word) if split_words else [], set(), set())
        state = _Expansion(self, word, env, split_words=split_words)
        try:
            result, words = state.process_until(None, self.raw_escapes)
        except ShellLexError as error:
            raise ShellLexError(f"failed to process {_go_quote(word)}: {error}") from None
        return ExpansionResult(result, words, state.matched, state.unmatched)

    def _is_plain(self, word: str) -> bool:
        """Nothing to expand, unquote or unescape (most words of a Dockerfile): the result
        is the word itself and its words are its whitespace-separated fields."""
        if self.raw_quotes or self.raw_escapes or self.skip_process_quotes:
            return False
        return not ("$" in word or "'" in word or '"' in word or self.escape in word)

    def process_word(self, word: str, env: Mapping[str, str]) -> str:
        """The expanded word (spaces kept): what ENV, LABEL, WORKDIR, ... receive."""
        if self._is_plain(word):
            return word
        return self._expand(word, env, split_words=False).result

    def process_words(self, word: str, env: Mapping[str, str]) -> list[str]:
        """The expanded word split into words, as BuildKit's ``ProcessWords``."""
        return self.expand(word, env).words

    def process_word_with_matches(
        self, word: str, env: Mapping[str, str]
    ) -> tuple[str, set[str], set[str]]:
        """The expanded word, the names found in ``env`` and the names that were not."""
        if self._is_plain(word):
            return word, set(), set()
        expansion = self._expand(word, env, split_words=False)
        return expansion.result, expansion.matched, expansion.unmatched


def _go_quote(text: str) -> str:
    """Roughly Go's ``%q``: enough for a readable one-line error message."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    escaped = escaped.replace("\n", "\\n").replace("\t", "\\t").replace("\r", "\\r")
    return f'"{escaped}"'
