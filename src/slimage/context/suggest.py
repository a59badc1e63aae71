"""A `.dockerignore` for the detected stack and what the directory really holds.

Candidates come in groups (always: version control, secrets, editor and CI files; per
stack: Node, Python, Go, Rust, Java). A candidate is written only when it matches
something in the context, except each stack's essentials (``node_modules`` for Node,
``__pycache__`` and ``.venv`` for Python, ...) which are cheap insurance.

The suggestion must never exclude what the build needs: a path a COPY/ADD names, or a
file the project's build step reads (the readme and license files that
``pyproject.toml`` names, ``package.json`` ``files``/``main``/``bin``, lockfiles). So a
candidate that would exclude one is dropped, an exception (``!path``) is added when
patterns interact, and the result is checked by scanning the context again with it
and replaying the Dockerfile: no COPY source may go missing that was found before.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from slimage.context.ignore import PatternMatcher
from slimage.context.problems import SECRET_TEMPLATES, Category, classify
from slimage.context.scan import DIR, ContextScan, scan_context
from slimage.errors import SlimageError
from slimage.limits import loads_json, loads_toml, path_exists, read_optional
from slimage.stacks import all_stacks
from slimage.stacks.base import Candidate

# Checks the context the suggested file would send; raises when something is wrong.
Verifier = Callable[[ContextScan], None]


def _stack_markers() -> dict[str, tuple[str, ...]]:
    return {name: stack.markers for name, stack in all_stacks().items()}


_GENERIC: list[tuple[str, list[Candidate]]] = [
    (
        "Version control",
        [
            Candidate(".git", "git history", essential=True),
            Candidate(".hg", "mercurial history"),
            Candidate(".svn", "subversion data"),
        ],
    ),
    (
        "Secrets: never send them to a builder",
        [
            Candidate(".env", "environment file with secrets", essential=True),
            Candidate(".env.*", "environment files", essential=True),
            Candidate("**/*.pem", "keys and certificates"),
            Candidate("**/*.key", "private keys"),
            Candidate("**/id_rsa", "SSH private key"),
            Candidate("**/id_ed25519", "SSH private key"),
            Candidate("**/id_ecdsa", "SSH private key"),
            Candidate(".npmrc", "may hold a registry token"),
            Candidate(".pypirc", "may hold a registry token"),
            Candidate(".netrc", "credentials"),
            Candidate(".git-credentials", "credentials"),
            Candidate("**/credentials.json", "credentials"),
            Candidate(".aws", "cloud credentials"),
            Candidate(".ssh", "SSH keys"),
        ],
    ),
    (
        "Editors, OS and CI",
        [
            Candidate(".idea", "JetBrains settings"),
            Candidate(".vscode", "VS Code settings"),
            Candidate("**/.DS_Store", "macOS metadata"),
            Candidate("**/*.swp", "vim swap files"),
            Candidate(".github", "CI configuration"),
            Candidate(".gitlab-ci.yml", "CI configuration"),
            Candidate(".circleci", "CI configuration"),
            Candidate("**/*.log", "logs"),
        ],
    ),
]

_FOUND_SECRETS = "Secrets found in this directory"


@dataclass
class Suggestion:
    """A suggested ignore file: its text and patterns, and what the context sends with it."""

    text: str
    stacks: list[str]
    patterns: list[str]
    kept: list[str] = field(default_factory=list)  # required paths protected
    dropped: list[tuple[str, str]] = field(default_factory=list)  # (pattern, why)
    sent_files: int = 0
    sent_bytes: int = 0


def detect_stacks(scan: ContextScan) -> list[str]:
    top = {entry.path for entry in scan.entries if "/" not in entry.path}
    found = [stack for stack, markers in _stack_markers().items() if top.intersection(markers)]
    names = {entry.path.rpartition("/")[2] for entry in scan.entries if entry.kind == DIR}
    if "node" not in found and "node_modules" in names:
        found.append("node")
    python_signs = any(p.endswith(".py") for p in top) or bool(
        names & {"__pycache__", ".venv", "venv", ".tox", ".pytest_cache"}
    )
    if "python" not in found and python_signs:
        found.append("python")
    # Java built without Maven or Gradle (javac and jar): its sources are the sign.
    if "java" not in found and any(entry.path.endswith(".java") for entry in scan.entries):
        found.append("java")
    return found


def build_requirements(root: Path, stacks: Iterable[str]) -> set[str]:
    """Files the project's build step reads, as named by its metadata (when they exist)."""
    wanted: set[str] = set()
    stacks = set(stacks)
    if "python" in stacks:
        wanted.update(_python_requirements(root))
    if "node" in stacks:
        wanted.update(_node_requirements(root))
    for name in (
        "package.json",
        "package-lock.json",
        "yarn.lock",
        "pnpm-lock.yaml",
        "pyproject.toml",
        "setup.py",
        "setup.cfg",
        "poetry.lock",
        "uv.lock",
        "requirements.txt",
        "go.mod",
        "go.sum",
        "Cargo.toml",
        "Cargo.lock",
        "pom.xml",
        "build.gradle",
        "build.gradle.kts",
        "settings.gradle",
    ):
        if (root / name).exists():
            wanted.add(name)
    return {path for path in wanted if path_exists(root / path)}


