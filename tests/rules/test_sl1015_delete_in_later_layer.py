from __future__ import annotations

import pytest
from rule_helpers import findings, lines

from slimage.rules.sl1015_delete_in_later_layer import DeleteInLaterLayer

RULE = DeleteInLaterLayer


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("FROM alpine\nCOPY . /app\nRUN rm -rf /app/tests\n", [3]),
        ("FROM alpine\nWORKDIR /app\nCOPY . .\nRUN rm -rf tests docs\n", [4]),
        (
            "FROM debian\nRUN apt-get update && apt-get install -y x\n"
            "RUN rm -rf /var/lib/apt/lists/*\n",
            [3],
        ),
        (
            "FROM alpine\nRUN curl -fsSLo /tmp/t.tgz https://e.com/t.tgz\n"
            "RUN tar -xzf /tmp/t.tgz && rm /tmp/t.tgz\n",
            [3],
        ),
        ("FROM alpine\nRUN wget -O /tmp/a.zip https://e.com/a.zip\nRUN rm -f /tmp/a.zip\n", [3]),
        (
            "FROM alpine\nRUN git clone https://e.com/r.git /src\n"
            "RUN make -C /src && rm -rf /src\n",
            [3],
        ),
        ("FROM node:20\nRUN npm ci\nRUN rm -rf /root/.npm\n", [3]),
        # The stage the image is built FROM counts: its layers ship.
        ("FROM alpine AS base\nCOPY big.bin /big.bin\nFROM base\nRUN rm /big.bin\n", [4]),
    ],
)
def test_fires(text: str, expected: list[int]) -> None:
    assert lines(RULE, text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "FROM alpine\n"
        "RUN curl -o /tmp/t.tgz https://e.com/t && tar -xzf /tmp/t.tgz && rm /tmp/t.tgz\n",
        "FROM debian\nRUN apt-get update && apt-get install -y x && rm -rf /var/lib/apt/lists/*\n",
        "FROM debian\nRUN --mount=type=cache,target=/var/lib/apt apt-get update\n"
        "RUN rm -rf /var/lib/apt/lists\n",
        # Deleting what the base image ships is not this rule's business.
        "FROM debian\nRUN rm -rf /usr/share/doc\n",
        "FROM alpine\nCOPY . /app\nRUN rm -rf /other\n",
        "FROM alpine\nCOPY . /app\nRUN cd /srv && rm -rf tests\n",
        "FROM alpine AS build\nCOPY . /app\nRUN rm -rf /app/tests\n"
        "FROM scratch\nCOPY --from=build /app /app\n",
        "FROM alpine\nCOPY . /app\nRUN rm -rf $TMP/x\n",
    ],
)
def test_does_not_fire(text: str) -> None:
    assert findings(RULE, text) == []


def test_message_names_the_adding_line() -> None:
    (finding,) = findings(RULE, "FROM alpine\nCOPY a /a\nRUN true\nRUN rm /a\n")
    assert "line 2" in finding.message
