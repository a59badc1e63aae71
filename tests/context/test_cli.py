"""``slimage context`` through the real entry point: output, exit codes, --write."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from .test_suggest import node_sample, write_tree


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "slimage", "context", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
    )


def test_text_report(tmp_path: Path) -> None:
    node_sample(tmp_path)
    (tmp_path / ".dockerignore").write_text("node_modules\n")
    result = run(str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "Build context" in result.stdout
    assert "node_modules/" in result.stdout  # in the excluded table
    assert "Reaches the image" in result.stdout
    assert ".git: version-control history" in result.stdout


def test_json_report(tmp_path: Path) -> None:
    node_sample(tmp_path)
    result = run(str(tmp_path), "--format", "json")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["schema_version"] == 1
    assert document["ignore_file"] is None
    assert document["sent"]["files"] == 12
    assert document["reach"]["files"] == 5
    categories = {p["path"]: p["category"] for p in document["problems"]}
    assert categories["node_modules"] == "dependencies" and categories[".env"] == "secret"
    assert document["suggestion"] is None


def test_secret_copied_into_image_exits_1(tmp_path: Path) -> None:
    write_tree(tmp_path, {"Dockerfile": "FROM scratch\nCOPY . /app\n", ".env": "X=1"})
    result = run(str(tmp_path), "--format", "json")
    assert result.returncode == 1
    (problem,) = json.loads(result.stdout)["problems"]
    assert problem["severity"] == "error" and problem["copied_at_line"] == 2


def test_copy_of_ignored_file_exits_1(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {"Dockerfile": "FROM scratch\nCOPY app.py /\n", "app.py": "", ".dockerignore": "*.py\n"},
    )
    result = run(str(tmp_path))
    assert result.returncode == 1
    assert "app.py: excluded by the ignore file" in result.stdout


def test_suggest_and_write(tmp_path: Path) -> None:
    node_sample(tmp_path)
    result = run(str(tmp_path), "--suggest")
    assert result.returncode == 0, result.stderr
    assert "**/node_modules" in result.stdout
    assert not (tmp_path / ".dockerignore").exists()
    result = run(str(tmp_path), "--write")
    assert result.returncode == 0, result.stderr
    written = (tmp_path / ".dockerignore").read_text()
    assert "**/node_modules" in written
    (tmp_path / ".dockerignore").write_text("mine\n")
    result = run(str(tmp_path), "--write")
    assert result.returncode == 2
    assert "already exists; use --force" in result.stderr
    assert (tmp_path / ".dockerignore").read_text() == "mine\n"
    result = run(str(tmp_path), "--write", "--force")
    assert result.returncode == 0
    assert (tmp_path / ".dockerignore").read_text() == written


def test_bad_inputs(tmp_path: Path) -> None:
    result = run(str(tmp_path / "missing"))
    assert result.returncode == 3
    assert result.stderr.startswith("slimage: error: ") and "not found" in result.stderr
    assert "Traceback" not in result.stderr

    (tmp_path / ".dockerignore").write_text("ok\n\n[abc\n")
    result = run(str(tmp_path))
    assert result.returncode == 3
    assert ".dockerignore:3: invalid pattern '[abc'" in result.stderr

    (tmp_path / ".dockerignore").write_bytes(b"\x7fELF\x00\x01")
    result = run(str(tmp_path))
    assert result.returncode == 3 and "binary file" in result.stderr

    (tmp_path / ".dockerignore").unlink()
    result = run(str(tmp_path), "-f", str(tmp_path / "nope.Dockerfile"))
    assert result.returncode == 3 and "nope.Dockerfile" in result.stderr

    result = run(str(tmp_path), "--format", "yaml")
    assert result.returncode == 2


def test_dockerfile_specific_ignore_file(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "app.Dockerfile": "FROM scratch\nCOPY . /\n",
            "app.Dockerfile.dockerignore": "secret.txt\n",
            ".dockerignore": "public.txt\n",
            "secret.txt": "s",
            "public.txt": "p",
        },
    )
    result = run(str(tmp_path), "-f", str(tmp_path / "app.Dockerfile"), "--format", "json")
    document = json.loads(result.stdout)
    assert document["ignore_file"].endswith("app.Dockerfile.dockerignore")
    assert [item["path"] for item in document["excluded"]["items"]] == ["secret.txt"]


def test_target_stage(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "Dockerfile": "FROM scratch AS docs\nCOPY docs /docs\nFROM scratch\nCOPY app.py /\n",
            "docs/index.md": "# docs",
            "app.py": "print(1)",
        },
    )
    final = json.loads(run(str(tmp_path), "--format", "json").stdout)
    assert final["reach"]["files"] == 1 and final["reach"]["copies"][0]["sources"] == ["app.py"]
    docs = json.loads(run(str(tmp_path), "--target", "docs", "--format", "json").stdout)
    assert docs["reach"]["target_stage"] == "docs" and docs["reach"]["files"] == 1
    missing = run(str(tmp_path), "--target", "nope")
    assert missing.returncode == 2 and "nope" in missing.stderr
