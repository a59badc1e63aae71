"""Python: package manager (uv, Poetry, PDM, Pipenv, pip), version, entry point."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

from slimage.stacks.base import Candidate, Stack
from slimage.stacks.native import native_needs, requirement_names
from slimage.stacks.project import (
    AmbiguousProject,
    Project,
    guess_port,
    major_minor,
    read_text,
    read_toml,
)
from slimage.stacks.releases import PYTHON

DEFAULT_PYTHON = PYTHON.version
# Packages that compile C on install and usually lack musllinux wheels for older versions.
NEEDS_GLIBC = ("psycopg2", "mysqlclient", "lxml", "uwsgi", "pyodbc", "python-ldap", "cffi")


def detect(root: Path, entry: str | None = None) -> Project | None:
    pyproject = read_toml(root / "pyproject.toml") or {}
    requirements = _requirements_file(root)
    if (
        not pyproject
        and requirements is None
        and not any((root / f).is_file() for f in ("Pipfile", "setup.py", "uv.lock", "poetry.lock"))
    ):
        return None
    project_table: dict[str, Any] = pyproject.get("project") or {}
    poetry: dict[str, Any] = (pyproject.get("tool") or {}).get("poetry") or {}
    manager = _package_manager(root, pyproject, requirements)
    version = (
        major_minor(read_text(root / ".python-version"))
        or _from_requires(project_table.get("requires-python"))
        or _from_requires((poetry.get("dependencies") or {}).get("python"))
        or DEFAULT_PYTHON
    )
    deps_text = _dependency_text(root, project_table, poetry, requirements)
    command, server = _entry(root, entry, project_table, poetry, deps_text)
    port = guess_port([read_text(root / f) or "" for f in ("app.py", "main.py", "Procfile")])
    if server in {"gunicorn", "uvicorn"} and port is None:
        port = 8000
    native = sorted(
        p for p in NEEDS_GLIBC if re.search(rf"(?im)^\s*{p}\b", deps_text) or f'"{p}' in deps_text
    )
    name = str(project_table.get("name") or poetry.get("name") or root.name)
    is_package = bool(project_table.get("name") or poetry.get("name")) and _has_build(
        pyproject, poetry
    )
    return Project(
        root=root,
        stack="python",
        package_manager=manager,
        language_version=version,
        name=name,
        entry=command,
        port=port,
        needs_glibc=native,
        facts={
            "requirements": requirements,
            "install_project": is_package,
            "server": server,
            "server_missing": server is not None
            and not re.search(rf"(?im)(^|[\"'\s]){server}\b", deps_text),
            # Packages pip builds from source: their Debian build and runtime packages.
            "native": [n.name for n in native_needs("pip", _dependency_names(deps_text))],
            "needs_setuptools": bool(re.search(r"(?im)(^|[\"'\s])setuptools\b", deps_text)),
            "readme": project_table.get("readme")
            if isinstance(project_table.get("readme"), str)
            else None,
        },
    )


def _requirements_file(root: Path) -> str | None:
    for name in (
        "requirements.txt",
        "requirements/prod.txt",
        "requirements/production.txt",
        "requirements/base.txt",
    ):
        if (root / name).is_file():
            return name
    return None


def _package_manager(root: Path, pyproject: dict[str, Any], requirements: str | None) -> str:
    tool = pyproject.get("tool") or {}
    if (root / "uv.lock").is_file():
        return "uv"
    if (root / "poetry.lock").is_file() or "poetry" in tool:
        return "poetry"
    if (root / "pdm.lock").is_file():
        return "pdm"
    if (root / "Pipfile.lock").is_file() or (root / "Pipfile").is_file():
        return "pipenv"
    return "pip"


def _has_build(pyproject: dict[str, Any], poetry: dict[str, Any]) -> bool:
    return "build-system" in pyproject or bool(poetry.get("packages"))


def _from_requires(spec: object) -> str | None:
    if not isinstance(spec, str):
        return None
    # ">=3.10,<3.13" -> the lowest allowed minor is the one the lockfile was made for.
    match = re.search(r"(?:>=|==|~=|\^|~)?\s*(3\.\d+)", spec)
    return match.group(1) if match else None


def _dependency_text(
    root: Path, project: dict[str, Any], poetry: dict[str, Any], requirements: str | None
) -> str:
    parts = [str(d) for d in project.get("dependencies") or []]
    parts += list((poetry.get("dependencies") or {}).keys())
    if requirements:
        parts.append(read_text(root / requirements) or "")
    return "\n".join(parts)


def _entry(
    root: Path, entry: str | None, project: dict[str, Any], poetry: dict[str, Any], deps: str
) -> tuple[list[str], str | None]:
    """The runtime command (exec form) and the app server it uses, if any."""
    if entry:
        words = shlex.split(entry)
        return words, words[0] if words and words[0] in {"gunicorn", "uvicorn"} else None
    procfile = read_text(root / "Procfile")
    if procfile:
        match = re.search(r"(?m)^web:\s*(.+)$", procfile)
        if match:
            words = shlex.split(match.group(1))
            return words, words[0] if words[0] in {"gunicorn", "uvicorn"} else None
    scripts = dict(project.get("scripts") or {}) or dict(poetry.get("scripts") or {})
    if len(scripts) == 1:
        return [next(iter(scripts))], None
    if len(scripts) > 1:
        raise AmbiguousProject(f"{root}: several [project.scripts]", sorted(scripts), "--entry")
    lowered = deps.lower()
    app_module = _module_defining(root, ("FastAPI(", "Flask(")) or "app"
    if "fastapi" in lowered:
        return ["uvicorn", f"{app_module}:app", "--host", "0.0.0.0", "--port", "8000"], "uvicorn"
    if "django" in lowered:
        wsgi = sorted(p.parent.name for p in root.glob("*/wsgi.py"))
        module = f"{wsgi[0]}.wsgi" if wsgi else "config.wsgi"
        return ["gunicorn", "--bind", "0.0.0.0:8000", module], "gunicorn"
    if "flask" in lowered:
        return ["gunicorn", "--bind", "0.0.0.0:8000", f"{app_module}:app"], "gunicorn"
    for candidate in ("main.py", "app.py", "server.py"):
        if (root / candidate).is_file():
            return ["python", candidate], None
    return ["python", "-m", project.get("name", root.name).replace("-", "_")], None


def _module_defining(root: Path, markers: tuple[str, ...]) -> str | None:
    for candidate in ("app.py", "main.py", "server.py", "wsgi.py", "asgi.py"):
        text = read_text(root / candidate) or ""
        if any(m in text for m in markers):
            return candidate[:-3]
    return None


def _dependency_names(deps_text: str) -> list[str]:
    """Distribution names in requirement lines and PEP 508 strings."""
    return requirement_names(deps_text)


STACK = Stack(
    name="python",
    label="Python",
    markers=(
        "pyproject.toml",
        "requirements.txt",
        "Pipfile",
        "setup.py",
        "setup.cfg",
        "uv.lock",
        "poetry.lock",
    ),
    ignore=(
        Candidate("**/__pycache__", "bytecode caches", essential=True),
        Candidate("**/*.pyc", "compiled Python files", essential=True),
        Candidate("**/*.pyo", "optimised Python files"),
        Candidate(".venv", "local virtualenv", essential=True),
        Candidate("venv", "local virtualenv"),
        Candidate(".tox", "tox environments"),
        Candidate(".nox", "nox environments"),
        Candidate(".pytest_cache", "pytest cache", essential=True),
        Candidate("tests", "test suite (the build runs no tests)", only_without_tests=True),
        Candidate(".mypy_cache", "mypy cache"),
        Candidate(".ruff_cache", "ruff cache"),
        Candidate("**/*.egg-info", "packaging metadata (rebuilt)"),
        Candidate(".eggs", "setuptools eggs"),
        Candidate("build", "build output"),
        Candidate("dist", "built distributions"),
        Candidate(".coverage", "coverage data"),
        Candidate("htmlcov", "coverage report"),
    ),
    pattern="build a virtualenv in `python:<v>` AS build (compilers and `-dev` packages "
    "there), then copy `/opt/venv` into `python:<v>-slim` with only the runtime libraries",
    families=("python",),
    os_packages=("python3", "python", "python3-pip", "python-pip", "python3-venv"),
    detect=detect,
)
