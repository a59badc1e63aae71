"""The pre-commit hooks of .pre-commit-hooks.yaml, run by pre-commit itself.

``pre-commit try-repo`` clones this repository at its committed HEAD, installs it into a
virtualenv of its own (from PyPI: slimage's dependencies and hatchling) and runs the
hook in a scratch git repository holding a bad Dockerfile: the hook fails, then passes
once the Dockerfile (or the .dockerignore) is fixed.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from support.tools import require_tool

pytestmark = [pytest.mark.integration, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
PRE_COMMIT = [sys.executable, "-m", "pre_commit"]

BAD = """\
FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends curl
USER 10001
CMD python /app/main.py
"""
# What `slimage lint --fix` makes of BAD (both findings have safe fixes).
FIXED = """\
FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends curl \
&& rm -rf /var/lib/apt/lists/*
USER 10001
CMD ["python", "/app/main.py"]
"""


@pytest.fixture(scope="module")
def head() -> str:
    """This repository's committed HEAD: what a user's `rev:` would point at."""
    require_tool("git")
    hooks = subprocess.run(
        ["git", "-C", str(ROOT), "cat-file", "-e", "HEAD:.pre-commit-hooks.yaml"],
        capture_output=True,
    )
    assert hooks.returncode == 0, ".pre-commit-hooks.yaml is not committed at HEAD"
    return subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True, text=True, check=True
    ).stdout.strip()


@pytest.fixture(scope="module")
def environment(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """pre-commit's store in a scratch directory, shared by this module's runs (the
    hook's virtualenv is built once); git without the user's configuration."""
    home = tmp_path_factory.mktemp("pre-commit-home")
    env = dict(os.environ)
    env.update(
        PRE_COMMIT_HOME=str(home),
        GIT_CONFIG_GLOBAL=os.devnull,
        GIT_CONFIG_NOSYSTEM="1",
        GIT_AUTHOR_NAME="test",
        GIT_AUTHOR_EMAIL="test@example.com",
        GIT_COMMITTER_NAME="test",
        GIT_COMMITTER_EMAIL="test@example.com",
    )
    env.pop("CI", None)  # pre-commit's own colour/CI detection is not under test
    return env


def _project(tmp_path: Path, env: dict[str, str], files: dict[str, str]) -> Path:
    project = tmp_path / "project"
    project.mkdir()
    for name, text in files.items():
        (project / name).write_text(text)
    subprocess.run(["git", "init", "-q", str(project)], check=True, env=env)
    subprocess.run(["git", "-C", str(project), "add", "-A"], check=True, env=env)
    return project


def _try_repo(
    project: Path, env: dict[str, str], head: str, hook: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*PRE_COMMIT, "try-repo", str(ROOT), hook, "--ref", head, "--all-files", "--color=never"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )


def test_lint_hook_fails_then_passes_after_the_fix(
    tmp_path: Path, environment: dict[str, str], head: str
) -> None:
    project = _project(tmp_path, environment, {"Dockerfile": BAD})
    failed = _try_repo(project, environment, head, "slimage-lint")
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "SL1009" in failed.stdout and "SL3001" in failed.stdout
    (project / "Dockerfile").write_text(FIXED)
    passed = _try_repo(project, environment, head, "slimage-lint")
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "Passed" in passed.stdout


def test_fix_hook_fixes_the_file(tmp_path: Path, environment: dict[str, str], head: str) -> None:
    project = _project(tmp_path, environment, {"Dockerfile": BAD})
    fixed = _try_repo(project, environment, head, "slimage-lint-fix")
    # pre-commit fails a hook that changed files, so the user sees and stages the fix.
    assert fixed.returncode == 1, fixed.stdout + fixed.stderr
    assert "files were modified by this hook" in fixed.stdout
    assert (project / "Dockerfile").read_text() == FIXED
    again = _try_repo(project, environment, head, "slimage-lint-fix")
    assert again.returncode == 0, again.stdout + again.stderr


def test_context_hook_fails_on_a_copied_secret_then_passes(
    tmp_path: Path, environment: dict[str, str], head: str
) -> None:
    dockerfile = 'FROM debian:bookworm-slim\nCOPY . /app\nUSER 10001\nCMD ["/app/run"]\n'
    files = {"Dockerfile": dockerfile, ".env": "API_TOKEN=do-not-ship\n", "run": "run\n"}
    project = _project(tmp_path, environment, files)
    failed = _try_repo(project, environment, head, "slimage-context")
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert ".env" in failed.stdout and "secret" in failed.stdout
    (project / ".dockerignore").write_text(".env\n.git\n")
    subprocess.run(["git", "-C", str(project), "add", "-A"], check=True, env=environment)
    passed = _try_repo(project, environment, head, "slimage-context")
    assert passed.returncode == 0, passed.stdout + passed.stderr
