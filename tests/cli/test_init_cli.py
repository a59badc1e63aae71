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


@pytest.mark.parametrize("runtime", ["distroless", "scratch", "slim", "alpine"])
@pytest.mark.parametrize("sample", ALL)
def test_every_runtime_passes_lint_or_is_refused(tmp_path: Path, sample: str, runtime: str) -> None:
    # Issue 15: `--runtime distroless` for Node wrote CMD ["node", ...] on an image whose
    # ENTRYPOINT is node (SL3028). Every combination either lints clean or says why not.
    project = _project(tmp_path, sample)
    result = _slimage("init", str(project), "--runtime", runtime)
    if result.returncode == 2:
        assert result.stderr.startswith("slimage: error: "), result.stderr
        assert "use" in result.stderr  # names a runtime that works
        return
    assert result.returncode == 0, result.stderr
    findings = lint_path(project / "Dockerfile").findings
    serious = [f for f in findings if f.severity >= Severity.WARNING]
    assert serious == [], [f"{f.code} {f.message}" for f in serious]
    text = (project / "Dockerfile").read_text()
    if runtime == "distroless":
        assert "official node images" not in text


def test_readme_named_by_pyproject_is_not_ignored(tmp_path: Path) -> None:
    project = _project(tmp_path, "python-uv")
    assert _slimage("init", str(project)).returncode == 0
    from slimage.context.ignore import PatternMatcher
    from slimage.context.ignore_file import read_ignore_file

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


def test_existing_dockerignore_is_checked_and_merged_with_force(tmp_path: Path) -> None:
    # Issue 15: an ignore file holding only `*.log` let the local node_modules reach the
    # runtime stage's `COPY . .` over the production one, and lint failed the result.
    project = _project(tmp_path, "node-npm")
    (project / "node_modules" / "ms").mkdir(parents=True)
    (project / "node_modules" / "ms" / "index.js").write_text("module.exports = 1\n")
    (project / ".dockerignore").write_text("*.log\n")
    result = _slimage("init", str(project))
    assert result.returncode == 0, result.stderr
    assert "the existing .dockerignore does not fit" in result.stderr
    assert "    **/node_modules\n" in result.stderr and "    .git\n" in result.stderr
    assert "--force" in result.stderr
    assert (project / ".dockerignore").read_text() == "*.log\n"  # untouched
    codes = {f.code for f in lint_path(project / "Dockerfile").findings}
    assert "SL1007" in codes  # what the advice is about

    (project / "Dockerfile").unlink()
    result = _slimage("init", str(project), "--force")
    assert result.returncode == 0, result.stderr
    assert "added" in result.stderr and "to the existing .dockerignore" in result.stderr
    lines = (project / ".dockerignore").read_text().splitlines()
    assert lines[0] == "*.log"  # the user's lines first, kept
    assert "**/node_modules" in lines and ".git" in lines and ".env" in lines
    findings = lint_path(project / "Dockerfile").findings
    serious = [f for f in findings if f.severity >= Severity.WARNING]
    assert serious == [], [f"{f.code} {f.message}" for f in serious]
    # A second run finds nothing to add.
    again = _slimage("init", str(project), "--force")
    assert "kept the existing .dockerignore" in again.stderr
    assert (project / ".dockerignore").read_text().splitlines() == lines


def test_existing_dockerignore_that_hides_a_copy_source(tmp_path: Path) -> None:
    project = _project(tmp_path, "java-maven")
    (project / ".dockerignore").write_text(".git\n.env\nsrc\ntarget\n")
    result = _slimage("init", str(project))
    assert result.returncode == 0, result.stderr
    assert "    !src\n" in result.stderr
    assert _slimage("init", str(project), "--force").returncode == 0
    from slimage.context.ignore import PatternMatcher
    from slimage.context.ignore_file import read_ignore_file

    matcher = PatternMatcher(read_ignore_file((project / ".dockerignore").read_text()))
    assert not matcher.matches("src/main/java/example/Main.java")
    assert matcher.matches("target") and matcher.matches(".git")
