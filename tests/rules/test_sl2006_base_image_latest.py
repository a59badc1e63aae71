from rule_helpers import findings, lines

from slimage.rules.sl2006_base_image_latest import BaseImageLatest


def test_untagged_and_latest_fire() -> None:
    found = findings(BaseImageLatest, "FROM python\n")
    assert len(found) == 1 and "no tag" in found[0].message
    assert "python:<version>" in found[0].help
    assert lines(BaseImageLatest, "FROM node:latest AS x\n") == [1]
    assert lines(BaseImageLatest, "FROM ghcr.io/org/app\n") == [1]
    assert lines(BaseImageLatest, "FROM localhost:5000/app\n") == [1]


def test_tagged_digest_scratch_and_stages_pass() -> None:
    assert lines(BaseImageLatest, "FROM python:3.12-slim\n") == []
    assert lines(BaseImageLatest, "FROM python@sha256:" + "a" * 64 + "\n") == []
    assert lines(BaseImageLatest, "FROM scratch\n") == []
    assert lines(BaseImageLatest, "FROM golang:1.22 AS build\nFROM build\n") == []
    assert lines(BaseImageLatest, "FROM localhost:5000/app:1.0\n") == []


def test_arg_expanded_reference() -> None:
    text = "ARG IMAGE=node\nFROM ${IMAGE}\n"
    found = findings(BaseImageLatest, text)
    assert [f.location.line for f in found] == [2]
    assert "${IMAGE} (node)" in found[0].message
    assert lines(BaseImageLatest, "ARG TAG=20\nFROM node:${TAG}\n") == []
    # No default: the expanded "node:" is odd, left to invalid-default-arg-in-from.
    assert lines(BaseImageLatest, "ARG TAG\nFROM node:${TAG}\n") == []


def test_span_is_the_image_word() -> None:
    found = findings(BaseImageLatest, "FROM --platform=linux/amd64 redis AS cache\n")
    assert found[0].location.column == 29
    assert found[0].location.end_column == 34


def test_copy_from_and_mount_from_images() -> None:
    text = (
        "FROM alpine:3.20\nCOPY --from=gloursdocker/docker / /\n"
        "COPY --from=docker/buildx-bin:latest /buildx /b\n"
        "RUN --mount=from=ghcr.io/org/tools,target=/t ls /t\n"
        "COPY --from=nginx:1.27 /etc/nginx /etc/nginx\nCOPY --from=nginx /x /x\n"
    )
    found = findings(BaseImageLatest, text)
    assert [(f.location.line, f.location.column) for f in found] == [(2, 6), (3, 6), (4, 5)]
    assert "COPY --from=gloursdocker/docker has no tag" in found[0].message
