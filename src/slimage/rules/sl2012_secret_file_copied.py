from __future__ import annotations

import fnmatch
import functools
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from slimage.dockerfile.spans import word_span
from slimage.findings import Severity
from slimage.limits import path_is_dir
from slimage.rules._sources import copy_sources, is_url
from slimage.rules.base import Rule, Violation

if TYPE_CHECKING:
    from slimage.rules.context import LintContext

# (file name pattern, what it holds). Matched against the last path component, and a
# directory pattern against any component.
_SECRET_FILES: tuple[tuple[str, str], ...] = (
    ("id_rsa", "an SSH private key"),
    ("id_dsa", "an SSH private key"),
    ("id_ecdsa", "an SSH private key"),
    ("id_ed25519", "an SSH private key"),
    ("*.ppk", "an SSH private key"),
    ("*.key", "a private key"),
    ("privkey*.pem", "a private key"),
    ("*-key.pem", "a private key"),
    ("*_key.pem", "a private key"),
    ("*.p12", "a key store"),
    ("*.pfx", "a key store"),
    (".env", "environment secrets"),
    (".env.*", "environment secrets"),
    (".npmrc", "registry credentials"),
    (".yarnrc.yml", "registry credentials"),
    (".pypirc", "registry credentials"),
    (".netrc", "login credentials"),
    (".git-credentials", "git credentials"),
    (".dockercfg", "registry credentials"),
    ("credentials", "cloud credentials"),
    ("credentials.json", "cloud credentials"),
    ("kubeconfig", "cluster credentials"),
)
_SECRET_DIRS: tuple[tuple[str, str], ...] = (
    (".ssh", "SSH keys"),
    (".aws", "cloud credentials"),
    (".gnupg", "private GPG keys"),
    (".kube", "cluster credentials"),
    (".docker", "registry credentials"),
)
_SECRET_DIR_NAMES = frozenset(name for name, _ in _SECRET_DIRS)
# Templates that document variables without holding values.
_HARMLESS_SUFFIXES = (".example", ".sample", ".template", ".dist", ".defaults", ".tmpl", ".pub")


@functools.lru_cache(maxsize=4096)
def secret_file_kind(source: str) -> str | None:
    """What secret the copied path ``source`` looks like, or None.

    Cached: a context walk asks about the same names for every Dockerfile beside them.
    """
    path = source.strip("\"'").rstrip("/")
    parts = [p for p in path.split("/") if p and p != "."]
    if not parts:
        return None
    name = parts[-1]
    if name.lower().endswith(_HARMLESS_SUFFIXES):
        return None
    for pattern, kind in _SECRET_FILES:
        if fnmatch.fnmatchcase(name, pattern):
            return kind
    for part in parts:
        for directory, kind in _SECRET_DIRS:
            if part == directory:
                return kind
    return None


