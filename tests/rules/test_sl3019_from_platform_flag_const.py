from rule_helpers import findings, lines

from slimage.rules.sl3019_from_platform_flag_const import FromPlatformFlagConst


def test_constant_platform_fires_on_the_flag() -> None:
    found = findings(FromPlatformFlagConst, "FROM --platform=linux/amd64 alpine:3.20 AS base\n")
    assert [(f.location.line, f.location.column) for f in found] == [(1, 6)]
    assert '"linux/amd64"' in found[0].message


def test_variables_and_platform_named_stages_pass() -> None:
    text = (
        "FROM --platform=$BUILDPLATFORM golang:1.22 AS build\n"
        "FROM --platform=linux/arm64 alpine:3.20 AS build_arm64\n"
        "FROM alpine:3.20\n"
    )
    assert lines(FromPlatformFlagConst, text) == []
