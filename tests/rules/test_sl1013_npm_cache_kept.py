from __future__ import annotations

import pytest
from rule_helpers import findings, fixed, lines

from slimage.rules.sl1013_npm_cache_kept import NpmCacheKept

RULE = NpmCacheKept


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("FROM node:20\nRUN npm ci --omit=dev\n", [2]),
        ("FROM node:20\nRUN yarn install --frozen-lockfile\n", [2]),
        ("FROM node:20\nRUN yarn\n", [2]),
        ("FROM node:20\nRUN pnpm install --prod\n", [2]),
        ("FROM node:20\nRUN npm install -g pm2 && yarn install\n", [2, 2]),
    ],
)
def test_fires(text: str, expected: list[int]) -> None:
    assert lines(RULE, text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "FROM node:20\nRUN npm ci && npm cache clean --force\n",
        "FROM node:20\nRUN yarn install && yarn cache clean\n",
        "FROM node:20\nRUN pnpm install && pnpm store prune\n",
        "FROM node:20\nRUN npm ci && rm -rf /root/.npm\n",
        "FROM node:20\nRUN npm ci && rm -rf ~/.npm\n",
        "FROM node:20\nRUN --mount=type=cache,target=/root/.npm npm ci\n",
        "FROM node:20\nUSER node\nRUN --mount=type=cache,target=/home/node/.npm npm ci\n",
        "FROM node:20 AS build\nRUN npm ci\nFROM node:20-slim\nCOPY --from=build /app /app\n",
        "FROM node:20\nRUN npm run build\n",
    ],
)
def test_does_not_fire(text: str) -> None:
    assert findings(RULE, text) == []


def test_fix_appends_the_tool_clean() -> None:
    assert fixed(RULE, "FROM node:20\nRUN npm ci\n") == (
        "FROM node:20\nRUN npm ci && npm cache clean --force\n"
    )
    assert fixed(RULE, "FROM node:20\nRUN yarn install; \\\n  yarn build\n") == (
        "FROM node:20\nRUN yarn install; \\\n  yarn build && yarn cache clean\n"
    )


def test_version_checks_install_nothing() -> None:
    assert findings(RULE, "FROM node:20\nRUN yarn --version && npm --version\n") == []
