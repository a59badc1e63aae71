from __future__ import annotations

from pathlib import Path

from rule_helpers import findings, lines

from slimage.rules.sl1006_dockerignore_missing import DockerignoreMissing

RULE = DockerignoreMissing
TEXT = 'FROM node:20-slim\nWORKDIR /app\nCOPY . .\nCMD ["node", "s.js"]\n'


def test_fires_when_the_context_has_no_ignore_file(tmp_path: Path) -> None:
    assert lines(RULE, TEXT, context_dir=tmp_path) == [3]


def test_quiet_with_an_ignore_file(tmp_path: Path) -> None:
    (tmp_path / ".dockerignore").write_text("node_modules\n")
    assert findings(RULE, TEXT, context_dir=tmp_path) == []


def test_dockerfile_specific_ignore_file_counts(tmp_path: Path) -> None:
    dockerfile = tmp_path / "app.Dockerfile"
    dockerfile.write_text(TEXT)
    (tmp_path / "app.Dockerfile.dockerignore").write_text(".git\n")
    from slimage.rules.engine import lint

    result = lint(TEXT, path=str(dockerfile), rules=[RULE], context_dir=tmp_path)
    assert result.findings == []


def test_quiet_without_a_context_or_without_context_copies(tmp_path: Path) -> None:
    assert findings(RULE, TEXT) == []
    text = (
        "FROM alpine\nCOPY --from=build /a /a\nCOPY <<EOF /etc/x\nhi\nEOF\nADD https://e.com/x /x\n"
    )
    assert findings(RULE, text, context_dir=tmp_path) == []
