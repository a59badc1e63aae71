from rule_helpers import findings, lines

from slimage.rules.sl3015_undefined_arg_in_from import UndefinedArgInFrom


def test_undeclared_arg_fires_with_suggestion() -> None:
    text = "ARG NODE_VERSION=20\nFROM node:${NODE_VERSON}-slim\n"
    found = findings(UndefinedArgInFrom, text)
    assert [(f.location.line, f.location.column) for f in found] == [(2, 6)]
    assert "did you mean NODE_VERSION" in found[0].message


def test_arg_in_stage_does_not_count_for_from() -> None:
    text = "FROM alpine:3.20\nARG TAG=1\nFROM node:$TAG\n"
    assert lines(UndefinedArgInFrom, text) == [3]


def test_declared_and_automatic_args_pass() -> None:
    text = "ARG TAG\nFROM --platform=$BUILDPLATFORM node:${TAG:-20}\n"
    assert lines(UndefinedArgInFrom, text) == []
