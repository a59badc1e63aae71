from __future__ import annotations

import pytest
from rule_helpers import findings, lines

from slimage.rules.sl1003_toolchain_in_runtime import ToolchainInRuntime

RULE = ToolchainInRuntime


@pytest.mark.parametrize(
    ("text", "packages"),
    [
        (
            "FROM python:3.12-slim\nRUN apt-get update && apt-get install -y build-essential "
            "libpq-dev curl\n",
            ["build-essential", "libpq-dev"],
        ),
        ("FROM alpine\nRUN apk add --no-cache gcc musl-dev git\n", ["gcc", "musl-dev", "git"]),
        (
            "FROM fedora:40\nRUN dnf install -y gcc-c++ make python3-devel\n",
            ["gcc-c++", "make", "python3-devel"],
        ),
        (
            "FROM debian:12\nRUN apt-get install -y openjdk-17-jdk-headless=17.0.1\n",
            ["openjdk-17-jdk-headless"],
        ),
        # Removed in a later RUN: the bytes stay in the earlier layer.
        ("FROM alpine\nRUN apk add --virtual .d gcc\nRUN apk del .d\n", ["gcc"]),
    ],
)
def test_fires(text: str, packages: list[str]) -> None:
    (finding,) = findings(RULE, text)
    assert finding.extra["packages"] == packages


@pytest.mark.parametrize(
    "text",
    [
        "FROM alpine\nRUN apk add --no-cache --virtual .build-deps gcc musl-dev \\\n"
        " && pip install x && apk del .build-deps\n",
        "FROM debian:12\nRUN apt-get install -y gcc && make"
        " && apt-get purge -y --auto-remove gcc\n",
        "FROM debian:12\nRUN apt-get install -y --no-install-recommends curl libpq5\n",
        "FROM debian:12 AS build\nRUN apt-get install -y build-essential\nFROM debian:12-slim\n"
        "COPY --from=build /a /a\n",
        "FROM debian:12\nRUN apt-get purge -y gcc\n",
    ],
)
def test_does_not_fire(text: str) -> None:
    assert findings(RULE, text) == []


def test_estimate_uses_the_largest_known_package() -> None:
    (finding,) = findings(RULE, "FROM debian:12\nRUN apt-get install -y git build-essential\n")
    assert finding.bytes_saved == 230_000_000
    assert finding.bytes_estimated
    assert lines(RULE, "FROM debian:12\nRUN apt-get install -y git\nRUN apk add make\n") == [2, 3]


def test_docker_library_auto_mark_and_purge_idiom() -> None:
    text = (
        'FROM debian:12-slim\nRUN savedAptMark="$(apt-mark showmanual)"; \\\n'
        " apt-get update; apt-get install -y gcc libssl-dev; make; \\\n"
        " apt-mark auto '.*' > /dev/null; apt-mark manual $savedAptMark; \\\n"
        " apt-get purge -y --auto-remove -o APT::AutoRemove::RecommendsImportant=false\n"
    )
    assert findings(RULE, text) == []
