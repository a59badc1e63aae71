"""Shared knowledge of the security (SL2xxx) and correctness (SL3xxx) rules.

Pure helpers over the Dockerfile model: spans from source offsets, key/value pairs of
ENV/ARG/LABEL, image references, secret-looking names and values, ADD sources. Nothing
here reads the file system except :func:`looks_like_tar_archive`, an explicit I/O edge
for the build context.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from slimage.dockerfile.model import Span
from slimage.findings import Edit
from slimage.image.reference import split_reference
from slimage.limits import path_is_file

if TYPE_CHECKING:
    from collections.abc import Sequence

    from slimage.dockerfile.model import Dockerfile, Instruction
    from slimage.dockerfile.run_commands import ShellCommand as Command


# --- spans ---------------------------------------------------------------------------------


def span_at(dockerfile: Dockerfile, start: int, end: int) -> Span:
    """The :class:`Span` of ``source[start:end]`` (lines counted by ``\\n``, as BuildKit)."""
    source = dockerfile.source
    start = max(0, min(start, len(source)))
    end = max(start, min(end, len(source)))
    line = source.count("\n", 0, start) + 1
    line_start = source.rfind("\n", 0, start) + 1
    last = max(start, end - 1)
    end_line = line + source.count("\n", start, last)
    end_line_start = source.rfind("\n", 0, last) + 1 if end_line != line else line_start
    return Span(
        start=start,
        end=end,
        line=line,
        column=start - line_start + 1,
        end_line=end_line,
        end_column=end - end_line_start + 1,
    )


def rest_span(dockerfile: Dockerfile, instruction: Instruction, start: int, end: int) -> Span:
    """The span of ``instruction.rest[start:end]`` in the source (continuations skipped)."""
    offsets = instruction.rest_offsets
    if not offsets or start >= len(offsets):
        return instruction.span
    begin = offsets[start]
    finish = offsets[end - 1] + 1 if end > start and end - 1 < len(offsets) else begin
    return span_at(dockerfile, begin, finish)


def word_span(dockerfile: Dockerfile, instruction: Instruction, word: str, after: int = 0) -> Span:
    """The span of the first ``word`` in ``instruction.rest`` (from ``after``), else the
    instruction's span."""
    if not word:
        return instruction.span
    match = re.compile(r"(?<![^\s=\[,\"'])" + re.escape(word)).search(instruction.rest, after)
    index = match.start() if match else instruction.rest.find(word, after)
    if index < 0:
        return instruction.span
    return rest_span(dockerfile, instruction, index, index + len(word))


def words_with_spans(
    dockerfile: Dockerfile, instruction: Instruction
) -> Iterator[tuple[str, Span]]:
    """Each argument word of ``instruction`` with its span, in order: a word written twice
    gets the span of each occurrence in turn."""
    after = 0
    for word in instruction.args:
        span = word_span(dockerfile, instruction, word, after)
        found = instruction.rest.find(word, after)
        after = found + len(word) if found >= 0 else after
        yield word, span


def keyword_span(dockerfile: Dockerfile, instruction: Instruction) -> Span:
    start = instruction.span.start
    return span_at(dockerfile, start, start + len(instruction.keyword_raw))


def command_span(dockerfile: Dockerfile, instruction: Instruction, command: Command) -> Span:
    """Where a shell command of a RUN sits, or the RUN itself when that is unknown."""
    if command.source_start is not None and command.source_end is not None:
        return span_at(dockerfile, command.source_start, command.source_end)
    return instruction.span


def same_case(written: str, keyword: str) -> str:
    """``keyword`` in the case the author wrote ``written`` in (lower stays lower)."""
    return keyword.lower() if written.islower() else keyword.upper()


def keyword_edit(instruction: Instruction, new_keyword: str) -> Edit:
    """Replace the instruction keyword, keeping the author's upper/lower case."""
    start = instruction.span.start
    return Edit(
        start, start + len(instruction.keyword_raw), same_case(instruction.keyword_raw, new_keyword)
    )


def line_break(source: str) -> str:
    """The file's own line break, for inserted lines (CRLF files stay CRLF)."""
    return "\r\n" if "\r\n" in source else "\n"


# --- variables -----------------------------------------------------------------------------

_VARIABLE = re.compile(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)|([A-Za-z_][A-Za-z0-9_]*))")


def variable_names(text: str) -> list[str]:
    """Names of ``$VAR`` and ``${VAR...}`` references in ``text`` (escapes not honoured)."""
    return [m.group(1) or m.group(2) for m in _VARIABLE.finditer(text)]


