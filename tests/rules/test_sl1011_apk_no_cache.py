from __future__ import annotations

from pathlib import Path

import pytest
from rule_helpers import findings, fixed, lines

from slimage.rules.sl1011_apk_no_cache import ApkNoCache

RULE = ApkNoCache


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("FROM alpine\nRUN apk add curl\n", [2]),
        ("FROM alpine\nRUN apk update && apk add --virtual .deps gcc\n", [2]),
        ("FROM node:20-alpine\nRUN set -eux; \\\n  apk add --update git\n", [3]),
    ],
)
def test_fires(text: str, expected: list[int]) -> None:
    assert lines(RULE, text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "FROM alpine\nRUN apk add --no-cache curl\n",
        "FROM alpine\nRUN apk add curl && rm -rf /var/cache/apk/*\n",
        "FROM alpine\nRUN --mount=type=cache,target=/var/cache/apk apk add curl\n",
        "FROM alpine AS build\nRUN apk add gcc\nFROM scratch\nCOPY --from=build /a /a\n",
        "FROM alpine\nRUN apk del curl\n",
        "FROM alpine\nRUN apk add --no-network --virtual .rundeps so:libc.musl-x86_64.so.1\n",
    ],
)
def test_does_not_fire(text: str) -> None:
    assert findings(RULE, text) == []


def test_fix_adds_no_cache_after_add() -> None:
    text = "FROM alpine\nRUN apk add -t .deps gcc \\\n && apk del .deps\n"
    assert (
        fixed(RULE, text)
        == "FROM alpine\nRUN apk add --no-cache -t .deps gcc \\\n && apk del .deps\n"
    )


def test_no_fix_when_apk_update_leaves_its_own_index() -> None:
    (finding,) = findings(RULE, "FROM alpine\nRUN apk update && apk add curl\n")
    assert finding.fix is None
    assert "apk update" in finding.help


CORPUS = Path(__file__).parents[1] / "data" / "corpus" / "dockerfiles"


@pytest.mark.parametrize(
    "name",
    sorted(p.name for p in CORPUS.glob("*alpine*")),
)
def test_official_alpine_dockerfiles_pass(name: str) -> None:
    # python:*-alpine ends its build with `... | xargs -rt apk add --no-network --virtual
    # .python-rundeps`: nothing fetched, nothing left (issue 15).
    assert findings(RULE, (CORPUS / name).read_text()) == []