class SecretFileCopied(Rule):
    """
    What it does
    ------------
    Reports `COPY` and `ADD` of files from the build context that hold secrets by
    their name: SSH and TLS private keys (`id_rsa`, `*.key`, `*.p12`),
    `.env` files, registry and cloud credentials (`.npmrc`, `.pypirc`,
    `.netrc`, `.aws/`, `.docker/`, `kubeconfig`). Templates such as
    `.env.example` and public keys (`*.pub`) pass. When a directory is copied
    (`COPY . /app`) and the build context is known, such files inside it that
    `.dockerignore` lets through are reported too (a bounded walk; `.env` files there
    are left to `dockerignore-incomplete`).

    Why is this bad?
    ----------------
    Every file copied into a layer stays in the image, even if a later step deletes
    it: anyone who can pull the image can extract the layer and read the key.

    Example
    -------
    ```dockerfile
    COPY .npmrc /root/.npmrc
    RUN npm ci && rm /root/.npmrc
    ```

    Use instead
    -----------
    ```dockerfile
    RUN --mount=type=secret,id=npmrc,target=/root/.npmrc npm ci
    ```
    built with `docker build --secret id=npmrc,src=$HOME/.npmrc .`; use
    `RUN --mount=type=ssh` for SSH keys, and list such files in `.dockerignore`.
    """

    code = "SL2012"
    name = "secret-file-copied"
    title = "Do not COPY keys or credentials into the image; mount them as secrets"
    severity = Severity.ERROR

    def check(self, context: LintContext) -> Iterator[Violation]:
        df = context.dockerfile
        scanned: dict[str, list[str]] = {}  # per copied directory: one walk for the file
        for instruction in df.instructions:
            if instruction.keyword not in ("COPY", "ADD") or instruction.flag("from"):
                continue
            sources, _destination = copy_sources(instruction)
            for source in sources:
                if source.startswith("<<") or is_url(source):
                    continue
                kind = secret_file_kind(source)
                span = word_span(df, instruction, source)
                if kind is not None:
                    yield Violation(
                        message=f"{instruction.keyword} {source} puts {kind} into an image layer",
                        span=span,
                        help="mount it for the one RUN that needs it (`RUN --mount=type=secret`, "
                        "or `--mount=type=ssh` for SSH keys) and list it in `.dockerignore`",
                    )
                    continue
                found = _secrets_in_context_dir(context, source, scanned)
                if found:
                    shown = ", ".join(found[:3]) + (
                        f" and {len(found) - 3} more" if len(found) > 3 else ""
                    )
                    yield Violation(
                        message=f"{instruction.keyword} {source} copies {shown} from the build "
                        "context into an image layer; .dockerignore does not exclude them",
                        span=span,
                        help="add them to `.dockerignore` and mount what a build step needs with "
                        "`RUN --mount=type=secret`",
                    )


# Directories a scan of the context skips: big, and not where keys are kept by hand.
_SKIP_DIRS = frozenset(
    {"node_modules", ".git", "vendor", "target", "__pycache__", ".venv", "venv", "dist", "build"}
)
_SCAN_LIMIT = 2000  # entries; a lint must stay fast on a huge context
_SCAN_DEPTH = 3


def _secrets_in_context_dir(
    context: LintContext, source: str, scanned: dict[str, list[str]]
) -> list[str]:
    """Secret-looking files under a copied context directory that the ignore file lets
    through (``.env`` files are left to dockerignore-incomplete). Bounded walk, once per
    directory: ``scanned`` keeps the answers (a file may copy ``.`` thousands of times)."""
    if context.context_dir is None or any(c in source for c in "*?[$"):
        return []
    relative = source.strip("/").removeprefix("./").strip("/")
    relative = "" if relative == "." else relative
    if relative not in scanned:
        scanned[relative] = _scan(context, relative)
    return scanned[relative]


def _scan(context: LintContext, relative: str) -> list[str]:
    assert context.context_dir is not None
    root = context.context_dir / relative if relative else context.context_dir
    if not path_is_dir(root):  # False, not an error, for a name too long
        return []
    matcher = context.ignore_matcher()
    found: list[str] = []
    pending: list[tuple[Path, str, int]] = [(root, relative, 0)]
    seen = 0
    while pending and seen < _SCAN_LIMIT:
        directory, prefix, depth = pending.pop(0)
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError:
            continue
        for entry in entries:
            seen += 1
            path = f"{prefix}/{entry.name}" if prefix else entry.name
            if matcher is not None and matcher.matches(path):
                continue
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
            except OSError:
                continue
            if is_dir:
                if entry.name in _SKIP_DIRS or depth + 1 >= _SCAN_DEPTH:
                    continue
                if entry.name in _SECRET_DIR_NAMES:
                    found.append(path + "/")
                    continue
                pending.append((Path(entry.path), path, depth + 1))
                continue
            kind = secret_file_kind(path)
            if kind is not None and kind != "environment secrets":
                found.append(path)
    return found
