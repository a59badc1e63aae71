from rule_helpers import findings, fixed, lines

from slimage.findings import Applicability
from slimage.rules.sl2001_runtime_user_root import RuntimeUserRoot, is_root_user


def test_no_user_in_runtime_stage_fires_on_from() -> None:
    text = 'FROM node:20-slim\nCOPY . /app\nCMD ["node", "/app/server.js"]\n'
    found = findings(RuntimeUserRoot, text)
    assert [f.location.line for f in found] == [1]
    assert "no USER" in found[0].message
    assert found[0].fix is not None
    assert found[0].fix.applicability is Applicability.UNSAFE


def test_last_user_root_fires_on_that_user() -> None:
    text = "FROM debian:12\nUSER app\nRUN true\nUSER root\n"
    found = findings(RuntimeUserRoot, text)
    assert [f.location.line for f in found] == [4]
    assert "'root'" in found[0].message


def test_numeric_root_forms() -> None:
    for user in ("0", "0:0", "root:root", "root:0"):
        assert lines(RuntimeUserRoot, f"FROM debian:12\nUSER {user}\n") == [2], user
    assert not is_root_user("1000:0")
    assert not is_root_user("app")


def test_non_root_user_passes() -> None:
    assert lines(RuntimeUserRoot, "FROM debian:12\nUSER 10001\n") == []
    assert lines(RuntimeUserRoot, "FROM debian:12\nUSER root\nRUN x\nUSER app:app\n") == []


def test_user_in_build_stage_does_not_count() -> None:
    text = (
        "FROM golang:1.22 AS build\nUSER builder\nRUN go build\n"
        "FROM debian:12\nCOPY --from=build /a /a\n"
    )
    assert lines(RuntimeUserRoot, text) == [4]


def test_user_inherited_from_base_stage_counts() -> None:
    text = "FROM debian:12 AS base\nUSER app\nFROM base\nCOPY . /app\n"
    assert lines(RuntimeUserRoot, text) == []
    text = "FROM debian:12 AS base\nUSER app\nFROM base\nUSER root\n"
    assert lines(RuntimeUserRoot, text) == [4]


def test_distroless_nonroot_base_passes() -> None:
    assert lines(RuntimeUserRoot, "FROM gcr.io/distroless/static-debian12:nonroot\n") == []
    assert lines(RuntimeUserRoot, "FROM gcr.io/distroless/base:debug-nonroot\n") == []
    assert lines(RuntimeUserRoot, "FROM gcr.io/distroless/static-debian12\n") == [1]


def test_user_from_variable() -> None:
    assert lines(RuntimeUserRoot, "FROM debian:12\nARG U=root\nUSER $U\n") == [3]
    assert lines(RuntimeUserRoot, "FROM debian:12\nARG U=app\nUSER ${U}\n") == []
    # No value known: the rule cannot tell, so it stays quiet.
    assert lines(RuntimeUserRoot, "FROM debian:12\nARG U\nUSER $U\n") == []


def test_target_selects_runtime_stage() -> None:
    text = "FROM debian:12 AS dev\nFROM debian:12 AS prod\nUSER app\n"
    assert lines(RuntimeUserRoot, text) == []
    assert lines(RuntimeUserRoot, text, target="dev") == [1]


def test_created_but_unused_user_is_named_in_the_help() -> None:
    text = 'FROM node:20-alpine\nRUN addgroup -S app && adduser -S -G app app\nCMD ["node"]\n'
    found = findings(RuntimeUserRoot, text)
    assert "'app' is created on line 2" in found[0].help
    text = "FROM debian:12\nRUN useradd --uid 10001 -m svc\n"
    assert "USER svc" in findings(RuntimeUserRoot, text)[0].help


def test_windows_bases_are_out_of_scope() -> None:
    text = 'FROM mcr.microsoft.com/windows/nanoserver:ltsc2022\nCMD ["cmd"]\n'
    assert lines(RuntimeUserRoot, text) == []


def test_unsafe_fix_switches_to_the_created_user() -> None:
    text = (
        'FROM python:3.12-slim\nRUN useradd -r app\nCOPY . /app\nCMD ["python", "/app/main.py"]\n'
    )
    assert fixed(RuntimeUserRoot, text) == text
    assert fixed(RuntimeUserRoot, text, unsafe=True) == (
        "FROM python:3.12-slim\nRUN useradd -r app\nCOPY . /app\n"
        'USER app\nCMD ["python", "/app/main.py"]\n'
    )


def test_unsafe_fix_for_the_node_image_appends_at_the_end() -> None:
    text = "FROM node:20-slim\nCOPY . /app\n"
    assert fixed(RuntimeUserRoot, text, unsafe=True) == (
        "FROM node:20-slim\nCOPY . /app\nUSER node\n"
    )
    found = findings(RuntimeUserRoot, "FROM debian:12\nCOPY . /app\n")
    assert found[0].fix is None


def test_images_that_default_to_non_root_pass() -> None:
    for base in (
        "nginxinc/nginx-unprivileged:1.27",
        "bitnami/node:20",
        "cgr.dev/chainguard/python:latest",
    ):
        assert lines(RuntimeUserRoot, f"FROM {base}\nCOPY . /app\n") == [], base
    assert lines(RuntimeUserRoot, "FROM cgr.dev/chainguard/python:latest-dev\n") == [1]


def test_inserted_user_keeps_crlf_line_breaks() -> None:
    text = 'FROM node:20-slim\r\nCOPY . /app\r\nCMD ["node", "app.js"]\r\n'
    assert fixed(RuntimeUserRoot, text, unsafe=True) == (
        'FROM node:20-slim\r\nCOPY . /app\r\nUSER node\r\nCMD ["node", "app.js"]\r\n'
    )
