from __future__ import annotations

import fnmatch
from collections.abc import Iterator
from typing import TYPE_CHECKING

from slimage.findings import Severity
from slimage.rules._security import copy_sources, is_url, word_span
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
# Templates that document variables without holding values.
_HARMLESS_SUFFIXES = (".example", ".sample", ".template", ".dist", ".defaults", ".tmpl", ".pub")


def secret_file_kind(source: str) -> str | None:
    """What secret the copied path ``source`` looks like, or None."""
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
    `.env.example` and public keys (`*.pub`) pass.

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
        for instruction in df.instructions:
            if instruction.keyword not in ("COPY", "ADD") or instruction.flag("from"):
                continue
            sources, _destination = copy_sources(instruction)
            for source in sources:
                if source.startswith("<<") or is_url(source):
                    continue
                kind = secret_file_kind(source)
                if kind is None:
                    continue
                yield Violation(
                    message=f"{instruction.keyword} {source} puts {kind} into an image layer",
                    span=word_span(df, instruction, source),
                    help="mount it for the one RUN that needs it (`RUN --mount=type=secret`, or "
                    "`--mount=type=ssh` for SSH keys) and list it in `.dockerignore`",
                )
