"""find_problems: junk and secrets sent, and secrets copied into the image."""

from __future__ import annotations

from pathlib import Path

from slimage.context.problems import Category, classify, find_problems
from slimage.context.scan import DIR, FILE, scan_context
from slimage.findings import Severity


def _write(root: Path, rel: str, size: int = 1) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"x" * size)


def test_classify() -> None:
    assert classify(".git", DIR) is Category.VCS
    assert classify("node_modules", DIR) is Category.DEPENDENCIES
    assert classify(".env.production", FILE) is Category.SECRET
    assert classify(".env.example", FILE) is None
    assert classify("id_rsa", FILE) is Category.SECRET
    assert classify("id_rsa.pub", FILE) is None
    assert classify("server.pem", FILE) is Category.SECRET
    assert classify("dist", FILE) is None


def test_problems_sent_and_copied(tmp_path: Path) -> None:
    _write(tmp_path, ".git/objects/aa", 5000)
    _write(tmp_path, "node_modules/x/index.js", 3_000_000)
    _write(tmp_path, "myenv/pyvenv.cfg")
    _write(tmp_path, "target/app.jar", 100)
    _write(tmp_path, ".env", 10)
    _write(tmp_path, "keys/deploy.pem", 10)
    _write(tmp_path, ".vscode/settings.json")
    scan = scan_context(tmp_path)
    problems = {
        p.path: p for p in find_problems(scan, reached={".env": 7}, required={"target/app.jar"})
    }
    assert problems[".env"].severity is Severity.ERROR
    assert "line 7" in problems[".env"].message
    assert problems["keys/deploy.pem"].severity is Severity.WARNING
    assert problems[".git"].files == 1 and problems[".git"].bytes == 5000
    assert problems["node_modules"].severity is Severity.WARNING
    assert problems["myenv"].category is Category.VIRTUALENV
    assert problems[".vscode"].severity is Severity.INFO
    assert "target" not in problems  # the Dockerfile asks for target/app.jar by name
    assert "node_modules/x/index.js" not in problems  # reported once, as the directory
