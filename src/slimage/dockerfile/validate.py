"""The checks ``docker build`` makes right after parsing (BuildKit's
``instructions.ParseInstruction`` and ``instructions.Parse``), on the parsed model.

The parser accepts ``COPY onlyone`` or ``FOO bar`` as BuildKit's parser does; a build
rejects them a moment later with the messages below, so lint and ``slimage parse
--strict`` can too. :func:`validate_instructions` raises the first such error as a
:class:`~slimage.errors.DockerfileSyntaxError`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from slimage.dockerfile.heredoc import HeredocError, chomp_heredoc_content, parse_heredoc
from slimage.dockerfile.model import Dockerfile, Instruction
from slimage.errors import DockerfileSyntaxError

KNOWN_INSTRUCTIONS = [
    "ADD",
    "ARG",
    "CMD",
    "COPY",
    "ENTRYPOINT",
    "ENV",
    "EXPOSE",
    "FROM",
    "HEALTHCHECK",
    "LABEL",
    "MAINTAINER",
    "ONBUILD",
    "RUN",
    "SHELL",
    "STOPSIGNAL",
    "USER",
    "VOLUME",
    "WORKDIR",
]

# Flags each instruction accepts (instructions/parse.go, BFlags); any other is an error.
ALLOWED_FLAGS: dict[str, frozenset[str]] = {
    "ADD": frozenset({"chown", "chmod", "link", "keep-git-dir", "checksum", "exclude", "unpack"}),
    "COPY": frozenset({"chown", "chmod", "from", "link", "parents", "exclude"}),
    "FROM": frozenset({"platform"}),
    "RUN": frozenset({"mount", "network", "security", "device"}),
    "HEALTHCHECK": frozenset({"interval", "timeout", "start-period", "start-interval", "retries"}),
}
_LIST_FLAGS = frozenset({"mount", "exclude", "device"})
_EXACTLY_ONE = frozenset({"MAINTAINER", "WORKDIR", "USER", "STOPSIGNAL"})
_AT_LEAST_ONE = frozenset({"ENV", "LABEL", "ONBUILD", "HEALTHCHECK", "EXPOSE", "VOLUME", "ARG"})
_STAGE_NAME = re.compile(r"[a-z][a-z0-9-_.]*\Z")
_DURATION_PART = re.compile(r"([0-9]*(?:\.[0-9]*)?)(ns|us|µs|μs|ms|s|m|h)")
_NANOSECONDS = {
    "ns": 1,
    "us": 1_000,
    "µs": 1_000,
    "μs": 1_000,
    "ms": 1_000_000,
    "s": 1_000_000_000,
    "m": 60_000_000_000,
    "h": 3_600_000_000_000,
}


class InstructionError(ValueError):
    """One instruction-level error, before it gets a file position."""


def validate_instructions(df: Dockerfile) -> None:
    """Raise the first error ``docker build`` would report after parsing ``df``."""
    seen_stage = False
    for instruction in df.instructions:
        try:
            check_instruction(instruction)
            if instruction.keyword == "FROM":
                seen_stage = True
            elif instruction.keyword != "ARG" and not seen_stage:
                raise InstructionError("no build stage in current context")
        except InstructionError as error:
            raise DockerfileSyntaxError(
                str(error),
                path=df.path,
                line=instruction.span.line,
                column=instruction.span.column,
            ) from None


def check_instruction(instruction: Instruction) -> None:
    """``instructions.ParseInstruction`` on one node: raise :class:`InstructionError`."""
    keyword = instruction.keyword
    args = instruction.args
    if keyword not in KNOWN_INSTRUCTIONS:
        raise InstructionError(_unknown(instruction.keyword_raw))
    if keyword in _EXACTLY_ONE and len(args) != 1:
        raise InstructionError(f"{keyword} requires exactly one argument")
    if keyword in _AT_LEAST_ONE and not args and instruction.trigger is None:
        raise InstructionError(f"{keyword} requires at least one argument")
    if keyword in ("ADD", "COPY") and len(args) < 2:
        raise InstructionError(
            f"{keyword} requires at least two arguments, but only one was provided. "
            "Destination could not be determined"
        )
    if keyword != "STOPSIGNAL" and not (keyword == "HEALTHCHECK" and args[0].upper() == "NONE"):
        # parseStopSignal and the NONE branch of parseHealthcheck never parse their flags.
        check_flags(instruction)
    if keyword in ("ENV", "LABEL"):
        check_key_values(keyword, args)
    elif keyword == "ARG":
        for arg in args:
            if arg.startswith("="):
                raise InstructionError("ARG names can not be blank")
    elif keyword == "FROM":
        if len(args) == 3 and args[1].lower() == "as":
            if not _STAGE_NAME.match(args[2].lower()):
                raise InstructionError(
                    f'invalid name for build stage: "{args[2]}", '
                    "name can't start with a number or contain symbols"
                )
        elif len(args) != 1:
            raise InstructionError("FROM requires either one or three arguments")
    elif keyword == "ONBUILD" and instruction.trigger is not None:
        trigger = instruction.trigger.keyword
        if trigger == "ONBUILD":
            raise InstructionError("Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed")
        if trigger in ("MAINTAINER", "FROM"):
            raise InstructionError(f"{trigger} isn't allowed as an ONBUILD trigger")
        check_instruction(instruction.trigger)
    elif keyword in ("ADD", "COPY"):
        try:
            destination = parse_heredoc(args[-1])
        except HeredocError:
            destination = None
        if destination is not None:
            raise InstructionError(f"{keyword} cannot accept a heredoc as a destination")
    elif keyword == "SHELL":
        if not args:
            raise InstructionError("SHELL requires at least one argument")
        if not instruction.json:
            raise InstructionError("SHELL requires the arguments to be in JSON form")
    elif keyword == "HEALTHCHECK":
        check_healthcheck(instruction)
    elif keyword == "VOLUME" and any(not arg.strip() for arg in args):
        raise InstructionError("VOLUME specified can not be an empty string")


def check_key_values(keyword: str, args: Sequence[str]) -> None:
    """parseKvps on the parser's key, value, marker triplets."""
    if not args:
        raise InstructionError(f"{keyword} requires at least one argument")
    if len(args) % 3 != 0:
        raise InstructionError(f"Bad input to {keyword}, too many arguments")
    for index in range(0, len(args), 3):
        if not args[index]:
            raise InstructionError(f"{keyword} names can not be blank")


