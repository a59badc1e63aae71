"""Python distributions: inventory from ``*.dist-info`` and the ones only development needs.

Each installed distribution has ``METADATA`` (``Name``, ``Version``, ``Requires-Dist``) and
``RECORD`` (its files, relative to the site-packages directory; the core metadata and
recording-installed-packages specifications). Test, lint and type-check tools, and the
packaging tools themselves, are not needed to run an app: they, and whatever only they
required, are avoidable -- the same autoremove reasoning as for OS packages.
"""

from __future__ import annotations

import csv
import io
import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from fnmatch import fnmatchcase

# Canonical (PEP 503) names of tools only development needs. Globs allowed.
DEV_TOOLS = (
    "pytest",
    "pytest-*",
    "iniconfig",
    "pluggy",
    "coverage",
    "hypothesis",
    "mypy",
    "mypy-extensions",
    "types-*",
    "*-stubs",
    "black",
    "ruff",
    "flake8",
    "flake8-*",
    "pyflakes",
    "pycodestyle",
    "mccabe",
    "pylint",
    "astroid",
    "isort",
    "tox",
    "nox",
    "pre-commit",
    "identify",
    "virtualenv",
    "pyright",
    "bandit",
    "sphinx",
    "sphinx-*",
    "ipython",
    "ipdb",
    "jupyter*",
    "ipykernel",
    "notebook",
    "pip-tools",
    "build",
    "twine",
    "faker",
    "factory-boy",
)
# Installers: needed to install, not to run. Reported apart (distroless has none).
PACKAGING_TOOLS = ("pip", "setuptools", "wheel", "uv", "poetry", "poetry-core", "pipenv")
_SPLIT = re.compile(r"[-_.]+")
_REQUIREMENT_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


def canonical_name(name: str) -> str:
    return _SPLIT.sub("-", name).lower()


@dataclass
class Distribution:
    """One installed Python distribution, from the METADATA and RECORD of its ``*.dist-info``."""

    name: str  # canonical
    display_name: str
    version: str
    site_dir: str  # the site-packages directory
    metadata_dir: str  # ".../<name>-<version>.dist-info"
    requires: list[str] = field(default_factory=list)  # canonical names, extras excluded
    files: list[str] = field(default_factory=list)  # normalised image paths


def dev_kind(name: str) -> str | None:
    """ "dev-tool", "packaging-tool" or None for a runtime distribution."""
    if any(fnmatchcase(name, glob) for glob in DEV_TOOLS):
        return "dev-tool"
    if name in PACKAGING_TOOLS:
        return "packaging-tool"
    return None


def _requires(message_requires: list[str]) -> list[str]:
    names = []
    for requirement in message_requires:
        spec, _, marker = requirement.partition(";")
        if "extra" in marker:
            continue  # only wanted with an extra the installer may not have asked for
        match = _REQUIREMENT_NAME.match(spec)
        if match:
            names.append(canonical_name(match.group(1)))
    return names


def _record_paths(text: str, site_dir: str) -> list[str]:
    """RECORD rows, relative to the site directory; scripts sit in ``../../../bin``. Rows
    pointing outside the environment's prefix (``opt/venv/``, ``usr/local/``) are
    ignored: a distribution cannot own files elsewhere."""
    prefix = site_dir.split("/lib/", 1)[0] + "/" if "/lib/" in site_dir else ""
    paths = []
    for row in csv.reader(io.StringIO(text)):
        if not row or not row[0]:
            continue
        joined = posixpath.normpath(posixpath.join("/" + site_dir, row[0])).lstrip("/")
        if joined.startswith(prefix):
            paths.append(joined)
    return paths


def find_distributions(contents: Mapping[str, bytes]) -> list[Distribution]:
    found: dict[str, Distribution] = {}
    for path, data in contents.items():
        if not path.endswith(("dist-info/METADATA", "egg-info/PKG-INFO")):
            continue
        metadata_dir = posixpath.dirname(path)
        # Imported here: the email package costs ~12 ms to load, and most images
        # have no Python distributions to read.
        from email.parser import HeaderParser

        message = HeaderParser().parsestr(data.decode("utf-8", "replace"))
        display = str(message.get("Name") or "").strip()
        if not display:
            continue
        distribution = Distribution(
            name=canonical_name(display),
            display_name=display,
            version=str(message.get("Version") or "").strip(),
            site_dir=posixpath.dirname(metadata_dir),
            metadata_dir=metadata_dir,
            requires=_requires([str(r) for r in message.get_all("Requires-Dist") or []]),
        )
        record = contents.get(f"{metadata_dir}/RECORD")
        if record is not None:
            distribution.files = _record_paths(
                record.decode("utf-8", "replace"), distribution.site_dir
            )
        found[metadata_dir] = distribution
    return sorted(found.values(), key=lambda d: d.metadata_dir)


def _roots(site: Mapping[str, Distribution], requested: set[str]) -> list[str]:
    """What was asked for: pip and uv mark it with a ``REQUESTED`` file (PEP 376);
    without any marks, the distributions nothing else requires."""
    candidates = [name for name in site if dev_kind(name) is None]
    marked = [name for name in candidates if site[name].metadata_dir in requested]
    if marked:
        return marked
    required = {req for distribution in site.values() for req in distribution.requires}
    return [name for name in candidates if name not in required]


def dev_only(distributions: list[Distribution], requested: set[str]) -> dict[str, str]:
    """metadata_dir -> "dev-tool"/"packaging-tool" for distributions only development needs.

    ``requested``: metadata directories holding a ``REQUESTED`` marker. Per site-packages
    directory, whatever the roots (see :func:`_roots`) require, transitively, stays --
    even a tool (an app that requires setuptools at run time keeps it); the rest goes.
    """
    by_site: dict[str, dict[str, Distribution]] = {}
    for distribution in distributions:
        by_site.setdefault(distribution.site_dir, {})[distribution.name] = distribution
    verdict: dict[str, str] = {}
    for site in by_site.values():
        kept: set[str] = set()
        stack = _roots(site, requested)
        while stack:
            name = stack.pop()
            if name in kept or name not in site:
                continue
            kept.add(name)
            stack.extend(site[name].requires)
        for name, distribution in site.items():
            if name in kept:
                continue
            kind = dev_kind(name)
            if kind is None:
                kind = "dev-tool"  # required only by dev tools
            verdict[distribution.metadata_dir] = kind
    return verdict
