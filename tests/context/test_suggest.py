"""--suggest on sample projects: junk out, what COPY and the build step need kept."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from slimage.context.ignore import PatternMatcher
from slimage.context.inspect import inspect_context
from slimage.context.scan import scan_context
from slimage.context.suggest import build_requirements, detect_stacks

NODE_DOCKERFILE = """\
FROM node:20-slim
WORKDIR /app
COPY package.json package-lock.json ./
COPY src ./src
COPY dist/ ./dist
COPY bin/cli.js ./bin/
"""

PYTHON_DOCKERFILE = """\
FROM python:3.12-slim
WORKDIR /src
COPY . .
"""

GO_DOCKERFILE = """\
FROM golang:1.22 AS build
WORKDIR /src
COPY go.mod go.sum ./
COPY cmd ./cmd
FROM scratch
COPY --from=build /src/cmd /cmd
"""


def write_tree(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def node_sample(root: Path) -> None:
    package = {"name": "demo", "main": "src/index.js", "bin": {"demo": "bin/cli.js"}}
    write_tree(
        root,
        {
            "Dockerfile": NODE_DOCKERFILE,
            "package.json": json.dumps(package),
            "package-lock.json": "{}",
            "src/index.js": "console.log(1)",
            "bin/cli.js": "#!/usr/bin/env node",
            "dist/bundle.js": "built",
            "node_modules/left-pad/index.js": "module.exports = 1",
            ".git/HEAD": "ref: refs/heads/main",
            ".env": "TOKEN=secret",
            ".env.example": "TOKEN=",
            "npm-debug.log": "log",
            ".vscode/settings.json": "{}",
        },
    )


def python_sample(root: Path) -> None:
    write_tree(
        root,
        {
            "Dockerfile": PYTHON_DOCKERFILE,
            "pyproject.toml": (
                '[project]\nname = "demo"\nversion = "1"\nreadme = "README.md"\n'
                'license-files = ["LICENSE*"]\n'
            ),
            "README.md": "# demo",
            "LICENSE.txt": "MIT",
            "demo/__init__.py": "",
            "demo/__pycache__/x.cpython-312.pyc": "bytecode",
            ".venv/pyvenv.cfg": "home = /usr",
            ".venv/lib/site.py": "",
            ".pytest_cache/v": "",
            ".git/HEAD": "ref",
            ".env": "SECRET=1",
            "build/lib/demo.py": "",
        },
    )


def go_sample(root: Path) -> None:
    write_tree(
        root,
        {
            "Dockerfile": GO_DOCKERFILE,
            "go.mod": "module demo\n",
            "go.sum": "",
            "cmd/main.go": "package main",
            "cmd/main_test.go": "package main",
            "demo.test": "binary",
            "coverage.out": "mode: set",
            ".git/HEAD": "ref",
            ".idea/workspace.xml": "<x/>",
        },
    )


def _suggested(root: Path) -> tuple[PatternMatcher, str]:
    report = inspect_context(root, suggest=True)
    assert report.suggestion is not None
    return PatternMatcher(report.suggestion.patterns), report.suggestion.text


def test_node_suggestion(tmp_path: Path) -> None:
    node_sample(tmp_path)
    matcher, text = _suggested(tmp_path)
    for junk in (".git", "node_modules", ".env", "npm-debug.log", ".vscode"):
        assert matcher.matches(junk), junk
    for needed in ("package.json", "package-lock.json", "src/index.js", "bin/cli.js"):
        assert not matcher.matches(needed), needed
    # dist is a Node build-output candidate, but COPY dist/ needs it.
    assert not matcher.matches("dist/bundle.js")
    assert "**/node_modules" in text.splitlines()
    assert not matcher.matches(".env.example")  # a template holds no secret


def test_python_suggestion_keeps_pyproject_readme_and_license(tmp_path: Path) -> None:
    python_sample(tmp_path)
    assert build_requirements(tmp_path, ["python"]) >= {"README.md", "LICENSE.txt"}
    matcher, _ = _suggested(tmp_path)
    for junk in (".git", ".venv", "demo/__pycache__/x.cpython-312.pyc", ".env", "build"):
        assert matcher.matches(junk), junk
    for needed in ("README.md", "LICENSE.txt", "pyproject.toml", "demo/__init__.py"):
        assert not matcher.matches(needed), needed


def test_go_suggestion(tmp_path: Path) -> None:
    go_sample(tmp_path)
    matcher, _ = _suggested(tmp_path)
    for junk in (".git", "demo.test", "coverage.out", ".idea"):
        assert matcher.matches(junk), junk
    for needed in ("go.mod", "go.sum", "cmd/main.go"):
        assert not matcher.matches(needed), needed


def test_suggestion_drops_a_candidate_the_copy_needs(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "Dockerfile": "FROM scratch\nCOPY .github/CODEOWNERS /owners\nCOPY build /b\n",
            ".github/CODEOWNERS": "* me",
            "build/out.txt": "x",
            "setup.py": "",
        },
    )
    report = inspect_context(tmp_path, suggest=True)
    assert report.suggestion is not None
    dropped = dict(report.suggestion.dropped)
    assert ".github" in dropped and "build" in dropped
    matcher = PatternMatcher(report.suggestion.patterns)
    assert not matcher.matches(".github/CODEOWNERS") and not matcher.matches("build/out.txt")


def test_detect_stacks(tmp_path: Path) -> None:
    go_sample(tmp_path / "go")
    node_sample(tmp_path / "node")
    assert detect_stacks(scan_context(tmp_path / "go")) == ["go"]
    assert detect_stacks(scan_context(tmp_path / "node")) == ["node"]


@pytest.mark.parametrize("sample", [node_sample, python_sample, go_sample])
def test_suggestion_text_reads_back_to_the_same_patterns(sample: object, tmp_path: Path) -> None:
    from slimage.context.ignore_file import read_ignore_file

    sample(tmp_path)  # type: ignore[operator]
    report = inspect_context(tmp_path, suggest=True)
    assert report.suggestion is not None
    assert read_ignore_file(report.suggestion.text) == report.suggestion.patterns
