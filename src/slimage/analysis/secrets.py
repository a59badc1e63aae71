"""Secrets left in the image: private keys, .env files, cloud credentials, tokens.

Only the small files :mod:`slimage.analysis.wanted` kept are read, plus the config's Env.
Every value is shown masked (:func:`mask`): the first and last four characters of a long
token, never the whole; a private key is reported by its header only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MIN_REVEAL = 16  # shorter values are fully masked


@dataclass(frozen=True)
class SecretHit:
    """One secret found in a kept file or the config's Env, its value masked."""

    path: str  # image path, or "config:Env" for the image config
    kind: str  # "private key", "AWS access key", ...
    masked: str  # safe to print
    line: int = 0  # 1-based, 0 when not line-based


def mask(value: str) -> str:
    """``AKIAIOSFODNN7EXAMPLE`` -> ``AKIA************MPLE``; short values -> all ``*``."""
    value = value.strip()
    if len(value) < MIN_REVEAL:
        return "*" * max(len(value), 8)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


# (kind, pattern with one group: the secret value). Formats as their issuers document them.
TOKEN_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("AWS access key id", re.compile(r"\b((?:AKIA|ASIA)[0-9A-Z]{16})\b")),
    (
        "AWS secret access key",
        re.compile(r"(?i)aws_secret_access_key\s*[=:]\s*[\"']?([A-Za-z0-9/+=]{40})\b"),
    ),
    ("GitHub token", re.compile(r"\b(gh[pousr]_[A-Za-z0-9]{36,255})\b")),
    ("GitHub token", re.compile(r"\b(github_pat_[A-Za-z0-9_]{22,255})\b")),
    ("GitLab token", re.compile(r"\b(glpat-[A-Za-z0-9_-]{20,})\b")),
    ("npm token", re.compile(r"\b(npm_[A-Za-z0-9]{36})\b")),
    ("npm auth token", re.compile(r"_authToken\s*=\s*([^\s\"'$]{8,})")),
    ("PyPI token", re.compile(r"\b(pypi-[A-Za-z0-9_-]{50,})\b")),
    ("Slack token", re.compile(r"\b(xox[abposr]-[A-Za-z0-9-]{10,})\b")),
    ("Google API key", re.compile(r"\b(AIza[0-9A-Za-z_-]{35})\b")),
    ("Stripe key", re.compile(r"\b((?:sk|rk)_live_[0-9A-Za-z]{16,})\b")),
    ("registry credentials", re.compile(r"\"auth\"\s*:\s*\"([A-Za-z0-9+/=]{8,})\"")),
    ("URL with a password", re.compile(r"[a-z][a-z0-9+.-]*://[^\s:/@]+:([^\s@/]{6,})@")),
    ("netrc password", re.compile(r"(?m)\bpassword\s+(\S{4,})")),
)
PRIVATE_KEY = re.compile(r"-----BEGIN ((?:[A-Z0-9]+ )*)PRIVATE KEY( BLOCK)?-----")
# NAME=value where the name says it is a secret (dotenv files, the image config's Env).
SECRET_NAME = re.compile(
    r"(?i)(secret|token|passw(or)?d|passwd|api[_-]?key|private[_-]?key|credential|auth(?!or))"
)
ASSIGNMENT = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*[=:]\s*(.*?)\s*$")
PLACEHOLDERS = frozenset(
    {"", "changeme", "change-me", "xxx", "null", "none", "false", "true", "todo", "example"}
)


def _is_placeholder(value: str) -> bool:
    bare = value.strip().strip("\"'")
    return (
        bare.lower() in PLACEHOLDERS
        or bare.startswith(("$", "<", "{{"))
        or set(bare) <= {"*", "x", "X", "."}
    )


def _assignment(line: str) -> tuple[str, str] | None:
    match = ASSIGNMENT.match(line)
    if match is None or not SECRET_NAME.search(match.group(1)):
        return None
    value = match.group(2).strip().strip("\"'")
    if _is_placeholder(value):
        return None
    return match.group(1), value


def scan_text(path: str, text: str, *, dotenv: bool = False) -> list[SecretHit]:
    hits: list[SecretHit] = []
    for number, line in enumerate(text.splitlines(), start=1):
        key = PRIVATE_KEY.search(line)
        if key:
            label = (key.group(1) or "").strip()
            hits.append(SecretHit(path, f"{label} private key".strip(), key.group(0), number))
            continue
        seen = False
        for kind, pattern in TOKEN_PATTERNS:
            for match in pattern.finditer(line):
                hits.append(SecretHit(path, kind, mask(match.group(1)), number))
                seen = True
        if not seen and dotenv:
            assignment = _assignment(line)
            if assignment is not None:
                name, value = assignment
                hits.append(SecretHit(path, f"secret-looking {name}", mask(value), number))
    return hits


def is_dotenv(path: str) -> bool:
    name = path.rsplit("/", 1)[-1]
    return name == ".env" or name.startswith(".env.") or name.endswith(".env")


def scan_file(path: str, data: bytes) -> list[SecretHit]:
    """Secrets in one kept file; a .env file is reported even without a recognised value."""
    if b"\x00" in data[:1024]:
        return []  # binary: keystores are out of scope (not parsed)
    text = data.decode("utf-8", "replace")
    hits = scan_text(path, text, dotenv=is_dotenv(path) or path.endswith(".npmrc"))
    if not hits and is_dotenv(path) and text.strip():
        hits.append(SecretHit(path, "environment file", "(contents not shown)"))
    credentials = path.endswith((".aws/credentials", ".git-credentials", ".pgpass"))
    if not hits and credentials and text.strip():
        hits.append(SecretHit(path, "credentials file", "(contents not shown)"))
    return hits


def scan_env(env: list[str]) -> list[SecretHit]:
    """Secret-looking variables baked into the image config's Env."""
    hits = []
    for entry in env:
        name, sep, value = entry.partition("=")
        if not sep:
            continue
        if SECRET_NAME.search(name):
            if value.strip().strip("\"'").lower() not in {"", "false", "true", "null", "none"}:
                hits.append(SecretHit("config:Env", f"secret-looking {name}", mask(value)))
            continue
        for kind, pattern in TOKEN_PATTERNS:
            for match in pattern.finditer(entry):
                hits.append(SecretHit("config:Env", kind, mask(match.group(1))))
    return hits
