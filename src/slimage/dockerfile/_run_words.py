"""What a rule wants to know about one simple command's words: program, options, subcommand.

Kept apart from the splitting so the tables below, which are knowledge about common
programs rather than shell syntax, are easy to find and extend.
"""

from __future__ import annotations

import re

_ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\+?=")

# Programs that run another program given after their own options, and those of their
# options that take a separate value ("sudo -u root apt-get ...").
WRAPPERS: dict[str, frozenset[str]] = {
    "sudo": frozenset({"-u", "-g", "-h", "-p", "-C", "-D", "-r", "-t", "-U", "-T"}),
    "env": frozenset({"-u", "-C", "-S", "--unset", "--chdir", "--split-string"}),
    "nice": frozenset({"-n", "--adjustment"}),
    "time": frozenset({"-f", "-o", "--format", "--output"}),
    "exec": frozenset({"-a"}),
    "nohup": frozenset(),
    "command": frozenset(),
    "xargs": frozenset(
        {"-a", "-d", "-E", "-I", "-L", "-n", "-P", "-s", "--arg-file", "--delimiter"}
    ),
    "timeout": frozenset({"-k", "-s", "--kill-after", "--signal"}),
    "stdbuf": frozenset({"-i", "-o", "-e"}),
    "chroot": frozenset(),
    "su-exec": frozenset(),
    "gosu": frozenset(),
}
# Wrappers followed by one positional operand before the program.
_WRAPPER_OPERANDS = {"timeout": 1, "chroot": 1, "su-exec": 1, "gosu": 1}

# Options that take a separate value before a subcommand ("apt-get -o X=1 install").
OPTION_VALUES: dict[str, frozenset[str]] = {
    "apt-get": frozenset({"-o", "-c", "-t", "--option", "--config-file", "--target-release"}),
    "apt": frozenset({"-o", "-c", "-t", "--option", "--config-file", "--target-release"}),
    "apk": frozenset({"-X", "-p", "--repository", "--root", "--arch", "--keys-dir", "--cache-dir"}),
    "yum": frozenset({"-c", "-d", "-e", "-x", "--exclude", "--releasever", "--installroot"}),
    "dnf": frozenset({"-c", "-d", "-e", "-x", "--exclude", "--releasever", "--installroot"}),
    "microdnf": frozenset(),
    "zypper": frozenset({"-R", "--root", "-D", "--reposd-dir"}),
    "pip": frozenset(),
    "npm": frozenset({"--prefix", "-C"}),
    "yarn": frozenset({"--cwd"}),
    "go": frozenset(),
    "git": frozenset({"-C", "-c", "--git-dir", "--work-tree"}),
    "docker-php-ext-install": frozenset({"-j"}),
}


_NO_OPTIONS: frozenset[str] = frozenset()


def is_assignment(word: str) -> bool:
    """``NAME=value`` (or ``NAME+=value``) as a command prefix."""
    return "=" in word and _ASSIGNMENT.match(word) is not None


def basename(word: str) -> str:
    if "/" not in word:
        return word  # most program words: nothing to strip
    stripped = word.rstrip("/")
    return stripped.rsplit("/", 1)[-1] if stripped else word


def program_index(words: list[str]) -> int:
    """Index of the word naming the program run, past assignments and wrappers."""
    i = 0
    while i < len(words) and is_assignment(words[i]):
        i += 1
    while i < len(words):
        name = basename(words[i])
        takes_value = WRAPPERS.get(name)
        if takes_value is None:
            return i
        if name == "command" and any(w in ("-v", "-V") for w in words[i + 1 : i + 2]):
            return i  # "command -v x" asks about x, it does not run it
        i += 1
        operands = _WRAPPER_OPERANDS.get(name, 0)
        while i < len(words):
            word = words[i]
            if word == "--":
                i += 1
                break
            if word.startswith("-") and len(word) > 1:
                i += 2 if word in takes_value else 1
            elif name in ("env", "sudo") and is_assignment(word):
                i += 1
            elif operands:
                operands -= 1
                i += 1
            else:
                break
    return len(words)


def option_matches(word: str, name: str) -> bool:
    """Whether ``word`` spells option ``name``: ``--x``, ``--x=v``, or ``-abc`` for ``-b``."""
    if name.startswith("--"):
        return word == name or word.startswith(name + "=")
    if word == name:
        return True
    if len(name) == 2 and name[0] == "-" and word.startswith("-") and not word.startswith("--"):
        letters = word[1:].split("=", 1)[0]
        return letters.isalnum() and name[1] in letters
    return False


def has_option(args: list[str], names: tuple[str, ...]) -> bool:
    """Any of ``names`` among the options in ``args`` (words after the program)."""
    for word in args:
        if word == "--":
            return False
        if word.startswith("-") and any(option_matches(word, name) for name in names):
            return True
    return False


def subcommand(program: str, args: list[str], start: int = 0) -> str | None:
    """First operand of ``args[start:]``, skipping options and the values of known options."""
    takes_value = OPTION_VALUES.get(program, _NO_OPTIONS)
    i = start
    while i < len(args):
        word = args[i]
        if word == "--":
            return args[i + 1] if i + 1 < len(args) else None
        if word.startswith("-") and len(word) > 1:
            i += 2 if word in takes_value else 1
            continue
        return word
    return None