def has_variable(text: str) -> bool:
    return _VARIABLE.search(text) is not None


# BuildKit's automatic platform ARGs: defined in the global scope without a declaration.
AUTOMATIC_ARGS = frozenset(
    {
        "TARGETPLATFORM",
        "TARGETOS",
        "TARGETARCH",
        "TARGETVARIANT",
        "BUILDPLATFORM",
        "BUILDOS",
        "BUILDARCH",
        "BUILDVARIANT",
    }
)


# --- ENV / ARG / LABEL ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class KeyValue:
    """One pair of an ENV, LABEL or ARG instruction, and whether it uses the legacy form."""

    key: str
    value: str | None  # as written (quotes kept); None for a bare "ARG NAME"
    legacy: bool  # "ENV KEY value" (space separated), deprecated


def key_values(instruction: Instruction) -> list[KeyValue]:
    """The pairs of an ENV, LABEL or ARG instruction, from BuildKit's ``Next`` chain.

    ENV and LABEL come as (key, value, marker) triplets, the marker ``=`` for the modern
    form and empty for the legacy ``KEY value`` one (``parseNameVal``); ARG words are
    ``NAME`` or ``NAME=value`` (``parseNameOrNameVal``).
    """
    pairs: list[KeyValue] = []
    if instruction.keyword in ("ENV", "LABEL"):
        args = instruction.args
        for i in range(0, len(args) - 2, 3):
            pairs.append(KeyValue(args[i], args[i + 1], args[i + 2] != "="))
    elif instruction.keyword == "ARG":
        for word in instruction.args:
            key, sep, value = word.partition("=")
            pairs.append(KeyValue(key, value if sep else None, False))
    return pairs


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


# --- image references ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ImageRef:
    """An image reference normalised as Docker does, its repository lower-cased."""

    registry: str  # "docker.io" when none is written
    repository: str  # "library/node" for official images
    tag: str | None
    digest: str | None

    @property
    def short_name(self) -> str:
        """``node`` for ``docker.io/library/node``, else ``registry/repository``."""
        if self.registry == "docker.io":
            return self.repository.removeprefix("library/")
        return f"{self.registry}/{self.repository}"


def parse_image_ref(text: str) -> ImageRef | None:
    """Split an image reference as ``distribution/reference`` normalises it; None if odd
    (blank, spaces, an unexpanded ``$``, an empty name or tag)."""
    ref = text.strip()
    if not ref or any(c.isspace() for c in ref) or "$" in ref:
        return None
    registry, repository, tag, digest = split_reference(ref)
    if not repository or tag == "":
        return None
    return ImageRef(registry, repository.lower(), tag, digest)


def looks_like_image_ref(text: str) -> bool:
    """Whether ``--from=text`` reads as an image (a tag, digest, registry or namespace)."""
    return any(c in text for c in ":@/.")


# --- ADD / COPY sources --------------------------------------------------------------------

_ARCHIVE_SUFFIXES = (
    ".tar",
    ".tar.gz",
    ".tgz",
    ".tar.bz2",
    ".tbz",
    ".tbz2",
    ".tar.xz",
    ".txz",
    ".tar.zst",
    ".tzst",
    ".tar.lz",
    ".tar.lzma",
    ".tlz",
    ".gz",
    ".bz2",
    ".xz",
    ".zst",
)


def is_url(source: str) -> bool:
    return re.match(r"^[A-Za-z][A-Za-z0-9+.\-]*://", source) is not None


def is_git_source(source: str) -> bool:
    """A git repository as ADD accepts it (``git@host:repo``, ``*.git``, ``git://``)."""
    return (
        source.startswith(("git@", "git://"))
        or re.match(r"^https?://[^#]+\.git(?:#.*)?$", source) is not None
    )


def is_archive_name(source: str) -> bool:
    return source.lower().endswith(_ARCHIVE_SUFFIXES)


def copy_sources(instruction: Instruction) -> tuple[list[str], str | None]:
    """(sources, destination) of a COPY/ADD; heredoc sources are named as written."""
    args = list(instruction.args)
    if len(args) < 2:
        return args, None
    return args[:-1], args[-1]


