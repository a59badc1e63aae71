from __future__ import annotations

import pytest
from rule_helpers import findings, fixed, lines

from slimage.rules.sl1005_dev_dependencies_in_runtime import DevDependenciesInRuntime

RULE = DevDependenciesInRuntime


@pytest.mark.parametrize(
    "text",
    [
        "FROM node:20-slim\nRUN npm ci\n",
        "FROM node:20-slim\nRUN npm install\n",
        "FROM node:20-slim\nRUN yarn install --frozen-lockfile\n",
        "FROM node:20-slim\nRUN pnpm install --frozen-lockfile\n",
        "FROM python:3.12-slim\nRUN poetry install --no-root\n",
        "FROM python:3.12-slim\nRUN uv sync --frozen\n",
        "FROM python:3.12-slim\nRUN pip install -r requirements-dev.txt\n",
        "FROM python:3.12-slim\nRUN pip install -r requirements/test.txt\n",
        "FROM python:3.12-slim\nRUN pip install -e '.[dev]'\n",
        "FROM php:8.3-fpm\nRUN composer install\n",
        "FROM node:20-slim\nENV NODE_ENV=development\nRUN npm ci\n",
    ],
)
def test_fires(text: str) -> None:
    assert lines(RULE, text) == [text.count("\n")]


@pytest.mark.parametrize(
    "text",
    [
        "FROM node:20-slim\nRUN npm ci --omit=dev\n",
        "FROM node:20-slim\nRUN npm ci --omit dev\n",
        "FROM node:20-slim\nRUN npm ci --production\n",
        "FROM node:20-slim\nENV NODE_ENV=production\nRUN npm ci\n",
        "FROM node:20-slim\nRUN NODE_ENV=production npm ci\n",
        "FROM node:20-slim\nRUN npm install -g pm2\n",
        "FROM node:20-slim\nRUN npm install express\n",
        "FROM node:20-slim\nRUN npm ci && npm run build && npm prune --omit=dev\n",
        "FROM node:20-slim\nRUN yarn install --production\n",
        "FROM node:20-slim\nRUN pnpm install --prod\n",
        "FROM python:3.12-slim\nRUN poetry install --only main\n",
        "FROM python:3.12-slim\nRUN poetry install --without dev,test\n",
        "FROM python:3.12-slim\nRUN uv sync --no-dev\n",
        "FROM python:3.12-slim\nRUN pip install -r requirements.txt\n",
        "FROM python:3.12-slim\nRUN pip install -r requirements/prod.txt\n",
        "FROM php:8.3-fpm\nRUN composer install --no-dev\n",
        "FROM node:20 AS build\nRUN npm ci && npm run build\n"
        "FROM node:20-slim\nCOPY --from=build /d /d\n",
    ],
)
def test_does_not_fire(text: str) -> None:
    assert findings(RULE, text) == []


def test_npm_fix_is_unsafe_and_adds_omit_dev() -> None:
    text = "FROM node:20-slim\nRUN npm ci --ignore-scripts\n"
    assert fixed(RULE, text) == text
    assert (
        fixed(RULE, text, unsafe=True)
        == "FROM node:20-slim\nRUN npm ci --omit=dev --ignore-scripts\n"
    )
    (finding,) = findings(RULE, "FROM node:20-slim\nRUN yarn install\n")
    assert finding.fix is None


@pytest.mark.parametrize(
    "later",
    [
        "RUN npm run build",
        "RUN npx tsc -p .",
        "RUN ./node_modules/.bin/tsc",
        "RUN npm test",
        "RUN yarn jest --ci",
        "RUN python -m pytest",
    ],
)
def test_unsafe_fix_never_breaks_a_later_build_step(later: str) -> None:
    """--omit=dev before `npm run build` (tsc from devDependencies) breaks the build: the
    finding stays, with no fix, and its help points to `slimage rewrite`."""
    text = f'FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci\n{later}\nCMD ["node", "dist/a.js"]\n'
    (finding,) = findings(RULE, text)
    assert finding.fix is None
    assert "slimage rewrite" in finding.help
    assert fixed(RULE, text, unsafe=True) == text


def test_unsafe_fix_offered_without_a_later_dev_step() -> None:
    text = 'FROM node:20\nCOPY . .\nRUN npm ci\nCMD ["node", "a.js"]\n'
    assert "npm ci --omit=dev" in fixed(RULE, text, unsafe=True)
