"""What slimage knows about each language stack, in one place.

One module per stack (manifests, detection, package managers, build commands, artifacts,
ignore candidates, multi-stage recipe); :mod:`~slimage.stacks.releases` and
:mod:`~slimage.stacks.images` hold the base images, :mod:`~slimage.stacks.packages` the
package managers and build tools, :mod:`~slimage.stacks.native` the packages that build
from source. ``init``, ``rewrite``, the lint rules and ``context`` read it from here.
Adding a stack touches its module, its templates and its tests.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from slimage.stacks.base import Stack
    from slimage.stacks.project import Project

NAMES = ("go", "node", "python", "rust", "java")


def all_stacks() -> dict[str, Stack]:
    """Every stack's record, by name, in detection order."""
    from slimage.stacks import go, java, node, python, rust

    return {s.name: s for s in (go.STACK, node.STACK, python.STACK, rust.STACK, java.STACK)}


def detect_project(root: Path, *, stack: str | None = None, entry: str | None = None) -> Project:
    """Detect the project's stack and details; ``stack`` and ``entry`` override detection."""
    from slimage.errors import UsageError
    from slimage.stacks.project import AmbiguousProject

    stacks = all_stacks()
    if stack is not None:
        if stack not in stacks:
            raise UsageError(f"unknown stack {stack!r} (expected one of {', '.join(stacks)})")
        project = stacks[stack].detect(root, entry)
        if project is None:
            looked = (
                "pom.xml, build.gradle or .java sources" if stack == "java" else "no manifest file"
            )
            raise UsageError(f"{root}: no {stack} project found ({looked})")
        return project
    found = [
        name
        for name, info in stacks.items()
        if any((root / marker).is_file() for marker in info.markers)
    ]
    if not found:
        # No manifest: Java sources built with javac and jar (no Maven or Gradle).
        from slimage.stacks.java import java_sources

        found = ["java"] if java_sources(root) else []
    if len(found) > 1:
        raise AmbiguousProject(f"{root}: several stacks", found, "--stack")
    project = stacks[found[0]].detect(root, entry) if found else None
    if project is None:
        raise UsageError(
            f"{root}: no Go, Node, Python, Rust or Java project found "
            "(looked for go.mod, package.json, pyproject.toml/requirements.txt, Cargo.toml, "
            "pom.xml/build.gradle, .java sources); use --stack to say which"
        )
    return project
