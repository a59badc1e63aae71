"""Go: module, Go version, main packages (root or cmd/*), port."""

from __future__ import annotations

import os
import re
from pathlib import Path

from slimage.stacks.base import Candidate, Stack
from slimage.stacks.images import DISTROLESS
from slimage.stacks.project import AmbiguousProject, Project, guess_port, read_text
from slimage.stacks.releases import GO, at_least

_SKIP_DIRS = {"vendor", "testdata", "node_modules", ".git"}
_PACKAGE_MAIN = re.compile(r"^\s*package\s+main\b", re.MULTILINE)


def detect(root: Path, entry: str | None = None) -> Project | None:
    gomod = read_text(root / "go.mod")
    if gomod is None and read_text(root / "go.work") is None:
        return None
    gomod = gomod or ""
    module = re.search(r"^\s*module\s+(\S+)", gomod, re.MULTILINE)
    version = re.search(r"^\s*go\s+(\d+\.\d+)", gomod, re.MULTILINE)
    mains, sources = _main_packages(root)
    if entry is not None:
        package = entry if entry.startswith(".") else f"./{entry}"
    elif not mains:
        package = "."
    elif len(mains) == 1:
        package = mains[0]
    else:
        raise AmbiguousProject(f"{root}: several main packages", mains, "--entry")
    if package in {".", "./"}:
        name = module.group(1).rstrip("/").rsplit("/", 1)[-1] if module else root.name
    else:
        name = package.rstrip("/").rsplit("/", 1)[-1]
    name = re.sub(r"[^A-Za-z0-9._-]", "-", name) or "app"
    return Project(
        root=root,
        stack="go",
        package_manager="go",
        # The go line is the oldest Go that builds the module, not the toolchain to use.
        language_version=at_least(version.group(1) if version else None, GO.version),
        name=name,
        entry=[package],
        port=guess_port(sources),
        facts={
            "has_go_sum": (root / "go.sum").is_file(),
            "has_vendor": (root / "vendor" / "modules.txt").is_file(),
        },
    )


def _main_packages(root: Path) -> tuple[list[str], list[str]]:
    """Directories (as ./rel) holding a non-test .go file with `package main`."""
    mains: list[str] = []
    sources: list[str] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(
            d for d in dirnames if d not in _SKIP_DIRS and not d.startswith((".", "_"))
        )
        is_main = False
        for filename in sorted(filenames):
            if not filename.endswith(".go") or filename.endswith("_test.go"):
                continue
            text = read_text(Path(dirpath) / filename, limit=1_000_000, quiet=True) or ""
            if _PACKAGE_MAIN.search(text):
                is_main = True
                sources.append(text)
        if is_main:
            rel = os.path.relpath(dirpath, root)
            mains.append("." if rel == "." else "./" + rel.replace(os.sep, "/"))
    return mains, sources


STACK = Stack(
    name="go",
    label="Go",
    markers=("go.mod", "go.work"),
    ignore=(
        Candidate("**/*.test", "compiled test binaries"),
        Candidate("**/*.out", "profiles and coverage output"),
        Candidate("bin", "locally built binaries"),
    ),
    pattern='build in `golang:<v>` AS build with `CGO_ENABLED=0 go build -ldflags="-s -w"`, '
    f"then `COPY --from=build` the binary into `gcr.io/distroless/static-{DISTROLESS}` or "
    "`scratch`",
    families=("golang",),
    os_packages=("golang", "golang-go", "go"),
    detect=detect,
)
