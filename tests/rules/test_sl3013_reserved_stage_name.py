from rule_helpers import lines

from slimage.rules.sl3013_reserved_stage_name import ReservedStageName


def test_reserved_names_fire() -> None:
    assert lines(ReservedStageName, "FROM alpine:3.20 AS scratch\nFROM a:1 AS Context\n") == [1, 2]


def test_other_names_pass() -> None:
    assert lines(ReservedStageName, "FROM alpine:3.20 AS base\nFROM scratch\n") == []
