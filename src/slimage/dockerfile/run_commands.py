"""RUN command facts: the simple commands a RUN instruction executes, with their words.

``run_commands(instruction)`` splits a RUN into :class:`ShellCommand` s joined by ``&&``,
``||``, ``;``, ``|``, ``&``, newlines, subshells and braces:

* shell form: the instruction's text (continuations already joined by the parser);
  here-documents are data for the command that reads them, except when the RUN is just
  ``<<EOF`` (BuildKit runs the body with the shell) or the reader is a shell
  (``bash <<EOF``): then the body's commands are returned too, marked ``in_heredoc``;
* exec form: ``["sh", "-c", "script"]`` (any POSIX shell, options before ``-c``)
  yields the script's commands; any other exec form is one command;
* the splitting is our own small POSIX tokenizer (:mod:`slimage.dockerfile._shell_words`):
  it handles everything real RUN lines hold (``case``, ``$((...))``, process
  substitution, Windows paths) where bashlex gives up or loops, agrees with bashlex on
  every corpus script bashlex can parse (tests/dockerfile/test_run_commands.py), and is
  about seven times faster. Nothing here raises.

Every command carries offsets into the script it came from and, when the mapping is
known, into ``Dockerfile.source`` (``source_start``/``source_end``), so a fix can insert
text such as ``--no-install-recommends`` right after ``install``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from slimage.dockerfile import _run_words
from slimage.dockerfile._shell_words import RawCommand, split_commands
from slimage.dockerfile.model import Heredoc, Instruction

__all__ = ["ShellCommand", "run_commands", "split_script"]

POSIX_SHELLS = frozenset({"sh", "bash", "ash", "dash", "zsh", "ksh", "mksh", "busybox"})

# "<<EOF", "<<-'EOF'", "3<<EOF" alone: BuildKit runs that heredoc's body as the script
# (dispatchRun, parser.MustParseHeredoc); anything more is handed to the shell as is.
_ONLY_HEREDOCS = re.compile(r"\s*\d*<<-?\s*(?:\"[^\"]*\"|'[^']*'|[^\s<>|&;'\"]+)\s*")


@dataclass(slots=True)
class ShellCommand:
    """One simple command of a RUN: ``apt-get install -y curl``."""

    words: list[str]  # quote-removed words (no variable expansion)
    text: str  # raw text of this simple command, redirections included
    connector: str  # operator before it: "", "&&", "||", ";", "|", "&", "\n"
    start: int  # offsets in the script text it came from
    end: int
    source_start: int | None  # offset in Dockerfile.source when known (for fixes)
    source_end: int | None
    in_heredoc: bool
    # (start, end) of each word in the script, and in Dockerfile.source when known.
    word_spans: list[tuple[int, int]] | None = None
    # Maps a script offset to Dockerfile.source; word_source_spans uses it on demand
    # (only fixes ask, and mapping every word of every RUN up front cost more than the
    # rules that never ask).
    to_source: Callable[[int], int | None] | None = field(default=None, repr=False)
    # Derived once from ``words`` (rules ask for them tens of times per command):
    # where the program word is, past ``VAR=x`` prefixes and wrappers (``sudo``, ``env``),
    # its basename, the words from it on, and the first non-option word after it
    # (``install`` in ``apt-get -y install x``).
    program_index: int = field(init=False, default=0)
    program: str = field(init=False, default="")
    argv: list[str] = field(init=False, default_factory=list)
    subcommand: str | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        words = self.words
        index = _run_words.program_index(words)
        self.program_index = index
        self.argv = argv = words[index:]
        if argv:  # else the defaults: no program, no subcommand
            self.program = program = _run_words.basename(argv[0])
            self.subcommand = _run_words.subcommand(program, argv, 1)

    @property
    def word_source_spans(self) -> list[tuple[int, int]] | None:
        """(start, end) of each word in ``Dockerfile.source``, when every word maps."""
        if self.to_source is None or self.word_spans is None:
            return None
        mapped = [_map_span(start, end, self.to_source) for start, end in self.word_spans]
        if not all(start is not None and end is not None for start, end in mapped):
            return None
        return [(start or 0, end or 0) for start, end in mapped]

    def prefix_assignments(self) -> dict[str, str]:
        """The ``NAME=value`` words the command starts with (its own environment)."""
        values: dict[str, str] = {}
        for word in self.words:
            name, sep, value = word.partition("=")
            if not sep or not name.isidentifier():
                break
            values[name] = value
        return values

    def has_option(self, *names: str) -> bool:
        """Whether an option in ``names`` is given (``-y`` matches ``-yq``, ``--x`` ``--x=v``)."""
        return _run_words.has_option(self.argv[1:], names)

    def word_source_end(self, word_index: int) -> int | None:
        """Offset in ``Dockerfile.source`` just after ``words[word_index]``, when known.

        This is where a fix inserts an option: after ``install`` in ``apt-get install``.
        """
        spans = self.word_source_spans
        if spans is None or not 0 <= word_index < len(spans):
            return None
        return spans[word_index][1]


def run_commands(instruction: Instruction, shell: list[str] | None = None) -> list[ShellCommand]:
    """The simple commands ``instruction`` (a RUN, or ONBUILD RUN) executes, in order.

    ``shell`` is the SHELL in effect (None: ``/bin/sh -c``); a non-POSIX shell such as
    PowerShell skips bashlex. Never raises; other instructions give ``[]``.
    """
    try:
        return _run_commands(instruction, shell)
    except Exception:  # facts are best effort: a rule must never crash on them
        return []


def split_script(script: str, *, posix: bool = True) -> list[ShellCommand]:
    """The simple commands of a shell script (offsets into ``script``, no source mapping)."""
    return [_to_command(raw, script, None, in_heredoc=False) for raw in _split(script, posix)]


def _run_commands(instruction: Instruction, shell: list[str] | None) -> list[ShellCommand]:
    if instruction.keyword == "ONBUILD" and instruction.trigger is not None:
        instruction = instruction.trigger  # ONBUILD RUN ...: the trigger's commands
    if instruction.keyword != "RUN":
        return []
    if instruction.json:
        return _exec_form(instruction)
    posix = shell is None or not shell or _run_words.basename(shell[0]) in POSIX_SHELLS
    rest = instruction.rest
    rest_to_source = _rest_mapper(instruction)
    if not instruction.heredocs:
        return _rest_commands(instruction, _split(rest, posix), rest_to_source)

    commands: list[ShellCommand] = []
    if _ONLY_HEREDOCS.fullmatch(rest):
        # BuildKit hands the first body to the shell as the whole script (dispatchRun).
        commands.extend(_heredoc_commands(instruction.heredocs[0], posix))
        return commands
    # BuildKit reconstitutes "rest\nbody NAME..." for the shell; bodies are input data.
    script = rest + "".join(f"\n{h.content}{h.name}" for h in instruction.heredocs)
    by_name = {h.name: h for h in instruction.heredocs}
    for raw in _split(script, posix):
        if raw.start >= len(rest):
            continue
        commands.append(_to_command(raw, rest, rest_to_source, in_heredoc=False))
        if _program(raw.words) in POSIX_SHELLS and "-c" not in raw.words:
            for name in raw.heredocs:
                heredoc = by_name.get(name)
                if heredoc is not None:
                    commands.extend(_heredoc_commands(heredoc, posix))
    return commands


def _program(words: list[str]) -> str:
    index = _run_words.program_index(words)
    return _run_words.basename(words[index]) if index < len(words) else ""


def _heredoc_commands(heredoc: Heredoc, posix: bool) -> list[ShellCommand]:
    body = heredoc.content
    if body.startswith("#!") and _shebang_program(body) not in POSIX_SHELLS:
        return []  # a python/node/... script, run as a file by BuildKit
    base = heredoc.span.start

    def to_source(offset: int) -> int | None:
        return base + offset

    return [_to_command(raw, body, to_source, in_heredoc=True) for raw in _split(body, posix)]


def _shebang_program(body: str) -> str:
    words = body[2:].split("\n", 1)[0].split()
    if not words:
        return ""
    program = _run_words.basename(words[0])
    if program == "env":
        rest = [w for w in words[1:] if not w.startswith("-")]
        return _run_words.basename(rest[0]) if rest else ""
    return program


def _exec_form(instruction: Instruction) -> list[ShellCommand]:
    args = list(instruction.args)
    rest = instruction.rest
    rest_to_source = _rest_mapper(instruction)
    script_index = _shell_script_index(args)
    if script_index is not None:
        script = args[script_index]
        decoded = _json_string_offsets(rest)
        script_to_rest: list[int] | None = None
        if decoded is not None and len(decoded) == len(args) and decoded[script_index][0] == script:
            script_to_rest = decoded[script_index][1]

        def to_source(offset: int) -> int | None:
            if script_to_rest is None or rest_to_source is None:
                return None
            return rest_to_source(script_to_rest[min(offset, len(script_to_rest) - 1)])

        return [
            _to_command(raw, script, to_source, in_heredoc=False) for raw in _split(script, True)
        ]
    if not args:
        return []
    source_start = rest_to_source(0) if rest_to_source else None
    source_end = rest_to_source(len(rest)) if rest_to_source else None
    return [ShellCommand(args, rest, "", 0, len(rest), source_start, source_end, False)]


def _shell_script_index(args: Sequence[str]) -> int | None:
    """Index of the script in ``["sh", "-eux", "-c", "script", ...]``, else None."""
    if not args or _run_words.basename(args[0]) not in POSIX_SHELLS:
        return None
    for index, word in enumerate(args[1:], 1):
        if not word.startswith("-"):
            return None
        if "c" in word[1:] and not word.startswith("--"):
            return index + 1 if index + 1 < len(args) else None
    return None


def _json_string_offsets(text: str) -> list[tuple[str, list[int]]] | None:
    """Decode the strings of a JSON array, with the text offset of each decoded character.

    Each list has one offset per character plus the offset of the closing quote.
    """
    escapes = {
        '"': '"',
        "\\": "\\",
        "/": "/",
        "b": "\b",
        "f": "\f",
        "n": "\n",
        "r": "\r",
        "t": "\t",
    }
    out: list[tuple[str, list[int]]] = []
    i = text.find("[")
    if i < 0:
        return None
    i += 1
    while i < len(text):
        char = text[i]
        if char in " \t\r\n,":
            i += 1
        elif char == "]":
            return out
        elif char == '"':
            chars: list[str] = []
            offsets: list[int] = []
            i += 1
            while i < len(text) and text[i] != '"':
                offsets.append(i)
                if text[i] == "\\" and i + 1 < len(text):
                    code = text[i + 1]
                    if code == "u":
                        chars.append(chr(int(text[i + 2 : i + 6], 16)))
                        i += 6
                    else:
                        chars.append(escapes.get(code, code))
                        i += 2
                else:
                    chars.append(text[i])
                    i += 1
            offsets.append(i)
            i += 1
            out.append(("".join(chars), offsets))
        else:
            return None
    return None


def _rest_mapper(instruction: Instruction) -> Callable[[int], int | None] | None:
    offsets = instruction.rest_offsets
    if len(offsets) != len(instruction.rest) + 1:
        return None

    def to_source(index: int) -> int | None:
        return offsets[max(0, min(index, len(offsets) - 1))]

    return to_source


def _split(script: str, posix: bool) -> list[RawCommand]:
    # Non-POSIX shells (PowerShell, cmd) get the same split: their operators overlap
    # enough for the package-manager facts the rules ask about.
    del posix
    return split_commands(script)


def _rest_commands(
    instruction: Instruction,
    raws: list[RawCommand],
    to_source: Callable[[int], int | None] | None,
) -> list[ShellCommand]:
    """``_to_command`` for every command of a RUN's own text (the commonest case), with
    the source offsets read from ``rest_offsets`` directly, as ``to_source`` would."""
    if to_source is None:
        return [_to_command(raw, instruction.rest, None, in_heredoc=False) for raw in raws]
    rest = instruction.rest
    offsets = instruction.rest_offsets
    last = len(offsets) - 1
    commands = []
    for raw in raws:
        start, end = raw.start, raw.end
        source_start = offsets[start if start < last else last]
        # One past the source offset of the last character (see _map_span).
        source_end = source_start if end <= start else offsets[min(end - 1, last)] + 1
        commands.append(
            ShellCommand(
                raw.words,
                rest[start:end],
                raw.connector,
                start,
                end,
                source_start,
                source_end,
                False,
                raw.word_spans,
                to_source,
            )
        )
    return commands


def _to_command(
    raw: RawCommand,
    script: str,
    to_source: Callable[[int], int | None] | None,
    *,
    in_heredoc: bool,
) -> ShellCommand:
    source_start = source_end = None
    if to_source is not None:
        source_start = to_source(raw.start)
        if raw.end <= raw.start:
            source_end = source_start
        else:  # as _map_span: one past the source offset of the last character
            last = to_source(raw.end - 1)
            source_end = None if last is None else last + 1
    return ShellCommand(
        words=raw.words,
        text=script[raw.start : raw.end],
        connector=raw.connector,
        start=raw.start,
        end=raw.end,
        source_start=source_start,
        source_end=source_end,
        in_heredoc=in_heredoc,
        word_spans=raw.word_spans,
        to_source=to_source,
    )


def _map_span(
    start: int, end: int, to_source: Callable[[int], int | None]
) -> tuple[int | None, int | None]:
    """Map a script range to the source; the end is one past the last character, because
    the offset right after it may lie past a line continuation."""
    source_start = to_source(start)
    if end <= start:
        return source_start, source_start
    last = to_source(end - 1)
    return source_start, None if last is None else last + 1
