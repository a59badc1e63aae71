from __future__ import annotations

import pytest
from rule_helpers import findings, lines

from slimage.rules.sl1002_single_stage_build import SingleStageBuild

RULE = SingleStageBuild


@pytest.mark.parametrize(
    ("text", "stack", "line"),
    [
        ('FROM golang:1.22\nCOPY . .\nRUN go build -o /s .\nCMD ["/s"]\n', "go", 3),
        ("FROM rust:1.77\nCOPY . .\nRUN cargo build --release\n", "rust", 3),
        ("FROM maven:3.9\nCOPY . .\nRUN mvn -B package -DskipTests\n", "java", 3),
        ("FROM gradle:8\nCOPY . .\nRUN ./gradlew bootJar\n", "java", 3),
        ("FROM node:20\nCOPY . .\nRUN npm ci && npm run build\n", "node", 3),
        ("FROM node:20\nRUN yarn build\n", "node", 2),
        ("FROM node:20\nRUN npx tsc -p .\n", "node", 2),
        ("FROM debian:12\nRUN ./configure && make && make install\n", "c", 2),
        ("FROM gcc:13\nRUN gcc -O2 -o /app main.c\n", "c", 2),
        ("FROM python:3.12\nRUN pip wheel -w /wheels -r requirements.txt\n", "python", 2),
        # A stage the image is built FROM ships its toolchain too.
        ('FROM golang:1.22 AS b\nRUN go build -o /s\nFROM b\nCMD ["/s"]\n', "go", 2),
    ],
)
def test_fires(text: str, stack: str, line: int) -> None:
    (finding,) = findings(RULE, text)
    assert finding.extra["stack"] == stack
    assert finding.location.line == line
    assert finding.help.startswith("multi-stage: ")


@pytest.mark.parametrize(
    "text",
    [
        "FROM golang:1.22 AS build\nRUN go build -o /s .\nFROM scratch\nCOPY --from=build /s /s\n",
        "FROM node:20 AS build\nRUN npm run build\nFROM nginx:alpine\nCOPY --from=build /d /d\n",
        'FROM node:20\nRUN npm ci --omit=dev\nCMD ["node", "s.js"]\n',
        "FROM node:20\nRUN npm run start\n",
        "FROM python:3.12-slim\nRUN pip install --no-cache-dir flask\n",
        "FROM golang:1.22\nRUN go version\n",
    ],
)
def test_does_not_fire(text: str) -> None:
    assert findings(RULE, text) == []


def test_one_finding_per_stack() -> None:
    assert lines(RULE, "FROM golang:1.22\nRUN go build ./a\nRUN go build ./b\n") == [2]


def test_toolchain_removed_in_the_same_run_is_not_a_single_stage_build() -> None:
    text = (
        "FROM debian:12-slim\nRUN apt-get update && apt-get install -y gcc make \\\n"
        " && apt-mark auto '.*' && make && make install \\\n"
        " && apt-get purge -y --auto-remove\n"
    )
    assert findings(RULE, text) == []
    alpine = "FROM alpine\nRUN apk add --virtual .d gcc make && make && apk del .d\n"
    assert findings(RULE, alpine) == []
