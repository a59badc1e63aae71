"""The record each stack module fills: what marks the stack, what to ignore, how to build."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from slimage.stacks.project import Project


@dataclass(frozen=True)
class Candidate:
    """One pattern a suggested ignore file may hold, and why."""

    pattern: str
    reason: str
    essential: bool = False  # written even when nothing matches yet
    only_without_tests: bool = False  # left out when the build runs a test suite


@dataclass(frozen=True)
class Stack:
    """What slimage knows about one language stack."""

    name: str  # "node"
    label: str  # "Node.js"
    markers: tuple[str, ...]  # files at the project root that mean the stack
    ignore: tuple[Candidate, ...]  # .dockerignore candidates
    pattern: str  # the multi-stage recipe, one sentence (lint help)
    families: tuple[str, ...]  # official image families that are the stack by themselves
    os_packages: tuple[str, ...]  # distribution packages that install the stack's runtime
    detect: Callable[[Path, str | None], Project | None] = field(repr=False)
