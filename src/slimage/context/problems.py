"""Things a build context should not send, and worse, should not copy into an image.

Paths are classified by name: version-control data, installed dependencies,
virtualenvs, build outputs and caches, editor and CI folders, and secrets (``.env``
files, private keys, credential files). A problem found in what is sent is a warning
(or information for small, harmless junk); a secret that a COPY/ADD carries into the
image is an error.
"""

from __future__ import annotations

import enum
import fnmatch
from collections.abc import Iterable
from dataclasses import dataclass

from slimage.context.scan import DIR, ContextScan
from slimage.findings import Severity


class Category(enum.Enum):
    VCS = "vcs"
    DEPENDENCIES = "dependencies"
    VIRTUALENV = "virtualenv"
    BUILD_OUTPUT = "build-output"
    EDITOR = "editor"
    CI = "ci"
    SECRET = "secret"


_DIRS: dict[str, Category] = {
    ".git": Category.VCS,
    ".hg": Category.VCS,
    ".svn": Category.VCS,
    "node_modules": Category.DEPENDENCIES,
    "bower_components": Category.DEPENDENCIES,
    ".pnpm-store": Category.DEPENDENCIES,
    ".venv": Category.VIRTUALENV,
    "venv": Category.VIRTUALENV,
    ".virtualenv": Category.VIRTUALENV,
    ".tox": Category.VIRTUALENV,
    ".nox": Category.VIRTUALENV,
    "__pycache__": Category.BUILD_OUTPUT,
    ".pytest_cache": Category.BUILD_OUTPUT,
    ".mypy_cache": Category.BUILD_OUTPUT,
    ".ruff_cache": Category.BUILD_OUTPUT,
    ".eggs": Category.BUILD_OUTPUT,
    "dist": Category.BUILD_OUTPUT,
    "build": Category.BUILD_OUTPUT,
    "target": Category.BUILD_OUTPUT,
    ".next": Category.BUILD_OUTPUT,
    ".nuxt": Category.BUILD_OUTPUT,
    ".gradle": Category.BUILD_OUTPUT,
    ".parcel-cache": Category.BUILD_OUTPUT,
    ".turbo": Category.BUILD_OUTPUT,
    "coverage": Category.BUILD_OUTPUT,
    "htmlcov": Category.BUILD_OUTPUT,
    ".idea": Category.EDITOR,
    ".vscode": Category.EDITOR,
    ".vs": Category.EDITOR,
    ".github": Category.CI,
    ".gitlab": Category.CI,
    ".circleci": Category.CI,
    ".buildkite": Category.CI,
    ".ssh": Category.SECRET,
    ".aws": Category.SECRET,
    ".gnupg": Category.SECRET,
}

_FILE_GLOBS: list[tuple[str, Category]] = [
    (".DS_Store", Category.EDITOR),
    ("Thumbs.db", Category.EDITOR),
    ("*.swp", Category.EDITOR),
    ("*.swo", Category.EDITOR),
    ("*.pyc", Category.BUILD_OUTPUT),
    (".coverage", Category.BUILD_OUTPUT),
    (".gitlab-ci.yml", Category.CI),
    (".travis.yml", Category.CI),
    (".env", Category.SECRET),
    (".env.*", Category.SECRET),
    ("*.pem", Category.SECRET),
    ("*.key", Category.SECRET),
    ("*.p12", Category.SECRET),
    ("*.pfx", Category.SECRET),
    ("*.jks", Category.SECRET),
    ("*.kdbx", Category.SECRET),
    ("id_rsa", Category.SECRET),
    ("id_dsa", Category.SECRET),
    ("id_ecdsa", Category.SECRET),
    ("id_ed25519", Category.SECRET),
    (".npmrc", Category.SECRET),
    (".pypirc", Category.SECRET),
    (".netrc", Category.SECRET),
    (".git-credentials", Category.SECRET),
    ("credentials", Category.SECRET),
    ("credentials.json", Category.SECRET),
    ("*.tfstate", Category.SECRET),
]

