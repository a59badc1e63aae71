from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from slimage.dockerfile.spans import word_span
from slimage.dockerfile.variables import key_values
from slimage.findings import Severity
from slimage.rules._secrets import is_reference_only, mask, secret_name, secret_value_kind
from slimage.rules.base import Rule, Violation

if TYPE_CHECKING:
    from slimage.rules.context import LintContext


# Fragments every secret name or credential value below contains: a cheap test first.
_SECRETISH = re.compile(
    r"key|pass|secret|token|auth|cred|pword|akia|asia|gh[pousr]_|github_pat|glpat|xox|_live_"
    r"|aiza|npm_|begin|://",
    re.IGNORECASE,
)


class SecretInArgEnv(Rule):
    """
    What it does
    ------------
    Reports `ARG` and `ENV` instructions whose name says they hold a secret
    (`*_PASSWORD`, `*_SECRET`, `*_TOKEN`, `API_KEY`, `AWS_SECRET_ACCESS_KEY`,
    as BuildKit's `SecretsUsedInArgOrEnv` check does) or whose value has the shape
    of a known credential (`AKIA...` AWS keys, `ghp_...` GitHub tokens,
    `-----BEGIN ... PRIVATE KEY-----`, `scheme://user:password@host`). Names that
    point to a secret rather than hold it (`*_FILE`, `*_PATH`), public keys
    (`GPG_KEY`, `*_PUBLIC_KEY`), and values that cannot be a secret (a variable, an
    empty string, a switch like `MYSQL_ALLOW_EMPTY_PASSWORD=yes`) pass. Values are
    shown masked.

    Why is this bad?
    ----------------
    `ENV` values are stored in the image configuration, and `ARG` values used by a
    `RUN` are recorded in the image history: anyone who can pull the image can read
    them with `docker history` or `docker inspect`, long after the secret was
    meant to be gone.

    Example
    -------
    ```dockerfile
    ARG NPM_TOKEN
    RUN echo "//npm.example.com/:_authToken=$NPM_TOKEN" > .npmrc && npm ci
    ```

    Use instead
    -----------
    ```dockerfile
    RUN --mount=type=secret,id=npm_token \\
        NPM_TOKEN="$(cat /run/secrets/npm_token)" npm ci
    ```
    built with `docker build --secret id=npm_token,env=NPM_TOKEN .`.
    """

    code = "SL2005"
    name = "secret-in-arg-env"
    title = "Pass secrets with RUN --mount=type=secret, not ARG or ENV"
    severity = Severity.WARNING

    def check(self, context: LintContext) -> Iterator[Violation]:
        df = context.dockerfile
        for instruction in df.instructions:
            if instruction.keyword not in ("ARG", "ENV") or not _SECRETISH.search(instruction.rest):
                continue
            search_from = 0
            for pair in key_values(instruction):
                span = word_span(df, instruction, pair.key, search_from)
                found = instruction.rest.find(pair.key, search_from)
                if found >= 0:
                    search_from = found + len(pair.key)
                value = pair.value or ""
                kind = secret_value_kind(value)
                if kind is not None:
                    what, matched = kind
                    yield Violation(
                        message=f"{instruction.keyword} {pair.key} holds what looks like "
                        f"{what} ({mask(matched)}): it is stored in the image",
                        span=span,
                        help="remove the value from the Dockerfile, rotate the credential, and "
                        "pass it with `RUN --mount=type=secret`",
                    )
                elif secret_name(pair.key) and not _not_a_secret_value(pair.value):
                    shown = f"={mask(value)}" if value else ""
                    yield Violation(
                        message=f"{instruction.keyword} {pair.key}{shown} looks like a secret: "
                        f"{_where(instruction.keyword)}",
                        span=span,
                        help="use `RUN --mount=type=secret,id=<name>` and read "
                        "`/run/secrets/<name>` in the command that needs it",
                    )


# Switches such as MYSQL_ALLOW_EMPTY_PASSWORD=yes: a name about a secret, a value that is not.
_FLAG_VALUES = frozenset({"yes", "no", "true", "false", "on", "off", "0", "1", "y", "n"})


def _not_a_secret_value(value: str | None) -> bool:
    """A value that cannot be the secret: a flag, an explicit empty string, a variable."""
    if value is None:
        return False  # `ARG TOKEN`: the secret comes with --build-arg
    bare = value.strip().strip("\"'")
    return bare.lower() in _FLAG_VALUES or bare == "" or is_reference_only(value)


def _where(keyword: str) -> str:
    if keyword == "ENV":
        return "ENV values are stored in the image configuration"
    return "ARG values used in RUN are recorded in the image history"
