"""The image's OS package database, parsed: dpkg and apk, with every package's size,
dependencies, priority and files.

- dpkg: ``var/lib/dpkg/status`` (deb-control(5) stanzas: Package, Status, Installed-Size in
  KiB, Depends/Pre-Depends with ``|`` alternatives and version constraints, Provides,
  Priority, Essential, Section), one ``var/lib/dpkg/info/<pkg>[:arch].list`` per package
  (its paths), and apt's ``var/lib/apt/extended_states`` (``Auto-Installed: 1`` marks what
  apt pulled in as a dependency).
- apk: ``lib/apk/db/installed`` (apk-installed(5): ``P:`` name, ``V:`` version, ``I:``
  installed bytes, ``D:`` depends, ``p:`` provides, ``F:`` a directory, ``R:`` a file in it).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

KIB = 1024


@dataclass
class OsPackage:
    """One package of a dpkg or apk database: size, dependencies, priority and files."""

    name: str
    version: str = ""
    installed_bytes: int = 0
    # Each inner list is one dependency: alternatives, any of which satisfies it.
    depends: list[list[str]] = field(default_factory=list)
    recommends: list[list[str]] = field(default_factory=list)
    provides: list[str] = field(default_factory=list)
    priority: str = ""
    essential: bool = False
    section: str = ""
    auto_installed: bool | None = None  # None: the database does not say
    files: list[str] = field(default_factory=list)  # normalised, no leading "/"


@dataclass
class PackageDb:
    """The image's OS package database (dpkg or apk): the installed packages by name."""

    manager: str  # "dpkg" or "apk"
    packages: dict[str, OsPackage]
    knows_auto_installed: bool = False
    requested: set[str] | None = None  # apk's /etc/apk/world: what was asked for

    def listings(self, merged_dirs: Iterable[str] = ()) -> dict[str, set[str]]:
        """path -> every package listing it (directories are listed by many packages)."""
        merged = tuple(f"{d}/" for d in merged_dirs)
        listed: dict[str, set[str]] = {}
        for package in self.packages.values():
            for path in package.files:
                listed.setdefault(path, set()).add(package.name)
                if merged and path.startswith(merged):
                    listed.setdefault(f"usr/{path}", set()).add(package.name)
        return listed

    def owners(self, merged_dirs: Iterable[str] = ()) -> dict[str, str]:
        """path -> package name; ``merged_dirs`` (usrmerge) also map ``bin/x`` to ``usr/bin/x``."""
        merged = tuple(f"{d}/" for d in merged_dirs)
        owner: dict[str, str] = {}
        for package in self.packages.values():
            for path in package.files:
                owner.setdefault(path, package.name)
                if merged and path.startswith(merged):
                    owner.setdefault(f"usr/{path}", package.name)
        return owner


# ---- parsing -------------------------------------------------------------------------


def _stanzas(text: str) -> Iterable[dict[str, str]]:
    """deb-control(5) paragraphs; continuation lines (leading space) are joined."""
    fields: dict[str, str] = {}
    last = ""
    for line in text.splitlines():
        if not line.strip():
            if fields:
                yield fields
            fields, last = {}, ""
            continue
        if line[0] in " \t":
            if last:
                fields[last] += "\n" + line.strip()
            continue
        key, sep, value = line.partition(":")
        if sep:
            last = key.strip()
            fields[last] = value.strip()
    if fields:
        yield fields


def parse_depends(text: str) -> list[list[str]]:
    """``a (>= 1) | b, c:any`` -> [["a", "b"], ["c"]] (versions and arch qualifiers dropped)."""
    groups: list[list[str]] = []
    for group in text.split(","):
        names = []
        for alternative in group.split("|"):
            name = alternative.strip().split(" ", 1)[0].split("(", 1)[0]
            name = name.split(":", 1)[0].strip()
            if name:
                names.append(name)
        if names:
            groups.append(names)
    return groups


def _installed(status: str) -> bool:
    # Status: want flag state; "config-files" and "not-installed" have no files on disk.
    words = status.split()
    return bool(words) and words[-1] in {
        "installed",
        "half-configured",
        "unpacked",
        "triggers-awaited",
        "triggers-pending",
    }