def check_flags(instruction: Instruction) -> None:
    """BFlags.Parse: every flag known to the instruction, single-valued ones once."""
    allowed = ALLOWED_FLAGS.get(instruction.keyword, frozenset())
    seen: set[str] = set()
    for flag in instruction.flags:
        if flag.name not in allowed:
            raise InstructionError(f"unknown flag: --{flag.name}")
        if flag.name in seen and flag.name not in _LIST_FLAGS:
            raise InstructionError(f"duplicate flag specified: {flag.name}")
        seen.add(flag.name)


def check_healthcheck(instruction: Instruction) -> None:
    kind = instruction.args[0].upper()
    if kind == "NONE":
        if len(instruction.args) > 1:
            raise InstructionError("HEALTHCHECK NONE takes no arguments")
        return
    if kind != "CMD":
        raise InstructionError(f'Unknown type "{kind}" in HEALTHCHECK (try CMD)')
    if not healthcheck_test(instruction)[1:]:
        raise InstructionError("Missing command after HEALTHCHECK CMD")
    for name in ("interval", "timeout", "start-period", "start-interval"):
        flag = instruction.flag(name)
        if flag is not None:
            check_interval(name, flag.value or "")
    retries = instruction.flag("retries")
    if retries is not None and retries.value:
        try:
            count = int(retries.value)
        except ValueError:
            raise InstructionError(
                f'strconv.ParseInt: parsing "{retries.value}": invalid syntax'
            ) from None
        if count < 1:
            raise InstructionError(f"--retries must be at least 1 (not {count})")


