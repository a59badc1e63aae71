"""Node packages: which installed packages only development needs.

An app's ``package.json`` names its runtime ``dependencies`` (plus optional and peer ones)
and its ``devDependencies``. Without reading a lockfile, the packages a production install
(``npm ci --omit=dev``) would keep are those reachable from the runtime dependencies,
resolved the way Node resolves ``require()`` (the nearest ``node_modules/<name>`` walking
up from the requiring package). Everything else in the app's ``node_modules`` -- the dev
dependencies and what only they pulled in -- is avoidable.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from slimage.errors import SlimageError
from slimage.filesystem import FileRecord
from slimage.limits import loads_json

RUNTIME_FIELDS = ("dependencies", "optionalDependencies", "peerDependencies")
# Tool caches that live in node_modules (babel-loader, eslint, webpack): never runtime.
CACHE_DIRS = (".cache",)


@dataclass
class NodePackage:
    """One package installed under node_modules, from its package.json."""

    name: str
    version: str
    directory: str  # ".../node_modules/<name>" (or "@scope/<name>")
    runtime_dependencies: list[str] = field(default_factory=list)


@dataclass
class NodeApp:
    """An app's package.json outside node_modules, its installed packages, and those a
    production install keeps."""

    directory: str  # "" for the root
    manifest: Mapping[str, object]
    packages: dict[str, NodePackage]  # directory -> package, under this app's node_modules
    runtime: set[str]  # directories of packages a production install keeps


def _load(data: bytes) -> dict[str, object] | None:
    try:
        value = loads_json(data.decode("utf-8", "replace"), "package.json", error=SlimageError)
    except SlimageError:  # not JSON, or nested past the limit: not a manifest to use
        return None
    return value if isinstance(value, dict) else None


def _names(manifest: Mapping[str, object], fields: Iterable[str]) -> list[str]:
    names: list[str] = []
    for name in fields:
        value = manifest.get(name)
        if isinstance(value, dict):
            names.extend(str(key) for key in value)
    return names


def package_directory(path: str) -> str | None:
    """The innermost ``node_modules/<pkg>`` directory holding ``path``, if any."""
    parts = path.split("/")
    if "node_modules" not in parts[:-1]:
        return None
    index = len(parts) - 1 - parts[::-1].index("node_modules")
    rest = parts[index + 1 :]
    if len(rest) < 2:
        return None  # a file directly in node_modules (.package-lock.json)
    width = 2 if rest[0].startswith("@") and len(rest) >= 3 else 1
    return "/".join(parts[: index + 1 + width])


def _resolve(name: str, start: str, packages: Mapping[str, NodePackage], stop: str) -> str | None:
    directory = start
    while True:
        candidate = f"{directory}/node_modules/{name}" if directory else f"node_modules/{name}"
        if candidate in packages:
            return candidate
        if directory == stop or not directory:
            return None
        directory = posixpath.dirname(directory)
        if directory.endswith("/node_modules"):
            directory = posixpath.dirname(directory)
        elif directory.endswith("node_modules"):
            directory = ""


def find_apps(contents: Mapping[str, bytes]) -> list[NodeApp]:
    """Apps (a package.json with a node_modules beside it) and their installed packages."""
    packages: dict[str, NodePackage] = {}
    manifests: dict[str, dict[str, object]] = {}
    for path, data in contents.items():
        if not path.endswith("package.json"):
            continue
        manifest = _load(data)
        if manifest is None:
            continue
        directory = posixpath.dirname(path)
        if package_directory(path) == directory:
            packages[directory] = NodePackage(
                name=str(manifest.get("name") or directory.rsplit("node_modules/", 1)[-1]),
                version=str(manifest.get("version") or ""),
                directory=directory,
                runtime_dependencies=_names(manifest, RUNTIME_FIELDS),
            )
        elif "node_modules" not in path.split("/"):
            manifests[directory] = manifest
    apps = []
    for directory, manifest in manifests.items():
        prefix = f"{directory}/node_modules/" if directory else "node_modules/"
        own = {d: p for d, p in packages.items() if d.startswith(prefix)}
        if not own:
            continue
        app = NodeApp(directory, manifest, own, set())
        stack = [
            found
            for name in _names(manifest, RUNTIME_FIELDS)
            if (found := _resolve(name, directory, own, directory)) is not None
        ]
        while stack:
            current = stack.pop()
            if current in app.runtime:
                continue
            app.runtime.add(current)
            for name in own[current].runtime_dependencies:
                found = _resolve(name, current, own, directory)
                if found is not None and found not in app.runtime:
                    stack.append(found)
        apps.append(app)
    return apps


def dev_only_files(app: NodeApp, regular: Mapping[str, FileRecord]) -> dict[str, str]:
    """Files of packages a production install would not keep: path -> package directory.

    Nothing is claimed when the manifest declares neither dependencies nor
    devDependencies, or uses workspaces (packages linked from elsewhere).
    """
    manifest = app.manifest
    if "workspaces" in manifest:
        return {}
    if not any(key in manifest for key in ("dependencies", "devDependencies")):
        return {}
    prefix = f"{app.directory}/node_modules/" if app.directory else "node_modules/"
    claimed: dict[str, str] = {}
    for path in regular:
        if not path.startswith(prefix):
            continue
        rest = path[len(prefix) :]
        if rest.startswith(CACHE_DIRS):
            claimed[path] = prefix + rest.split("/", 1)[0]
            continue
        if rest.startswith(".") or "/" not in rest:
            continue  # npm's bookkeeping (.package-lock.json, .bin links)
        # The outermost package on the path decides: a dev package's nested copies are dev.
        outer = _outermost(path, prefix)
        directory = package_directory(path)
        if outer in app.packages and outer not in app.runtime:
            claimed[path] = outer
        elif directory in app.packages and directory not in app.runtime:
            claimed[path] = directory
    return claimed


def _outermost(path: str, prefix: str) -> str:
    rest = path[len(prefix) :].split("/")
    width = 2 if rest[0].startswith("@") and len(rest) >= 2 else 1
    return prefix + "/".join(rest[:width])
