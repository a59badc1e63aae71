from __future__ import annotations

from analysis_fixtures import filesystem, record

from slimage.analysis.duplicates import find_duplicates, reclaimable_bytes
from slimage.analysis.explain import explain
from slimage.filesystem import FileKind

A = "sha256:" + "a" * 64
B = "sha256:" + "b" * 64


def test_copies_beyond_the_first_are_reclaimable() -> None:
    files = filesystem(
        record("app/static/logo.png", 50_000, 2, digest=A),
        record("usr/share/app/logo.png", 50_000, 1, digest=A),
        record("srv/www/logo.png", 50_000, 3, digest=A),
        record("app/other.bin", 50_000, 2, digest=B),
    )
    [duplicate] = find_duplicates(files)
    # The earliest layer's copy stays.
    assert duplicate.kept == "usr/share/app/logo.png"
    assert duplicate.copies == ("app/static/logo.png", "srv/www/logo.png")
    assert reclaimable_bytes([duplicate]) == 100_000


def test_hard_links_empty_files_and_unhashed_files_are_not_duplicates() -> None:
    files = filesystem(
        record("usr/bin/perl", 4_000, 0, digest=A),
        record("usr/bin/perl5.36.0", 0, 0, kind=FileKind.HARDLINK, link_target="usr/bin/perl"),
        record("a/empty", 0, 0, digest="sha256:e3b0"),
        record("b/empty", 0, 0, digest="sha256:e3b0"),
        record("c/small", 10, 0),
        record("d/small", 10, 0),
    )
    assert find_duplicates(files) == []


def test_copies_claimed_by_another_cause_are_not_counted_twice() -> None:
    files = filesystem(
        record("app/node_modules/x/big.wasm", 9_000, 2, digest=A),
        record("app/.git/objects/big.wasm", 9_000, 2, digest=A),
        record("app/dist/big.wasm", 9_000, 3, digest=A),
    )
    result = explain(files, {}, {}, [], [0, 0, 9_000, 9_000])
    assert result.classes["vcs"] == 9_000
    assert result.classes["duplicates"] == 9_000  # one of the two remaining copies
    assert result.explained_bytes == 18_000
    duplicate = next(f for f in result.findings if f.name == "duplicates")
    assert duplicate.location.path == "/app/node_modules/x/big.wasm"  # the kept copy