def healthcheck_test(instruction: Instruction) -> list[str]:
    """HealthConfig.Test: ``["CMD", ...]`` (exec form), ``["CMD-SHELL", "cmd line"]`` or
    ``["NONE"]``."""
    kind = instruction.args[0].upper() if instruction.args else ""
    command = instruction.args[1:]
    if kind == "NONE":
        return ["NONE"]
    if instruction.json:
        return [kind, *command]
    # handleJSONArgs: shell form is the words joined by one space.
    return ["CMD-SHELL", " ".join(command)] if command else ["CMD-SHELL"]


def parse_go_duration(text: str) -> int:
    """time.ParseDuration, in nanoseconds."""
    rest = text
    sign = 1
    if rest[:1] in ("+", "-"):
        sign = -1 if rest[0] == "-" else 1
        rest = rest[1:]
    if rest == "0":
        return 0
    if not rest:
        raise InstructionError(f'time: invalid duration "{text}"')
    total = 0.0
    while rest:
        match = _DURATION_PART.match(rest)
        if match is None or match.group(1) in ("", "."):
            raise InstructionError(f'time: invalid duration "{text}"')
        total += float(match.group(1)) * _NANOSECONDS[match.group(2)]
        rest = rest[match.end() :]
    return sign * int(total)


def check_interval(name: str, value: str) -> None:
    """parseOptInterval: empty or zero is the default; else at least 1ms."""
    if not value:
        return
    nanoseconds = parse_go_duration(value)
    if nanoseconds != 0 and nanoseconds < 1_000_000:
        raise InstructionError(f'Interval "{name}" cannot be less than 1ms')


def doc_comment(instruction: Instruction, name: str) -> str:
    """The doc comment of ``name`` (a stage or ARG name): a comment line just above the
    instruction that starts with the name, without it (instructions.Parse DocComment)."""
    if not name:
        return ""
    prefix = name + " "
    for comment in instruction.comments:
        if comment.startswith(prefix):
            return comment[len(prefix) :]
    return ""


def copy_sources(instruction: Instruction) -> tuple[list[str], list[tuple[str, str, bool]], str]:
    """COPY/ADD SourcesAndDest: source paths, heredoc sources as (name, data, expand) with
    ``<<-`` bodies chomped, and the destination."""
    bodies = {heredoc.name: heredoc for heredoc in instruction.heredocs}
    paths: list[str] = []
    contents: list[tuple[str, str, bool]] = []
    for source in instruction.args[:-1]:
        try:
            word = parse_heredoc(source)
        except HeredocError:
            word = None
        if word is not None:
            body = bodies.get(word.name)
            data = body.content if body is not None else ""
            contents.append(
                (word.name, chomp_heredoc_content(data) if word.chomp else data, word.expand)
            )
        else:
            paths.append(source)
    return paths, contents, instruction.args[-1] if instruction.args else ""


def _unknown(keyword: str) -> str:
    suggestion = _suggest(keyword.upper())
    message = f"unknown instruction: {keyword}"
    return (
        f"{message} (did you mean {suggestion.lower() if keyword.islower() else suggestion}?)"
        if suggestion
        else message
    )


def _suggest(word: str) -> str | None:
    best: tuple[int, str] | None = None
    for candidate in KNOWN_INSTRUCTIONS:
        if abs(len(candidate) - len(word)) > 2:
            continue
        distance = _levenshtein(word, candidate)
        if distance <= 2 and (best is None or distance < best[0]):
            best = (distance, candidate)
    return best[1] if best else None


def _levenshtein(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i]
        for j, char_b in enumerate(b, 1):
            current.append(
                min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_a != char_b))
            )
        previous = current
    return previous[-1]
