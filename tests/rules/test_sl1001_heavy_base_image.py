from __future__ import annotations

import json
from pathlib import Path

import pytest
from rule_helpers import findings

from slimage.findings import Finding
from slimage.rules.sl1001_heavy_base_image import HeavyBaseImage

RULE = HeavyBaseImage


def only(text: str, **kwargs: object) -> Finding:
    (finding,) = findings(RULE, text, **kwargs)  # type: ignore[arg-type]
    return finding


@pytest.mark.parametrize(
    ("text", "suggested"),
    [
        (
            'FROM node:20\nCOPY . /app\nRUN npm ci --omit=dev\nCMD ["node", "s.js"]\n',
            "node:20-alpine",
        ),
        ("FROM node:18-bookworm\nRUN npm install bcrypt\n", "node:18-slim"),
        ("FROM python:3.11\nRUN pip install flask gunicorn\n", "python:3.11-alpine"),
        ("FROM python:3.12\nRUN pip install numpy pandas\n", "python:3.12-slim"),
        ("FROM python:3.12\nRUN apt-get update && apt-get install -y libpq5\n", "python:3.12-slim"),
        (
            "FROM golang:1.22\nRUN CGO_ENABLED=0 go build -o /x .\n",
            "gcr.io/distroless/static-debian12",
        ),
        ("FROM eclipse-temurin:17-jdk\nCOPY app.jar /app.jar\n", "eclipse-temurin:17-jre-alpine"),
        ("FROM debian:12\nCOPY app /app\n", "debian:bookworm-slim"),
        # The article's first example: a runtime installed on a full OS.
        (
            "FROM ubuntu:22.04\nRUN apt-get update && apt-get install -y nodejs npm\n",
            "node:20-slim",
        ),
        # The base is what the runtime stage inherits through FROM <stage>.
        ("FROM node:20 AS base\nRUN npm ci\nFROM base\nCMD node s.js\n", "node:20-alpine"),
    ],
)
def test_suggests_the_smallest_fitting_variant(text: str, suggested: str) -> None:
    finding = only(text)
    assert finding.extra["suggested_image"] == suggested
    assert finding.location.line == 1 or text.startswith("FROM node:20 AS base")


def test_reports_the_catalog_saving_as_an_estimate() -> None:
    finding = only("FROM node:20\nCMD node s.js\n")
    assert finding.bytes_estimated
    assert finding.bytes_saved is not None and finding.bytes_saved > 900_000_000
    assert "1.10 GB" in finding.message  # slimage.units.human_bytes: 3 significant digits


def test_runtime_installed_on_an_os_has_no_number() -> None:
    finding = only("FROM ubuntu:22.04\nRUN apt-get update && apt-get install -y python3\n")
    assert finding.bytes_saved is None
    assert "python:3.12-slim" in finding.help


def test_multi_stage_go_on_full_debian_suggests_distroless() -> None:
    text = "FROM golang:1.22 AS b\nRUN go build -o /x\nFROM debian:12\nCOPY --from=b /x /x\n"
    finding = only(text)
    assert finding.location.line == 3
    assert finding.extra["suggested_image"] == "gcr.io/distroless/base-debian12"


def test_native_addon_in_package_json_steers_to_slim(tmp_path: Path) -> None:
    (tmp_path / "package.json").write_text(json.dumps({"dependencies": {"sharp": "^0.33"}}))
    finding = only("FROM node:20\nCOPY . .\nRUN npm ci\n", context_dir=tmp_path)
    assert finding.extra["suggested_image"] == "node:20-slim"
    assert "sharp" in finding.message


def test_requirements_file_decides_alpine(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("flask==3.0\ngunicorn  # server\n")
    text = "FROM python:3.12\nCOPY . .\nRUN pip install -r requirements.txt\n"
    assert only(text, context_dir=tmp_path).extra["suggested_image"] == "python:3.12-alpine"
    (tmp_path / "requirements.txt").write_text("flask\npsycopg2==2.9\n")
    assert only(text, context_dir=tmp_path).extra["suggested_image"] == "python:3.12-slim"
    # Without the context the packages are unknown: slim, never alpine.
    assert only(text).extra["suggested_image"] == "python:3.12-slim"


@pytest.mark.parametrize(
    "text",
    [
        "FROM node:20-alpine\n",
        "FROM node:20-slim\n",
        "FROM python:3.12-slim\n",
        "FROM gcr.io/distroless/static-debian12\n",
        "FROM scratch\nCOPY x /x\n",
        "FROM golang:1.22 AS build\nRUN go build\nFROM alpine:3.20\nCOPY --from=build /x /x\n",
        "FROM mycompany/base:1\n",
        "FROM ubuntu:22.04\nCOPY app /app\n",  # no smaller Ubuntu, stack unknown
        "FROM $BASE\n",
    ],
)
def test_does_not_fire(text: str) -> None:
    assert findings(RULE, text) == []


def test_target_selects_the_runtime_stage() -> None:
    text = "FROM node:20 AS dev\nCMD x\nFROM node:20-alpine AS prod\nCMD x\n"
    assert findings(RULE, text) == []
    assert [f.location.line for f in findings(RULE, text, target="dev")] == [1]


def test_arg_values_are_expanded_in_from() -> None:
    text = "ARG NODE_VERSION=18\nFROM node:${NODE_VERSION}\nCMD node s.js\n"
    finding = only(text)
    assert finding.extra["suggested_image"] == "node:18-alpine"
    assert finding.location.line == 2
