"""Every JSON output has ``"schema_version": 1`` (an integer) and validates against its
published schema in ``slimage/report/schemas/`` (issue 15: lint said 1, analyze "1.0",
context and parse ``"version": 1``)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from slimage.report.schemas import SCHEMA_NAMES, SCHEMA_VERSION, load_schema
from support.images import make_layer, write_docker_archive

DOCKERFILE = """\
FROM ubuntu:22.04 AS build
RUN apt-get update && apt-get install -y curl
COPY . /src
ONBUILD RUN echo later
FROM alpine:3.20
COPY --from=build /src/app.txt /app/
EXPOSE 8080
CMD ["/app/run"]
"""


def slimage(*args: str, cwd: Path) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "slimage", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        check=False,
    )
    assert done.returncode in (0, 1), done.stderr
    document: dict[str, Any] = json.loads(done.stdout)
    return document


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("project")
    (root / "Dockerfile").write_text(DOCKERFILE)
    (root / "app.txt").write_text("hello\n")
    (root / ".env").write_text("API_TOKEN=abc\n")
    layers = [
        make_layer([("file", "etc/os-release", b"ID=test\n"), ("file", "app/run", b"#!" * 100)]),
        make_layer([("file", "app/data.bin", b"x" * 5000), ("whiteout", "app/run")]),
    ]
    write_docker_archive(root / "image.tar", layers)
    (root / "images").mkdir()
    write_docker_archive(root / "images" / "app.tar", layers)
    write_docker_archive(root / "slim.tar", layers[:1])
    go = root / "go"
    go.mkdir()
    (go / "go.mod").write_text("module example.com/app\n\ngo 1.22\n")
    (go / "main.go").write_text("package main\n\nfunc main() {}\n")
    (go / "Dockerfile").write_text(
        'FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build -o /app .\nCMD ["/app"]\n'
    )
    return root


COMMANDS = {
    "lint": ("lint", "--format", "json", "Dockerfile"),
    "rules": ("rules", "--format", "json"),
    "analyze": ("analyze", "--format", "json", "image.tar"),
    "analyze-quick": ("analyze", "--quick", "--format", "json", "image.tar"),
    "context": ("context", "--suggest", "--format", "json", "."),
    "parse": ("parse", "--format", "json", "Dockerfile"),
    "audit": (
        "audit",
        "--dir",
        "images",
        "--store",
        "sqlite:///audit.db",
        "--format",
        "json",
        "-q",
    ),
    "diff": ("diff", "image.tar", "slim.tar", "--format", "json"),
    "rewrite": ("rewrite", "go", "--format", "json"),
}
# Their output needs a builder or a container runtime: the integration tests validate it
# (tests/integration/test_build_command.py, test_verify_command.py, test_rewrite_verify.py).
NEEDS_TOOLS = {"build", "verify"}


def test_every_schema_is_published_and_valid() -> None:
    assert set(COMMANDS) | NEEDS_TOOLS == set(SCHEMA_NAMES)
    for name in SCHEMA_NAMES:
        schema = load_schema(name)
        jsonschema.Draft202012Validator.check_schema(schema)
        assert schema["properties"]["schema_version"] == {"const": SCHEMA_VERSION}
        assert "schema_version" in schema["required"]


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_real_output_validates_against_its_schema(name: str, project: Path) -> None:
    document = slimage(*COMMANDS[name], cwd=project)
    assert document["schema_version"] == 1 and type(document["schema_version"]) is int
    assert "version" not in document  # one field name everywhere
    jsonschema.Draft202012Validator(load_schema(name)).validate(document)
    broken = dict(document, schema_version="1.0")
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(load_schema(name)).validate(broken)