# Templates that document variables without holding values.
SECRET_TEMPLATES = (".env.example", ".env.sample", ".env.template", ".env.dist", ".env.defaults")

_LABELS = {
    Category.VCS: "version-control history",
    Category.DEPENDENCIES: "installed dependencies (the image should install its own)",
    Category.VIRTUALENV: "a virtualenv (host-specific; the image should build its own)",
    Category.BUILD_OUTPUT: "build output or cache",
    Category.EDITOR: "editor files",
    Category.CI: "CI configuration",
    Category.SECRET: "a secret",
}


@dataclass(frozen=True)
class ContextProblem:
    """A file or directory the build context should not send, with its size and the line of
    the COPY/ADD that copies it into the image, if any."""

    category: Category
    path: str  # context-relative
    kind: str  # "dir" or a file kind
    files: int
    bytes: int
    copied_at: int | None  # line of the COPY/ADD that puts it in the image, if any
    severity: Severity
    message: str


def classify(name: str, kind: str) -> Category | None:
    """The problem category of a file or directory called ``name``, if any."""
    if kind == DIR:
        return _DIRS.get(name)
    if name in SECRET_TEMPLATES:
        return None
    for pattern, category in _FILE_GLOBS:
        if fnmatch.fnmatchcase(name, pattern):
            return category
    return None


def find_problems(
    scan: ContextScan,
    reached: dict[str, int] | None = None,
    required: Iterable[str] = (),
) -> list[ContextProblem]:
    """Problems among what ``scan`` sends.

    ``reached`` maps files copied into the image to their COPY/ADD line; ``required``
    holds paths a COPY/ADD names explicitly: a build output or dependency directory
    that the Dockerfile asks for by name (``COPY target/app.jar ...``) is intended.
    """
    reached = reached or {}
    wanted = set(required)
    problems: list[ContextProblem] = []
    virtualenv_dirs = {
        entry.path.rpartition("/")[0] for entry in scan.entries if entry.path.endswith("pyvenv.cfg")
    }
    entries = scan.entries
    index = 0
    while index < len(entries):
        entry = entries[index]
        name = entry.path.rpartition("/")[2]
        category = classify(name, entry.kind)
        if category is None and entry.kind == DIR and entry.path in virtualenv_dirs:
            category = Category.VIRTUALENV
        if category is None:
            index += 1
            continue
        # Entries are in walk order: a directory's contents follow it.
        end = index + 1
        if entry.kind == DIR:
            prefix = entry.path + "/"
            while end < len(entries) and entries[end].path.startswith(prefix):
                end += 1
        if category is not Category.SECRET and _is_wanted(entry.path, wanted):
            index = end
            continue
        members = entries[index:end]
        files = [m for m in members if m.kind != DIR]
        copied = [reached[m.path] for m in files if m.path in reached]
        problems.append(
            _problem(
                category,
                entry.path,
                entry.kind,
                len(files),
                sum(m.size for m in files),
                min(copied) if copied else None,
            )
        )
        index = end
    return problems


def _problem(
    category: Category, path: str, kind: str, files: int, size: int, copied_at: int | None
) -> ContextProblem:
    label = _LABELS[category]
    if copied_at is not None:
        severity = Severity.ERROR if category is Category.SECRET else Severity.WARNING
        message = f"{path}: {label}, copied into the image (COPY/ADD at line {copied_at})"
    else:
        small = category in (Category.EDITOR, Category.CI) or (
            category is Category.BUILD_OUTPUT and size < 1_000_000
        )
        severity = Severity.INFO if small else Severity.WARNING
        message = f"{path}: {label}, sent with the build context"
    return ContextProblem(category, path, kind, files, size, copied_at, severity, message)


def _is_wanted(path: str, wanted: set[str]) -> bool:
    prefix = path + "/"
    return path in wanted or any(item.startswith(prefix) for item in wanted)
