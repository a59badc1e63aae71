"""Secret-looking names and values, and how to show them masked."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    pass


# --- secrets -------------------------------------------------------------------------------

# BuildKit's SecretsUsedInArgOrEnv looks at the first and the last word of the name
# (words split on "_"): API_KEY, DB_PASSWORD, GITHUB_TOKEN, SECRET_KEY_BASE.
_SECRET_WORDS = frozenset(
    {
        "apikey",
        "auth",
        "credential",
        "credentials",
        "key",
        "passphrase",
        "password",
        "passwd",
        "pass",
        "pword",
        "secret",
        "token",
        "privatekey",
    }
)
# Whole-word fragments that are secret wherever they sit (AWS_SECRET_ACCESS_KEY, DB_PASSWORD_X).
_SECRET_ANYWHERE = frozenset({"password", "passwd", "secret", "token", "apikey", "privatekey"})
# Words that mark a name as public or as a pointer to a secret, not the secret itself:
# GPG_KEY (a public key fingerprint in the python images), POSTGRES_PASSWORD_FILE
# (the Docker secrets convention), TOKEN_URL, SSH_KEY_PATH.
_NOT_SECRET_WORDS = frozenset(
    {
        "public",
        "pub",
        "gpg",
        "pgp",
        "fingerprint",
        "keyring",
        "keyserver",
        "file",
        "path",
        "dir",
        "url",
        "uri",
        "endpoint",
        "host",
        "port",
        "name",
        "user",
        "username",
        "type",
        "method",
        "mode",
        "id",
        "length",
        "size",
        "version",
        "header",
        "enabled",
        "disabled",
        "required",
        "ttl",
        "expiry",
        "timeout",
    }
)


def secret_name(name: str) -> bool:
    """Whether a variable called ``name`` probably holds a secret (see the word lists)."""
    words = [w for w in re.split(r"[_\-.]+", name.lower()) if w]
    if not words:
        return False
    if any(w in _NOT_SECRET_WORDS for w in words):
        return False
    if words[0] in _SECRET_WORDS or words[-1] in _SECRET_WORDS:
        return True
    return any(w in _SECRET_ANYWHERE for w in words)


# Value shapes of well-known credentials: (what it is, pattern).
_SECRET_VALUES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("an AWS access key id", re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b")),
    ("a GitHub token", re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_\w{22,})")),
    ("a GitLab token", re.compile(r"\bglpat-[A-Za-z0-9_\-]{20,}")),
    ("a Slack token", re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}")),
    ("a Stripe secret key", re.compile(r"\b[sr]k_live_[A-Za-z0-9]{20,}")),
    ("a Google API key", re.compile(r"\bAIza[0-9A-Za-z_\-]{35}")),
    ("an npm token", re.compile(r"\bnpm_[A-Za-z0-9]{36}\b")),
    ("a private key", re.compile(r"-----BEGIN (?:[A-Z]+ )*PRIVATE KEY-----")),
    (
        "a password in a URL",
        re.compile(r"\b[a-z][a-z0-9+.\-]*://[^/\s:@$]+:(?!\$)[^/\s@$]+@[^\s/]+", re.I),
    ),
)


# Substrings each shape cannot match without: `in` tests are far cheaper than the regex
# searches, and most texts (every RUN of a file) hold none of them.
_NEEDLES: tuple[tuple[str, ...], ...] = (
    ("AKIA", "ASIA"),
    ("gh", "github_pat_"),
    ("glpat-",),
    ("xox",),
    ("_live_",),
    ("AIza",),
    ("npm_",),
    ("-----BEGIN",),
    ("://",),
)


# What follows "://" in every match of the password-in-URL shape. URLs are common in RUN
# lines and that shape's search is slow (it tries a scheme at every word), while this one
# starts with a literal the regex engine finds quickly: a text it misses holds no match.
_URL_CREDENTIALS = re.compile(r"://[^/\s:@$]+:(?!\$)[^/\s@$]+@[^\s/]")


def secret_value_kind(value: str) -> tuple[str, str] | None:
    """(what it looks like, the matched text) when ``value`` holds a known credential shape."""
    for (kind, pattern), needles in zip(_SECRET_VALUES, _NEEDLES, strict=True):
        for needle in needles:
            if needle in value:
                break
        else:
            continue  # none of the needles: no match possible
        if needles == ("://",) and _URL_CREDENTIALS.search(value) is None:
            continue
        match = pattern.search(value)
        if match:
            return kind, match.group(0)
    return None


def mask(value: str) -> str:
    """A secret shown safely: its first characters, then stars (at most 4 of 8+ shown)."""
    value = value.strip().strip("\"'")
    if len(value) < 8:
        return "****"
    return value[:4] + "****"


def is_reference_only(value: str) -> bool:
    """``$VAR``/``${VAR}`` only: the value is passed through, not written in the file."""
    return re.fullmatch(r"\s*[\"']?\$\{?[A-Za-z_][A-Za-z0-9_]*\}?[\"']?\s*", value) is not None
