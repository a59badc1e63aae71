from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from slimage.dockerfile.spans import rest_span
from slimage.findings import Severity
from slimage.rules._secrets import mask, secret_value_kind
from slimage.rules.base import Rule, Violation

if TYPE_CHECKING:
    from slimage.rules.context import LintContext

# `curl -u user:password` / `--user user:password` with a literal password.
_CURL_USER = re.compile(r"(?:^|\s)(?:-u\s*|--user[=\s]+)['\"]?[^\s:'\"$]+:(?!\$)[^\s'\"$]+")


class SecretInRun(Rule):
    """
    What it does
    ------------
    Reports a `RUN` (heredoc bodies included) whose text holds a literal credential: a
    value with the shape of a known token (`AKIA...` AWS keys, `ghp_...` GitHub
    tokens, `glpat-...`, `xox.-...` Slack tokens, `-----BEGIN ... PRIVATE KEY-----`),
    a password in a URL (`https://user:password@host`) or `curl -u user:password`.
    Values taken from variables (`$TOKEN`) pass; they are the business of
    `secret-in-arg-env`.

    Why is this bad?
    ----------------
    The text of every `RUN` is stored in the image history (`docker history
    --no-trunc` shows it), so the credential ships with every copy of the image and of
    its build cache, even if the command deletes every file it wrote.

    Example
    -------
    ```dockerfile
    RUN git clone https://ci:glpat-xxxxxxxxxxxxxxxxxxxx@gitlab.example.com/app.git
    ```

    Use instead
    -----------
    ```dockerfile
    RUN --mount=type=secret,id=gitlab_token \\
        git clone "https://ci:$(cat /run/secrets/gitlab_token)@gitlab.example.com/app.git"
    ```
    """

    code = "SL2014"
    name = "secret-in-run"
    title = "Do not write credentials into RUN commands; mount them as secrets"
    severity = Severity.ERROR

    def check(self, context: LintContext) -> Iterator[Violation]:
        df = context.dockerfile
        for instruction in df.instructions:
            if instruction.keyword != "RUN":
                continue
            texts = [(instruction.rest, True), *((h.content, False) for h in instruction.heredocs)]
            for text, in_rest in texts:
                found = _credential(text)
                if found is None:
                    continue
                what, start, end = found
                span = rest_span(df, instruction, start, end) if in_rest else instruction.span
                yield Violation(
                    message=f"RUN holds {what} ({mask(text[start:end])}): the command text is "
                    "stored in the image history",
                    span=span,
                    help="remove it, rotate the credential, and pass it with "
                    "`RUN --mount=type=secret`",
                )
                break


def _credential(text: str) -> tuple[str, int, int] | None:
    """(what, start, end) of the first literal credential in ``text``."""
    found = secret_value_kind(text)
    if found is not None:
        what, matched = found
        start = text.find(matched)
        return what, start, start + len(matched)
    # Every _CURL_USER match holds "-u" ("-u", "--user"), and only curl counts.
    if "-u" not in text or "curl" not in text:
        return None
    match = _CURL_USER.search(text)
    if match is not None and re.search(r"\bcurl\b", text):
        start = match.start() + (len(match.group(0)) - len(match.group(0).lstrip()))
        return "a user and password for curl", start, match.end()
    return None
