"""Node: package manager (packageManager field, then lockfile), Node version, scripts."""

from __future__ import annotations

import os
import re
import shlex
from pathlib import Path
from typing import Any

from slimage.limits import path_is_file
from slimage.stacks.base import Candidate, Stack
from slimage.stacks.project import Project, guess_port, major_minor, read_json, read_text
from slimage.stacks.releases import NODE

# Packages with native code built against glibc: alpine (musl) needs a rebuild or breaks.
NATIVE_ADDONS = (
    "bcrypt",
    "sharp",
    "better-sqlite3",
    "sqlite3",
    "canvas",
    "node-gyp",
    "argon2",
    "node-sass",
    "re2",
    "grpc",
    "cpu-features",
    "ssh2",
)

_LOCKFILES = (  # in the order a lockfile decides the package manager
    ("pnpm-lock.yaml", "pnpm"),
    ("bun.lockb", "bun"),
    ("bun.lock", "bun"),
    ("yarn.lock", "yarn"),
    ("package-lock.json", "npm"),
    ("npm-shrinkwrap.json", "npm"),
)

DEFAULT_NODE = NODE.version


def detect(root: Path, entry: str | None = None) -> Project | None:
    package = read_json(root / "package.json")
    if package is None:
        return None
    manager, lockfile = _package_manager(root, package)
    scripts: dict[str, str] = {
        k: v for k, v in (package.get("scripts") or {}).items() if isinstance(v, str)
    }
    deps: dict[str, Any] = dict(package.get("dependencies") or {})
    dev_deps: dict[str, Any] = dict(package.get("devDependencies") or {})
    version = (
        major_minor(_engine(package))
        or major_minor(read_text(root / ".nvmrc"))
        or major_minor(read_text(root / ".node-version"))
        or DEFAULT_NODE
    )
    version = version.split(".")[0]
    is_next = "next" in deps
    next_standalone = is_next and any(
        re.search(r"output\s*:\s*['\"]standalone['\"]", read_text(root / name) or "")
        for name in ("next.config.js", "next.config.mjs", "next.config.ts")
    )
    command = _start_command(entry, scripts, package, root, is_next, next_standalone)
    sources = [read_text(root / f) or "" for f in _port_sources(root, _entry_files(command))]
    port = guess_port(sources) or (3000 if is_next else None)
    native = sorted(name for name in NATIVE_ADDONS if name in deps)
    notes = []
    if native:
        notes.append(f"native addons ({', '.join(native)}) need glibc: runtime is slim, not alpine")
    name = str(package.get("name") or root.name).rsplit("/", 1)[-1]
    return Project(
        root=root,
        stack="node",
        package_manager=manager,
        language_version=version,
        name=name,
        entry=command,
        port=port,
        notes=notes,
        needs_glibc=native,
        facts={
            "lockfile": lockfile,
            "build": "build" in scripts,
            "build_output": _build_output(scripts.get("build", ""), is_next),
            "next_standalone": next_standalone,
            "has_dev_dependencies": bool(dev_deps),
            "manager_version": _manager_version(package),
        },
    )


def _engine(package: dict[str, Any]) -> str | None:
    engines = package.get("engines")
    node = engines.get("node") if isinstance(engines, dict) else None
    return node if isinstance(node, str) else None


def _manager_version(package: dict[str, Any]) -> str | None:
    field = package.get("packageManager")
    if isinstance(field, str) and "@" in field:
        return field.split("@", 1)[1].split("+", 1)[0]
    return None


def _package_manager(root: Path, package: dict[str, Any]) -> tuple[str, str | None]:
    lockfile = next(((f, m) for f, m in _LOCKFILES if (root / f).is_file()), None)
    field = package.get("packageManager")
    if isinstance(field, str) and "@" in field:
        name, version = field.split("@", 1)
        if name == "yarn" and not version.startswith("1."):
            name = "yarn-berry"
        lock = next(
            (f for f, m in _LOCKFILES if m == name.split("-")[0] and (root / f).is_file()), None
        )
        return name, lock
    if lockfile is None:
        return "npm", None
    name = lockfile[1]
    if name == "yarn" and (
        (root / ".yarnrc.yml").is_file()
        or "__metadata:" in (read_text(root / "yarn.lock") or "")[:2000]
    ):
        name = "yarn-berry"
    return name, lockfile[0]


