"""Well-known packages that compile native code on install, and the Debian packages they need.

A Python distribution without a wheel for the platform (``psycopg2``, ``mysqlclient``,
``python-ldap``; ``lxml`` or a cffi-based package on a Python or libc its wheels do not
cover) is built by pip from source: the build stage needs a C compiler and the library's
headers (``libpq-dev``), the runtime only the shared library (``libpq5``). Node's native
addons go through node-gyp, which needs Python, make and a C++ compiler in the build.

Package names are Debian 13 (trixie)'s. ``init`` and ``rewrite`` read :func:`native_needs`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class NativePackage:
    """A package that builds from source: its Debian build and runtime packages."""

    ecosystem: str  # "pip" or "npm"
    name: str
    build: tuple[str, ...]
    runtime: tuple[str, ...]
    why: str


# node-gyp's own needs: every native addon built from source goes through it.
NODE_GYP_BUILD = ("python3", "make", "g++")

NATIVE_PACKAGES: tuple[NativePackage, ...] = (
    NativePackage("pip", "psycopg2", ("gcc", "libpq-dev"), ("libpq5",), "links libpq"),
    NativePackage(
        "pip",
        "mysqlclient",
        ("gcc", "pkg-config", "default-libmysqlclient-dev"),
        ("libmariadb3",),
        "links the MySQL/MariaDB client library",
    ),
    NativePackage(
        "pip",
        "python-ldap",
        ("gcc", "libldap-dev", "libsasl2-dev"),
        ("libldap2", "libsasl2-2"),
        "links OpenLDAP and SASL",
    ),
    NativePackage(
        "pip",
        "lxml",
        ("gcc", "libxml2-dev", "libxslt1-dev"),
        ("libxml2", "libxslt1.1"),
        "links libxml2 and libxslt when no wheel fits",
    ),
    NativePackage("pip", "cffi", ("gcc", "libffi-dev"), ("libffi8",), "links libffi"),
    NativePackage(
        "pip", "pyodbc", ("g++", "unixodbc-dev"), ("libodbc2",), "links the unixODBC driver manager"
    ),
    NativePackage("pip", "uwsgi", ("gcc",), (), "compiles its server in C"),
    NativePackage("npm", "bcrypt", NODE_GYP_BUILD, (), "a node-gyp addon"),
    NativePackage("npm", "better-sqlite3", NODE_GYP_BUILD, (), "a node-gyp addon"),
    NativePackage("npm", "sqlite3", NODE_GYP_BUILD, (), "a node-gyp addon"),
    NativePackage("npm", "argon2", NODE_GYP_BUILD, (), "a node-gyp addon"),
    NativePackage(
        "npm",
        "canvas",
        (*NODE_GYP_BUILD, "libcairo2-dev", "libpango1.0-dev", "libjpeg-dev", "libgif-dev"),
        ("libcairo2", "libpango-1.0-0", "libpangocairo-1.0-0", "libjpeg62-turbo", "libgif7"),
        "a node-gyp addon linking cairo and pango",
    ),
    NativePackage("npm", "node-gyp", NODE_GYP_BUILD, (), "builds native addons"),
    NativePackage("npm", "re2", NODE_GYP_BUILD, (), "a node-gyp addon"),
    NativePackage("npm", "cpu-features", NODE_GYP_BUILD, (), "a node-gyp addon"),
)

_REQUIREMENT_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


def requirement_names(text: str) -> list[str]:
    """Distribution names in a requirements file or dependency list (one a line),
    normalised, each once, in the order written."""
    names: dict[str, None] = {}
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip().strip("\"',")
        if not line or line.startswith("-"):
            continue
        match = _REQUIREMENT_NAME.match(line)
        if match:
            names[match.group(1).lower().replace("_", "-")] = None
    return list(names)


def native_needs(ecosystem: str, names: Iterable[str]) -> list[NativePackage]:
    """The table's entries among ``names`` (normalised distribution or package names)."""
    wanted = {name.lower().replace("_", "-") for name in names}
    return [p for p in NATIVE_PACKAGES if p.ecosystem == ecosystem and p.name in wanted]


def build_packages(needs: Iterable[NativePackage]) -> list[str]:
    """The Debian build packages of ``needs``, each once, in table order."""
    return list(dict.fromkeys(name for need in needs for name in need.build))


def runtime_packages(needs: Iterable[NativePackage]) -> list[str]:
    return list(dict.fromkeys(name for need in needs for name in need.runtime))
