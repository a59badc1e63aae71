from rule_helpers import findings, fixed, lines

from slimage.rules.sl3012_from_as_casing import FromAsCasing


def test_mismatch_fires_and_is_fixed() -> None:
    text = "FROM debian:12 as builder\nfrom debian:12 AS b2\n"
    found = findings(FromAsCasing, text)
    assert [(f.location.line, f.location.column) for f in found] == [(1, 16), (2, 16)]
    assert fixed(FromAsCasing, text) == "FROM debian:12 AS builder\nfrom debian:12 as b2\n"


def test_matching_case_passes() -> None:
    assert lines(FromAsCasing, "FROM debian:12 AS a\nfrom debian:12 as b\nFrom x:1 as c\n") == []
