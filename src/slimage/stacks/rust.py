"""Rust: package name, binaries ([[bin]], src/main.rs, src/bin/*), workspace members."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from slimage.stacks.base import Candidate, Stack
from slimage.stacks.images import DISTROLESS
from slimage.stacks.project import AmbiguousProject, Project, guess_port, read_text, read_toml
from slimage.stacks.releases import RUST


def detect(root: Path, entry: str | None = None) -> Project | None:
    cargo = read_toml(root / "Cargo.toml")
    if cargo is None:
        return None
    package: dict[str, Any] = cargo.get("package") or {}
    binaries = _binaries(root, cargo, package)
    if entry is not None:
        binary = entry
    elif len(binaries) == 1:
        binary = binaries[0]
    elif not binaries:
        binary = str(package.get("name") or root.name)
    else:
        raise AmbiguousProject(f"{root}: several binaries", binaries, "--entry")
    sources = [read_text(root / "src" / "main.rs") or ""]
    return Project(
        root=root,
        stack="rust",
        package_manager="cargo",
        # rust-version is a minimum; the latest stable (rust:1) satisfies every one.
        language_version=RUST.version,
        name=binary,
        entry=[binary],
        port=guess_port(sources),
        facts={"has_lock": (root / "Cargo.lock").is_file()},
    )


def _binaries(root: Path, cargo: dict[str, Any], package: dict[str, Any]) -> list[str]:
    names = [str(b["name"]) for b in cargo.get("bin") or [] if isinstance(b, dict) and "name" in b]
    if package and (root / "src" / "main.rs").is_file():
        names.append(str(package.get("name")))
    names += sorted(p.stem for p in (root / "src" / "bin").glob("*.rs"))
    for member in (cargo.get("workspace") or {}).get("members") or []:
        for directory in sorted(root.glob(str(member))):
            member_cargo = read_toml(directory / "Cargo.toml") or {}
            names += _binaries(directory, member_cargo, member_cargo.get("package") or {})
    return sorted(set(names))


STACK = Stack(
    name="rust",
    label="Rust",
    markers=("Cargo.toml",),
    ignore=(Candidate("target", "cargo build output", essential=True),),
    pattern="build in `rust:<v>` AS build with `cargo build --release`, then copy "
    f"`target/release/<app>` into `gcr.io/distroless/cc-{DISTROLESS}` (or, built for musl "
    f"or with no C dependency, `gcr.io/distroless/static-{DISTROLESS}`)",
    families=("rust",),
    os_packages=("rustc", "cargo"),
    detect=detect,
)
