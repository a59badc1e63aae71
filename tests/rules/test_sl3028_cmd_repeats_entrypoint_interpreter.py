from __future__ import annotations

import pytest
from sl23_support import findings, fixed, lines

from slimage.rules.sl3028_cmd_repeats_entrypoint_interpreter import (
    CmdRepeatsEntrypointInterpreter,
)
from slimage.stacks.base_entrypoints import base_entrypoint

RULE = CmdRepeatsEntrypointInterpreter
NODE = "gcr.io/distroless/nodejs22-debian12:nonroot"


@pytest.mark.parametrize(
    "text",
    [
        # What `slimage init --runtime distroless` wrote for Node (issue 15).
        f'FROM node:22 AS build\nRUN npm ci\nFROM {NODE}\nCMD ["node", "dist/server.js"]\n',
        'FROM gcr.io/distroless/nodejs20-debian12\nCMD ["/nodejs/bin/node", "index.js"]\n',
        'FROM gcr.io/distroless/python3-debian12:debug\nCMD ["python3", "-m", "app"]\n',
        'FROM gcr.io/distroless/python3-debian12\nCMD ["/usr/bin/python3.11", "app.py"]\n',
        'FROM gcr.io/distroless/java21-debian12\nCMD ["java", "-jar", "app.jar"]\n',
        'FROM gcr.io/distroless/java17-debian12\nCMD ["-jar", "app.jar"]\n',
        # Through a stage chain.
        f'FROM {NODE} AS runtime\nFROM runtime\nCMD ["nodejs", "a.js"]\n',
    ],
)
def test_fires(text: str) -> None:
    assert lines(RULE, text) == [text.count("\n")]


@pytest.mark.parametrize(
    "text",
    [
        f'FROM {NODE}\nCMD ["dist/server.js"]\n',
        'FROM gcr.io/distroless/java21-debian12\nCMD ["app.jar"]\n',
        # The stage's own ENTRYPOINT replaces the base image's.
        f'FROM {NODE}\nENTRYPOINT []\nCMD ["node", "a.js"]\n',
        f'FROM {NODE} AS r\nENTRYPOINT ["/busybox/sh", "-c"]\nFROM r\nCMD ["node a.js"]\n',
        # Bases whose entrypoint runs CMD as given (the official node image's script).
        'FROM node:22-slim\nCMD ["node", "a.js"]\n',
        'FROM gcr.io/distroless/static-debian12\nCMD ["/app"]\n',
        'FROM python:3.12-slim\nCMD ["python", "app.py"]\n',
        # Shell form is another rule's business (SL3001).
        f"FROM {NODE}\nCMD node a.js\n",
        # Nothing left to run once the options are dropped.
        'FROM gcr.io/distroless/java21-debian12\nCMD ["-jar"]\n',
    ],
)
def test_does_not_fire(text: str) -> None:
    assert findings(RULE, text) == []


def test_message_names_what_runs() -> None:
    text = f'FROM {NODE}\nCMD ["node", "dist/server.js"]\n'
    (finding,) = findings(RULE, text)
    assert "node node dist/server.js" in finding.message
    assert '["/nodejs/bin/node"]' in finding.message


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (
            f'FROM {NODE}\nCMD ["node", "dist/server.js"]\n',
            f'FROM {NODE}\nCMD ["dist/server.js"]\n',
        ),
        (
            'FROM gcr.io/distroless/java21-debian12\nCMD [ "java", "-jar", "/app/app.jar" ]\n',
            'FROM gcr.io/distroless/java21-debian12\nCMD ["/app/app.jar"]\n',
        ),
        (
            'FROM gcr.io/distroless/python3-debian12\ncmd ["python", "-m", "app"]  \n',
            'FROM gcr.io/distroless/python3-debian12\ncmd ["-m", "app"]  \n',
        ),
    ],
)
def test_fix_drops_the_repeated_words(before: str, after: str) -> None:
    assert fixed(RULE, before) == after


def test_no_fix_across_continuation_lines() -> None:
    text = f'FROM {NODE}\nCMD ["node", \\\n     "dist/server.js"]\n'
    (finding,) = findings(RULE, text)
    assert finding.fix is None


def test_table_knows_the_distroless_interpreters() -> None:
    assert base_entrypoint("gcr.io/distroless/nodejs22-debian12").entrypoint == (  # type: ignore[union-attr]
        "/nodejs/bin/node",
    )
    java = base_entrypoint("gcr.io/distroless/java21-debian12:nonroot")
    assert java is not None and java.options == ("-jar",)
    assert base_entrypoint("gcr.io/distroless/cc-debian12") is None
    assert base_entrypoint("docker.io/library/node:22") is None
