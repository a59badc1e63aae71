"""What the image runs: the entry program, resolved in the final filesystem, and its language.

The config's Entrypoint + Cmd give the argv; a shell form (``/bin/sh -c "node server.js"``)
and wrapper scripts (``docker-entrypoint.sh node``) are looked through to the program that
does the work. Knowing it lets the analysis say which OS packages the app needs at run
time (the program's package and its dependencies) and, for a compiled binary, that almost
nothing else is needed.
"""

from __future__ import annotations

import posixpath
import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import Any

from slimage.filesystem import FileKind, FileRecord
from slimage.image.config import RuntimeSettings as RuntimeSettings
from slimage.image.config import image_config_body
from slimage.image.config import runtime_settings as runtime_settings
from slimage.symlinks import MISSING, OTHER, Component, Kind, resolve_path

DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
# A compiled program is rarely this small; smaller unknown programs are taken for scripts.
MIN_BINARY_BYTES = 256 * 1024

# Program name (glob) -> language of the runtime it starts.
INTERPRETERS: dict[str, str] = {
    "node": "node",
    "nodejs": "node",
    "npm": "node",
    "npx": "node",
    "yarn": "node",
    "pnpm": "node",
    "bun": "node",
    "python": "python",
    "python[23]": "python",
    "python[23].*": "python",
    "gunicorn": "python",
    "uvicorn": "python",
    "hypercorn": "python",
    "daphne": "python",
    "celery": "python",
    "flask": "python",
    "java": "java",
    "ruby": "ruby",
    "bundle": "ruby",
    "rails": "ruby",
    "php": "php",
    "php-fpm*": "php",
    "perl": "perl",
    "dotnet": "dotnet",
    "deno": "deno",
}
SHELLS = frozenset({"sh", "bash", "dash", "ash", "zsh", "busybox"})
WRAPPERS = frozenset({"exec", "env", "tini", "dumb-init", "gosu", "su-exec", "nice", "chpst"})
# Programs that run the app through the package manager: its files are needed then.
PACKAGE_MANAGER_RUNNERS = frozenset({"npm", "npx", "yarn", "pnpm"})


@dataclass
class EntryPoint:
    """What the image runs: the config's argv and the program behind any shell and wrappers."""

    argv: list[str]
    workdir: str  # normalised, "" for the root
    program: str | None = None  # resolved image path of the program doing the work
    program_name: str = ""  # basename as invoked (npm, node, gunicorn, server)
    language: str | None = None  # "node", "python", ..., "binary"; None when unknown
    uses_shell: bool = False
    wrappers: list[str] = field(default_factory=list)  # scripts and shells on the way


def resolve(files: Mapping[str, FileRecord], path: str) -> str | None:
    """The path ``path`` names after following symlinks (in any component); None if absent.

    A missing directory on the way is one a layer tar did not list; a hard link at the end
    resolves to the path it links to."""

    def lookup(components: tuple[str, ...]) -> Component:
        record = files.get("/".join(components))
        if record is None:
            return MISSING
        if record.kind is FileKind.SYMLINK:
            return Component(Kind.SYMLINK, record.link_target)
        if record.kind is FileKind.HARDLINK:
            return Component(Kind.HARDLINK, record.link_target)
        return OTHER

    found = resolve_path(path, lookup, follow_last=True, implicit_dirs=True)
    return None if found is None else "/".join(found)


def _env(body: Mapping[str, Any]) -> dict[str, str]:
    env: dict[str, str] = {}
    for entry in body.get("Env") or []:
        name, _, value = str(entry).partition("=")
        env[name] = value
    return env


def find_program(
    files: Mapping[str, FileRecord], word: str, path_var: str, workdir: str
) -> str | None:
    if "/" in word:
        base = "" if word.startswith("/") else workdir
        return resolve(files, posixpath.join("/" + base, word))
    # After a shell or interpreter, a bare word may also be a script in the workdir.
    for directory in [*path_var.split(":"), "/" + workdir]:
        if directory:
            found = resolve(files, posixpath.join(directory, word))
            if found is not None and files[found].kind is FileKind.FILE:
                return found
    return None


def language_of(name: str) -> str | None:
    return next((lang for glob, lang in INTERPRETERS.items() if fnmatchcase(name, glob)), None)


def _shell_words(script: str) -> list[str]:
    try:
        words = shlex.split(script, comments=True)
    except ValueError:
        words = script.split()
    for separator in ("&&", ";", "||", "|"):
        if separator in words:
            words = words[: words.index(separator)]
    return words


def find_entry_point(files: Mapping[str, FileRecord], config: Mapping[str, Any]) -> EntryPoint:
    body = image_config_body(config)
    argv = [str(word) for word in (body.get("Entrypoint") or [])]
    argv += [str(word) for word in (body.get("Cmd") or [])]
    workdir = str(body.get("WorkingDir") or "").strip("/")
    entry = EntryPoint(argv=list(argv), workdir=workdir)
    path_var = _env(body).get("PATH", DEFAULT_PATH)
    words = list(argv)
    while words:
        word = words.pop(0)
        name = posixpath.basename(word)
        if "=" in word and not word.startswith("/"):
            continue  # VAR=value prefix
        if name in WRAPPERS or word.startswith("-"):
            continue
        program = find_program(files, word, path_var, workdir)
        if name in SHELLS:
            entry.uses_shell = True
            entry.wrappers.append(program or word)
            if "-c" in words:
                index = words.index("-c")
                words = _shell_words(words[index + 1]) if index + 1 < len(words) else []
            continue
        language = language_of(name)
        if program is not None and language is None:
            resolved_name = posixpath.basename(program)
            language = language_of(resolved_name)
            record = files[program]
            if (
                language is None
                and words
                and (name.endswith(".sh") or record.size < MIN_BINARY_BYTES)
            ):
                entry.uses_shell = True  # a wrapper script: look at what it is given
                entry.wrappers.append(program)
                continue
            if language is None and record.size >= MIN_BINARY_BYTES:
                language = "binary"
        entry.program = program
        entry.program_name = name
        entry.language = language
        return entry
    return entry
