"""OS and language packages added, removed, upgraded or downgraded between two inventories.

Packages are matched by manager and name (and, for Python and Node packages, the
directory they are installed in: two virtualenvs may hold the same distribution).
Versions are ordered as dpkg orders them (deb-version(7): epoch, upstream version,
revision; ``~`` sorts before anything), which also orders apk, PEP 440 and semver
versions correctly in the common cases.
"""

from __future__ import annotations

from collections.abc import Iterable

from slimage.analysis.inventory import InstalledPackage, Inventory
from slimage.diff.model import PackageChange

_MANAGER_ORDER = {"dpkg": 0, "apk": 0, "rpm": 0, "python": 1, "node": 2}


def _key(package: InstalledPackage) -> tuple[str, str, str]:
    return (package.manager, package.name, package.location)


def _all(inventory: Inventory) -> dict[tuple[str, str, str], InstalledPackage]:
    packages: Iterable[InstalledPackage] = (
        *inventory.os_packages,
        *inventory.python_packages,
        *inventory.node_packages,
    )
    return {_key(package): package for package in packages}


def compare_packages(before: Inventory, after: Inventory) -> list[PackageChange]:
    """Every package whose presence or version differs: OS packages first, then Python
    and Node, each by name."""
    old, new = _all(before), _all(after)
    changes: list[PackageChange] = []
    for key in sorted(old.keys() | new.keys(), key=lambda k: (_MANAGER_ORDER.get(k[0], 3), k)):
        manager, name, location = key
        was, now = old.get(key), new.get(key)
        if was is None and now is not None:
            changes.append(
                PackageChange(
                    manager, name, "added", "", now.version, 0, now.installed_bytes, location
                )
            )
        elif now is None and was is not None:
            changes.append(
                PackageChange(
                    manager, name, "removed", was.version, "", was.installed_bytes, 0, location
                )
            )
        elif was is not None and now is not None and was.version != now.version:
            order = compare_versions(now.version, was.version)
            changes.append(
                PackageChange(
                    manager,
                    name,
                    "upgraded" if order >= 0 else "downgraded",
                    was.version,
                    now.version,
                    was.installed_bytes,
                    now.installed_bytes,
                    location,
                )
            )
    return changes


def compare_versions(left: str, right: str) -> int:
    """-1, 0 or 1 as ``left`` sorts before, with or after ``right`` (dpkg's order)."""
    left_epoch, left_upstream, left_revision = _split(left)
    right_epoch, right_upstream, right_revision = _split(right)
    if left_epoch != right_epoch:
        return -1 if left_epoch < right_epoch else 1
    return _verrevcmp(left_upstream, right_upstream) or _verrevcmp(left_revision, right_revision)


def _split(version: str) -> tuple[int, str, str]:
    epoch_text, colon, rest = version.partition(":")
    epoch = 0
    if colon and epoch_text.isdigit():
        epoch = int(epoch_text)
    else:
        rest = version
    upstream, dash, revision = rest.rpartition("-")
    if not dash:
        return epoch, rest, ""
    return epoch, upstream, revision


def _order(char: str) -> int:
    """deb-version(7): ``~`` first, then the end of a part, then letters, then the rest."""
    if char == "~":
        return -1
    if char.isalpha():
        return ord(char)
    return ord(char) + 256


def _verrevcmp(left: str, right: str) -> int:
    i = j = 0
    while i < len(left) or j < len(right):
        # The non-digit prefixes, character by character.
        while (i < len(left) and not left[i].isdigit()) or (
            j < len(right) and not right[j].isdigit()
        ):
            a = _order(left[i]) if i < len(left) and not left[i].isdigit() else 0
            b = _order(right[j]) if j < len(right) and not right[j].isdigit() else 0
            if a != b:
                return -1 if a < b else 1
            i += 1
            j += 1
        # Then the numbers, compared as numbers.
        start_i, start_j = i, j
        while i < len(left) and left[i].isdigit():
            i += 1
        while j < len(right) and right[j].isdigit():
            j += 1
        a_number = int(left[start_i:i] or 0)
        b_number = int(right[start_j:j] or 0)
        if a_number != b_number:
            return -1 if a_number < b_number else 1
    return 0
