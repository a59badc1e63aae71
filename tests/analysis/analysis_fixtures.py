"""Shared fixtures for the analysis tests: a real Debian 12 dpkg database excerpt.

``tests/data/analysis/bookworm-dpkg.tar.gz`` (made by ``make_dpkg_fixture.py`` on a
Debian 12 system) holds the status stanzas and ``*.list`` files of 175 packages (the
closure of build-essential, git, python3, curl, ca-certificates and tzdata plus the
required base) and ``files.tsv``: every listed regular file with its real size and mode.
"""

from __future__ import annotations

import functools
import tarfile
from pathlib import Path

from slimage.filesystem import FileKind, FileRecord

DATA = Path(__file__).parent.parent / "data" / "analysis"
MERGED = ("bin", "sbin", "lib", "lib32", "lib64", "libx32")


@functools.cache
def _members() -> dict[str, bytes]:
    with tarfile.open(DATA / "bookworm-dpkg.tar.gz") as tar:
        members = {}
        for member in tar.getmembers():
            handle = tar.extractfile(member)
            assert handle is not None
            members[member.name] = handle.read()
        return members


def dpkg_contents() -> dict[str, bytes]:
    """The kept contents explain() would get: status and every *.list file."""
    return {path: data for path, data in _members().items() if path.startswith("var/")}


def usr_merged(path: str) -> str:
    top = path.split("/", 1)[0]
    return f"usr/{path}" if top in MERGED else path


def bookworm_files(layer_index: int = 0) -> dict[str, FileRecord]:
    """The packages' files as a usr-merged bookworm image has them (bin -> usr/bin)."""
    files: dict[str, FileRecord] = {}
    for line in _members()["files.tsv"].decode().splitlines():
        path, size, mode = line.split("\t")
        path = usr_merged(path)
        files[path] = FileRecord(path, FileKind.FILE, int(size), int(mode, 8), 0, 0, layer_index)
    for name in MERGED:
        files[name] = FileRecord(name, FileKind.SYMLINK, 0, 0o777, 0, 0, 0, f"usr/{name}")
    for path, data in dpkg_contents().items():
        files[path] = FileRecord(path, FileKind.FILE, len(data), 0o644, 0, 0, layer_index)
    return files


def record(
    path: str,
    size: int,
    layer: int = 0,
    *,
    kind: FileKind = FileKind.FILE,
    mode: int = 0o644,
    link_target: str = "",
    digest: str | None = None,
) -> FileRecord:
    return FileRecord(path, kind, size, mode, 0, 0, layer, link_target, digest)


def filesystem(*records: FileRecord) -> dict[str, FileRecord]:
    return {r.path: r for r in records}


@functools.cache
def _node_members() -> dict[str, bytes]:
    with tarfile.open(DATA / "node-app.tar.gz") as tar:
        members = {}
        for member in tar.getmembers():
            handle = tar.extractfile(member)
            assert handle is not None
            members[member.name] = handle.read()
        return members


def node_app() -> tuple[dict[str, FileRecord], dict[str, bytes], set[str]]:
    """An app (express; devDependencies eslint and jest) after `npm install`, at /app:
    its files, the manifests content_wanted keeps, and the package directories that
    `npm ci --omit=dev` keeps (the oracle)."""
    members = _node_members()
    files: dict[str, FileRecord] = {}
    for line in members["files.tsv"].decode().splitlines():
        path, size = line.split("\t")
        files[path] = FileRecord(path, FileKind.FILE, int(size), 0o644, 0, 0, 1)
    files["app/package.json"] = FileRecord(
        "app/package.json", FileKind.FILE, len(members["app/package.json"]), 0o644, 0, 0, 1
    )
    contents = {p: d for p, d in members.items() if p.endswith("package.json")}
    prod = set(members["prod.txt"].decode().split())
    return files, contents, prod


@functools.cache
def _python_members() -> dict[str, bytes]:
    with tarfile.open(DATA / "site-packages.tar.gz") as tar:
        members = {}
        for member in tar.getmembers():
            handle = tar.extractfile(member)
            assert handle is not None
            members[member.name] = handle.read()
        return members


SITE = "opt/venv/lib/python3.11/site-packages"


def python_venv(layer_index: int = 2) -> tuple[dict[str, FileRecord], dict[str, bytes]]:
    """A real virtualenv (slimage's own, 40 distributions) at /opt/venv: every file RECORD
    lists, with the size RECORD gives (RECORD's own row has none: its real length)."""
    import csv
    import io
    import posixpath

    members = _python_members()
    files: dict[str, FileRecord] = {}
    for path, data in members.items():
        files[path] = FileRecord(path, FileKind.FILE, len(data), 0o644, 0, 0, layer_index)
        if not path.endswith("/RECORD"):
            continue
        for row in csv.reader(io.StringIO(data.decode())):
            if len(row) < 3 or not row[2]:
                continue
            target = posixpath.normpath(posixpath.join("/" + SITE, row[0])).lstrip("/")
            files.setdefault(
                target, FileRecord(target, FileKind.FILE, int(row[2]), 0o644, 0, 0, layer_index)
            )
    return files, dict(members)
