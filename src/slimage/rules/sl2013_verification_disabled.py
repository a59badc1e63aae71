from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from slimage.dockerfile.spans import command_span, word_span
from slimage.dockerfile.variables import key_values
from slimage.findings import Severity
from slimage.rules.base import Rule, Violation

if TYPE_CHECKING:
    from slimage.dockerfile.model import Instruction
    from slimage.dockerfile.run_commands import ShellCommand as Command
    from slimage.rules.context import LintContext

# ENV/ARG settings that turn verification off, with the values that do it.
_INSECURE_ENV: dict[str, tuple[str, ...]] = {
    "NODE_TLS_REJECT_UNAUTHORIZED": ("0",),
    "GIT_SSL_NO_VERIFY": ("1", "true", "yes"),
    "PYTHONHTTPSVERIFY": ("0",),
    "NPM_CONFIG_STRICT_SSL": ("false", "0"),
    "YARN_STRICT_SSL": ("false", "0"),
    "PIP_TRUSTED_HOST": (),  # any value
    "CURL_INSECURE": ("1", "true"),
}
_FALSE = ("false", "0", "no")
# What a RUN must contain for any check below to match (a cheap test before splitting
# the script into commands).
_NEEDLES = (
    "insecure",
    "no-check-certificate",
    "trusted-host",
    "strict-ssl",
    "sslVerify",
    "sslverify",
    "allow-unauthenticated",
    "force-yes",
    "Verify-",
    "AllowInsecure",
    "AllowUnauthenticated",
    "allow-untrusted",
    "nogpgcheck",
    "no-gpg-checks",
    "nosignature",
    "nodigest",
)
# A word of letter options holding "k" (`-k`, `-fsSLk`). The look-behind sits after the
# "-" so the pattern starts with a literal, which the regex engine finds quickly.
_CURL_K = re.compile(r"-(?<!\S-)[A-Za-z]*k[A-Za-z]*(?!\S)")


def insecure_option(command: Command) -> str | None:
    """The option of ``command`` that disables TLS or signature checks, or None."""
    program = command.program
    argv = command.argv
    words = argv[1:]
    if program == "curl":
        for word in words:
            if word == "--insecure" or re.fullmatch(r"-[A-Za-z]*k[A-Za-z]*", word):
                return word
    if program == "wget" and "--no-check-certificate" in words:
        return "--no-check-certificate"
    if program.startswith("pip") or program in ("uv", "poetry"):
        for word in words:
            if word.startswith("--trusted-host"):
                return word
    if program in ("npm", "yarn", "pnpm"):
        if "strict-ssl" in words and any(w in _FALSE for w in words):
            return "strict-ssl false"
        for word in words:
            if word.startswith("--strict-ssl=") and word.split("=", 1)[1] in _FALSE:
                return word
    if program == "git":
        for word in words:
            if re.fullmatch(r"(?i)http\.sslverify=(false|0|no)", word):
                return word
        if any(w.lower() == "http.sslverify" for w in words) and any(w in _FALSE for w in words):
            return "http.sslVerify false"
    if program in ("apt-get", "apt"):
        for word in words:
            if word in ("--allow-unauthenticated", "--allow-insecure-repositories", "--force-yes"):
                return word
            if re.search(
                r"(?i)(Verify-Peer|Verify-Host|AllowInsecureRepositories|"
                r"AllowUnauthenticated)\s*=\s*(false|true)",
                word,
            ):
                return word
    if program == "apk" and "--allow-untrusted" in words:
        return "--allow-untrusted"
    if program in ("yum", "dnf", "microdnf", "tdnf", "zypper", "rpm"):
        for word in words:
            if word in ("--nogpgcheck", "--no-gpg-checks", "--nosignature", "--nodigest"):
                return word
    return None


def _suspect(instruction: Instruction) -> bool:
    # Plain loops over substring tests: this runs for every RUN of every file.
    for text in (instruction.rest, *(h.content for h in instruction.heredocs)):
        for needle in _NEEDLES:
            if needle in text:
                return True
        if "curl" in text and _CURL_K.search(text) is not None:
            return True
    return False


class VerificationDisabled(Rule):
    """
    What it does
    ------------
    Reports commands and settings that switch off TLS certificate or package
    signature checks: `curl -k`/`--insecure`, `wget --no-check-certificate`,
    `pip --trusted-host`, `npm config set strict-ssl false`,
    `git -c http.sslVerify=false`, `apt-get --allow-unauthenticated`,
    `apk --allow-untrusted`, `yum/dnf --nogpgcheck`, and `ENV`/`ARG` such as
    `NODE_TLS_REJECT_UNAUTHORIZED=0` or `GIT_SSL_NO_VERIFY=1`.

    Why is this bad?
    ----------------
    Without these checks anyone on the network path (a proxy, a hijacked mirror)
    can swap the software that goes into the image. An `ENV` also keeps the
    setting for the application at run time, where every HTTPS call then accepts
    any certificate.

    Example
    -------
    ```dockerfile
    RUN curl -k https://example.com/tool -o /usr/local/bin/tool
    ```

    Use instead
    -----------
    ```dockerfile
    COPY corp-ca.crt /usr/local/share/ca-certificates/
    RUN update-ca-certificates \\
     && curl -fsSL https://example.com/tool -o /usr/local/bin/tool
    ```
    Install the CA your proxy uses instead of turning verification off.
    """

    code = "SL2013"
    name = "verification-disabled"
    title = "Do not disable TLS or package signature verification"
    severity = Severity.WARNING

    def check(self, context: LintContext) -> Iterator[Violation]:
        df = context.dockerfile
        help_text = "keep verification on; trust a private CA with `update-ca-certificates`"
        for instruction in df.instructions:
            if instruction.keyword == "RUN" and _suspect(instruction):
                for command in context.commands(instruction):
                    option = insecure_option(command)
                    if option is not None:
                        yield Violation(
                            message=f"{command.program} {option} turns off verification of "
                            "what is downloaded",
                            span=command_span(df, instruction, command),
                            help=help_text,
                        )
            elif instruction.keyword in ("ENV", "ARG"):
                for pair in key_values(instruction):
                    values = _INSECURE_ENV.get(pair.key.upper())
                    if values is None or pair.value is None:
                        continue
                    value = pair.value.strip("\"'").lower()
                    if values and value not in values:
                        continue
                    yield Violation(
                        message=f"{instruction.keyword} {pair.key}={pair.value} turns off "
                        "certificate verification",
                        span=word_span(df, instruction, pair.key),
                        help=help_text,
                    )
