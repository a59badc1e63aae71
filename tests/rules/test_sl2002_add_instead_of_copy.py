from pathlib import Path

from rule_helpers import findings, fixed, lines

from slimage.findings import Applicability
from slimage.rules.sl2002_add_instead_of_copy import AddInsteadOfCopy


def test_add_of_local_file_fires_with_safe_fix() -> None:
    text = "FROM alpine:3.20\nADD requirements.txt /app/\n"
    found = findings(AddInsteadOfCopy, text)
    assert [f.location.line for f in found] == [2]
    assert found[0].fix is not None
    assert found[0].fix.applicability is Applicability.SAFE
    assert fixed(AddInsteadOfCopy, text) == "FROM alpine:3.20\nCOPY requirements.txt /app/\n"


def test_lower_case_keyword_keeps_case() -> None:
    text = "from alpine:3.20\nadd --chown=1:1 app.py /app/\n"
    assert fixed(AddInsteadOfCopy, text) == "from alpine:3.20\ncopy --chown=1:1 app.py /app/\n"


def test_archives_urls_and_git_do_not_fire() -> None:
    for source in ("rootfs.tar.gz", "x.tgz", "https://example.com/a.txt", "git@github.com:a/b.git"):
        assert lines(AddInsteadOfCopy, f"FROM alpine:3.20\nADD {source} /x/\n") == [], source


def test_unknown_names_and_globs_get_unsafe_fix() -> None:
    for source in ("app", "src/*", "$FILE"):
        text = f"FROM alpine:3.20\nADD {source} /x/\n"
        found = findings(AddInsteadOfCopy, text)
        assert found and found[0].fix is not None, source
        assert found[0].fix.applicability is Applicability.UNSAFE, source
        # not applied without --unsafe-fixes
        assert fixed(AddInsteadOfCopy, text) == text


def test_context_content_decides(tmp_path: Path) -> None:
    (tmp_path / "app").write_bytes(b"#!/bin/sh\necho hi\n")
    (tmp_path / "blob").write_bytes(b"\x1f\x8b\x08\x00rest")
    text = "FROM alpine:3.20\nADD app /app\n"
    found = findings(AddInsteadOfCopy, text, context_dir=tmp_path)
    assert found[0].fix is not None and found[0].fix.applicability is Applicability.SAFE
    text = "FROM alpine:3.20\nADD blob /blob\n"
    found = findings(AddInsteadOfCopy, text, context_dir=tmp_path)
    assert found[0].fix is not None and found[0].fix.applicability is Applicability.UNSAFE


def test_add_only_flags_get_no_fix() -> None:
    text = "FROM alpine:3.20\nADD --unpack=false app.py /x/\n"
    found = findings(AddInsteadOfCopy, text)
    assert found and found[0].fix is None


def test_heredoc_source_is_safe() -> None:
    text = "FROM alpine:3.20\nADD <<EOF /etc/motd\nhello\nEOF\n"
    assert fixed(AddInsteadOfCopy, text) == "FROM alpine:3.20\nCOPY <<EOF /etc/motd\nhello\nEOF\n"


def test_copy_does_not_fire() -> None:
    assert lines(AddInsteadOfCopy, "FROM alpine:3.20\nCOPY app.py /x/\n") == []