class _Unusable(SlimageError):
    """A project file that does not parse: the suggestion does without it."""


def _project_text(path: Path) -> str:
    """A project file's text ("" when missing or not UTF-8). A FIFO, a device or a file
    over the size limit is an InputError: never waited on, never read without end."""
    data = read_optional(path)
    if data is None:
        return ""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return ""


def _python_requirements(root: Path) -> set[str]:
    found: set[str] = set()
    try:
        data = loads_toml(_project_text(root / "pyproject.toml"), "pyproject.toml", error=_Unusable)
    except _Unusable:
        data = {}
    project = data.get("project", {})
    if isinstance(project, dict):
        readme = project.get("readme")
        if isinstance(readme, str):
            found.add(readme)
        elif isinstance(readme, dict) and isinstance(readme.get("file"), str):
            found.add(readme["file"])
        license_value = project.get("license")
        if isinstance(license_value, dict) and isinstance(license_value.get("file"), str):
            found.add(license_value["file"])
        for pattern in project.get("license-files", []) or []:
            if isinstance(pattern, str):
                found.update(_glob(root, pattern))
    poetry = data.get("tool", {}).get("poetry", {}) if isinstance(data.get("tool"), dict) else {}
    if isinstance(poetry, dict):
        readme = poetry.get("readme")
        for item in [readme] if isinstance(readme, str) else readme or []:
            if isinstance(item, str):
                found.add(item)
    setup_cfg = _project_text(root / "setup.cfg")
    for line in setup_cfg.splitlines():
        key, _, value = line.partition("=")
        if key.strip() in ("long_description", "license_files") and "file:" in value:
            for item in value.split("file:", 1)[1].split(","):
                if item.strip():
                    found.add(item.strip())
    return {_normal(path) for path in found}


def _node_requirements(root: Path) -> set[str]:
    try:
        data = loads_json(_project_text(root / "package.json"), "package.json", error=_Unusable)
    except _Unusable:
        return set()
    if not isinstance(data, dict):
        return set()
    found: set[str] = set()
    for key in ("main", "module", "types", "typings"):
        if isinstance(data.get(key), str):
            found.add(data[key])
    bins = data.get("bin")
    if isinstance(bins, str):
        found.add(bins)
    elif isinstance(bins, dict):
        found.update(v for v in bins.values() if isinstance(v, str))
    for pattern in data.get("files", []) or []:
        if isinstance(pattern, str):
            found.update(_glob(root, pattern) or {pattern})
    return {_normal(path) for path in found}


def _normal(path: str) -> str:
    return path.strip().removeprefix("./").strip("/")


def _glob(root: Path, pattern: str) -> set[str]:
    try:
        return {str(path.relative_to(root)) for path in root.glob(_normal(pattern))}
    except (ValueError, OSError):
        return set()


def _matches_anything(pattern: str, paths: list[tuple[str, str]]) -> bool:
    matcher = PatternMatcher([pattern])
    return any(matcher.matches(path) for path, _ in paths)


