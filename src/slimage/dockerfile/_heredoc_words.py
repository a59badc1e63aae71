"""The word splitting BuildKit's parser uses to find heredocs.

``heredocsFromLine`` and ``ParseHeredoc`` call the shell lexer's ``ProcessWords`` with an
empty environment, ``SkipUnsetEnv`` (so ``$X`` stays ``$X``) and optionally ``RawQuotes``
and ``RawEscapes``; the escape is always ``\\`` whatever the escape directive says. This
is a small private copy of just that mode, so the parser does not depend on variable
expansion (``shell_lex``), which answers a different question.
"""

from __future__ import annotations

from slimage.dockerfile._gotext import GO_SPACE_SET, go_quote

_SPECIAL_PARAMS = frozenset("@*#?-$!0")
_ESCAPE = "\\"
_UNEXPECTED_END = "unexpected end of statement while looking for matching "


class LexError(ValueError):
    pass


class _Lexer:
    def __init__(self, text: str, *, raw_quotes: bool, raw_escapes: bool) -> None:
        self.text = text
        self.pos = 0
        self.raw_quotes = raw_quotes
        self.raw_escapes = raw_escapes

    def peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def next(self) -> str:
        if self.pos < len(self.text):
            char = self.text[self.pos]
            self.pos += 1
            return char
        return ""

    def process_stop_on(self, stop: str, raw_escapes: bool) -> tuple[str, list[str]]:
        saved, self.raw_escapes = self.raw_escapes, raw_escapes
        try:
            return self._process_stop_on(stop)
        finally:
            self.raw_escapes = saved

    def _process_stop_on(self, stop: str) -> tuple[str, list[str]]:
        result: list[str] = []
        words: list[str] = []
        word: list[str] = []
        in_word = False

        def add_char(char: str) -> None:
            nonlocal in_word
            if char in GO_SPACE_SET:
                if in_word and word:
                    words.append("".join(word))
                    word.clear()
                    in_word = False
            else:
                word.append(char)
                in_word = True

        while self.pos < len(self.text):
            char = self.peek()
            if stop and char == stop:
                self.next()
                if word:
                    words.append("".join(word))
                return "".join(result), words
            if char in "'\"$<":
                if char == "'":
                    piece = self._single_quote()
                elif char == '"':
                    piece = self._double_quote()
                elif char == "$":
                    piece = self._dollar()
                else:
                    piece = self._possible_heredoc()
                result.append(piece)
                if char == "$":
                    for sub in piece:
                        add_char(sub)
                else:
                    word.append(piece)
                    in_word = True
                continue
            char = self.next()
            if char == _ESCAPE:
                if self.raw_escapes:
                    word.append(char)
                    in_word = True
                    result.append(char)
                char = self.next()
                if not char:
                    break
                word.append(char)
                in_word = True
            else:
                add_char(char)
            result.append(char)
        if stop:
            raise LexError(f"unexpected end of statement while looking for matching {stop}")
        if word:
            words.append("".join(word))
        return "".join(result), words

    def _single_quote(self) -> str:
        opening = self.next()
        result = [opening] if self.raw_quotes else []
        while True:
            char = self.next()
            if not char:
                raise LexError(
                    "unexpected end of statement while looking for matching single-quote"
                )
            if char == "'":
                if self.raw_quotes:
                    result.append(char)
                return "".join(result)
            result.append(char)

    def _double_quote(self) -> str:
        opening = self.next()
        result = [opening] if self.raw_quotes else []
        while True:
            char = self.peek()
            if not char:
                raise LexError(
                    "unexpected end of statement while looking for matching double-quote"
                )
            if char == '"':
                self.next()
                if self.raw_quotes:
                    result.append(char)
                return "".join(result)
            if char == "$":
                result.append(self._dollar())
                continue
            char = self.next()
            if char == _ESCAPE:
                if self.raw_escapes:
                    result.append(char)
                following = self.peek()
                if not following:
                    continue
                if following in ('"', "$", _ESCAPE):
                    char = self.next()
            result.append(char)

    def _possible_heredoc(self) -> str:
        self.next()
        if self.peek() != "<":
            return "<"
        self.next()
        spaces = []
        while self.peek() in (" ", "\t"):
            spaces.append(self.next())
        return "<<" + "".join(spaces)

    def _name(self) -> str:
        name: list[str] = []
        while self.pos < len(self.text):
            char = self.peek()
            if not name and char.isdecimal():
                while self.peek() and self.peek().isdecimal():
                    name.append(self.next())
                return "".join(name)
            if not name and char in _SPECIAL_PARAMS:
                return self.next()
            if not (char.isalpha() or char.isdecimal() or char == "_"):
                break
            name.append(self.next())
        return "".join(name)

    def _dollar(self) -> str:
        # The environment is empty and SkipUnsetEnv is on: every reference is kept as
        # written (lex.go processDollar), but its syntax errors still count.
        self.next()
        if self.peek() != "{":
            name = self._name()
            return "$" + name
        self.next()
        following = self.peek()
        if not following:
            raise LexError("syntax error: missing '}'")
        if following in "{}:":
            raise LexError("syntax error: bad substitution")
        name = self._name()
        char = self.next()
        modifier = char
        null_is_unset = False
        if char == "}":
            return "${" + name + "}"
        if char == ":":
            null_is_unset = True
            char = self.next()
            modifier += char
        if null_is_unset or char in ("+", "-", "?", "#", "%"):
            raw = char in ("#", "%")
            if null_is_unset and raw:
                raise LexError(f"unsupported modifier ({modifier}) in substitution")
            try:
                word, _ = self.process_stop_on("}", raw)
            except LexError:
                if not self.peek():
                    raise LexError("syntax error: missing '}'") from None
                raise
            return "${" + name + modifier + word + "}"
        if char == "/":
            if self.peek() == "/":
                self.next()
            try:
                pattern, _ = self.process_stop_on("/", True)
            except LexError:
                if not self.peek():
                    raise LexError("syntax error: missing '/' in ${}") from None
                raise
            try:
                replacement, _ = self.process_stop_on("}", True)
            except LexError:
                if not self.peek():
                    raise LexError("syntax error: missing '}'") from None
                raise
            return "${" + name + "/" + pattern + "/" + replacement + "}"
        raise LexError(f"unsupported modifier ({modifier}) in substitution")


def process_words(text: str, *, raw_quotes: bool, raw_escapes: bool) -> list[str]:
    """``Lex.ProcessWords`` with escape ``\\``, an empty env and ``SkipUnsetEnv``."""
    lexer = _Lexer(text, raw_quotes=raw_quotes, raw_escapes=raw_escapes)
    try:
        _, words = lexer.process_stop_on("", raw_escapes)
    except LexError as error:
        raise LexError(f"failed to process {go_quote(text)}: {error}") from None
    return words
