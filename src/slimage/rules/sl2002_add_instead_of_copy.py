from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from slimage.dockerfile.spans import keyword_span
from slimage.dockerfile.variables import has_variable
from slimage.findings import Applicability, Fix, Severity
from slimage.limits import path_is_dir, path_is_file
from slimage.rules._edits import keyword_edit
from slimage.rules._sources import (
    copy_sources,
    is_archive_name,
    is_git_source,
    is_url,
    looks_like_tar_archive,
)
from slimage.rules.base import Rule, Violation

if TYPE_CHECKING:
    from pathlib import Path

    from slimage.dockerfile.model import Instruction
    from slimage.rules.context import LintContext

# Flags only ADD understands; with any of them COPY would not build.
_ADD_ONLY_FLAGS = frozenset({"checksum", "keep-git-dir", "unpack"})
# A source word that is a plain path: no quotes, variables, globs or escapes.
_PLAIN_PATH = re.compile(r"^[A-Za-z0-9_.,+@%=:/\-]+$")


class AddInsteadOfCopy(Rule):
    """
    What it does
    ------------
    Reports `ADD` of local files or directories that are not archives to extract.
    `ADD` of a URL or a git repository is left to `add-remote-url`; `ADD` of a
    local tar archive (which `ADD` unpacks) is fine.

    Why is this bad?
    ----------------
    `ADD` does more than copy: it unpacks local tar archives, judged by their
    content, not their name, and fetches URLs. Using it for plain files hides that
    magic from readers and can unpack a file you meant to ship as is. `COPY` says
    exactly what happens.

    Example
    -------
    ```dockerfile
    ADD requirements.txt /app/
    ```

    Use instead
    -----------
    ```dockerfile
    COPY requirements.txt /app/
    ```

    Fix safety
    ----------
    The fix replaces `ADD` with `COPY`. It is safe when every source is a heredoc
    or a plain path known not to be a tar archive: a directory or non-archive file
    checked in the build context, or a path whose name says it is not an archive
    when there is no context to look at. It is unsafe when a source has a glob or a
    variable (it could match an archive, which `ADD` would have unpacked). No fix
    is offered with ADD-only flags such as `--checksum`.
    """

    code = "SL2002"
    name = "add-instead-of-copy"
    title = "Use COPY instead of ADD for local files"
    severity = Severity.WARNING
    hadolint = ("DL3020",)
    fix_safety = "safe"

    def check(self, context: LintContext) -> Iterator[Violation]:
        df = context.dockerfile
        for instruction in df.instructions:
            if instruction.keyword != "ADD":
                continue
            sources, _destination = copy_sources(instruction)
            if not sources or any(_remote_or_archive(s) for s in sources):
                continue
            fix = None
            if not any(f.name in _ADD_ONLY_FLAGS for f in instruction.flags):
                safe = all(_safe_source(s, instruction, context.context_dir) for s in sources)
                fix = Fix(
                    title="Replace ADD with COPY",
                    edits=(keyword_edit(instruction, "COPY"),),
                    applicability=Applicability.SAFE if safe else Applicability.UNSAFE,
                )
            yield Violation(
                message="ADD copies local files here; COPY does the same without ADD's "
                "archive extraction and URL fetching",
                span=keyword_span(df, instruction),
                fix=fix,
                help="use `COPY` for local files; keep `ADD` only to extract a tar archive",
            )


def _remote_or_archive(source: str) -> bool:
    return is_url(source) or is_git_source(source) or is_archive_name(source)


def _safe_source(source: str, instruction: Instruction, context_dir: Path | None) -> bool:
    if source.startswith("<<"):
        return any(source.lstrip("<-").strip("'\"") == h.name for h in instruction.heredocs)
    if not _PLAIN_PATH.match(source) or has_variable(source):
        return False
    if context_dir is not None:
        path = context_dir / source.lstrip("/")
        if path_is_dir(path):
            return True
        if path_is_file(path):
            return looks_like_tar_archive(path) is False
    return _known_non_archive_name(source)


# Extensions of files that are never tar archives (text, code, zip-based packages).
_NON_ARCHIVE_SUFFIXES = frozenset(
    {
        "txt",
        "md",
        "json",
        "yaml",
        "yml",
        "toml",
        "ini",
        "cfg",
        "conf",
        "config",
        "xml",
        "html",
        "htm",
        "css",
        "js",
        "mjs",
        "cjs",
        "ts",
        "py",
        "rb",
        "php",
        "go",
        "rs",
        "java",
        "sh",
        "bash",
        "ps1",
        "sql",
        "lock",
        "properties",
        "jar",
        "war",
        "ear",
        "zip",
        "whl",
        "crt",
        "pem",
        "env",
        "csv",
        "svg",
        "png",
        "jpg",
        "ico",
        "template",
        "tmpl",
        "j2",
    }
)


def _known_non_archive_name(source: str) -> bool:
    """A directory-looking path, or a name whose extension is never a tar archive."""
    if source in (".", "./") or source.endswith("/"):
        return True
    name = source.rstrip("/").rsplit("/", 1)[-1]
    if "." not in name.lstrip("."):
        return False  # "app", "entrypoint": could be anything
    return name.rsplit(".", 1)[-1].lower() in _NON_ARCHIVE_SUFFIXES
