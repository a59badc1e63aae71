from rule_helpers import findings, lines

from slimage.rules.sl3003_duplicate_stage_name import DuplicateStageName


def test_duplicate_fires_on_the_second_name() -> None:
    text = "FROM golang:1.22 AS build\nFROM node:20 AS Build\n"
    found = findings(DuplicateStageName, text)
    assert [(f.location.line, f.location.column) for f in found] == [(2, 17)]
    assert "line 1" in found[0].message


def test_unique_names_pass() -> None:
    assert lines(DuplicateStageName, "FROM a:1 AS x\nFROM b:1 AS y\nFROM c:1\n") == []