def suggest_ignore_file(
    scan: ContextScan,
    required: Iterable[str] = (),
    *,
    verify: Verifier | None = None,
    produced: Iterable[str] = (),
    runs_tests: bool = False,
) -> Suggestion:
    """Suggest ignore-file text for the context ``scan`` walked (with no ignore file).

    ``required`` lists paths the build must keep (COPY/ADD sources named explicitly);
    the project's own build inputs are added from its metadata, except those under a
    path in ``produced`` (first components a RUN creates itself, see
    :mod:`slimage.context.build_steps`). ``runs_tests``: the build runs the test suite,
    so ``tests`` stays. ``verify`` re-checks the final text (see :func:`verify_with_reach`).
    """
    stacks = detect_stacks(scan)
    everything = [(entry.path, entry.kind) for entry in scan.entries]
    made_by_build = set(produced)
    from_metadata = {
        path
        for path in build_requirements(scan.root, stacks)
        if path.split("/", 1)[0] not in made_by_build
    }
    protected = set(required) | from_metadata
    protected.discard(".")
    groups: list[tuple[str, list[Candidate]]] = list(_GENERIC)
    for stack in stacks:
        groups.append((all_stacks()[stack].label, list(all_stacks()[stack].ignore)))
    # A secret found under a name no pattern above covers is listed by path, in one group.
    found_secrets = [
        Candidate(path, "secret")
        for path, kind in everything
        if classify(path.rpartition("/")[2], kind) is Category.SECRET
    ]
    groups.append((_FOUND_SECRETS, found_secrets))
    chosen: list[tuple[str, list[Candidate]]] = []
    seen: list[str] = []
    dropped: list[tuple[str, str]] = []
    for title, candidates in groups:
        keep: list[Candidate] = []
        covered = PatternMatcher(seen) if title == _FOUND_SECRETS else None
        for candidate in candidates:
            if candidate.pattern in seen or (candidate.only_without_tests and runs_tests):
                continue
            if covered is not None and covered.matches(candidate.pattern):
                continue  # `id_rsa` is already excluded by `**/id_rsa`
            present = _matches_anything(candidate.pattern, everything)
            if not present and not candidate.essential:
                continue
            matcher = PatternMatcher([candidate.pattern])
            clash = sorted(path for path in protected if matcher.matches(path))
            if clash:
                dropped.append((candidate.pattern, f"the build needs {clash[0]}"))
                continue
            seen.append(candidate.pattern)
            keep.append(candidate)
        if keep:
            chosen.append((title, keep))
    patterns = [c.pattern for _, group in chosen for c in group]
    # Patterns can interact (an exception-free directory pattern hides a needed child).
    matcher = PatternMatcher(patterns)
    exceptions = sorted(path for path in protected if matcher.matches(path))
    templates = sorted(
        path
        for path, _ in everything
        if path.rpartition("/")[2] in SECRET_TEMPLATES and matcher.matches(path)
    )
    lines = [
        "# .dockerignore suggested by `slimage context --suggest`",
        f"# Stack: {', '.join(all_stacks()[s].label for s in stacks) or 'generic'}."
        " Review before committing.",
    ]
    for title, group in chosen:
        lines.append("")
        lines.append(f"# {title}")
        for candidate in group:
            lines.append(candidate.pattern)
    if exceptions:
        lines.append("")
        lines.append("# Needed by the build (COPY/ADD sources, files the build step reads)")
        lines.extend(f"!{path}" for path in exceptions)
        patterns.extend(f"!{path}" for path in exceptions)
    if templates:
        lines.append("")
        lines.append("# Templates without values (kept)")
        lines.extend(f"!{path}" for path in templates)
        patterns.extend(f"!{path}" for path in templates)
    text = "\n".join(lines) + "\n"
    suggestion = Suggestion(
        text=text,
        stacks=stacks,
        patterns=patterns,
        kept=sorted(protected),
        dropped=dropped,
    )
    final = PatternMatcher(patterns)
    still_excluded = sorted(path for path in protected if final.matches(path))
    if still_excluded:
        raise AssertionError(f"suggestion excludes needed paths: {still_excluded}")
    rescan = scan_context(scan.root, final)
    suggestion.sent_files = rescan.sent_files
    suggestion.sent_bytes = rescan.sent_bytes
    if verify is not None:
        verify(rescan)
    return suggestion
