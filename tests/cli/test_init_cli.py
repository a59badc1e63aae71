"""`slimage init` through the real CLI: files written, never overwritten, lint-clean."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from slimage.findings import Severity
from slimage.rules.engine import lint_path

SAMPLES = Path(__file__).parent.parent / "data" / "samples"
ALL = sorted(p.name for p in SAMPLES.iterdir() if p.is_dir())


def _slimage(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "slimage", *args], capture_output=True, text=True, timeout=60
    )


def _project(tmp_path: Path, sample: str) -> Path:
    project = tmp_path / sample
    shutil.copytree(SAMPLES / sample, project)
    (project / ".git").mkdir()
    (project / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (project / ".env").write_text("TOKEN=x\n")
    return project


@pytest.mark.parametrize("sample", ALL)
def test_generated_files_pass_lint(tmp_path: Path, sample: str) -> None:
    project = _project(tmp_path, sample)
    result = _slimage("init", str(project))
    assert result.returncode == 0, result.stderr
    ignore = (project / ".dockerignore").read_text()
    assert ".git" in ignore.splitlines() and ".env" in ignore.splitlines()
    findings = lint_path(project / "Dockerfile").findings
    serious = [f for f in findings if f.severity >= Severity.WARNING]
    assert serious == [], [f"{f.code} {f.message}" for f in serious]


def test_readme_named_by_pyproject_is_not_ignored(tmp_path: Path) -> None:
    project = _project(tmp_path, "python-uv")
    assert _slimage("init", str(project)).returncode == 0
    from slimage.context.ignore import PatternMatcher, read_ignore_file

    matcher = PatternMatcher(read_ignore_file((project / ".dockerignore").read_text()))
    assert not matcher.matches("README.md")
    assert not matcher.matches("pyproject.toml") and not matcher.matches("uv.lock")
    assert matcher.matches(".git") and matcher.matches(".env")


def test_never_overwrites_without_force(tmp_path: Path) -> None:
    project = _project(tmp_path, "go-http")
    (project / "Dockerfile").write_text("FROM scratch\n")
    result = _slimage("init", str(project))
    assert result.returncode == 2
    assert "exists; use --force" in result.stderr
    assert (project / "Dockerfile").read_text() == "FROM scratch\n"
    assert _slimage("init", str(project), "--force").returncode == 0
    assert "golang" in (project / "Dockerfile").read_text()


def test_print_writes_nothing(tmp_path: Path) -> None:
    project = _project(tmp_path, "node-npm")
    result = _slimage("init", str(project), "--print")
    assert result.returncode == 0
    assert result.stdout.startswith("# syntax=docker/dockerfile:1")
    assert not (project / "Dockerfile").exists() and not (project / ".dockerignore").exists()


def test_images_from_project_config(tmp_path: Path) -> None:
    project = _project(tmp_path, "go-http")
    (project / ".slimage.toml").write_text('[images]\ngolang = "mirror.local/golang:1.19"\n')
    result = _slimage("init", str(project), "--print")
    assert "FROM mirror.local/golang:1.19 AS build" in result.stdout
    flag = _slimage("init", str(project), "--print", "--base-image", "golang=other/go:1")
    assert "FROM other/go:1 AS build" in flag.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--runtime", "tiny"], "--runtime 'tiny'"),
        (["--stack", "cobol"], "unknown stack 'cobol'"),
        (["--base-image", "golang"], "expected NAME=REFERENCE"),
    ],
)
def test_bad_options_are_usage_errors(tmp_path: Path, args: list[str], message: str) -> None:
    project = _project(tmp_path, "go-http")
    result = _slimage("init", str(project), "--print", *args)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_directory(tmp_path: Path) -> None:
    result = _slimage("init", str(tmp_path / "nope"))
    assert result.returncode == 3
    assert result.stderr.startswith("slimage: error:") and "no such directory" in result.stderr


def test_notes_in_the_dockerfile_are_told_on_stderr(tmp_path: Path) -> None:
    """A jar `java -jar` cannot run: the notes reach the terminal, not only the file."""
    project = _project(tmp_path, "java-maven")
    pom = (project / "pom.xml").read_text()
    # Drop the plugins that name the main class and bundle the dependencies.
    start, end = pom.index("<build>"), pom.index("</build>") + len("</build>")
    (project / "pom.xml").write_text(pom[:start] + pom[end:])
    printed = _slimage("init", "--print", str(project))
    assert printed.returncode == 0, printed.stderr
    notes = [line for line in printed.stderr.splitlines() if line.startswith("slimage init: note:")]
    assert len(notes) == printed.stdout.count("# Note: ") >= 1
    assert any("Main-Class" in note for note in notes)
    written = _slimage("init", str(project))
    assert written.returncode == 0, written.stderr
    assert [line for line in written.stderr.splitlines() if "note:" in line] == notes
    plain = _project(tmp_path / "plain", "go-http")
    assert "note:" not in _slimage("init", "--print", str(plain)).stderr