def _start_command(
    entry: str | None,
    scripts: dict[str, str],
    package: dict[str, Any],
    root: Path,
    is_next: bool,
    next_standalone: bool,
) -> list[str]:
    """The runtime command in exec form: never `npm start`, which swallows signals."""
    if entry:
        return shlex.split(entry)
    if next_standalone:
        return ["node", "server.js"]
    start = scripts.get("start", "")
    words = shlex.split(start) if start and not re.search(r"[;&|<>$`]", start) else []
    if words and words[0] == "node":
        return words
    if is_next:
        return ["node_modules/.bin/next", "start"]
    main = package.get("main")
    # A main the build script makes (dist/server.js from src/server.ts) exists only later.
    if isinstance(main, str) and (path_is_file(root / main) or "build" in scripts):
        return ["node", main]
    for candidate in ("server.js", "index.js", "app.js", "dist/server.js", "dist/index.js"):
        if (root / candidate).is_file():
            return ["node", candidate]
    return ["node", "index.js"]


def _entry_files(command: list[str]) -> list[str]:
    return [word for word in command[1:] if word.endswith((".js", ".mjs", ".cjs"))]


_SOURCE_SUFFIXES = (".ts", ".mts", ".cts", ".js", ".mjs", ".cjs")
# require("./app"), import app from "./app.js", import("./routes"), import "./x", export * from
_LOCAL_IMPORT = re.compile(
    r"""(?:require|import)\s*\(?\s*["'](\.{1,2}/[^"']+)["']|from\s+["'](\.{1,2}/[^"']+)["']"""
)
_MAX_PORT_SOURCES = 24


def _port_sources(root: Path, entry_files: list[str]) -> list[str]:
    """The files to read for the port: the entry, its TypeScript source when the entry is
    a build output (``dist/server.js`` from ``src/server.ts``), and the local modules they
    import, breadth first (the server often listens in ``./app``)."""
    queue = [found for name in entry_files for found in _source_of(root, name)]
    seen: list[str] = []
    while queue and len(seen) < _MAX_PORT_SOURCES:
        name = queue.pop(0)
        if name in seen:
            continue
        seen.append(name)
        text = read_text(root / name) or ""
        for match in _LOCAL_IMPORT.finditer(text):
            target = (Path(name).parent / (match.group(1) or match.group(2))).as_posix()
            queue.extend(_resolve_module(root, target))
    return seen


def _source_of(root: Path, name: str) -> list[str]:
    """``name`` if it exists, else the source a build would make it from."""
    if (root / name).is_file():
        return [name]
    path = Path(name)
    stem = path.with_suffix("").as_posix()
    inside = Path(*path.parts[1:]).with_suffix("").as_posix() if len(path.parts) > 1 else stem
    for base in (f"src/{inside}", inside, stem, f"src/{path.stem}"):
        for suffix in _SOURCE_SUFFIXES:
            if (root / f"{base}{suffix}").is_file():
                return [f"{base}{suffix}"]
    return []


def _resolve_module(root: Path, target: str) -> list[str]:
    """A relative import as Node or TypeScript resolves it: as written, with a suffix,
    a .js import of a .ts file, or a directory's index."""
    target = os.path.normpath(target)
    if target.startswith(".."):
        return []  # outside the project
    suffix = Path(target).suffix
    stem = target[: -len(suffix)] if suffix in _SOURCE_SUFFIXES else target
    candidates = [target, *(stem + s for s in _SOURCE_SUFFIXES)]
    candidates += [f"{target}/index{s}" for s in _SOURCE_SUFFIXES]
    return [c for c in candidates if (root / c).is_file()][:1]


def _build_output(build_script: str, is_next: bool) -> str:
    if is_next:
        return ".next"
    match = re.search(r"(?:--outDir|--out-dir|-o|--output-path)[= ](\S+)", build_script)
    return match.group(1).strip("./") if match else "dist"


STACK = Stack(
    name="node",
    label="Node.js",
    markers=("package.json",),
    ignore=(
        Candidate("**/node_modules", "installed by the image's npm/yarn/pnpm", essential=True),
        Candidate("npm-debug.log*", "npm logs"),
        Candidate("yarn-error.log", "yarn logs"),
        Candidate(".npm", "npm cache"),
        Candidate("coverage", "test coverage"),
        Candidate(".next", "Next.js build output (rebuilt in the image)"),
        Candidate(".nuxt", "Nuxt build output"),
        Candidate(".turbo", "Turborepo cache"),
        Candidate(".parcel-cache", "Parcel cache"),
        Candidate("dist", "build output (rebuilt in the image)"),
        Candidate("build", "build output (rebuilt in the image)"),
    ),
    pattern="install and build in `node:<v>` AS build, then copy the build output and "
    "production `node_modules` (`npm ci --omit=dev`) into `node:<v>-slim` or `-alpine`",
    families=("node",),
    os_packages=("nodejs", "npm", "yarn"),
    detect=detect,
)