def parse_dpkg_status(text: str) -> dict[str, OsPackage]:
    packages: dict[str, OsPackage] = {}
    for fields in _stanzas(text):
        name = fields.get("Package", "")
        if not name or not _installed(fields.get("Status", "install ok installed")):
            continue
        size = fields.get("Installed-Size", "0").strip()
        depends = parse_depends(fields.get("Pre-Depends", ""))
        depends += parse_depends(fields.get("Depends", ""))
        packages[name] = OsPackage(
            name=name,
            version=fields.get("Version", ""),
            installed_bytes=int(size) * KIB if size.isdigit() else 0,
            depends=depends,
            recommends=parse_depends(fields.get("Recommends", "")),
            provides=[names[0] for names in parse_depends(fields.get("Provides", ""))],
            priority=fields.get("Priority", ""),
            essential=fields.get("Essential", "").lower() == "yes",
            section=fields.get("Section", ""),
        )
    return packages


def parse_dpkg_list(text: str) -> list[str]:
    """A ``*.list`` file: one absolute path per line, "/." for the root."""
    return [p for line in text.splitlines() if (p := line.strip().lstrip("/")) and p != "."]


def parse_extended_states(text: str) -> set[str]:
    """Names apt marked ``Auto-Installed: 1``."""
    return {
        fields["Package"]
        for fields in _stanzas(text)
        if "Package" in fields and fields.get("Auto-Installed", "0").strip() == "1"
    }


def parse_apk_installed(text: str) -> dict[str, OsPackage]:
    packages: dict[str, OsPackage] = {}
    current: OsPackage | None = None
    directory = ""
    for line in text.splitlines():
        if not line.strip():
            current, directory = None, ""
            continue
        key, sep, value = line.partition(":")
        if not sep or len(key) != 1:
            continue
        if key == "P":
            current = OsPackage(name=value)
            packages[value] = current
            directory = ""
        elif current is None:
            continue
        elif key == "V":
            current.version = value
        elif key == "I" and value.isdigit():
            current.installed_bytes = int(value)
        elif key == "D":
            current.depends = [
                [_apk_dep_name(word)] for word in value.split() if not word.startswith("!")
            ]
        elif key == "p":
            current.provides = [_apk_dep_name(word) for word in value.split()]
        elif key == "F":
            directory = value.strip("/")
        elif key == "R":
            current.files.append(f"{directory}/{value}" if directory else value)
    return packages


def parse_apk_world(text: str) -> set[str]:
    """``/etc/apk/world``: the packages asked for, one constraint per word (``name>=1``)."""
    return {_apk_dep_name(word).split("@", 1)[0] for word in text.split() if word[0] != "!"}


def _apk_dep_name(word: str) -> str:
    for operator in ("><", ">=", "<=", "=", ">", "<", "~"):
        word = word.split(operator, 1)[0]
    return word


def read_package_db(contents: Mapping[str, bytes]) -> PackageDb | None:
    """The OS package database from the kept contents, or None when the image has none."""
    status = contents.get("var/lib/dpkg/status")
    if status is not None:
        packages = parse_dpkg_status(status.decode("utf-8", "replace"))
        _attach_dpkg_lists(packages, contents)
        states = contents.get("var/lib/apt/extended_states")
        db = PackageDb("dpkg", packages, knows_auto_installed=states is not None)
        if states is not None:
            auto = parse_extended_states(states.decode("utf-8", "replace"))
            for package in packages.values():
                package.auto_installed = package.name in auto
        return db
    # distroless: one status stanza per package under status.d, and no file lists.
    stanzas = [
        data.decode("utf-8", "replace")
        for path, data in sorted(contents.items())
        if path.startswith("var/lib/dpkg/status.d/") and not path.endswith(".md5sums")
    ]
    if stanzas:
        return PackageDb("dpkg", parse_dpkg_status("\n\n".join(stanzas)))
    for path in ("lib/apk/db/installed", "usr/lib/apk/db/installed"):
        installed = contents.get(path)
        if installed is not None:
            packages = parse_apk_installed(installed.decode("utf-8", "replace"))
            world = contents.get("etc/apk/world")
            requested = None if world is None else parse_apk_world(world.decode("utf-8", "replace"))
            return PackageDb("apk", packages, requested=requested)
    return None


def _attach_dpkg_lists(packages: dict[str, OsPackage], contents: Mapping[str, bytes]) -> None:
    prefix = "var/lib/dpkg/info/"
    for path, data in contents.items():
        if not path.startswith(prefix) or not path.endswith(".list"):
            continue
        name = path[len(prefix) : -len(".list")].split(":", 1)[0]
        package = packages.get(name)
        if package is not None:
            package.files.extend(parse_dpkg_list(data.decode("utf-8", "replace")))
