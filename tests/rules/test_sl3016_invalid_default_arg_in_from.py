from rule_helpers import findings, lines

from slimage.rules.sl3016_invalid_default_arg_in_from import InvalidDefaultArgInFrom


def test_empty_default_fires() -> None:
    found = findings(InvalidDefaultArgInFrom, "ARG TAG\nFROM busybox:${TAG}\n")
    assert [f.location.line for f in found] == [2]
    assert "'busybox:'" in found[0].message
    assert lines(InvalidDefaultArgInFrom, "ARG IMAGE\nFROM $IMAGE\n") == [2]


def test_valid_defaults_pass() -> None:
    for text in (
        "ARG TAG=latest\nFROM busybox:${TAG}\n",
        "ARG VARIANT\nFROM busybox:stable${VARIANT}\n",
        "ARG BASE=build\nFROM alpine:3.20 AS build\nFROM ${BASE}\n",
        "FROM --platform=$BUILDPLATFORM golang:1.22\n",
    ):
        assert lines(InvalidDefaultArgInFrom, text) == [], text
