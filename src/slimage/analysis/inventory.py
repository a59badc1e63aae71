"""What is in the image: OS, packages, shell, package managers, privileges, ports.

Built from the final filesystem's records, the few file contents the streaming pass kept
(see :func:`slimage.analysis.explain.content_wanted`) and the image config. Pure: no I/O.
"""

from __future__ import annotations

import stat
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from slimage.filesystem import FileKind, FileRecord
from slimage.image.config import image_config_body as image_config_body

OS_RELEASE_PATHS = ("etc/os-release", "usr/lib/os-release")

# Programs whose presence means a shell or a package manager ships in the image.
SHELLS = ("bin/sh", "usr/bin/sh", "bin/bash", "usr/bin/bash", "bin/ash", "bin/busybox")
PACKAGE_MANAGERS: dict[str, str] = {
    "usr/bin/apt-get": "apt",
    "usr/bin/dpkg": "dpkg",
    "sbin/apk": "apk",
    "usr/bin/dnf": "dnf",
    "usr/bin/microdnf": "microdnf",
    "usr/bin/yum": "yum",
    "usr/bin/rpm": "rpm",
    "usr/bin/zypper": "zypper",
    "usr/bin/pip": "pip",
    "usr/bin/pip3": "pip",
    "usr/local/bin/pip": "pip",
    "usr/local/bin/pip3": "pip",
    "usr/bin/npm": "npm",
    "usr/local/bin/npm": "npm",
    "usr/local/bin/yarn": "yarn",
    "usr/bin/yarn": "yarn",
    "usr/local/bin/pnpm": "pnpm",
    "usr/bin/gem": "gem",
    "usr/local/bin/gem": "gem",
}
# usrmerge: /bin, /sbin and /lib are symlinks into /usr on current Debian and Ubuntu.
MERGED_DIRS = ("bin", "sbin", "lib", "lib32", "lib64", "libx32")


@dataclass(frozen=True)
class OsInfo:
    """The image's distribution, from os-release or the distribution's version file."""

    id: str  # "debian", "ubuntu", "alpine"
    version_id: str  # "12", "22.04", "3.19.1"
    pretty_name: str


@dataclass(frozen=True)
class InstalledPackage:
    """One installed package: an OS package (dpkg, apk), a Python distribution or a Node package."""

    name: str
    version: str
    installed_bytes: int  # as the package database says (dpkg: Installed-Size KiB x 1024)
    manager: str  # "dpkg", "apk", "python", "node"
    location: str = ""  # python/node: the directory it is installed in


@dataclass
class Inventory:
    """What is in the image: OS, packages, shell, package managers, privileges and ports."""

    os: OsInfo | None = None
    os_packages: list[InstalledPackage] = field(default_factory=list)
    python_packages: list[InstalledPackage] = field(default_factory=list)
    node_packages: list[InstalledPackage] = field(default_factory=list)
    shell: str | None = None  # path of the shell, "" when none
    package_managers: list[str] = field(default_factory=list)
    setuid_files: list[str] = field(default_factory=list)
    setgid_files: list[str] = field(default_factory=list)
    user: str = ""  # as configured ("" means root)
    runs_as_root: bool = True
    exposed_ports: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what could not be inventoried, and why


def parse_os_release(text: str) -> OsInfo:
    """os-release(5): KEY=value lines, values optionally quoted."""
    values: dict[str, str] = {}
    for line in text.splitlines():
        key, sep, value = line.strip().partition("=")
        if not sep or key.startswith("#"):
            continue
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        values[key] = value
    return OsInfo(
        id=values.get("ID", ""),
        version_id=values.get("VERSION_ID", ""),
        pretty_name=values.get("PRETTY_NAME", values.get("NAME", "")),
    )


def user_is_root(user: str) -> bool:
    """USER "", "root", "0", "root:x" or "0:0" runs as root; anything else does not."""
    name = user.split(":", 1)[0].strip()
    return name in {"", "root", "0"}


# Older or trimmed images may lack os-release but keep the distribution's version file.
VERSION_FILES = (
    ("etc/alpine-release", "alpine", "Alpine Linux"),
    ("etc/debian_version", "debian", "Debian"),
)


def find_os(contents: Mapping[str, bytes]) -> OsInfo | None:
    for path in OS_RELEASE_PATHS:
        data = contents.get(path)
        if data is not None:
            return parse_os_release(data.decode("utf-8", "replace"))
    for path, os_id, name in VERSION_FILES:
        data = contents.get(path)
        if data is not None:
            version = data.decode("utf-8", "replace").strip()
            return OsInfo(os_id, version, f"{name} {version}")
    return None


def _exists(files: Mapping[str, FileRecord], path: str) -> bool:
    if path in files:
        return True
    top, sep, _ = path.partition("/")
    if sep and top in MERGED_DIRS:
        return f"usr/{path}" in files
    return False


def build_inventory(
    files: Mapping[str, FileRecord],
    contents: Mapping[str, bytes],
    config: Mapping[str, Any],
    *,
    os_packages: list[InstalledPackage] | None = None,
    python_packages: list[InstalledPackage] | None = None,
    node_packages: list[InstalledPackage] | None = None,
    notes: list[str] | None = None,
) -> Inventory:
    body = image_config_body(config)
    user = str(body.get("User") or "")
    ports = body.get("ExposedPorts") or {}
    inventory = Inventory(
        os=find_os(contents),
        os_packages=sorted(os_packages or [], key=lambda p: p.name),
        python_packages=sorted(python_packages or [], key=lambda p: (p.name.lower(), p.location)),
        node_packages=sorted(node_packages or [], key=lambda p: (p.name, p.location)),
        user=user,
        runs_as_root=user_is_root(user),
        exposed_ports=sorted(str(port) for port in ports) if isinstance(ports, Mapping) else [],
        notes=list(notes or []),
    )
    inventory.shell = next((f"/{p}" for p in SHELLS if _exists(files, p)), "")
    managers = {name for path, name in PACKAGE_MANAGERS.items() if _exists(files, path)}
    inventory.package_managers = sorted(managers)
    file_kind = FileKind.FILE  # a local name: an enum lookup per file costs more
    for path, record in files.items():
        if record.kind is not file_kind:
            continue
        if record.mode & stat.S_ISUID:
            inventory.setuid_files.append(f"/{path}")
        if record.mode & stat.S_ISGID:
            inventory.setgid_files.append(f"/{path}")
    inventory.setuid_files.sort()
    inventory.setgid_files.sort()
    return inventory
