from __future__ import annotations

from pathlib import Path

from rule_helpers import findings, lines

from slimage.rules.sl1008_copy_ignored_file import CopyIgnoredFile

RULE = CopyIgnoredFile


def test_fires_for_an_excluded_source(tmp_path: Path) -> None:
    (tmp_path / ".dockerignore").write_text("config/\n*.md\n")
    text = "FROM alpine\nCOPY config/app.yaml /etc/app/\nCOPY ./README.md /r\nADD src /src\n"
    assert lines(RULE, text, context_dir=tmp_path) == [2, 3]


def test_exceptions_wildcards_and_other_sources_pass(tmp_path: Path) -> None:
    (tmp_path / ".dockerignore").write_text("config/\n!config/app.yaml\n*.md\n")
    text = (
        "FROM alpine\nCOPY config/app.yaml /etc/app/\nCOPY *.md /docs/\nCOPY . /app\n"
        "COPY --from=build /config/x /x\nCOPY $CONFIG /c\nADD https://example.com/a.md /a\n"
    )
    assert findings(RULE, text, context_dir=tmp_path) == []


def test_quiet_without_context_or_ignore_file(tmp_path: Path) -> None:
    text = "FROM alpine\nCOPY config/app.yaml /etc/app/\n"
    assert findings(RULE, text) == []
    assert findings(RULE, text, context_dir=tmp_path) == []
