from __future__ import annotations

import pytest
from rule_helpers import findings, fixed, lines

from slimage.findings import Severity
from slimage.rules.sl1016_consecutive_run import ConsecutiveRun

RULE = ConsecutiveRun


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("FROM debian\nRUN apt-get update\nRUN apt-get install -y curl\n", [3]),
        ("FROM alpine\nRUN apk add curl\nRUN apk add git\n", [3]),
        ("FROM fedora\nRUN dnf makecache && dnf install -y a\nRUN dnf install -y b\n", [3]),
    ],
)
def test_fires(text: str, expected: list[int]) -> None:
    assert lines(RULE, text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "FROM debian\nRUN apt-get update && apt-get install -y curl\n",
        "FROM debian\nRUN apt-get update\nENV X=1\nRUN apt-get install -y curl\n",
        "FROM debian\nRUN echo a\nRUN echo b\n",
        "FROM node:20\nRUN npm ci\nRUN npm run build\n",
        "FROM debian\nRUN apt-get update\n"
        "RUN --mount=type=cache,target=/var/cache/apt apt-get install -y x\n",
        "FROM alpine\nRUN apk add curl\nRUN apt-get install -y x\n",
    ],
)
def test_does_not_fire(text: str) -> None:
    assert findings(RULE, text) == []


def test_is_info_and_fix_joins_the_runs_unsafely() -> None:
    text = "FROM debian\nRUN apt-get update\nRUN apt-get install -y curl\nCMD x\n"
    (finding,) = findings(RULE, text)
    assert finding.severity is Severity.INFO
    assert fixed(RULE, text) == text
    assert fixed(RULE, text, unsafe=True) == (
        "FROM debian\nRUN apt-get update \\\n    && apt-get install -y curl\nCMD x\n"
    )


def test_no_fix_over_a_trailing_comment() -> None:
    text = "FROM debian\nRUN apt-get update # refresh\nRUN apt-get install -y curl\n"
    (finding,) = findings(RULE, text)
    assert finding.fix is None
