from __future__ import annotations

import pytest
from rule_helpers import findings, fixed, lines

from slimage.rules.sl1012_pip_no_cache_dir import PipNoCacheDir

RULE = PipNoCacheDir


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("FROM python:3.12-slim\nRUN pip install -r requirements.txt\n", [2]),
        ("FROM python:3.12-slim\nRUN python -m pip install --upgrade pip\n", [2]),
        ("FROM python:3.12-slim\nRUN pip3 install flask && pip install gunicorn\n", [2, 2]),
        ("FROM python:3.12-slim\nENV PIP_NO_CACHE_DIR=0\nRUN pip install flask\n", [3]),
    ],
)
def test_fires(text: str, expected: list[int]) -> None:
    assert lines(RULE, text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "FROM python:3.12-slim\nRUN pip install --no-cache-dir flask\n",
        "FROM python:3.12-slim\nENV PIP_NO_CACHE_DIR=1\nRUN pip install flask\n",
        "FROM python:3.12-slim\nRUN PIP_NO_CACHE_DIR=off pip install flask\n",
        "FROM python:3.12-slim\nRUN --mount=type=cache,target=/root/.cache/pip pip install flask\n",
        "FROM python:3.12-slim\nRUN --mount=type=cache,target=/root/.cache pip install flask\n",
        "FROM python:3.12 AS build\nRUN pip wheel -w /w flask\nFROM python:3.12-slim\n",
        "FROM python:3.12-slim\nRUN pip freeze\n",
    ],
)
def test_does_not_fire(text: str) -> None:
    assert findings(RULE, text) == []


def test_fix_inserts_after_install() -> None:
    text = "FROM python:3.12-slim\nRUN python3 -m pip install -U pip \\\n && pip install -r r.txt\n"
    assert fixed(RULE, text) == (
        "FROM python:3.12-slim\nRUN python3 -m pip install --no-cache-dir -U pip \\\n"
        " && pip install --no-cache-dir -r r.txt\n"
    )


def test_arg_in_scope_counts_like_env() -> None:
    text = "FROM python:3.12-slim\nARG PIP_NO_CACHE_DIR=1\nRUN pip install x\n"
    assert findings(RULE, text) == []
