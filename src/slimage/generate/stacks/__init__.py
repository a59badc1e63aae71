"""One module per stack; each has ``detect(root, entry) -> Project | None``."""

from __future__ import annotations

from pathlib import Path

from slimage.generate.project import Project
from slimage.generate.stacks import go, java, node, python, rust

STACKS = {
    "go": go.detect,
    "node": node.detect,
    "python": python.detect,
    "rust": rust.detect,
    "java": java.detect,
}


def detect_project(root: Path, *, stack: str | None = None, entry: str | None = None) -> Project:
    """Detect the project's stack and details; ``stack`` and ``entry`` override detection."""
    from slimage.errors import UsageError
    from slimage.generate.project import AmbiguousProject

    if stack is not None:
        if stack not in STACKS:
            raise UsageError(f"unknown stack {stack!r} (expected one of {', '.join(STACKS)})")
        project = STACKS[stack](root, entry)
        if project is None:
            raise UsageError(f"{root}: no {stack} project found (no manifest file)")
        return project
    found = [name for name, detect in STACKS.items() if _has_manifest(root, name)]
    if not found:
        raise UsageError(
            f"{root}: no Go, Node, Python, Rust or Java project found "
            "(looked for go.mod, package.json, pyproject.toml/requirements.txt, Cargo.toml, "
            "pom.xml/build.gradle); use --stack to say which"
        )
    if len(found) > 1:
        raise AmbiguousProject(f"{root}: several stacks", found, "--stack")
    project = STACKS[found[0]](root, entry)
    if project is None:
        raise UsageError(f"{root}: no {found[0]} project could be read from its manifest")
    return project


_MANIFESTS = {
    "go": ("go.mod", "go.work"),
    "node": ("package.json",),
    "python": (
        "pyproject.toml",
        "requirements.txt",
        "Pipfile",
        "setup.py",
        "uv.lock",
        "poetry.lock",
    ),
    "rust": ("Cargo.toml",),
    "java": ("pom.xml", "build.gradle", "build.gradle.kts"),
}


def _has_manifest(root: Path, stack: str) -> bool:
    return any((root / name).is_file() for name in _MANIFESTS[stack])
