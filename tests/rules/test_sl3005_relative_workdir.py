from rule_helpers import findings, fixed, lines

from slimage.rules.sl3005_relative_workdir import RelativeWorkdir


def test_relative_workdir_fires() -> None:
    found = findings(RelativeWorkdir, "FROM node:20\nWORKDIR app\n")
    assert [(f.location.line, f.location.column) for f in found] == [(2, 9)]
    assert found[0].fix is None


def test_relative_after_absolute_passes() -> None:
    assert lines(RelativeWorkdir, "FROM node:20\nWORKDIR /srv\nWORKDIR app\n") == []
    text = "FROM node:20 AS base\nWORKDIR /srv\nFROM base\nWORKDIR app\n"
    assert lines(RelativeWorkdir, text) == []


def test_only_first_relative_is_reported() -> None:
    assert lines(RelativeWorkdir, "FROM node:20\nWORKDIR a\nWORKDIR b\n") == [2]


def test_absolute_variable_and_windows_pass() -> None:
    text = "FROM node:20\nWORKDIR /app\nWORKDIR $HOME\nWORKDIR C:\\\\app\n"
    assert lines(RelativeWorkdir, text) == []


def test_scratch_gets_a_safe_fix() -> None:
    assert fixed(RelativeWorkdir, "FROM scratch\nWORKDIR app\n") == "FROM scratch\nWORKDIR /app\n"
