"""A small, forgiving POSIX shell splitter: the fallback when bashlex gives up.

bashlex refuses ``case`` statements, ``$((...))`` and other constructs that real RUN
scripts use (the docker-library images all have ``case "$dpkgArch" in``). This module
never raises: it cuts a script into simple commands at ``&&``, ``||``, ``;``, ``|``,
``&``, newlines and ``( )``, respects quotes, escapes, ``$(...)``, ``${...}``,
backquotes, comments and here-documents, drops redirections and the reserved words
of compound commands, and removes quotes from words (no expansion).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# Operators, longest first so "&&" wins over "&".
_OPERATORS = (";;&", ";;", ";&", "&&", "||", "|&", ";", "|", "&", "(", ")")
_REDIRECTS = ("<<<", "<<-", "<<", ">>", "&>>", "&>", "<&", ">&", ">|", "<>", "<", ">")
_BLANKS = " \t"
_PLAIN = re.compile(r"[^ \t\n;&|()<>\\'\"$`]+")
# A whole word of plain characters ending where a word ends: most words of a script, taken
# in one step (a "<" or ">" after it may start a process substitution, so it does not count).
_PLAIN_WORD = re.compile(r"[^ \t\n;&|()<>\\'\"$`]+(?=[ \t\n;&|()]|\Z)")
_PLAIN_IN_DOUBLE_QUOTES = re.compile(r'[^"\\$`]+')


# A word the scanner takes in one step: plain characters, "$NAME", simple "${NAME}" and
# "$(cmd)" (no quotes, escapes or nesting inside: they stay verbatim), and single- or
# double-quoted parts of those, ending where a word ends (a "<" or ">" after it may start
# a process substitution, so it does not count). Anything else takes scan_word's slow
# path, which gives the same result for these.
_SIMPLE_SUBSTITUTION = r"\$(?![({])|\$\{[^{}\\'\"`$]*\}|\$\([^()\\'\"`$]*\)"
_SIMPLE_WORD = (
    r"(?:[^ \t\n;&|()<>\\'\"$`]++|" + _SIMPLE_SUBSTITUTION + r"|'[^']*+'"
    r"|\"(?:[^\"\\$`]++|" + _SIMPLE_SUBSTITUTION + r")*+\")++(?=[ \t\n;&|()]|\Z)"
)
# The quoted parts of such a word (inside them, the other kind of quote is a character).
_QUOTED_PART = re.compile(r"'([^']*)'|\"([^\"]*)\"")


def _unquote(word: str) -> str:
    """Quote removal for a word of _SIMPLE_WORD: its quotes open and close quoted parts."""
    if "'" not in word:
        return word.replace('"', "")
    if '"' not in word:
        return word.replace("'", "")
    return _QUOTED_PART.sub(_quoted_inside, word)


def _quoted_inside(match: re.Match[str]) -> str:
    return match[1] if match[1] is not None else match[2]


def _alternatives(*choices: str) -> str:
    return "|".join(re.escape(choice) for choice in choices)


# The scanner's next step in one match: blanks and line continuations are skipped, then
# the first alternative that applies names what starts there, in the order a hand-written
# scanner checks them: newline, comment, process substitution ("<(", ">("), an ASCII digit
# (maybe a file descriptor: "2>", left to scan_redirect, which takes str.isdigit digits as
# before), redirection operator, control operator, a simple word. None of them (a word
# with escapes, nested or quoted substitutions) leaves the word to scan_word's slow path.
_NEWLINE, _COMMENT, _PROCESS_SUBSTITUTION, _DIGIT, _REDIRECT, _OPERATOR, _WORD = range(1, 8)
_NEXT = re.compile(
    r"(?:[ \t]|\\\n)*+(?:"
    r"(\n)"
    r"|(#[^\n]*+)"
    r"|([<>]\()"
    r"|([0-9])"
    rf"|({_alternatives(*_REDIRECTS)})"
    rf"|({_alternatives(*_OPERATORS)})"
    rf"|({_SIMPLE_WORD})"
    r")?"
)
# Words that open, continue or close a compound command instead of naming a program.
_RESERVED_SKIP = frozenset(
    {"if", "then", "else", "elif", "fi", "do", "done", "while", "until", "{", "}", "!", "esac"}
)
_HEADER_WORDS = frozenset({"for", "select", "case", "function"})
# The connector a command records for these operators.
_NORMAL_SEPARATORS = {"|&": "|", ";;": ";", ";&": ";", ";;&": ";"}


@dataclass(slots=True)
class Token:
    """One word, operator, redirection or newline of a script, with its offsets in the script."""

    kind: str  # "word", "op", "redirect" or "newline"
    value: str  # quotes removed (words), the operator text otherwise
    start: int
    end: int
    quoted: bool = False  # any part of the word was quoted or escaped


@dataclass(slots=True)
class RawCommand:
    """A simple command found in a script; offsets are into that script."""

    words: list[str]
    start: int
    end: int
    connector: str
    heredocs: list[str] = field(default_factory=list)  # delimiters of its << redirections
    word_spans: list[tuple[int, int]] | None = None  # (start, end) of each word


class _Scanner:
    def __init__(self, script: str) -> None:
        self.text = script
        self.pos = 0
        self.tokens: list[Token] = []
        self.pending_heredocs: list[tuple[str, bool]] = []  # (delimiter, strip tabs)

    def scan(self) -> list[Token]:
        text = self.text
        tokens = self.tokens
        append = tokens.append
        match_next = _NEXT.match
        end_of_text = len(text)
        pos = 0
        while pos < end_of_text:
            # One match skips blanks and continuations and classifies what follows; the
            # alternatives are tried in the order of the checks they replace (see _NEXT).
            match = match_next(text, pos)
            if match is None:  # never: every alternative is optional
                break
            kind = match.lastindex
            pos = match.end()
            # A token's group ends where the match ends: its start is that minus its length.
            if kind == _WORD:
                word = match[_WORD]
                if "'" in word or '"' in word:
                    append(Token("word", _unquote(word), pos - len(word), pos, True))
                else:
                    append(Token("word", word, pos - len(word), pos))
            elif kind == _OPERATOR:
                operator = match[_OPERATOR]
                append(Token("op", operator, pos - len(operator), pos))
            elif kind == _NEWLINE:
                append(Token("newline", "\n", pos - 1, pos))
                if self.pending_heredocs:
                    self.pos = pos
                    self.skip_heredoc_bodies()
                    pos = self.pos
            elif kind == _COMMENT:
                pass
            elif kind == _REDIRECT:
                operator = match[_REDIRECT]
                append(Token("redirect", operator, pos - len(operator), pos))
                if operator in ("<<", "<<-"):
                    self.pos = pos
                    self.note_heredoc(strip_tabs=operator == "<<-")
                    pos = self.pos
            elif kind is None and pos >= end_of_text:
                break  # only blanks were left
            else:
                # A word with quotes, escapes or substitutions, a process substitution
                # ("<(...)", one word as bash sees it), or digits that may be a file
                # descriptor ("2>&1"): the slow path.
                self.pos = match.start(kind) if kind else pos
                if kind != _DIGIT or not self.scan_redirect():
                    self.scan_word()
                pos = self.pos
        self.pos = pos
        return tokens

    def scan_redirect(self) -> bool:
        """A redirection after file descriptor digits ("2>", "10<&"); False when none."""
        start = self.pos
        digits = start
        while digits < len(self.text) and self.text[digits].isdigit():
            digits += 1
        for operator in _REDIRECTS:
            if self.text.startswith(operator, digits):
                end = digits + len(operator)
                self.tokens.append(Token("redirect", operator, start, end))
                self.pos = end
                if operator in ("<<", "<<-"):
                    self.note_heredoc(strip_tabs=operator == "<<-")
                return True
        return False

    def note_heredoc(self, *, strip_tabs: bool) -> None:
        # The delimiter is the next word; scan it now so its body can be skipped later.
        while self.pos < len(self.text) and self.text[self.pos] in _BLANKS:
            self.pos += 1
        if self.pos < len(self.text) and self.text[self.pos] not in "\n;&|()<>":
            self.scan_word()
            self.pending_heredocs.append((self.tokens[-1].value, strip_tabs))

    def skip_heredoc_bodies(self) -> None:
        text = self.text
        for delimiter, strip_tabs in self.pending_heredocs:
            while self.pos < len(text):
                end = text.find("\n", self.pos)
                line_end = len(text) if end < 0 else end
                line = text[self.pos : line_end]
                self.pos = min(len(text), line_end + 1)
                if (line.lstrip("\t") if strip_tabs else line) == delimiter:
                    break
        self.pending_heredocs.clear()

    def scan_word(self) -> None:
        text = self.text
        start = self.pos
        plain = _PLAIN_WORD.match(text, start)
        if plain is not None:
            self.pos = plain.end()
            self.tokens.append(Token("word", plain.group(), start, self.pos, False))
            return
        value: list[str] = []
        quoted = False
        while self.pos < len(text):
            char = text[self.pos]
            if char in "<>" and text.startswith("(", self.pos + 1):
                end = self.skip_balanced(self.pos + 1)
                value.append(text[self.pos : end])
                self.pos = end
                continue
            if char in _BLANKS or char in "\n;&|()<>":
                break
            if char == "\\":
                quoted = True
                if text.startswith("\\\n", self.pos):
                    self.pos += 2
                    continue
                value.append(text[self.pos + 1 : self.pos + 2])
                self.pos += 2
            elif char == "'":
                quoted = True
                end = text.find("'", self.pos + 1)
                end = len(text) if end < 0 else end
                value.append(text[self.pos + 1 : end])
                self.pos = end + 1
            elif char == '"':
                quoted = True
                value.append(self.double_quoted())
            elif self.take_substitution(char, value):
                pass
            else:
                # A run of ordinary characters in one step: most of any script.
                plain = _PLAIN.match(text, self.pos)
                end = plain.end() if plain else self.pos + 1
                value.append(text[self.pos : end])
                self.pos = end
        self.pos = min(self.pos, len(text))
        self.tokens.append(Token("word", "".join(value), start, self.pos, quoted))

    def take_substitution(self, char: str, value: list[str]) -> bool:
        """Keep a ``$(...)``, ``${...}`` or backquoted part verbatim (bash expands it at
        run time); False when none starts here."""
        if char == "$" and self.text.startswith(("$(", "${"), self.pos):
            end = self.skip_balanced(self.pos + 1)
        elif char == "`":
            end = self.skip_backquote(self.pos)
        else:
            return False
        value.append(self.text[self.pos : end])
        self.pos = end
        return True

    def double_quoted(self) -> str:
        text = self.text
        self.pos += 1
        value: list[str] = []
        while self.pos < len(text) and text[self.pos] != '"':
            char = text[self.pos]
            if char == "\\" and self.pos + 1 < len(text):
                following = text[self.pos + 1]
                if following == "\n":
                    pass
                elif following in '$`"\\':
                    value.append(following)
                else:
                    value.append(char + following)
                self.pos += 2
            elif self.take_substitution(char, value):
                pass
            else:
                plain = _PLAIN_IN_DOUBLE_QUOTES.match(text, self.pos)
                end = plain.end() if plain else self.pos + 1
                value.append(text[self.pos : end])
                self.pos = end
        self.pos += 1  # the closing quote (or one past the end)
        return "".join(value)

    def skip_balanced(self, opening_at: int) -> int:
        """End of the ``(...)`` or ``{...}`` opening at ``opening_at``, quotes respected."""
        text = self.text
        opening = text[opening_at]
        closing = ")" if opening == "(" else "}"
        depth = 0
        i = opening_at
        while i < len(text):
            char = text[i]
            if char == "\\":
                i += 2
                continue
            if char == "'" and opening == "(":
                end = text.find("'", i + 1)
                i = len(text) if end < 0 else end + 1
                continue
            if char == '"':
                i = self.skip_double_quote(i)
                continue
            if char == opening:
                depth += 1
            elif char == closing:
                depth -= 1
                if depth == 0:
                    return i + 1
            i += 1
        return len(text)

    def skip_double_quote(self, at: int) -> int:
        text = self.text
        i = at + 1
        while i < len(text) and text[i] != '"':
            if text[i] == "\\":
                i += 2
            elif text.startswith(("$(", "${"), i):
                i = self.skip_balanced(i + 1)
            else:
                i += 1
        return min(i + 1, len(text))

    def skip_backquote(self, at: int) -> int:
        text = self.text
        i = at + 1
        while i < len(text) and text[i] != "`":
            i += 2 if text[i] == "\\" else 1
        return min(i + 1, len(text))


def tokenize(script: str) -> list[Token]:
    """Words, operators, redirections and newlines of ``script``; never raises."""
    return _Scanner(script).scan()


class _Splitter:
    def __init__(self) -> None:
        self.commands: list[RawCommand] = []
        self.words: list[Token] = []
        self.heredocs: list[str] = []
        self.start = -1
        self.end = -1
        self.pending = ""
        self.case_depth = 0
        self.want_pattern = False  # inside "case ... in", before a pattern's ")"
        self.header: str | None = None  # skipping "for x in ...", "case x in", "function f"

    def flush(self) -> None:
        if self.words:
            self.commands.append(
                RawCommand(
                    [w.value for w in self.words],
                    self.start,
                    self.end,
                    self.pending,
                    self.heredocs,
                    [(w.start, w.end) for w in self.words],
                )
            )
            self.pending = ""
        self.words = []
        self.heredocs = []
        self.start = -1

    def separator(self, value: str) -> None:
        if self.want_pattern and value == "|":
            return  # "a|b)" alternatives of a case pattern
        self.flush()
        if self.header in ("for", "select"):
            # "for x in a b; do": the ";" ends the header, not a command; the body's
            # first command keeps the operator before "for" (as bashlex reports it).
            self.header = None
            return
        normal = _NORMAL_SEPARATORS.get(value, value)
        if value in (";;", ";&", ";;&") and self.case_depth:
            self.want_pattern = True
        if normal == "\n" and self.pending:
            return  # "a &&\n b" keeps "&&": the newline only continues the list
        self.pending = normal

    def word(self, token: Token) -> None:
        if self.header is not None:
            self.header_word(token)
            return
        if self.want_pattern:
            if token.value == "esac" and not token.quoted:
                self.case_depth -= 1
                self.want_pattern = self.case_depth > 0
            return  # pattern words before ")" are not a command
        if not self.words and not token.quoted:
            if token.value in _HEADER_WORDS:
                self.header = token.value
                return
            if token.value in _RESERVED_SKIP:
                if token.value == "esac" and self.case_depth:
                    self.case_depth -= 1
                return
        if self.start < 0:
            self.start = token.start
        self.words.append(token)
        self.end = token.end

    def header_word(self, token: Token) -> None:
        if self.header == "case":
            if token.value == "in" and not token.quoted:
                self.header = None
                self.case_depth += 1
                self.want_pattern = True
        elif self.header == "function":
            self.header = None  # the function's name
        elif token.value == "do" and not token.quoted:
            self.header = None  # "for x in a b do" is unusual but ends the header

    def split(self, tokens: list[Token]) -> list[RawCommand]:
        skip_target = False
        for index, token in enumerate(tokens):
            if token.kind == "word":
                if skip_target:
                    skip_target = False
                    if self.start >= 0:
                        self.end = token.end
                elif self.words and self.header is None and not self.want_pattern:
                    self.words.append(token)  # a further word of a command: word() in short
                    self.end = token.end
                else:
                    self.word(token)
            elif token.kind == "redirect":
                skip_target = True
                following = tokens[index + 1] if index + 1 < len(tokens) else None
                if token.value in ("<<", "<<-") and following and following.kind == "word":
                    self.heredocs.append(following.value)
                if self.start < 0 and self.header is None and not self.want_pattern:
                    self.start = token.start
                self.end = max(self.end, token.end)
            elif token.kind == "newline":
                self.separator("\n")
            elif token.value == "(":
                if self.words:  # "name()": a function definition, not a command
                    self.words = []
                    self.start = -1
                self.flush()
            elif token.value == ")":
                if self.want_pattern:
                    self.want_pattern = False
                    self.words = []
                    self.start = -1
                else:
                    self.flush()
            else:
                self.separator(token.value)
        self.flush()
        return self.commands


# A script with no operator, redirection, quote, escape, substitution, comment or newline:
# one simple command of blank-separated words (``make``, ``npm ci``, ``pip install -r x``).
_NO_SHELL_SYNTAX = re.compile(r"[^\n;&|()<>\\'\"$`#]*")
_BLANK_SEPARATED = re.compile(r"[^ \t]+")


def split_commands(script: str) -> list[RawCommand]:
    """The simple commands of ``script`` in order, each with the operator before it."""
    if _NO_SHELL_SYNTAX.fullmatch(script):
        return _one_simple_command(script)
    return _Splitter().split(tokenize(script))


def _one_simple_command(script: str) -> list[RawCommand]:
    """What the splitter makes of a script without shell syntax, without tokens: its
    words, unless the first is a reserved word (``if``, ``for``, ``{``), left to it."""
    spans = [match.span() for match in _BLANK_SEPARATED.finditer(script)]
    if not spans:
        return []
    words = [script[start:end] for start, end in spans]
    if words[0] in _RESERVED_SKIP or words[0] in _HEADER_WORDS:
        return _Splitter().split(tokenize(script))
    return [RawCommand(words, spans[0][0], spans[-1][1], "", [], spans)]