def looks_like_tar_archive(path: Path) -> bool | None:
    """Whether a build-context file starts like a tar archive ADD would extract.

    ADD extracts by content, not by name (identity, gzip, bzip2 or xz compressed tar), so
    only the bytes answer. None when the file cannot be read.
    """
    if not path_is_file(path):  # never open a FIFO (it would block) or a device
        return None
    try:
        with path.open("rb") as handle:
            head = handle.read(512)
    except OSError:
        return None
    compressed = (b"\x1f\x8b", b"BZh", b"\xfd7zXZ\x00", b"\x28\xb5\x2f\xfd")
    if head.startswith(compressed):
        return True  # could be a compressed tar; ADD would try to extract it
    return len(head) >= 262 and head[257:262] == b"ustar"


# --- stages --------------------------------------------------------------------------------


def stage_name_word(instruction: Instruction) -> str | None:
    """The stage name of ``FROM image AS name`` as written (case kept), or None."""
    args = instruction.args
    if len(args) >= 3 and args[1].lower() == "as":
        return args[2]
    return None


def _as_index(instruction: Instruction) -> int | None:
    """Index in ``rest`` of the ``AS`` word of ``FROM [flags] image AS name``."""
    args = instruction.args
    if len(args) < 3 or args[1].lower() != "as":
        return None
    image_at = instruction.rest.find(args[0])
    start = image_at + len(args[0]) if image_at >= 0 else 0
    match = re.compile(r"(?<!\S)" + re.escape(args[1]) + r"(?!\S)").search(instruction.rest, start)
    return match.start() if match else None


def as_keyword_span(dockerfile: Dockerfile, instruction: Instruction) -> Span | None:
    """The span of the ``AS`` word of a FROM, or None."""
    index = _as_index(instruction)
    if index is None:
        return None
    return rest_span(dockerfile, instruction, index, index + len(instruction.args[1]))


def stage_name_span(dockerfile: Dockerfile, instruction: Instruction) -> Span:
    """The span of the name in ``FROM image AS name`` (the FROM itself when absent)."""
    name = stage_name_word(instruction)
    as_index = _as_index(instruction)
    if name is None or as_index is None:
        return instruction.span
    index = instruction.rest.find(name, as_index + len(instruction.args[1]))
    if index < 0:
        return instruction.span
    return rest_span(dockerfile, instruction, index, index + len(name))


def close_matches(word: str, candidates: Sequence[str]) -> list[str]:
    """The closest candidate, as ``difflib.get_close_matches(..., n=1)``: a "did you
    mean" hint. difflib is imported here, on first use, not at every start."""
    import difflib

    return difflib.get_close_matches(word, candidates, n=1)


# --- cheap pre-filters -------------------------------------------------------------------


def mentions(instruction: Instruction, *needles: str) -> bool:
    """Whether a RUN's text (heredoc bodies included) contains any of ``needles``.

    Splitting a script into commands costs far more than a substring test, so rules
    ask this first and only look at the commands of RUNs that can match.
    """
    # Plain loops: this runs for every RUN in many rules, and generators cost more here.
    rest = instruction.rest
    for needle in needles:
        if needle in rest:
            return True
    for heredoc in instruction.heredocs:
        content = heredoc.content
        for needle in needles:
            if needle in content:
                return True
    return False


# --- BuildKit's own checks -----------------------------------------------------------------

# `docker build --check` rule names and the slimage rule covering each, so that a
# `# check=skip=JSONArgsRecommended` directive (BuildKit's suppression) can be honoured.
BUILDKIT_CHECKS: dict[str, str] = {
    "StageNameCasing": "SL3011",
    "FromAsCasing": "SL3012",
    "NoEmptyContinuation": "SL3018",
    "ConsistentInstructionCasing": "SL3017",
    "FileConsistentCommandCasing": "SL3017",
    "SelfConsistentCommandCasing": "SL3017",
    "DuplicateStageName": "SL3003",
    "ReservedStageName": "SL3013",
    "JSONArgsRecommended": "SL3001",
    "MaintainerDeprecated": "SL3007",
    "UndefinedArgInFrom": "SL3015",
    "WorkdirRelativePath": "SL3005",
    "UndefinedVar": "SL3002",
    "MultipleInstructionsDisallowed": "SL3006",
    "LegacyKeyValueFormat": "SL3014",
    "InvalidDefaultArgInFrom": "SL3016",
    "FromPlatformFlagConstDisallowed": "SL3019",
    "SecretsUsedInArgOrEnv": "SL2005",
    "ExposeInvalidFormat": "SL3008",
    "ExposeProtoCasing": "SL3009",
    "CopyIgnoredFile": "SL1008",
}
