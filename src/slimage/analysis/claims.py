"""Claims: which cause each final-filesystem file's bytes are charged to, exactly once.

A claimer (see :mod:`slimage.analysis.claimers`) *offers* a :class:`Claim` for a path;
:class:`Claims` keeps the one whose waste class ranks first in
:data:`~slimage.analysis.classify.PRECEDENCE`, so every byte is counted once however many
causes apply to it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from slimage.analysis import node_deps, python_deps, secrets
from slimage.analysis.classify import PRECEDENCE, WasteClass
from slimage.analysis.inventory import MERGED_DIRS, image_config_body
from slimage.analysis.package_db import PackageDb
from slimage.analysis.runtime import EntryPoint
from slimage.filesystem import FileKind, FileRecord
from slimage.findings import Severity

PACKAGE_GROUP = "pkg:"  # a Claim.group naming an OS package rather than a directory


@dataclass(frozen=True)
class Claim:
    """Why one file's bytes are avoidable: its class, the cause (a rule id) and its group."""

    waste_class: WasteClass
    cause: str  # key into the causes table: "apt-lists", "toolchain-packages", ...
    group: str  # the directory ("var/lib/apt/lists") or "pkg:<name>" the finding names


@dataclass(frozen=True)
class Cause:
    """What a finding says about a set of claimed files."""

    code: str
    title: str
    help: str
    severity: Severity = Severity.WARNING
    keywords: tuple[str, ...] = ()  # to pick the step in a squashed layer (steps.py)
    name: str = ""  # the finding's name when several causes share one (secret-file)


class Claims:
    """Per-path best claim: a new claim replaces the old one only if its class ranks first."""

    def __init__(self, protected: frozenset[str] = frozenset()) -> None:
        self.by_path: dict[str, Claim] = {}
        self.causes: dict[str, Cause] = {}
        # The entry program's bytes are the app: never charged to any cause (cargo's
        # target/release/app is a hard link to target/release/deps/app-<hash>).
        self.protected = protected

    def offer(self, path: str, claim: Claim, cause: Cause) -> None:
        if path in self.protected:
            return
        current = self.by_path.get(path)
        if current is None or PRECEDENCE[claim.waste_class] < PRECEDENCE[current.waste_class]:
            self.by_path[path] = claim
            self.causes.setdefault(claim.cause, cause)


@dataclass
class ImageFacts:
    """What the claimers share: the final filesystem and what was learnt about it."""

    files: Mapping[str, FileRecord]
    regular: Mapping[str, FileRecord]
    contents: Mapping[str, bytes]
    config: Mapping[str, Any]
    db: PackageDb | None
    owners: dict[str, str]
    entry: EntryPoint
    notes: list[str]
    removable_packages: set[str] = field(default_factory=set)  # set by the package claimer
    native_link_libraries: set[str] = field(default_factory=set)  # likewise
    run_time_tools: set[str] = field(default_factory=set)  # likewise
    secret_hits: list[secrets.SecretHit] = field(default_factory=list)
    node_packages: list[node_deps.NodePackage] = field(default_factory=list)
    python_distributions: list[python_deps.Distribution] = field(default_factory=list)


def used_locales(config: Mapping[str, Any]) -> frozenset[str]:
    """Languages the image's environment selects (LANG/LC_ALL/LANGUAGE), C/POSIX excluded."""
    env = image_config_body(config).get("Env") or []
    languages: set[str] = set()
    for entry in env:
        name, _, value = str(entry).partition("=")
        if name not in {"LANG", "LC_ALL", "LANGUAGE", "LC_MESSAGES"}:
            continue
        for item in value.split(":"):
            language = item.split(".", 1)[0].split("@", 1)[0]
            if language and language.upper() not in {"C", "POSIX"}:
                languages.add(language)
                languages.add(language.split("_", 1)[0])
    return frozenset(languages)


def merged_dirs(files: Mapping[str, FileRecord]) -> list[str]:
    """usrmerge: top-level directories that are symlinks into /usr (bin -> usr/bin)."""
    merged = []
    for name in MERGED_DIRS:
        record = files.get(name)
        if (
            record is not None
            and record.kind is FileKind.SYMLINK
            and record.link_target.strip("/") in {f"usr/{name}", f"./usr/{name}"}
        ):
            merged.append(name)
    return merged
