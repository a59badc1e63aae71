from __future__ import annotations

import pytest
from rule_helpers import findings

from slimage.rules.sl1004_cache_busting_copy import CacheBustingCopy

RULE = CacheBustingCopy


@pytest.mark.parametrize(
    ("text", "ecosystem", "line"),
    [
        ("FROM node:20\nWORKDIR /app\nCOPY . /app\nRUN npm install\n", "npm", 3),
        ("FROM node:20\nCOPY . .\nRUN yarn install --frozen-lockfile\n", "yarn", 2),
        ("FROM python:3.12\nCOPY ./ /app\nRUN pip install -r /app/requirements.txt\n", "pip", 2),
        ("FROM python:3.12\nCOPY . .\nRUN poetry install --only main\n", "poetry", 2),
        ("FROM golang:1.22\nCOPY . .\nRUN go build -o /s\n", "go", 2),
        ("FROM rust:1.77\nADD . /src\nRUN cargo build --release\n", "cargo", 2),
        ("FROM maven:3.9\nCOPY . .\nRUN mvn package\n", "maven", 2),
        ("FROM ruby:3.3\nCOPY . .\nRUN bundle install\n", "bundle", 2),
        ("FROM php:8.3\nCOPY . .\nRUN composer install --no-dev\n", "composer", 2),
        # Per stage: the builder is judged as much as the runtime.
        ("FROM node:20 AS b\nCOPY . .\nRUN npm ci\nFROM nginx\nCOPY --from=b /d /d\n", "npm", 2),
    ],
)
def test_fires(text: str, ecosystem: str, line: int) -> None:
    (finding,) = findings(RULE, text)
    assert finding.extra["ecosystem"] == ecosystem
    assert finding.location.line == line


@pytest.mark.parametrize(
    "text",
    [
        "FROM node:20\nCOPY package.json package-lock.json ./\nRUN npm ci\nCOPY . .\n",
        "FROM node:20\nCOPY package*.json ./\nRUN npm ci\nCOPY . .\nRUN npm run build\n",
        "FROM python:3.12\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\n"
        "COPY . .\nRUN pip install .\n",
        "FROM golang:1.22\nCOPY go.mod go.sum ./\nRUN go mod download\nCOPY . .\nRUN go build\n",
        # Installing a named tool is not the project's dependency list.
        "FROM node:20\nCOPY . .\nRUN npm install -g pm2\n",
        "FROM python:3.12\nCOPY . .\nRUN pip install gunicorn\n",
        "FROM node:20\nCOPY --from=deps /app/node_modules ./node_modules\nRUN npm run build\n",
        "FROM node:20\nCOPY src ./src\nRUN npm ci\n",
    ],
)
def test_does_not_fire(text: str) -> None:
    assert findings(RULE, text) == []
